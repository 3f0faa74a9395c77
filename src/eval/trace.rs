//! Explanations: for each rule (and item), whether it fired, and the values that
//! decided each of its conditions.

use std::sync::Arc;

use crate::ir::{Condition as CompiledCondition, Rule};
use crate::value::Value;

/// How a rule came out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    /// Its condition was true.
    Fired,
    /// Its condition was false.
    NotFired,
    /// Its condition (or an amount) depended on a missing fact.
    NotApplicable,
}

impl Status {
    /// `fired`, `not_fired`, `not_applicable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fired => "fired",
            Status::NotFired => "not_fired",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// One condition as it was evaluated: true, false or missing, and the values of its
/// operands in the order the program lists them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConditionTrace {
    pub(crate) result: Option<bool>,
    pub(crate) values: Vec<Value>,
}

/// How one rule was decided (for one item, when it iterates).
#[derive(Clone, Debug)]
pub struct RuleTrace<'p> {
    pub(crate) rule: &'p Rule,
    pub(crate) item: Option<Arc<str>>,
    pub(crate) status: Status,
    pub(crate) conditions: Vec<ConditionTrace>,
    pub(crate) missing: Vec<String>,
}

impl<'p> RuleTrace<'p> {
    /// The rule's name.
    pub fn rule(&self) -> &'p str {
        &self.rule.name
    }

    /// The stage it is tagged with.
    pub fn stage(&self) -> Option<&'p str> {
        self.rule.stage.as_deref()
    }

    /// The item, when the rule iterates.
    pub fn item(&self) -> Option<&str> {
        self.item.as_deref()
    }

    /// Fired, not fired, or not applicable.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The absent facts and values that made it not applicable.
    pub fn missing(&self) -> &[String] {
        &self.missing
    }

    /// Its conditions (split at the top-level `and`s), in order.
    pub fn conditions(&self) -> impl Iterator<Item = Condition<'_>> {
        self.rule.conditions.iter().zip(&self.conditions).map(|(compiled, trace)| Condition { compiled, trace })
    }
}

/// One condition of a rule in an explanation.
#[derive(Clone, Copy, Debug)]
pub struct Condition<'a> {
    compiled: &'a CompiledCondition,
    trace: &'a ConditionTrace,
}

impl<'a> Condition<'a> {
    /// The condition as the policy writes it.
    pub fn text(&self) -> &'a str {
        &self.compiled.text
    }

    /// True, false, or `None` when missing.
    pub fn result(&self) -> Option<bool> {
        self.trace.result
    }

    /// The values worth showing, with the source text of each
    /// (`date(request.submitted_at)`, `2026-11-12`).
    pub fn operands(&self) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.compiled.operands.iter().map(|(text, _)| text.as_str()).zip(&self.trace.values)
    }
}
