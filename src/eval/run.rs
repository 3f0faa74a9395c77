//! Running steps: computed values, rules (once, or once per item), ledger totals.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::result::{Action, Finding, LedgerResult, Line};
use super::trace::{ConditionTrace, RuleTrace, Status};
use crate::diagnostics::Msg;
use crate::interp::{Ctx, Trap};
use crate::ir::{ListPath, Loop, Message, Outcome, Program, Rule, Step};
use crate::lang::FindingKind;
use crate::lang::Type;
use crate::value::{Locale, Value};

type Texts = (Option<Arc<str>>, Option<Arc<str>>);

/// What an evaluation has recorded so far.
pub(super) struct Run<'p> {
    program: &'p Program,
    pub findings: Vec<Finding<'p>>,
    lines: Vec<Vec<Line<'p>>>,
    pub actions: Vec<Action<'p>>,
    pub trace: Option<Vec<RuleTrace<'p>>>,
}

impl<'p> Run<'p> {
    pub fn new(program: &'p Program, explain: bool) -> Run<'p> {
        Run {
            program,
            findings: Vec::new(),
            lines: vec![Vec::new(); program.ledgers.len()],
            actions: Vec::new(),
            trace: explain.then(Vec::new),
        }
    }

    pub fn step(&mut self, ctx: &mut Ctx<'_>, step: Step) -> Result<(), Box<Trap>> {
        ctx.tick()?;
        match step {
            Step::Derived(i) => {
                let Some(d) = self.program.derived.get(i as usize) else { return Ok(()) };
                let value = match &d.guard {
                    Some(g) if ctx.truth(g, &[])? != Some(true) => Value::Missing,
                    _ if d.ty == Type::Bool => ctx.truth(&d.expr, &[])?.map_or(Value::Missing, Value::Bool),
                    _ => ctx.value(&d.expr, &[])?,
                };
                if let Some(slot) = ctx.slots.get_mut(i as usize) {
                    *slot = value;
                }
                Ok(())
            }
            Step::Rule(i) => {
                let Some(rule) = self.program.rules.get(i as usize) else { return Ok(()) };
                if rule.each.is_empty() {
                    return self.rule_once(ctx, rule, &[], None);
                }
                let mut frame = Vec::new();
                let mut labels = Vec::new();
                self.rule(ctx, rule, 0, &mut frame, &mut labels)
            }
        }
    }

    /// Runs a rule for every combination of its loops' items (once when it has none).
    fn rule(
        &mut self,
        ctx: &Ctx<'_>,
        rule: &'p Rule,
        depth: usize,
        frame: &mut Vec<Value>,
        labels: &mut Vec<String>,
    ) -> Result<(), Box<Trap>> {
        let Some(lp) = rule.each.get(depth) else {
            let item = (!labels.is_empty()).then(|| Arc::from(labels.join(" / ")));
            return self.rule_once(ctx, rule, frame, item);
        };
        ctx.each_kept(lp, frame, |frame, i, item| {
            labels.push(label(lp, item, i, labels));
            self.rule(ctx, rule, depth + 1, frame, labels)?;
            labels.pop();
            Ok(())
        })
    }

    fn rule_once(
        &mut self,
        ctx: &Ctx<'_>,
        rule: &'p Rule,
        frame: &[Value],
        item: Option<Arc<str>>,
    ) -> Result<(), Box<Trap>> {
        let truth = match &rule.when {
            None => Some(true),
            Some(w) => ctx.truth(w, frame)?,
        };
        // Most rules do not fire: without a trace to keep, nothing is left to do.
        if truth != Some(true) && self.trace.is_none() {
            return Ok(());
        }
        self.conclude(ctx, rule, frame, item, truth)
    }

    /// Records what a rule did: its outcomes when it fired, its trace when one is kept.
    #[inline(never)]
    fn conclude(
        &mut self,
        ctx: &Ctx<'_>,
        rule: &'p Rule,
        frame: &[Value],
        item: Option<Arc<str>>,
        truth: Option<bool>,
    ) -> Result<(), Box<Trap>> {
        let mut status = match truth {
            Some(true) => Status::Fired,
            Some(false) => Status::NotFired,
            None => Status::NotApplicable,
        };
        let mut missing: Vec<String> = Vec::new();
        if status == Status::Fired {
            let (findings, actions) = (self.findings.len(), self.actions.len());
            for (k, outcome) in rule.outcomes.iter().enumerate() {
                if let Some(what) = self.record(ctx, rule, outcome, frame, &item)? {
                    // A rule whose amount or due time is missing records nothing.
                    status = Status::NotApplicable;
                    missing.push(what.into());
                    self.findings.truncate(findings);
                    self.actions.truncate(actions);
                    for done in rule.outcomes.iter().take(k) {
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
            let entry = explain(ctx, rule, frame, item, status, missing)?;
            if let Some(trace) = self.trace.as_mut() {
                trace.push(entry);
            }
        }
        Ok(())
    }

    /// Records one outcome of a fired rule; returns what was missing when it cannot be
    /// recorded (`amount`, `at`).
    fn record(
        &mut self,
        ctx: &Ctx<'_>,
        rule: &'p Rule,
        outcome: &'p Outcome,
        frame: &[Value],
        item: &Option<Arc<str>>,
    ) -> Result<Option<&'static str>, Box<Trap>> {
        let (kind, code, line, m) = match outcome {
            Outcome::Finding { kind, code, message } => (kind, code, None, message),
            Outcome::Ledger { kind, code, ledger, amount, message } => {
                let Some(amount) = ctx.eval(amount, frame)?.as_decimal() else { return Ok(Some("amount")) };
                (kind, code, Some((*ledger, self.program.locale.currency.round(amount))), message)
            }
            Outcome::Emit { action, at, message: m } => {
                let at = match at {
                    None => None,
                    Some(at) => match &*ctx.eval(at, frame)? {
                        Value::DateTime(t) => Some(*t),
                        _ => return Ok(Some("at")),
                    },
                };
                let (message, message_en) = texts(ctx, m, frame)?;
                self.actions.push(Action { rule, item: item.clone(), kind: action, at, message, message_en });
                return Ok(None);
            }
        };
        let (message, message_en) = texts(ctx, m, frame)?;
        if let Some((ledger, amount)) = line
            && let Some(lines) = self.lines.get_mut(ledger as usize)
        {
            lines.push(Line { code, amount, item: item.clone() });
        }
        self.findings.push(Finding {
            rule: Some(rule),
            ledger: line.and_then(|(l, _)| self.program.ledgers.get(l as usize)),
            item: item.clone(),
            kind: *kind,
            code,
            message,
            message_en,
            amount: line.map(|l| l.1),
            event: None,
        });
        Ok(None)
    }

    /// Ledger totals after the deciding rules: each the sum of its rounded lines, or its
    /// cap when the sum is larger (raising the cap's flag).
    pub fn settle(&mut self, ctx: &Ctx<'_>) -> Result<Vec<LedgerResult<'p>>, Box<Trap>> {
        let program = self.program;
        let currency = program.locale.currency;
        let mut out = Vec::with_capacity(self.lines.len());
        for (def, lines) in program.ledgers.iter().zip(std::mem::take(&mut self.lines)) {
            let mut uncapped = Decimal::ZERO;
            for line in &lines {
                uncapped = uncapped.checked_add(line.amount).ok_or_else(|| {
                    Box::new(Trap {
                        message: Msg::new("账本合计超出范围", "a ledger total is out of range"),
                        span: None,
                        help: None,
                    })
                })?;
            }
            if uncapped.scale() != currency.minor_digits {
                uncapped.rescale(currency.minor_digits);
            }
            let cap = match &def.cap {
                Some(c) => ctx.value(c, &[])?.as_decimal().map(|c| currency.round(c)),
                None => None,
            };
            let mut total = uncapped;
            if let Some(cap) = cap
                && uncapped > cap
            {
                total = cap;
                if let Some((code, m)) = &def.cap_flag {
                    let (message, message_en) = texts(ctx, m, &[])?;
                    self.findings.push(Finding {
                        rule: None,
                        ledger: Some(def),
                        item: None,
                        kind: FindingKind::Flag,
                        code,
                        message,
                        message_en,
                        amount: None,
                        event: None,
                    });
                }
            }
            out.push(LedgerResult { name: &def.name, lines, uncapped, cap, total });
        }
        Ok(out)
    }
}

fn texts(ctx: &Ctx<'_>, m: &Option<Message>, frame: &[Value]) -> Result<Texts, Box<Trap>> {
    Ok(match m {
        Some(m) => (
            Some(ctx.interpolate(&m.zh, frame, true)?),
            m.en.as_ref().map(|en| ctx.interpolate(en, frame, false)).transpose()?,
        ),
        None => (None, None),
    })
}

/// How an item is named in results: its `id`, or its place in its list.
fn label(lp: &Loop, item: &Value, index: usize, outer: &[String]) -> String {
    if let (Some(f), Value::Record(fields)) = (lp.id_field, item)
        && let Some(id) = fields.get(f as usize).filter(|v| !v.is_missing())
    {
        return match id {
            Value::Text(s) => s.to_string(),
            other => format!("{}", Locale::default().plain(other)),
        };
    }
    match &lp.path {
        ListPath::Fact(path) | ListPath::Text(path) => format!("{path}[{index}]"),
        ListPath::Below(local, path) => {
            let base = outer.get(*local as usize).map_or("", String::as_str);
            format!("{base}{path}[{index}]")
        }
    }
}

/// Why a value read out of a text is missing: `("2026-13-01" is not a date)`, when the
/// text is present but is no such value.
fn unreadable(ctx: &Ctx<'_>, e: &crate::ir::Expr, frame: &[Value]) -> Result<Option<String>, Box<Trap>> {
    use crate::lang::Builtin;
    let crate::ir::Expr::Call(f @ (Builtin::Date | Builtin::DateTimeFrom | Builtin::DurationFrom), args, _) = e else {
        return Ok(None);
    };
    let Some(arg) = args.first() else { return Ok(None) };
    Ok(match &*ctx.eval(arg, frame)? {
        Value::Text(t) => {
            let kind = match f {
                Builtin::Date => "a date (YYYY-MM-DD)",
                Builtin::DateTimeFrom => "a datetime (RFC 3339)",
                _ => "a duration (PT2H, 90 minutes)",
            };
            Some(format!("({t:?} is not {kind})"))
        }
        _ => None,
    })
}

/// Re-evaluates a rule's conditions one by one, with the values that decided them.
fn explain<'p>(
    ctx: &Ctx<'_>,
    rule: &'p Rule,
    frame: &[Value],
    item: Option<Arc<str>>,
    status: Status,
    mut missing: Vec<String>,
) -> Result<RuleTrace<'p>, Box<Trap>> {
    let mut conditions = Vec::with_capacity(rule.conditions.len());
    for c in &rule.conditions {
        let result = ctx.truth(&c.expr, frame)?;
        let mut values = Vec::with_capacity(c.operands.len());
        for (_, e) in &c.operands {
            values.push(ctx.value(e, frame)?);
        }
        if status == Status::NotApplicable && result.is_none() {
            let mut named = false;
            for (text, e) in &c.reads {
                if ctx.eval(e, frame)?.is_missing() {
                    let why = unreadable(ctx, e, frame)?.map_or_else(|| text.clone(), |why| format!("{text} {why}"));
                    named = true;
                    if !missing.contains(&why) {
                        missing.push(why);
                    }
                }
            }
            // Nothing it reads is absent, yet it has no value (a computation with no
            // answer, such as a date out of range): the parts with no value are named,
            // else the condition itself — a rule is never undecided for no stated cause.
            if !named {
                let mut causes: Vec<String> = c
                    .operands
                    .iter()
                    .zip(&values)
                    .filter(|(_, v)| v.is_missing())
                    .map(|((text, _), _)| format!("{text} (no value)"))
                    .collect();
                if causes.is_empty() {
                    causes.push(format!("{} (no value)", c.text));
                }
                for why in causes {
                    if !missing.contains(&why) {
                        missing.push(why);
                    }
                }
            }
        }
        conditions.push(ConditionTrace { result, values });
    }
    Ok(RuleTrace { rule, item, status, conditions, missing })
}
