//! Workflows: the compiled stage graph of a policy, and the replay of a case's event
//! history through it ([`replay::replay`]).

pub mod case;
pub mod replay;
pub mod report;

pub use crate::ir::{Amount, Deadline, Entry, FixedText, Transition, Workflow};
