//! `tenet report`: the return analysis of stage 7 and (to come) the monthly service
//! statement, from the same policies as every other command.

pub mod charts;
pub mod csv;
pub mod html;
pub mod input;
pub mod markdown;
pub mod parquet;
pub mod returns;
pub mod sla;
