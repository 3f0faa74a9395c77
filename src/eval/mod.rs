//! Evaluation: runs a [`Program`] against facts at an instant, and explains the result.

pub(crate) mod interp;
mod ops;
pub mod report;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::check::hir::FindingKind;
use crate::compile::program::{Outcome, Program, Step};
use crate::diagnostics::{Diagnostic, Msg};
use crate::facts::Facts;
use crate::value::Value;
use interp::{Ctx, Fault};

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
}

/// A fired rule's reject, require, flag or ledger line.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Rule index in the program.
    pub rule: u32,
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

/// A ledger's lines and total.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LedgerResult {
    /// `(code, amount)` in the order they were produced.
    pub lines: Vec<(Arc<str>, Decimal)>,
    /// The sum of the rounded lines.
    pub total: Decimal,
}

/// An action a rule emitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// Rule index.
    pub rule: u32,
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

/// How one rule was decided.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTrace {
    /// Rule index.
    pub rule: u32,
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

/// Evaluates `program` on `facts` at `now`; with `explain`, records why each rule
/// fired or not. Fails only on an arithmetic fault (overflow, division by zero) or a
/// `unique` table matching twice, with a diagnostic at the policy expression.
pub fn evaluate(program: &Program, facts: &Facts, now: DateTime<Utc>, explain: bool) -> Result<Evaluation, Diagnostic> {
    let mut ctx = Ctx {
        format: program.format,
        tables: &program.tables,
        facts: facts.roots(),
        now: Some(now),
        slots: vec![Value::Missing; program.derived.len()],
        decision: Value::Missing,
        totals: Vec::new(),
        fuel: std::cell::Cell::new(interp::FUEL),
    };
    let mut run = Run {
        program,
        findings: Vec::new(),
        lines: vec![Vec::new(); program.ledgers.len()],
        actions: Vec::new(),
        trace: explain.then(Vec::new),
    };
    let fault = |f: Box<Fault>| to_diagnostic(program, *f);
    for step in &program.before {
        run.step(&mut ctx, *step).map_err(fault)?;
    }
    let mut ledgers = Vec::with_capacity(run.lines.len());
    for lines in std::mem::take(&mut run.lines) {
        let mut total = Decimal::ZERO;
        for (_, amount) in &lines {
            total = total.checked_add(*amount).ok_or_else(|| {
                to_diagnostic(
                    program,
                    Fault {
                        message: Msg::new("账本合计超出范围", "a ledger total is out of range"), span: None
                    },
                )
            })?;
        }
        total.rescale(program.format.currency.minor_digits);
        ledgers.push(LedgerResult { lines, total });
    }
    let decision = if run.findings.iter().any(|f| f.kind == FindingKind::Reject) {
        Decision::Rejected
    } else if run.findings.iter().any(|f| f.kind == FindingKind::Require) {
        Decision::NeedsInfo
    } else {
        Decision::Approved
    };
    ctx.decision = Value::text(decision.as_str());
    ctx.totals = ledgers.iter().map(|l| l.total).collect();
    for step in &program.after {
        run.step(&mut ctx, *step).map_err(fault)?;
    }
    Ok(Evaluation {
        now,
        decision,
        findings: run.findings,
        ledgers,
        values: ctx.slots,
        actions: run.actions,
        trace: run.trace,
    })
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

struct Run<'p> {
    program: &'p Program,
    findings: Vec<Finding>,
    lines: Vec<Vec<(Arc<str>, Decimal)>>,
    actions: Vec<Action>,
    trace: Option<Vec<RuleTrace>>,
}

impl Run<'_> {
    fn step(&mut self, ctx: &mut Ctx<'_>, step: Step) -> Result<(), Box<Fault>> {
        ctx.tick()?;
        match step {
            Step::Derived(i) => {
                let d = &self.program.derived[i as usize];
                let value = match &d.guard {
                    Some(g) if ctx.truth(g, &[])? != Some(true) => Value::Missing,
                    _ if d.ty == crate::types::Type::Bool => {
                        ctx.truth(&d.expr, &[])?.map_or(Value::Missing, Value::Bool)
                    }
                    _ => ctx.value(&d.expr, &[])?,
                };
                if let Some(slot) = ctx.slots.get_mut(i as usize) {
                    *slot = value;
                }
                Ok(())
            }
            Step::Rule(i) => self.rule(ctx, i),
        }
    }

    fn rule(&mut self, ctx: &mut Ctx<'_>, index: u32) -> Result<(), Box<Fault>> {
        let rule = &self.program.rules[index as usize];
        let truth = match &rule.when {
            None => Some(true),
            Some(w) => ctx.truth(w, &[])?,
        };
        let mut status = match truth {
            Some(true) => Status::Fired,
            Some(false) => Status::NotFired,
            None => Status::NotApplicable,
        };
        let mut missing: Vec<String> = Vec::new();
        if status == Status::Fired {
            let (findings, actions) = (self.findings.len(), self.actions.len());
            for (k, outcome) in rule.outcomes.iter().enumerate() {
                if let Some(what) = self.record(ctx, index, outcome)? {
                    // A rule whose amount or due time is missing records nothing.
                    status = Status::NotApplicable;
                    missing.push(what.into());
                    self.findings.truncate(findings);
                    self.actions.truncate(actions);
                    for done in &rule.outcomes[..k] {
                        if let Outcome::Ledger { ledger, .. } = done
                            && let Some(lines) = self.lines.get_mut(*ledger as usize)
                        {
                            lines.pop();
                        }
                    }
                    break;
                }
            }
        }
        if self.trace.is_some() {
            let entry = explain(ctx, rule, index, status, missing)?;
            if let Some(trace) = self.trace.as_mut() {
                trace.push(entry);
            }
        }
        Ok(())
    }

    /// Records one outcome of a fired rule; returns what was missing when it cannot be
    /// recorded (`amount`, `at`).
    fn record(&mut self, ctx: &Ctx<'_>, rule: u32, outcome: &Outcome) -> Result<Option<&'static str>, Box<Fault>> {
        type Texts = (Option<Arc<str>>, Option<Arc<str>>);
        let message = |m: &Option<crate::compile::program::Message>| -> Result<Texts, Box<Fault>> {
            Ok(match m {
                Some(m) => (Some(ctx.render(&m.zh)?), m.en.as_ref().map(|en| ctx.render(en)).transpose()?),
                None => (None, None),
            })
        };
        let (kind, code, line, m) = match outcome {
            Outcome::Finding { kind, code, message } => (kind, code, None, message),
            Outcome::Ledger { kind, code, ledger, amount, message } => {
                let Some(amount) = ctx.eval(amount, &[])?.as_decimal() else { return Ok(Some("amount")) };
                (kind, code, Some((*ledger, self.program.format.currency.round(amount))), message)
            }
            Outcome::Emit { action, at, message: m } => {
                let at = match at {
                    None => None,
                    Some(at) => match &*ctx.eval(at, &[])? {
                        Value::DateTime(t) => Some(*t),
                        _ => return Ok(Some("at")),
                    },
                };
                let (message, message_en) = message(m)?;
                self.actions.push(Action { rule, kind: action.clone(), at, message, message_en });
                return Ok(None);
            }
        };
        let (message, message_en) = message(m)?;
        if let Some((ledger, amount)) = line
            && let Some(lines) = self.lines.get_mut(ledger as usize)
        {
            lines.push((code.clone(), amount));
        }
        self.findings.push(Finding {
            rule,
            kind: *kind,
            code: code.clone(),
            message,
            message_en,
            amount: line.map(|l| l.1),
            ledger: line.map(|l| l.0),
        });
        Ok(None)
    }
}

/// Re-evaluates a rule's conditions one by one, with the values that decided them.
fn explain(
    ctx: &mut Ctx<'_>,
    rule: &crate::compile::program::Rule,
    index: u32,
    status: Status,
    mut missing: Vec<String>,
) -> Result<RuleTrace, Box<Fault>> {
    let mut conditions = Vec::with_capacity(rule.conditions.len());
    for c in &rule.conditions {
        let result = ctx.truth(&c.expr, &[])?;
        let mut values = Vec::with_capacity(c.operands.len());
        for (_, e) in &c.operands {
            values.push(ctx.value(e, &[])?);
        }
        if status == Status::NotApplicable && result.is_none() {
            for (text, e) in &c.reads {
                if ctx.eval(e, &[])?.is_missing() && !missing.contains(text) {
                    missing.push(text.clone());
                }
            }
        }
        conditions.push(ConditionTrace { result, values });
    }
    Ok(RuleTrace { rule: index, status, conditions, missing })
}
