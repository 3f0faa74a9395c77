//! How a report is written out: the return analysis by format (`markdown`, `csv`, `html`,
//! `parquet`), the service statement in `sla`, and the charts both draw.

pub mod charts;
pub mod csv;
pub mod html;
pub mod markdown;
pub mod parquet;
pub mod sla;
