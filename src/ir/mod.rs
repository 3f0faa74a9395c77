//! The compiled program: what the compiler hands to the evaluator and the workflow
//! replay. Names are gone (every reference is a slot), constants are folded, and the
//! evaluation order is fixed.

mod program;
pub mod table_index;
mod workflow;

pub use program::*;
pub use workflow::{Amount, Deadline, Due, Entry, FixedText, Rejection, RoleSet, Transition, Workflow};
