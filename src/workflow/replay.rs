//! Replay: a case's events, one by one, through the workflow's transitions and guards.
//!
//! A transition `a -> b on e` is refused when a `reject` or `require` rule tagged
//! `at b` fires on the facts known at the event (the initial stage is never entered
//! by a transition, so its rules also guard every transition out of it). The policy is
//! evaluated with the event's instant as `now`. With `else c`, a refusal that carries a
//! reject sends the case to `c` instead of leaving it where it was. A refused event's
//! data is kept (what it told us stays true); an illegal event changes nothing.
//!
//! The case's decision is one evaluation of the facts it gathered ([`Verdict`] says
//! which rules take part): every stage it entered, and the stages its last refused event
//! tried to enter, decide; the stages not reached are pending. An accepted transition
//! that `rejects CODE` imposes that rejection. A case resting in a final stage is
//! evaluated at the instant it got there, an open one at `now`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::case::{Case, Event, merge};
use super::result::{Change, DeadlineState, DeadlineStatus, GuardFinding, Outcome, Record, Replay, Scheduled, Step};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Lang, Msg, suggest};
use crate::document::Raw;
use crate::eval::{self, EvalError, Kind};
use crate::facts::{self, Facts};
use crate::ir::{Due, Program, Workflow};
use crate::source::SourceFile;

/// Why a case could not be replayed at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The policy declares no workflow.
    #[error("{0}")]
    NoWorkflow(Box<Diagnostic>),
    /// The starting facts are invalid; nothing was replayed.
    #[error("案例的初始事实无效 · the case's starting facts are invalid ({} problems)", .0.len())]
    InvalidFacts(Vec<Diagnostic>),
}

impl ReplayError {
    /// What to show: why the policy cannot replay, or the starting facts' problems.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ReplayError::NoWorkflow(d) => vec![(**d).clone()],
            ReplayError::InvalidFacts(diags) => diags.clone(),
        }
    }
}

/// Replays `case` through `program`'s workflow and judges deadlines at `now`
/// ([`crate::Policy::replay`] is the public entry).
pub(crate) fn replay<'p>(program: &'p Program, case: &Case, now: DateTime<Utc>) -> Result<Replay<'p>, ReplayError> {
    replay_from(program, case, now, None).map(|(r, _)| r)
}

/// A replay's progress through a case's events, kept apart from the policy: a later
/// replay of the same case with more events resumes from it instead of judging every
/// event again ([`crate::Policy::replay_resuming`]). Shared, not copied, when cloned: a
/// read that adds no event hands back the progress it resumed from.
#[derive(Clone, Debug)]
pub struct Checkpoint(Arc<Progress>);

/// What a [`Checkpoint`] keeps.
#[derive(Debug)]
struct Progress {
    /// The policy it was made with (the same compiled source, by identity).
    source: Arc<SourceFile>,
    /// The starting facts and the events it covers (shared with the progress it grew from).
    start: Raw,
    events: Vec<Arc<Event>>,
    stage: usize,
    entered: Vec<Option<DateTime<Utc>>>,
    left: Vec<Option<DateTime<Utc>>>,
    reached: Vec<bool>,
    actions: Vec<(usize, DateTime<Utc>)>,
    uncovered: Vec<(String, i32)>,
    facts: Raw,
    last: Option<DateTime<Utc>>,
    verdict: Verdict,
    /// The trail's records, shared with the replays that made and resumed it.
    trail: Vec<Arc<Record>>,
}

impl Checkpoint {
    /// How many events it covers.
    pub fn events(&self) -> usize {
        self.0.events.len()
    }

    /// Whether `case` under `program` at `now` continues this progress: same policy, same
    /// starting facts, these events first, and none of them after `now` (an event after
    /// `now` is illegal, so an earlier `now` judges differently).
    fn continues(&self, program: &Program, case: &Case, now: DateTime<Utc>) -> bool {
        let c = &self.0;
        Arc::ptr_eq(&c.source, &program.file)
            && c.start == case.facts
            && case.events.get(..c.events.len()).is_some_and(|prefix| prefix.iter().eq(c.events.iter().map(|e| &**e)))
            && c.last.is_none_or(|t| t <= now)
    }
}

/// [`replay`], resuming from `from` when it continues this case, and the progress after
/// every event (`None` when an event lies after `now`: that judgment is not kept).
pub(crate) fn replay_from<'p>(
    program: &'p Program,
    case: &Case,
    now: DateTime<Utc>,
    from: Option<&Checkpoint>,
) -> Result<(Replay<'p>, Option<Checkpoint>), ReplayError> {
    let Some(wf) = program.workflow.as_deref() else {
        let d = Diagnostic::error(
            codes::NO_WORKFLOW,
            Msg::new(
                "这个策略没有声明流程，无法回放案例",
                "this policy declares no workflow, so a case cannot be replayed",
            ),
        )
        .help(Msg::new("在策略中加上 `workflow 名称 { … }`", "add `workflow NAME { … }` to the policy"))
        .in_file(&program.file);
        return Err(ReplayError::NoWorkflow(Box::new(d)));
    };
    let tz = program.locale.tz;
    let resumed = from.filter(|c| c.continues(program, case, now));
    let (mut state, mut facts, mut last, mut trail, done, mut verdict) = match resumed.map(|c| &*c.0) {
        Some(c) => {
            let actions = c
                .actions
                .iter()
                .filter_map(|&(entry, at)| {
                    let e = wf.entries.get(entry)?;
                    Some(Scheduled {
                        entry,
                        action: &e.action,
                        stage: wf.stage_name(e.stage),
                        at,
                        message: e.message.as_ref(),
                    })
                })
                .collect();
            let state = State {
                wf,
                stage: c.stage,
                entered: c.entered.clone(),
                left: c.left.clone(),
                reached: c.reached.clone(),
                actions,
                tz,
                uncovered: c.uncovered.clone(),
            };
            let trail: Vec<Step<'p>> = c.trail.iter().map(|r| restore(r, wf)).collect();
            (state, c.facts.clone(), c.last, trail, c.events.len(), c.verdict.clone())
        }
        None => {
            validate(program, &case.facts).map_err(ReplayError::InvalidFacts)?;
            let mut state = State {
                wf,
                stage: wf.initial,
                entered: vec![None; wf.stages.len()],
                left: vec![None; wf.stages.len()],
                reached: vec![false; wf.stages.len()],
                actions: Vec::new(),
                tz,
                uncovered: Vec::new(),
            };
            if let Some(first) = state.entered.get_mut(wf.initial) {
                *first = case.events.first().map(|e| e.at);
            }
            if let Some(first) = state.reached.get_mut(wf.initial) {
                *first = true;
            }
            (state, case.facts.clone(), None, Vec::new(), 0, Verdict::default())
        }
    };
    for (index, event) in case.events.iter().enumerate().skip(done) {
        let mut step = Record {
            index,
            at: event.at,
            event: event.name.clone(),
            by: event.by.clone(),
            note: event.note.clone(),
            from_stage: state.stage,
            to_stage: None,
            outcome: Outcome::Illegal,
            findings: Vec::new(),
            reason: None,
            changes: Vec::new(),
        };
        match judge(program, wf, &state, &facts, event, last, now) {
            Err(reason) => step.reason = Some(reason),
            Ok(Judged { to, otherwise, findings, merged, guards, rejects }) => {
                last = Some(event.at);
                let redirect = otherwise.filter(|_| findings.iter().any(|f| f.kind == Kind::Reject));
                let target = if findings.is_empty() { Some(to) } else { redirect };
                step.outcome = if findings.is_empty() { Outcome::Accepted } else { Outcome::Refused };
                let refused = !findings.is_empty();
                step.findings = findings;
                // What the event told us stays true even when the move is refused.
                if let Some(data) = &event.data {
                    changes(&facts, data, "", &mut step.changes);
                }
                facts = merged;
                if let Some(target) = target {
                    state.go(target, event.at);
                    step.to_stage = Some(target);
                }
                verdict.refused = if refused { guards } else { Vec::new() };
                if let (false, Some(rejection), Some(event_index)) = (refused, rejects, wf.event(&event.name)) {
                    verdict.imposed =
                        Some(ImposedBy { rejection, event: event_index, note: event.note.clone(), stage: state.stage });
                }
                // An imposed rejection holds while the case stays where it led.
                if verdict.imposed.as_ref().is_some_and(|i| i.stage != state.stage) {
                    verdict.imposed = None;
                }
            }
        }
        trail.push(restore(&Arc::new(step), wf));
    }
    let all_past = case.events.iter().all(|e| e.at <= now);
    let checkpoint = match resumed {
        // Nothing new since the progress resumed from: it is the progress after this.
        Some(c) if done == case.events.len() && all_past => Some(c.clone()),
        _ => all_past.then(|| {
            Checkpoint(Arc::new(Progress {
                source: Arc::clone(&program.file),
                start: case.facts.clone(),
                events: match resumed {
                    Some(c) => {
                        c.0.events.iter().cloned().chain(case.events.iter().skip(done).cloned().map(Arc::new)).collect()
                    }
                    None => case.events.iter().cloned().map(Arc::new).collect(),
                },
                stage: state.stage,
                entered: state.entered.clone(),
                left: state.left.clone(),
                reached: state.reached.clone(),
                actions: state.actions.iter().map(|a| (a.entry, a.at)).collect(),
                uncovered: state.uncovered.clone(),
                facts: facts.clone(),
                last,
                verdict: verdict.clone(),
                trail: trail.iter().map(|s| Arc::clone(&s.record)).collect(),
            }))
        }),
    };
    let next = wf.transitions.iter().filter(|t| t.from == state.stage).map(|t| (t.event, t.to)).collect();
    // A case at rest in a final stage is judged as it was when it got there; an open one
    // at `now` (a rule that reads `now` can change its mind while the case waits).
    let at = match state.entered.get(state.stage).copied().flatten() {
        Some(entered) if wf.is_final(state.stage) => entered,
        _ => now,
    };
    let ahead: Vec<&str> =
        state.ahead().into_iter().filter(|i| !verdict.refused.contains(i)).map(|i| wf.stage_name(i)).collect();
    let imposed = verdict.imposed.as_ref().and_then(|i| {
        let r = wf.rejections.get(i.rejection)?;
        Some(imposed(r, wf.event_name(i.event), i.note.as_deref()))
    });
    let (evaluation, problems) = match validate(program, &facts)
        .map_err(EvalError::InvalidFacts)
        .and_then(|f| eval::evaluate_ahead(program, &f, at, false, &ahead, imposed))
    {
        Ok(e) => (Some(e), Vec::new()),
        Err(e) => (None, e.diagnostics().to_vec()),
    };
    // After the evaluation: a deadline `by` a value is due when the facts gathered say.
    let deadlines = state.deadlines(now, evaluation.as_ref());
    let mut uncovered = state.uncovered;
    for d in &deadlines {
        if let Due::Within(amount) = &d.def.due {
            uncovered.extend(amount.uncovered(d.since, d.due));
        }
    }
    uncovered.extend(evaluation.iter().flat_map(|e| e.uncovered.iter().cloned()));
    uncovered.sort();
    uncovered.dedup();
    let mut actions = state.actions;
    actions.sort_by(|a, b| (a.at, a.action).cmp(&(b.at, b.action)));
    let replay = Replay {
        program,
        workflow: wf,
        now,
        stage: state.stage,
        entered_at: state.entered.get(state.stage).copied().flatten(),
        trail,
        deadlines,
        actions,
        next,
        evaluation,
        problems,
        facts,
        uncovered,
        resumed: done,
    };
    Ok((replay, checkpoint))
}

/// A step of the trail from its shared record, with the stage names of `wf`.
fn restore<'p>(record: &Arc<Record>, wf: &'p Workflow) -> Step<'p> {
    Step {
        record: Arc::clone(record),
        from: wf.stage_name(record.from_stage),
        to: record.to_stage.map(|t| wf.stage_name(t)),
    }
}

struct State<'p> {
    wf: &'p Workflow,
    stage: usize,
    /// Latest entry into each stage.
    entered: Vec<Option<DateTime<Utc>>>,
    /// Latest exit from each stage.
    left: Vec<Option<DateTime<Utc>>>,
    /// The stages reached on the way to the current one: going back to an earlier stage
    /// (in the order of `stages`) sets aside those after it.
    reached: Vec<bool>,
    actions: Vec<Scheduled<'p>>,
    tz: chrono_tz::Tz,
    /// Entry actions counted through a year without holiday data.
    uncovered: Vec<(String, i32)>,
}

impl<'p> State<'p> {
    /// Moves the case. Staying in the same stage is not a new entry: its deadlines keep
    /// running and its entry actions are not scheduled again. Leaving a stage drops the
    /// actions its entry scheduled that are not due yet (a follow-up of a closed case
    /// that is reopened, an explanation of a rejection that is resubmitted in time).
    fn go(&mut self, to: usize, at: DateTime<Utc>) {
        if to == self.stage {
            return;
        }
        let (from, wf) = (self.stage, self.wf);
        self.actions.retain(|a| a.at <= at || wf.entries.get(a.entry).is_none_or(|e| e.stage != from));
        if let Some(left) = self.left.get_mut(self.stage) {
            *left = Some(at);
        }
        if to < from {
            self.reached.iter_mut().skip(to + 1).for_each(|r| *r = false);
        }
        if let Some(r) = self.reached.get_mut(to) {
            *r = true;
        }
        if let Some(entered) = self.entered.get_mut(to) {
            *entered = Some(at);
        }
        self.stage = to;
        let wf = self.wf;
        for (index, entry) in wf.entries.iter().enumerate().filter(|(_, e)| e.stage == to) {
            let due = match &entry.after {
                Some(amount) => amount.after(at, self.tz).ok(),
                None => Some(at),
            };
            if let Some(due) = due {
                self.uncovered.extend(entry.after.as_ref().and_then(|a| a.uncovered(at, due)));
                self.actions.push(Scheduled {
                    entry: index,
                    action: &entry.action,
                    stage: wf.stage_name(to),
                    at: due,
                    message: entry.message.as_ref(),
                });
            }
        }
    }

    /// The stages not reached on the way here: neither the initial nor the current.
    fn ahead(&self) -> Vec<usize> {
        (0..self.wf.stages.len())
            .filter(|&i| i != self.wf.initial && i != self.stage && !self.reached.get(i).copied().unwrap_or(false))
            .collect()
    }

    fn deadlines(
        &self,
        now: DateTime<Utc>,
        evaluation: Option<&crate::eval::Evaluation<'_>>,
    ) -> Vec<DeadlineState<'p>> {
        let entered = |stage: usize| self.entered.get(stage).copied().flatten();
        let mut out = Vec::new();
        for d in &self.wf.deadlines {
            let (since, due) = match &d.due {
                Due::Within(amount) => {
                    let Some(since) = entered(d.anchor) else { continue };
                    let Ok(due) = amount.after(since, self.tz) else { continue };
                    (since, due)
                }
                // Shown once the value is known; counted from entering the stage, or the
                // stage the case is in while it has not reached that one.
                Due::By(name) => {
                    let Some(crate::value::Value::DateTime(due)) = evaluation.and_then(|e| e.value(name)) else {
                        continue;
                    };
                    let Some(since) = entered(d.stage).or_else(|| entered(self.stage)) else { continue };
                    (since, *due)
                }
            };
            let left = self.left.get(d.stage).copied().flatten();
            let closed_at = left.filter(|t| *t >= since && entered(d.stage).is_some());
            let status = match closed_at {
                Some(t) if t <= due => DeadlineStatus::Met,
                Some(_) => DeadlineStatus::Missed,
                // Ended elsewhere: the stage will never be reached, nothing is due.
                None if self.wf.is_final(self.stage) => continue,
                None if now > due => DeadlineStatus::Overdue,
                None => DeadlineStatus::Open,
            };
            out.push(DeadlineState {
                def: d,
                stage: self.wf.stage_name(d.stage),
                anchor: self.wf.stage_name(d.anchor),
                since,
                due,
                closed_at,
                status,
            });
        }
        out
    }
}

struct Judged {
    to: usize,
    otherwise: Option<usize>,
    findings: Vec<GuardFinding>,
    merged: Raw,
    /// The stages whose rules guarded the move.
    guards: Vec<usize>,
    /// The transition's `rejects`, by index.
    rejects: Option<usize>,
}

/// What the case's events decided beyond the stages it reached: the stages whose rules
/// refused the last judged event (so the reasons it was refused are the case's, never
/// only pending), and a rejection a transition imposed (`rejects`), which holds while
/// the case stays in the stage that transition led to.
#[derive(Clone, Debug, Default, PartialEq)]
struct Verdict {
    refused: Vec<usize>,
    imposed: Option<ImposedBy>,
}

/// A rejection imposed by taking an event: which one, by which event, with what note,
/// and the stage it led to.
#[derive(Clone, Debug, PartialEq)]
struct ImposedBy {
    rejection: usize,
    event: usize,
    note: Option<String>,
    stage: usize,
}

/// The rejection a transition imposes, its texts followed by the person's note.
fn imposed<'p>(r: &'p crate::ir::Rejection, event: &'p str, note: Option<&str>) -> eval::Imposed<'p> {
    let with_note = |text: Option<&str>, label: &str| -> Option<Arc<str>> {
        match (text, note) {
            (Some(t), Some(n)) => Some(Arc::from(format!("{t}{label}{n}"))),
            (Some(t), None) => Some(Arc::from(t)),
            (None, Some(n)) => Some(Arc::from(n)),
            (None, None) => None,
        }
    };
    let message = r.message.as_ref();
    eval::Imposed {
        event,
        code: &r.code,
        message: with_note(message.map(|m| m.zh()), "理由："),
        message_en: with_note(message.and_then(|m| m.en()), " Reason: "),
    }
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
    let stage = wf.stage_name(state.stage);
    let name = &event.name;
    let fmt = |t: DateTime<Utc>| crate::time::rfc3339(&t, state.tz);
    // A final stage takes only the events declared from it (a resubmission, a reopening).
    if wf.is_final(state.stage) && wf.event(name).is_none_or(|e| wf.transition(state.stage, e).is_none()) {
        let reopen: Vec<&str> =
            wf.transitions.iter().filter(|t| t.from == state.stage).map(|t| wf.event_name(t.event)).collect();
        if reopen.is_empty() {
            return Err(msg!(
                "案例已在终止阶段 `{stage}`，不再接受事件",
                "the case is in the final stage `{stage}` and takes no more events"
            ));
        }
        let reopen = reopen.join(", ");
        return Err(msg!(
            "案例已在终止阶段 `{stage}`，只接受：{reopen}",
            "the case is in the final stage `{stage}` and takes only: {reopen}"
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
            wf.transitions.iter().filter(|t| t.from == state.stage).map(|t| wf.event_name(t.event)).collect();
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
        EvalError::Failed(d) => problems("无法评估守卫规则", "the guard rules cannot be evaluated", &[d]),
    })?;
    let guard_stages: Vec<usize> = if wf.is_final(state.stage) && !wf.is_final(t.to) {
        // Back into the process (a resubmission, a reopening): everything a case must
        // satisfy to stand in the target stage is checked again, stage by stage.
        (0..=t.to).filter(|&i| !wf.is_final(i)).collect()
    } else if state.stage == wf.initial && t.to != wf.initial {
        vec![wf.initial, t.to]
    } else {
        vec![t.to]
    };
    let guards: Vec<&str> = guard_stages.iter().map(|&i| wf.stage_name(i)).collect();
    let findings = evaluation
        .findings()
        .iter()
        .filter(|f| matches!(f.kind(), Kind::Reject | Kind::Require))
        .filter_map(|f| {
            let (rule, stage) = (f.rule()?, f.stage()?);
            guards.contains(&stage).then(|| GuardFinding {
                kind: f.kind(),
                code: f.code().into(),
                rule: rule.into(),
                stage: stage.into(),
                item: f.item.clone(),
                message: f.message.clone(),
                message_en: f.message_en.clone(),
            })
        })
        .collect();
    Ok(Judged { to: t.to, otherwise: t.otherwise, findings, merged, guards: guard_stages, rejects: t.rejects })
}

/// Facts gathered so far, validated against the policy's schema.
fn validate(program: &Program, raw: &Raw) -> Result<Facts, Vec<Diagnostic>> {
    facts::validate(raw, &program.inputs, program.locale.currency)
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

/// The leaves of `data` that differ from `facts`, with their paths under `prefix`.
fn changes(facts: &Raw, data: &Raw, prefix: &str, out: &mut Vec<Change>) {
    let Raw::Map(entries) = data else { return };
    for (k, new) in entries {
        let key = match k {
            Raw::Str(s) => s.clone(),
            other => other.describe(),
        };
        let path = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
        let old = match facts {
            Raw::Map(old) => old.iter().rev().find(|(ok, _)| ok == k).map(|(_, v)| v),
            _ => None,
        };
        match (old, new) {
            (Some(old @ Raw::Map(_)), Raw::Map(_)) => changes(old, new, &path, out),
            (None, Raw::Map(_)) => changes(&Raw::Null, new, &path, out),
            (Some(old), new) if old == new => {}
            (old, new) => out.push(Change { path, from: old.cloned(), to: new.clone() }),
        }
    }
}
