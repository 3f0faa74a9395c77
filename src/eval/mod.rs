//! Evaluation: a compiled policy run against facts at an instant — the decision, its
//! findings, ledgers, outputs and actions ([`Evaluation`]), and why ([`RuleTrace`]).

mod ensure;
mod report;
mod result;
mod run;
mod trace;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::diagnostics::codes;
use crate::diagnostics::{Diagnostic, Msg};
use crate::facts::Facts;
use crate::interp::{self, Ctx, Trap};
use crate::ir::Program;
use crate::lang::FindingKind;
pub use crate::lang::FindingKind as Kind;
use crate::value::Value;
pub(crate) use report::{Findings, Ledgers, Outputs};
pub use report::{Report, Summary};
pub use result::{Action, Decision, Evaluation, Finding, LedgerResult, Line, Output};
use run::Run;
pub use trace::{Condition, RuleTrace, Status};

/// Why an evaluation produced no result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The facts break the policy's `ensure` constraints; each names the fact.
    #[error("事实不满足策略的约束 · the facts break the policy's constraints ({} problems)", .0.len())]
    InvalidFacts(Vec<Diagnostic>),
    /// An expression could not be computed on these facts (overflow, division by zero,
    /// a `unique` table matching twice, a clock running backwards).
    #[error("{0}")]
    Failed(Diagnostic),
}

impl EvalError {
    /// The diagnostics to show.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            EvalError::InvalidFacts(d) => d,
            EvalError::Failed(d) => std::slice::from_ref(d),
        }
    }
}

/// Evaluates `program` on `facts` at `now`; with `explain`, records why each rule
/// fired or not. The facts are first checked against the policy's `ensure`
/// constraints.
pub(crate) fn evaluate<'p>(
    program: &'p Program,
    facts: &Facts,
    now: DateTime<Utc>,
    explain: bool,
) -> Result<Evaluation<'p>, EvalError> {
    evaluate_ahead(program, facts, now, explain, &[], None)
}

/// A rejection the workflow decided (a transition's `rejects CODE`): it counts as a
/// fired `reject` before the decision is taken, so rules that read `decision` see it.
#[derive(Clone, Debug)]
pub(crate) struct Imposed<'p> {
    /// The event whose transition decided it.
    pub event: &'p str,
    /// Its code.
    pub code: &'p str,
    /// Its texts (the policy's, with the person's note).
    pub message: Option<Arc<str>>,
    pub message_en: Option<Arc<str>>,
}

/// [`evaluate`] for a case standing before the workflow stages `ahead`: the `reject` and
/// `require` rules tagged with one of them guard entering it, so they do not decide the
/// case yet — they are kept apart as pending ([`Evaluation::pending`]). `imposed` is a
/// rejection the case's workflow decided.
pub(crate) fn evaluate_ahead<'p>(
    program: &'p Program,
    facts: &Facts,
    now: DateTime<Utc>,
    explain: bool,
    ahead: &[&str],
    imposed: Option<Imposed<'p>>,
) -> Result<Evaluation<'p>, EvalError> {
    let mut ctx = Ctx {
        locale: program.locale,
        tables: &program.tables,
        patterns: &program.patterns,
        facts: facts.roots(),
        now: Some(now),
        slots: Value::missing_n(program.derived.len()),
        decision: Value::Missing,
        totals: Vec::new(),
        fuel: std::cell::Cell::new(interp::FUEL),
        clocked: Default::default(),
        once: std::cell::RefCell::new(vec![None; program.once_slots as usize]),
    };
    let failed = |f: Box<Trap>| EvalError::Failed(to_diagnostic(program, *f));
    let broken = ensure::check(program, &ctx).map_err(failed)?;
    if !broken.is_empty() {
        return Err(EvalError::InvalidFacts(broken));
    }
    let mut run = Run::new(program, explain);
    for step in &program.before {
        run.step(&mut ctx, *step).map_err(failed)?;
    }
    let ledgers = run.settle(&ctx).map_err(failed)?;
    let (pending, findings): (Vec<_>, Vec<_>) = std::mem::take(&mut run.findings).into_iter().partition(|f| {
        matches!(f.kind, FindingKind::Reject | FindingKind::Require) && f.stage().is_some_and(|s| ahead.contains(&s))
    });
    run.findings = findings;
    if let Some(i) = imposed {
        // First: it is what decided the case, whatever the rules add.
        run.findings.insert(
            0,
            Finding {
                rule: None,
                ledger: None,
                item: None,
                kind: FindingKind::Reject,
                code: i.code,
                message: i.message,
                message_en: i.message_en,
                amount: None,
                event: Some(i.event),
            },
        );
    }
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
        run.step(&mut ctx, *step).map_err(failed)?;
    }
    let uncovered = uncovered_years(ctx.clocked.into_inner());
    Ok(Evaluation {
        program,
        now,
        decision,
        findings: run.findings,
        pending,
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
pub(crate) fn coverage_warnings(uncovered: &[(String, i32)]) -> Vec<Diagnostic> {
    uncovered
        .iter()
        .map(|(calendar, year)| {
            Diagnostic::warning(
                codes::CALENDAR_COVERAGE,
                crate::diagnostics::msg!(
                    "日历 {calendar} 的节假日文件不包括 {year} 年：该年的法定节假日和调休按普通工作日计算",
                    "calendar {calendar} has no holiday file for {year}: that year's public holidays and make-up days were counted as ordinary days"
                ),
            )
            .help(crate::diagnostics::msg!(
                "在日历 {calendar} 中加上 {year} 年的节假日文件（例如 holidays \"calendars/cn-{year}.yaml\"），再重新评估",
                "add a holiday file for {year} to calendar {calendar} (such as holidays \"calendars/cn-{year}.yaml\") and evaluate again"
            ))
        })
        .collect()
}

fn to_diagnostic(program: &Program, f: Trap) -> Diagnostic {
    let help = f.help.unwrap_or_else(|| {
        Msg::new(
            "这些事实让策略中的这个表达式无法计算；检查事实中的数值，或在策略中加上条件避开这种情况",
            "these facts make this policy expression impossible to compute; check the numbers in the facts, or guard the case in the policy",
        )
    });
    let mut d = Diagnostic::error(codes::EVALUATION, Msg::new("评估失败", "evaluation failed").with_detail(&f.message))
        .help(help)
        .in_file(&program.file);
    if let Some(span) = f.span {
        d = d.at(span);
    }
    d
}
