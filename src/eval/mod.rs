//! Evaluation: runs a [`Program`] against facts at an instant, and explains the result.

mod ensure;

pub mod report;
mod run;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::diagnostics::{Diagnostic, Msg};
use crate::facts::Facts;
use crate::interp::{self, Ctx, Fault};
use crate::ir::Program;
use crate::lang::FindingKind;
use crate::value::Value;
use run::Run;

/// The decision: `rejected` if any reject fired, else `needs_info` if any require
/// fired, else `approved`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
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
    fn value(self) -> Value {
        static TEXTS: std::sync::LazyLock<[Value; 3]> = std::sync::LazyLock::new(|| {
            [Decision::Approved, Decision::NeedsInfo, Decision::Rejected].map(|d| Value::text(d.as_str()))
        });
        TEXTS[self as usize].clone()
    }
}

/// A fired rule's reject, require, flag or ledger line, or a ledger's cap flag.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Rule index in the program; `None` for the flag of a ledger's cap.
    pub rule: Option<u32>,
    /// The item the rule ran for (`T-3`), when it iterates.
    pub item: Option<Arc<str>>,
    /// What kind.
    pub kind: FindingKind,
    /// Its code.
    pub code: Arc<str>,
    /// The message in Chinese.
    pub message: Option<Arc<str>>,
    /// The message in English.
    pub message_en: Option<Arc<str>>,
    /// For ledger lines: the amount, rounded to the currency's minor unit.
    pub amount: Option<Decimal>,
    /// For ledger lines: the ledger.
    pub ledger: Option<u32>,
}

/// A ledger line: code, amount (rounded), and the item it is for.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The outcome's code.
    pub code: Arc<str>,
    /// The amount, rounded half-up to the currency's minor unit.
    pub amount: Decimal,
    /// The item of an iterating rule.
    pub item: Option<Arc<str>>,
}

/// A ledger's lines and total.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LedgerResult {
    /// Lines in the order they were produced.
    pub lines: Vec<Line>,
    /// The sum of the rounded lines, before any cap.
    pub uncapped: Decimal,
    /// The cap, rounded half-up to the minor unit, when the ledger has one.
    pub cap: Option<Decimal>,
    /// The total: the sum, or the cap when the sum is larger.
    pub total: Decimal,
}

/// An action a rule emitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// Rule index.
    pub rule: u32,
    /// The item, when the rule iterates.
    pub item: Option<Arc<str>>,
    /// Action kind (`follow_up`).
    pub kind: Arc<str>,
    /// When it is due.
    pub at: Option<DateTime<Utc>>,
    /// The message in Chinese.
    pub message: Option<Arc<str>>,
    /// The message in English.
    pub message_en: Option<Arc<str>>,
}

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

/// One condition of a rule in an explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionTrace {
    /// True, false, or missing.
    pub result: Option<bool>,
    /// The values of the condition's operands, in the order the program lists them.
    pub values: Vec<Value>,
}

/// How one rule was decided (for one item, when it iterates).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTrace {
    /// Rule index.
    pub rule: u32,
    /// The item, when the rule iterates.
    pub item: Option<Arc<str>>,
    /// Outcome.
    pub status: Status,
    /// One per condition of the rule.
    pub conditions: Vec<ConditionTrace>,
    /// The absent facts and values that made it not applicable.
    pub missing: Vec<String>,
}

/// The result of evaluating a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The instant it was evaluated at.
    pub now: DateTime<Utc>,
    /// The decision.
    pub decision: Decision,
    /// Findings in the order rules fired.
    pub findings: Vec<Finding>,
    /// One per ledger of the program.
    pub ledgers: Vec<LedgerResult>,
    /// Every let and output, by slot.
    pub values: Vec<Value>,
    /// Emitted actions.
    pub actions: Vec<Action>,
    /// Per-rule explanation, when asked for.
    pub trace: Option<Vec<RuleTrace>>,
    /// Calendars whose clocks ran through a year no holiday file of theirs describes,
    /// with the year, sorted: the result counted that year's holidays as working days
    /// ([`coverage_warnings`] says so).
    pub uncovered: Vec<(String, i32)>,
}

impl Evaluation {
    /// Every fired code, once each, in firing order.
    pub fn codes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.findings {
            if !out.contains(&&*f.code) {
                out.push(&f.code);
            }
        }
        out
    }

    /// The value of an output or let, by name; `None` when absent or missing.
    pub fn value<'a>(&'a self, program: &Program, name: &str) -> Option<&'a Value> {
        let i = program.derived.iter().position(|d| d.name == name)?;
        self.values.get(i).filter(|v| !v.is_missing())
    }
}

/// Why an evaluation produced no result.
#[derive(Debug)]
pub enum EvalError {
    /// The facts break the policy's `ensure` constraints; each names the fact.
    InvalidFacts(Vec<Diagnostic>),
    /// An expression could not be computed on these facts (overflow, division by zero,
    /// a `unique` table matching twice, a clock running backwards).
    Fault(Diagnostic),
}

impl EvalError {
    /// The diagnostics to show.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            EvalError::InvalidFacts(d) => d,
            EvalError::Fault(d) => std::slice::from_ref(d),
        }
    }
}

/// Evaluates `program` on `facts` at `now`; with `explain`, records why each rule
/// fired or not. The facts are first checked against the policy's `ensure`
/// constraints.
pub fn evaluate(program: &Program, facts: &Facts, now: DateTime<Utc>, explain: bool) -> Result<Evaluation, EvalError> {
    let mut ctx = Ctx {
        locale: program.locale,
        tables: &program.tables,
        facts: facts.roots(),
        now: Some(now),
        slots: vec![Value::Missing; program.derived.len()],
        decision: Value::Missing,
        totals: Vec::new(),
        fuel: std::cell::Cell::new(interp::FUEL),
        clocked: Default::default(),
    };
    let fault = |f: Box<Fault>| EvalError::Fault(to_diagnostic(program, *f));
    let broken = ensure::check(program, &ctx).map_err(fault)?;
    if !broken.is_empty() {
        return Err(EvalError::InvalidFacts(broken));
    }
    let mut run = Run::new(program, explain);
    for step in &program.before {
        run.step(&mut ctx, *step).map_err(fault)?;
    }
    let ledgers = run.settle(&ctx).map_err(fault)?;
    let decision = if run.findings.iter().any(|f| f.kind == FindingKind::Reject) {
        Decision::Rejected
    } else if run.findings.iter().any(|f| f.kind == FindingKind::Require) {
        Decision::NeedsInfo
    } else {
        Decision::Approved
    };
    ctx.decision = decision.value();
    ctx.totals = ledgers.iter().map(|l| l.total).collect();
    for step in &program.after {
        run.step(&mut ctx, *step).map_err(fault)?;
    }
    let uncovered = uncovered_years(ctx.clocked.into_inner());
    Ok(Evaluation {
        now,
        decision,
        findings: run.findings,
        ledgers,
        values: ctx.slots,
        actions: run.actions,
        trace: run.trace,
        uncovered,
    })
}

/// The calendars and years, sorted, that clocks ran through without holiday data.
fn uncovered_years(clocked: Vec<interp::Clocked>) -> Vec<(String, i32)> {
    if clocked.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<(String, i32)> = clocked
        .iter()
        .flat_map(|(cal, from, to)| cal.uncovered_years(*from, *to).map(|y| (cal.name.clone(), y)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One warning per calendar and year a clock ran through without holiday data.
pub fn coverage_warnings(uncovered: &[(String, i32)]) -> Vec<Diagnostic> {
    uncovered
        .iter()
        .map(|(calendar, year)| {
            Diagnostic::warning(
                "calendar-coverage",
                crate::msg!(
                    "日历 {calendar} 的节假日文件不包括 {year} 年：该年的法定节假日和调休按普通工作日计算",
                    "calendar {calendar} has no holiday file for {year}: that year's public holidays and make-up days were counted as ordinary days"
                ),
            )
            .help(crate::msg!(
                "在日历 {calendar} 中加上 {year} 年的节假日文件（例如 holidays \"calendars/cn-{year}.yaml\"），再重新评估",
                "add a holiday file for {year} to calendar {calendar} (such as holidays \"calendars/cn-{year}.yaml\") and evaluate again"
            ))
        })
        .collect()
}

fn to_diagnostic(program: &Program, f: Fault) -> Diagnostic {
    let mut d = Diagnostic::error("evaluation", Msg::new("评估失败", "evaluation failed").with_detail(&f.message))
        .help(Msg::new(
            "这些事实让策略中的这个表达式无法计算；检查事实中的数值，或在策略中加上条件避开这种情况",
            "these facts make this policy expression impossible to compute; check the numbers in the facts, or guard the case in the policy",
        ))
        .in_file(&program.file);
    if let Some(span) = f.span {
        d = d.at(span);
    }
    d
}
