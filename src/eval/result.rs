//! The result of an evaluation and its parts. Each borrows the policy it came from, so
//! names (rules, stages, ledgers, codes) are read in place rather than copied.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::trace::RuleTrace;
use crate::diagnostics::Diagnostic;
use crate::ir::{Derived, Ledger, Program, Rule};
use crate::lang::{FindingKind, Type};
use crate::value::{Locale, Value};

/// The decision: `rejected` if any reject fired, else `needs_info` if any require
/// fired, else `approved`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
#[non_exhaustive]
pub enum Decision {
    /// Nothing refused or missing.
    Approved,
    /// Held until information arrives.
    NeedsInfo,
    /// Refused.
    Rejected,
}

impl Decision {
    /// `approved`, `needs_info` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::NeedsInfo => "needs_info",
            Decision::Rejected => "rejected",
        }
    }

    /// The decision as the text value rules read (`decision == "approved"`), made once.
    pub(crate) fn value(self) -> Value {
        static TEXTS: std::sync::LazyLock<[Value; 3]> = std::sync::LazyLock::new(|| {
            [Decision::Approved, Decision::NeedsInfo, Decision::Rejected].map(|d| Value::text(d.as_str()))
        });
        let [approved, needs_info, rejected] = &*TEXTS;
        match self {
            Decision::Approved => approved.clone(),
            Decision::NeedsInfo => needs_info.clone(),
            Decision::Rejected => rejected.clone(),
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fired rule's reject, require, flag or ledger line, or a ledger's cap flag.
#[derive(Clone, Debug)]
pub struct Finding<'p> {
    pub(crate) rule: Option<&'p Rule>,
    pub(crate) ledger: Option<&'p Ledger>,
    pub(crate) item: Option<Arc<str>>,
    pub(crate) kind: FindingKind,
    pub(crate) code: &'p str,
    pub(crate) message: Option<Arc<str>>,
    pub(crate) message_en: Option<Arc<str>>,
    pub(crate) amount: Option<Decimal>,
    /// The workflow event that decided it (a transition's `rejects`), when no rule did.
    pub(crate) event: Option<&'p str>,
}

impl<'p> Finding<'p> {
    /// The workflow event whose transition decided this finding (`rejects CODE`), when
    /// it came from the workflow rather than a rule.
    pub fn event(&self) -> Option<&'p str> {
        self.event
    }

    /// The rule that fired; `None` for the flag a ledger's cap raised.
    pub fn rule(&self) -> Option<&'p str> {
        self.rule.map(|r| &*r.name)
    }

    /// The stage the rule is tagged with.
    pub fn stage(&self) -> Option<&'p str> {
        self.rule.and_then(|r| r.stage.as_deref())
    }

    /// The ledger of a `deduct`/`credit` line, or of the cap that raised this flag.
    pub fn ledger(&self) -> Option<&'p str> {
        self.ledger.map(|l| l.name.as_str())
    }

    /// The item the rule ran for (`T-3`), when it iterates.
    pub fn item(&self) -> Option<&str> {
        self.item.as_deref()
    }

    /// Reject, require, flag, deduct or credit.
    pub fn kind(&self) -> FindingKind {
        self.kind
    }

    /// Its code (`WINDOW_EXPIRED`).
    pub fn code(&self) -> &'p str {
        self.code
    }

    /// The message in Chinese.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The message in English, when the policy gives one.
    pub fn message_en(&self) -> Option<&str> {
        self.message_en.as_deref()
    }

    /// For ledger lines: the amount, rounded to the currency's minor unit.
    pub fn amount(&self) -> Option<Decimal> {
        self.amount
    }

    /// The rule's position in the policy, for coverage counts.
    pub(crate) fn rule_index(&self) -> Option<usize> {
        self.rule.map(|r| r.index)
    }
}

/// A ledger line: code, amount (rounded), and the item it is for.
#[derive(Clone, Debug, PartialEq)]
pub struct Line<'p> {
    pub(crate) code: &'p str,
    pub(crate) amount: Decimal,
    pub(crate) item: Option<Arc<str>>,
}

impl<'p> Line<'p> {
    /// The outcome's code.
    pub fn code(&self) -> &'p str {
        self.code
    }

    /// The amount, rounded half-up to the currency's minor unit.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The item of an iterating rule.
    pub fn item(&self) -> Option<&str> {
        self.item.as_deref()
    }
}

/// A ledger's lines and total.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerResult<'p> {
    pub(crate) name: &'p str,
    pub(crate) lines: Vec<Line<'p>>,
    pub(crate) uncapped: Decimal,
    pub(crate) cap: Option<Decimal>,
    pub(crate) total: Decimal,
}

impl<'p> LedgerResult<'p> {
    /// The ledger's name.
    pub fn name(&self) -> &'p str {
        self.name
    }

    /// Lines in the order they were produced.
    pub fn lines(&self) -> &[Line<'p>] {
        &self.lines
    }

    /// The sum of the rounded lines, before any cap.
    pub fn uncapped(&self) -> Decimal {
        self.uncapped
    }

    /// The cap, rounded half-up to the minor unit, when the ledger has one.
    pub fn cap(&self) -> Option<Decimal> {
        self.cap
    }

    /// The total: the sum, or the cap when the sum is larger.
    pub fn total(&self) -> Decimal {
        self.total
    }
}

/// An action a rule emitted.
#[derive(Clone, Debug)]
pub struct Action<'p> {
    pub(crate) rule: &'p Rule,
    pub(crate) item: Option<Arc<str>>,
    pub(crate) kind: &'p str,
    pub(crate) at: Option<DateTime<Utc>>,
    pub(crate) message: Option<Arc<str>>,
    pub(crate) message_en: Option<Arc<str>>,
}

impl<'p> Action<'p> {
    /// The rule that emitted it.
    pub fn rule(&self) -> &'p str {
        &self.rule.name
    }

    /// The item, when the rule iterates.
    pub fn item(&self) -> Option<&str> {
        self.item.as_deref()
    }

    /// The action's kind (`follow_up`).
    pub fn kind(&self) -> &'p str {
        self.kind
    }

    /// When it is due.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.at
    }

    /// The message in Chinese.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The message in English.
    pub fn message_en(&self) -> Option<&str> {
        self.message_en.as_deref()
    }
}

/// An output of the policy with its value.
#[derive(Clone, Copy, Debug)]
pub struct Output<'a> {
    def: &'a Derived,
    value: &'a Value,
    locale: &'a Locale,
}

impl<'a> Output<'a> {
    /// The output's name.
    pub fn name(&self) -> &'a str {
        &self.def.name
    }

    /// Its value (never missing: outputs without a value are left out).
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// The value as the JSON result writes it.
    pub fn to_json(&self) -> serde_json::Value {
        crate::value::to_json(self.value, &self.def.ty, self.locale)
    }

    /// The value on one line: a JSON string's text, or the JSON itself.
    pub fn text(&self) -> String {
        match self.to_json() {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }
    }

    /// True for a list of records, which does not fit on one line.
    pub fn is_table(&self) -> bool {
        matches!(self.def.ty.element(), Some(Type::Record(_)))
    }
}

/// The result of evaluating a policy.
#[derive(Clone, Debug)]
pub struct Evaluation<'p> {
    pub(crate) program: &'p Program,
    pub(crate) now: DateTime<Utc>,
    pub(crate) decision: Decision,
    pub(crate) findings: Vec<Finding<'p>>,
    /// Guards of stages a case has not reached, which did not decide it.
    pub(crate) pending: Vec<Finding<'p>>,
    pub(crate) ledgers: Vec<LedgerResult<'p>>,
    /// Every let and output, by slot.
    pub(crate) values: Vec<Value>,
    pub(crate) actions: Vec<Action<'p>>,
    pub(crate) trace: Option<Vec<RuleTrace<'p>>>,
    /// Calendars whose clocks ran through a year no holiday file of theirs describes,
    /// with the year, sorted: the result counted that year's holidays as working days.
    pub(crate) uncovered: Vec<(String, i32)>,
}

impl<'p> Evaluation<'p> {
    /// The policy's name.
    pub fn policy_name(&self) -> &'p str {
        &self.program.name
    }

    /// The policy's version.
    pub fn version(&self) -> Option<&'p str> {
        self.program.version.as_deref()
    }

    /// The instant it was evaluated at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The policy's zone and currency, to show values as the result does.
    pub fn locale(&self) -> &'p Locale {
        &self.program.locale
    }

    /// The decision.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Every fired code, once each, in firing order.
    pub fn codes(&self) -> Vec<&'p str> {
        let mut out: Vec<&'p str> = Vec::new();
        for f in &self.findings {
            if !out.contains(&f.code) {
                out.push(f.code);
            }
        }
        out
    }

    /// Findings in the order rules fired.
    pub fn findings(&self) -> &[Finding<'p>] {
        &self.findings
    }

    /// For a case: the `reject` and `require` rules that fired but guard a stage the case
    /// has not reached, so they did not count toward the decision.
    pub fn pending(&self) -> &[Finding<'p>] {
        &self.pending
    }

    /// One per ledger of the policy, in declaration order.
    pub fn ledgers(&self) -> &[LedgerResult<'p>] {
        &self.ledgers
    }

    /// A ledger by name.
    pub fn ledger(&self, name: &str) -> Option<&LedgerResult<'p>> {
        self.ledgers.iter().find(|l| l.name == name)
    }

    /// The outputs that have a value, in declaration order.
    pub fn outputs(&self) -> impl Iterator<Item = Output<'_>> {
        let locale = &self.program.locale;
        self.program
            .derived
            .iter()
            .zip(&self.values)
            .filter(|(def, value)| def.exported && !value.is_missing())
            .map(move |(def, value)| Output { def, value, locale })
    }

    /// The value of an output or a let, by name; `None` when absent or missing.
    pub fn value(&self, name: &str) -> Option<&Value> {
        let i = self.program.derived.iter().position(|d| d.name == name)?;
        self.values.get(i).filter(|v| !v.is_missing())
    }

    /// Emitted actions, in firing order.
    pub fn actions(&self) -> &[Action<'p>] {
        &self.actions
    }

    /// Why each rule fired or not, when the evaluation was explained
    /// ([`crate::Policy::explain`]).
    pub fn trace(&self) -> Option<&[RuleTrace<'p>]> {
        self.trace.as_deref()
    }

    /// The trace of the rule (and item) behind a finding.
    pub fn trace_of(&self, finding: &Finding<'_>) -> Option<&RuleTrace<'p>> {
        let rule = finding.rule?;
        self.trace()?.iter().find(|t| std::ptr::eq(t.rule, rule) && t.item == finding.item)
    }

    /// The positions (in [`crate::Policy::rules`]) of the rules that fired, sorted.
    pub fn fired_rules(&self) -> Vec<usize> {
        let mut rules: Vec<usize> = self
            .findings
            .iter()
            .filter_map(Finding::rule_index)
            .chain(self.actions.iter().map(|a| a.rule.index))
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    /// What the reader should know about how far the result can be trusted: a
    /// `calendar-coverage` warning per calendar and year a clock ran through without
    /// holiday data.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        super::coverage_warnings(&self.uncovered)
    }
}
