//! One file per subcommand: its arguments (clap) and its `run`, which gives the exit.

pub(crate) mod case;
pub(crate) mod check;
pub(crate) mod diff;
pub(crate) mod eval;
pub(crate) mod explain;
pub(crate) mod fmt;
pub(crate) mod init;
pub(crate) mod log;
pub(crate) mod lsp;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod table;
pub(crate) mod test;
pub(crate) mod users;
