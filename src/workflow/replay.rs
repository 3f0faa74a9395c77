//! Replay: a case's events, one by one, through the workflow's transitions and guards.
//!
//! A transition `a -> b on e` is refused when a `reject` or `require` rule tagged
//! `at b` fires on the facts known at the event (the initial stage is never entered
//! by a transition, so its rules also guard every transition out of it). The policy is
//! evaluated with the event's instant as `now`. With `else c`, a refusal that carries a
//! reject sends the case to `c` instead of leaving it where it was. A refused event's
//! data is kept (what it told us stays true); an illegal event changes nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::FixedText;
use super::Workflow;
use super::case::{Case, merge};
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Lang, Msg};
use crate::document::Raw;
use crate::eval;
use crate::eval::{EvalError, Evaluation};
use crate::facts::{self as facts_mod, Facts};
use crate::ir::Program;
use crate::lang::FindingKind;
use crate::msg;

/// What happened to one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The case moved.
    Accepted,
    /// A guard rule fired; the case stayed (or went to the `else` stage).
    Refused,
    /// The event could not apply at all (wrong stage, out of order, unknown, bad data);
    /// nothing of it was applied.
    Illegal,
}

impl Outcome {
    /// `accepted`, `refused`, `illegal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Refused => "refused",
            Outcome::Illegal => "illegal",
        }
    }
}

/// A guard rule that fired.
#[derive(Clone, Debug, PartialEq)]
pub struct GuardFinding {
    /// `reject` or `require`.
    pub kind: FindingKind,
    /// Its code.
    pub code: Arc<str>,
    /// The rule's name.
    pub rule: Arc<str>,
    /// The stage the rule is tagged with.
    pub stage: Arc<str>,
    /// The item, when the rule iterates.
    pub item: Option<Arc<str>>,
    /// The message in Chinese.
    pub message: Option<Arc<str>>,
    /// The message in English.
    pub message_en: Option<Arc<str>>,
}

/// One event of the audit trail.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Position in the case file.
    pub index: usize,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The event's name.
    pub event: String,
    /// Who did it.
    pub by: Option<String>,
    /// The stage the case was in.
    pub from: usize,
    /// The stage it moved to, when it moved.
    pub to: Option<usize>,
    /// What happened.
    pub outcome: Outcome,
    /// The guard rules that refused it.
    pub findings: Vec<GuardFinding>,
    /// Why an illegal event could not apply.
    pub reason: Option<Msg>,
}

/// Where a stage deadline stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineStatus {
    /// Running, not yet due.
    Open,
    /// Running and past due.
    Overdue,
    /// The stage was left in time.
    Met,
    /// The stage was left late.
    Missed,
}

impl DeadlineStatus {
    /// `open`, `overdue`, `met`, `missed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStatus::Open => "open",
            DeadlineStatus::Overdue => "overdue",
            DeadlineStatus::Met => "met",
            DeadlineStatus::Missed => "missed",
        }
    }
}

/// A deadline that has started.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadlineState {
    /// Index into the workflow's deadlines.
    pub deadline: usize,
    /// When its clock started (entering the anchor stage).
    pub since: DateTime<Utc>,
    /// When it is due.
    pub due: DateTime<Utc>,
    /// When the stage was left, if it was.
    pub closed_at: Option<DateTime<Utc>>,
    /// Where it stands.
    pub status: DeadlineStatus,
}

/// An action scheduled by entering a stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduled {
    /// The action's kind.
    pub action: Arc<str>,
    /// The stage whose entry scheduled it.
    pub stage: usize,
    /// When it is due.
    pub at: DateTime<Utc>,
    /// What it is for.
    pub message: Option<FixedText>,
}

/// The result of a replay.
#[derive(Clone, Debug)]
pub struct Replay {
    /// The instant deadlines are judged at.
    pub now: DateTime<Utc>,
    /// The current stage.
    pub stage: usize,
    /// When the case entered it (absent when there were no events).
    pub entered_at: Option<DateTime<Utc>>,
    /// Every event, in order.
    pub trail: Vec<Step>,
    /// Deadlines that have started, in declaration order.
    pub deadlines: Vec<DeadlineState>,
    /// Actions scheduled by stage entries, by due time.
    pub actions: Vec<Scheduled>,
    /// The events allowed next, with the stage each leads to.
    pub next: Vec<(usize, usize)>,
    /// The policy evaluated at `now` on the facts the case has gathered (for its outputs).
    pub evaluation: Option<Evaluation>,
    /// Why that evaluation failed, when it did.
    pub problems: Vec<Diagnostic>,
    /// The facts the case has gathered.
    pub facts: Raw,
    /// Calendars whose working days or hours were counted through a year none of their
    /// holiday files describes, with that year, sorted (deadlines, entry actions and the
    /// final evaluation together).
    pub uncovered: Vec<(String, i32)>,
}

/// Why a case could not be replayed at all.
#[derive(Debug)]
pub enum ReplayError {
    /// The policy declares no workflow.
    NoWorkflow,
    /// The starting facts are invalid; nothing was replayed.
    InvalidFacts(Vec<Diagnostic>),
}

/// Replays `case` through `policy`'s workflow and judges deadlines at `now`. A pure
/// function: the same policy, case and `now` always give the same replay.
///
/// ```
/// use tenet::{Policy, facts::Format, source::SourceFile, workflow::{case::Case, replay}};
///
/// let policy = Policy::from_text("doc.tenet", r#"
///     policy doc version "1"
///     timezone "Asia/Shanghai"
///     currency CNY
///     input { amount: money }
///     rule "金额过大" at approved when amount > 1000 reject TOO_LARGE "金额超过 1000。"
///     workflow approval {
///       stages draft, approved, refused
///       initial draft
///       final approved, refused
///       events approve
///       draft -> approved on approve else refused
///     }
/// "#).expect("a valid policy");
/// let case = Case::parse(&SourceFile::new("case.yaml", r#"
/// facts: { amount: "1200.00" }
/// events:
///   - { at: "2026-11-02T10:00:00+08:00", event: approve, by: manager }
/// "#), Format::Yaml).expect("a valid case");
/// let now = "2026-11-03T00:00:00+08:00".parse().expect("a datetime");
/// let result = policy.replay(&case, now).expect("replays");
/// let workflow = policy.program().workflow.as_ref().expect("a workflow");
/// assert_eq!(&*workflow.stages[result.stage], "refused");
/// assert_eq!(result.trail[0].outcome, replay::Outcome::Refused);
/// assert_eq!(&*result.trail[0].findings[0].code, "TOO_LARGE");
/// ```
pub fn replay(program: &Program, case: &Case, now: DateTime<Utc>) -> Result<Replay, ReplayError> {
    let Some(wf) = program.workflow.as_deref() else { return Err(ReplayError::NoWorkflow) };
    validate(program, &case.facts).map_err(ReplayError::InvalidFacts)?;
    let tz = program.locale.tz;
    let mut state = State {
        wf,
        stage: wf.initial,
        entered: vec![None; wf.stages.len()],
        left: vec![None; wf.stages.len()],
        actions: Vec::new(),
        tz,
        uncovered: Vec::new(),
    };
    state.entered[wf.initial] = case.events.first().map(|e| e.at);
    let mut facts = case.facts.clone();
    let mut last: Option<DateTime<Utc>> = None;
    let mut trail = Vec::new();
    for (index, event) in case.events.iter().enumerate() {
        let mut step = Step {
            index,
            at: event.at,
            event: event.name.clone(),
            by: event.by.clone(),
            from: state.stage,
            to: None,
            outcome: Outcome::Illegal,
            findings: Vec::new(),
            reason: None,
        };
        match judge(program, wf, &state, &facts, event, last, now) {
            Err(reason) => step.reason = Some(reason),
            Ok(Judged { to, otherwise, findings, merged }) => {
                last = Some(event.at);
                let redirect = otherwise.filter(|_| findings.iter().any(|f| f.kind == FindingKind::Reject));
                let target = if findings.is_empty() { Some(to) } else { redirect };
                step.outcome = if findings.is_empty() { Outcome::Accepted } else { Outcome::Refused };
                step.findings = findings;
                // What the event told us stays true even when the move is refused.
                facts = merged;
                if let Some(target) = target {
                    state.go(target, event.at);
                    step.to = Some(target);
                }
            }
        }
        trail.push(step);
    }
    let deadlines = state.deadlines(now);
    let next = if wf.finals[state.stage] {
        Vec::new()
    } else {
        wf.transitions.iter().filter(|t| t.from == state.stage).map(|t| (t.event, t.to)).collect()
    };
    let (evaluation, problems) = match validate(program, &facts)
        .map_err(EvalError::InvalidFacts)
        .and_then(|f| eval::evaluate(program, &f, now, false))
    {
        Ok(e) => (Some(e), Vec::new()),
        Err(e) => (None, e.diagnostics().to_vec()),
    };
    let mut uncovered = state.uncovered;
    for d in &deadlines {
        uncovered.extend(wf.deadlines.get(d.deadline).and_then(|def| def.within.uncovered(d.since, d.due)));
    }
    uncovered.extend(evaluation.iter().flat_map(|e| e.uncovered.iter().cloned()));
    uncovered.sort();
    uncovered.dedup();
    let mut actions = state.actions;
    actions.sort_by(|a, b| (a.at, &a.action).cmp(&(b.at, &b.action)));
    Ok(Replay {
        now,
        stage: state.stage,
        entered_at: state.entered[state.stage],
        trail,
        deadlines,
        actions,
        next,
        evaluation,
        problems,
        facts,
        uncovered,
    })
}

struct State<'w> {
    wf: &'w Workflow,
    stage: usize,
    /// Latest entry into each stage.
    entered: Vec<Option<DateTime<Utc>>>,
    /// Latest exit from each stage.
    left: Vec<Option<DateTime<Utc>>>,
    actions: Vec<Scheduled>,
    tz: chrono_tz::Tz,
    /// Entry actions counted through a year without holiday data.
    uncovered: Vec<(String, i32)>,
}

impl State<'_> {
    /// Moves the case. Staying in the same stage is not a new entry: its deadlines keep
    /// running and its entry actions are not scheduled again.
    fn go(&mut self, to: usize, at: DateTime<Utc>) {
        if to == self.stage {
            return;
        }
        self.left[self.stage] = Some(at);
        self.entered[to] = Some(at);
        self.stage = to;
        for entry in self.wf.entries.iter().filter(|e| e.stage == to) {
            let due = match &entry.after {
                Some(amount) => amount.after(at, self.tz).ok(),
                None => Some(at),
            };
            if let Some(due) = due {
                self.uncovered.extend(entry.after.as_ref().and_then(|a| a.uncovered(at, due)));
                self.actions.push(Scheduled {
                    action: Arc::clone(&entry.action),
                    stage: to,
                    at: due,
                    message: entry.message.clone(),
                });
            }
        }
    }

    fn deadlines(&self, now: DateTime<Utc>) -> Vec<DeadlineState> {
        let mut out = Vec::new();
        for (i, d) in self.wf.deadlines.iter().enumerate() {
            let Some(since) = self.entered[d.anchor] else { continue };
            let Ok(due) = d.within.after(since, self.tz) else { continue };
            let closed_at = self.left[d.stage].filter(|t| *t >= since && self.entered[d.stage].is_some());
            let status = match closed_at {
                Some(t) if t <= due => DeadlineStatus::Met,
                Some(_) => DeadlineStatus::Missed,
                // Ended elsewhere: the stage will never be reached, nothing is due.
                None if self.wf.finals[self.stage] => continue,
                None if now > due => DeadlineStatus::Overdue,
                None => DeadlineStatus::Open,
            };
            out.push(DeadlineState { deadline: i, since, due, closed_at, status });
        }
        out
    }
}

struct Judged {
    to: usize,
    otherwise: Option<usize>,
    findings: Vec<GuardFinding>,
    merged: Raw,
}

/// Whether an event can apply, and which guard rules fire if it does.
fn judge(
    program: &Program,
    wf: &Workflow,
    state: &State<'_>,
    facts: &Raw,
    event: &super::case::Event,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Judged, Msg> {
    let stage = &wf.stages[state.stage];
    let name = &event.name;
    let fmt = |t: DateTime<Utc>| t.with_timezone(&state.tz).to_rfc3339();
    if wf.finals[state.stage] {
        return Err(msg!(
            "案例已在终止阶段 `{stage}`，不再接受事件",
            "the case is in the final stage `{stage}` and takes no more events"
        ));
    }
    if let Some(last) = last
        && event.at < last
    {
        let (at, before) = (fmt(event.at), fmt(last));
        return Err(msg!(
            "事件时间 {at} 早于上一个事件（{before}）：事件须按时间顺序排列",
            "the event at {at} is earlier than the one before it ({before}): events must be in time order"
        ));
    }
    if event.at > now {
        let (at, now) = (fmt(event.at), fmt(now));
        return Err(msg!(
            "事件时间 {at} 晚于评估时刻 {now}",
            "the event at {at} is after the evaluation instant {now}"
        ));
    }
    let allowed = || {
        let names: Vec<&str> =
            wf.transitions.iter().filter(|t| t.from == state.stage).map(|t| &*wf.events[t.event]).collect();
        names.join(", ")
    };
    let Some(e) = wf.event(name) else {
        return Err(match suggest::closest(name, wf.events.iter().map(|e| &**e)) {
            Some(near) => msg!(
                "流程中没有事件 `{name}`；是不是 `{near}`？",
                "the workflow has no event `{name}`; did you mean `{near}`?"
            ),
            None => {
                let all = allowed();
                msg!(
                    "流程中没有事件 `{name}`；现在可用：{all}",
                    "the workflow has no event `{name}`; allowed now: {all}"
                )
            }
        });
    };
    let Some(t) = wf.transition(state.stage, e) else {
        let all = allowed();
        return Err(msg!(
            "阶段 `{stage}` 不接受事件 `{name}`；现在可用：{all}",
            "stage `{stage}` does not take the event `{name}`; allowed now: {all}"
        ));
    };
    let merged = match &event.data {
        Some(data) => merge(facts, data),
        None => facts.clone(),
    };
    let validated =
        validate(program, &merged).map_err(|ds| problems("事件数据无效", "the event's data is invalid", &ds))?;
    let evaluation = eval::evaluate(program, &validated, event.at, false).map_err(|e| match e {
        EvalError::InvalidFacts(ds) => problems("事件之后的事实不成立", "the facts after this event do not hold", &ds),
        EvalError::Fault(d) => problems("无法评估守卫规则", "the guard rules cannot be evaluated", &[d]),
    })?;
    let guards: Vec<&str> = if state.stage == wf.initial && t.to != wf.initial {
        vec![&wf.stages[wf.initial], &wf.stages[t.to]]
    } else {
        vec![&wf.stages[t.to]]
    };
    let findings = evaluation
        .findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::Reject | FindingKind::Require))
        .filter_map(|f| {
            let rule = program.rules.get(usize::try_from(f.rule?).ok()?)?;
            let tag = rule.stage.as_ref()?;
            guards.contains(&&**tag).then(|| GuardFinding {
                kind: f.kind,
                code: Arc::clone(&f.code),
                rule: Arc::clone(&rule.name),
                stage: Arc::clone(tag),
                item: f.item.clone(),
                message: f.message.clone(),
                message_en: f.message_en.clone(),
            })
        })
        .collect();
    Ok(Judged { to: t.to, otherwise: t.otherwise, findings, merged })
}

/// Facts gathered so far, validated against the policy's schema.
fn validate(program: &Program, raw: &Raw) -> Result<Facts, Vec<Diagnostic>> {
    facts_mod::validate(raw, &program.inputs, program.locale.currency)
}

/// One reason made of several diagnostics (each already names its path).
fn problems(zh: &str, en: &str, diags: &[Diagnostic]) -> Msg {
    let lines = |lang| {
        diags
            .iter()
            .map(|d| match &d.path {
                Some(p) if !p.is_empty() => format!("{p}: {}", d.message.get(lang)),
                _ => d.message.get(lang).to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    Msg::new(format!("{zh}：{}", lines(Lang::Zh)), format!("{en}: {}", lines(Lang::En)))
}
