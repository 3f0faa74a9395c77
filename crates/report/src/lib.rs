//! `tenet report`: the return analysis (退货分析) and the monthly service statement, from
//! the same policies as every other command. `reports` computes them (each a JSON value
//! first); `formats` writes them out — Markdown, CSV, HTML with charts, Parquet. Formats
//! read reports, never the other way round.

pub mod formats;
pub mod reports;
