//! `tenet report`: the return analysis (退货分析) and the monthly service statement, from
//! the same policies as every other command. `returns`, `sla` and `input` make the
//! reports; `csv`, `html`, `markdown`, `parquet` and `charts` write them out.

pub mod charts;
pub mod csv;
pub mod html;
pub mod input;
pub mod markdown;
pub mod parquet;
pub mod returns;
pub mod sla;
