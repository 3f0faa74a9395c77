//! tenet: a workflow rules engine with its own policy language.
//!
//! Load a [`Policy`] once, then evaluate facts against it, explain the result, or replay
//! a case's events through its workflow:
//!
//! ```
//! use tenet::{Policy, facts::Format};
//!
//! let policy = Policy::from_text("refunds.tenet", r#"
//!     policy refunds version "1"
//!     timezone "Asia/Shanghai"
//!     currency CNY
//!     input { amount: money }
//!     rule "超过上限" when amount > 5000 reject TOO_LARGE "退款金额超过 5000 元。" en "Refunds above 5000 need a manager."
//! "#)?;
//! let facts = policy.facts_from_json(r#"{"amount": "6000.00"}"#).map_err(|d| d[0].clone())?;
//! let result = policy.explain(&facts, "2026-11-10T12:00:00+08:00".parse()?)?;
//! assert_eq!(result.decision().as_str(), "rejected");
//! assert_eq!(result.findings()[0].message_en(), Some("Refunds above 5000 need a manager."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Inside, data flows one way, each stage in its own module and every import pointing
//! down (`tests/architecture.rs` keeps it so): `source`, `diagnostics`, `document`,
//! `lang`, `time`, `value`, `facts` → `syntax` (text → AST) → `check` (names, types,
//! tables) → `ir` (the compiled program), `interp` (how its expressions compute) →
//! `compile` (checked policy → program) → `eval` (rules, ledgers, decision, trace) →
//! `workflow` (replay) → `policy` (this API).

#![warn(missing_docs)]

pub mod analysis;
mod check;
mod compile;
pub mod diagnostics;
mod document;
pub mod eval;
pub mod facts;
mod interp;
mod ir;
mod lang;
pub mod limits;
mod policy;
pub mod source;
mod syntax;
mod time;
pub mod value;
pub mod workflow;

/// Lets the unit tests share the integration tests' helpers, which name the crate `tenet`.
#[cfg(test)]
extern crate self as tenet;

/// The repository's policies and test files for the unit tests: the integration tests'
/// own helpers, so both read the repository the same way.
#[cfg(test)]
#[path = "../tests/support/repo.rs"]
#[allow(dead_code, reason = "the unit tests use only some of the integration tests' helpers")]
mod test_support;

/// The language's types, as a policy's input schema states them ([`Policy::inputs`]).
pub use lang::{Field, RecordType, Type};
pub use policy::{Judged, LoadError, Policy};
pub use source::Resolver;
pub use syntax::format::{FormatError, format_checked as format_policy};
