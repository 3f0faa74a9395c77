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

/// The language's types, as a policy's input schema states them ([`Policy::inputs`]).
pub use lang::{Field, RecordType, Type};
pub use policy::{ExportError, Judged, LoadError, Policy};
pub use source::Resolver;
pub use syntax::format::{FormatError, format_checked as format_policy};

/// The repository's policies and test files for the unit tests: the workspace's
/// test-support crate, with a loader that gives this crate's own `Policy` (the support
/// crate's gives the library's, a different type inside a unit test).
#[cfg(test)]
mod test_support {
    pub use tenet_test_support::{files, root};

    /// Loads `rules/<name>.tenet`, panicking with its diagnostics when it is invalid.
    pub fn policy(name: &str) -> crate::Policy {
        match crate::Policy::load(tenet_test_support::policy_path(name)) {
            Ok(p) => p,
            Err(e) => {
                panic!("{name} is invalid:\n{}", crate::diagnostics::to_text(&e.diagnostics(), Default::default()))
            }
        }
    }
}
