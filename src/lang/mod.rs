//! The language's vocabulary shared by the checker and the runtime: types, operators,
//! builtin functions. Nothing here knows about syntax trees or programs.

mod builtins;
mod ops;
mod types;

pub use builtins::{
    BUILTINS, Builtin, BuiltinSpec, DatePart, MAX_PATTERN_BYTES, lookup, pattern, pattern_with, spec_of,
};
pub use ops::{AggFunc, Aggregate, ArithOp, CmpOp, FindingKind, HitPolicy, TimeUnit};
pub use types::{Field, FieldCheck, NAMED_TYPES, RecordType, Type};

/// The most roles a workflow declares (`roles reviewer, …`): a transition's roles are a
/// 64-bit set.
pub const MAX_ROLES: usize = 64;
