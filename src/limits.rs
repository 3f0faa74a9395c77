//! Every limit that bounds what tenet reads or computes, in one place (the README's
//! limits table lists them with what happens at each).

pub use crate::document::{FLOAT_DIGITS, MAX_FACTS_BYTES};
pub use crate::facts::MAX_LIST_ITEMS;
pub use crate::interp::{FUEL, MAX_TEXT_BYTES};
pub use crate::lang::MAX_PATTERN_BYTES;
pub use crate::source::MAX_FILE_BYTES;
pub use crate::syntax::limits::{
    MAX_EXPR_DEPTH, MAX_NESTING, MAX_PARSER_CALLS, MAX_POLICY_BYTES, parser_calls, set_parser_calls,
};
pub use crate::time::HORIZON_DAYS;
