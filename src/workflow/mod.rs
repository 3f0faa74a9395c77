//! Workflows: a case's event history ([`Case`]) replayed through the policy's stage
//! graph, with its audit trail, deadlines and scheduled actions ([`Replay`]).

mod case;
mod replay;
mod report;
mod result;
#[cfg(test)]
mod tests;

pub use crate::ir::FixedText;
pub use case::{Case, Event, merge};
pub use replay::{Checkpoint, ReplayError};
pub(crate) use replay::{replay, replay_from};
pub use report::CaseView;
pub use result::{Change, DeadlineState, DeadlineStatus, GuardFinding, Outcome, Replay, Scheduled, Step};
