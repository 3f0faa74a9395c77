//! What each builtin function takes and gives, for hovers and completion: the engine's one
//! registry of builtins (`lang::builtins`), read as it is.

pub use crate::lang::{BUILTINS, BuiltinSpec as BuiltinDoc};

/// The documentation of builtin `name`.
pub fn find(name: &str) -> Option<&'static BuiltinDoc> {
    crate::lang::spec_of(name)
}
