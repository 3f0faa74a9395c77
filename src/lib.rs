//! tenet: a workflow rules engine with its own policy language.
//!
//! Data flows one way: [`syntax`] (text → AST) → [`check`] (names, types, tables) →
//! [`compile`] (slot-indexed program) → [`eval`] (interpreter, trace) → [`workflow`].

#![warn(missing_docs)]

pub mod check;
pub mod compile;
pub mod diagnostics;
pub mod document;
pub mod eval;
pub mod facts;
pub mod interp;
pub mod ir;
pub mod lang;
pub(crate) mod policy;
pub mod source;
pub mod syntax;
pub mod time;
pub mod value;
pub mod workflow;

pub use policy::{Policy, compile_source, compile_source_with};
