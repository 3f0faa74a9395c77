//! The result of a replay and its parts. Each borrows the policy, so stage, event and
//! rule names are read in place.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::diagnostics::{Diagnostic, Msg};
use crate::document::Raw;
use crate::eval::{Evaluation, Kind};
use crate::ir::{Deadline, FixedText, Program, Workflow};
use crate::value::Locale;

/// What happened to one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

/// A guard rule that fired. It owns its texts (shared, cheap to clone), so a replay's
/// progress can be kept apart from the policy and resumed ([`super::Checkpoint`]).
#[derive(Clone, Debug, PartialEq)]
pub struct GuardFinding {
    pub(crate) kind: Kind,
    pub(crate) code: std::sync::Arc<str>,
    pub(crate) rule: std::sync::Arc<str>,
    pub(crate) stage: std::sync::Arc<str>,
    pub(crate) item: Option<std::sync::Arc<str>>,
    pub(crate) message: Option<std::sync::Arc<str>>,
    pub(crate) message_en: Option<std::sync::Arc<str>>,
}

impl GuardFinding {
    /// `reject` or `require`.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Its code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The rule's name.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The stage the rule is tagged with.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// The item, when the rule iterates.
    pub fn item(&self) -> Option<&str> {
        self.item.as_deref()
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

/// One event of the audit trail.
#[derive(Clone, Debug, PartialEq)]
pub struct Step<'p> {
    /// What it records, shared with the progress kept for the next replay.
    pub(crate) record: Arc<Record>,
    pub(crate) from: &'p str,
    pub(crate) to: Option<&'p str>,
}

/// What a step records, with its stages as indices so it stands apart from the policy.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Record {
    pub(crate) index: usize,
    pub(crate) at: DateTime<Utc>,
    pub(crate) event: String,
    pub(crate) by: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) from_stage: usize,
    pub(crate) to_stage: Option<usize>,
    pub(crate) outcome: Outcome,
    pub(crate) findings: Vec<GuardFinding>,
    pub(crate) reason: Option<Msg>,
    pub(crate) changes: Vec<Change>,
}

/// A fact an event's data changed: its path, the value before (none when new) and after.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// `refund.status`.
    pub path: String,
    /// The value before, when there was one.
    pub from: Option<Raw>,
    /// The value after.
    pub to: Raw,
}

impl<'p> Step<'p> {
    /// The facts the event's data changed or added, in the data's order.
    pub fn changes(&self) -> &[Change] {
        &self.record.changes
    }

    /// Position in the case file, from 0.
    pub fn index(&self) -> usize {
        self.record.index
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        self.record.at
    }

    /// The event's name.
    pub fn event(&self) -> &str {
        &self.record.event
    }

    /// Who did it.
    pub fn by(&self) -> Option<&str> {
        self.record.by.as_deref()
    }

    /// What the person said with it.
    pub fn note(&self) -> Option<&str> {
        self.record.note.as_deref()
    }

    /// The stage the case was in.
    pub fn from(&self) -> &'p str {
        self.from
    }

    /// The stage it moved to, when it moved.
    pub fn to(&self) -> Option<&'p str> {
        self.to
    }

    /// What happened.
    pub fn outcome(&self) -> Outcome {
        self.record.outcome
    }

    /// The guard rules that refused it.
    pub fn findings(&self) -> &[GuardFinding] {
        &self.record.findings
    }

    /// Why an illegal event could not apply.
    pub fn reason(&self) -> Option<&Msg> {
        self.record.reason.as_ref()
    }
}

/// Where a stage deadline stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
#[derive(Clone, Debug)]
pub struct DeadlineState<'p> {
    pub(crate) def: &'p Deadline,
    pub(crate) stage: &'p str,
    pub(crate) anchor: &'p str,
    pub(crate) since: DateTime<Utc>,
    pub(crate) due: DateTime<Utc>,
    pub(crate) closed_at: Option<DateTime<Utc>>,
    pub(crate) status: DeadlineStatus,
}

impl<'p> DeadlineState<'p> {
    /// The stage that must be left.
    pub fn stage(&self) -> &'p str {
        self.stage
    }

    /// The stage whose entry started the clock.
    pub fn anchor(&self) -> &'p str {
        self.anchor
    }

    /// How long the stage may take, in words (`2 个工作日（business）`).
    pub fn within(&self) -> Msg {
        match &self.def.due {
            crate::ir::Due::Within(amount) => amount.describe(),
            crate::ir::Due::By(name) => Msg::new(format!("以 {name} 为准"), format!("by {name}")),
        }
    }

    /// When its clock started.
    pub fn since(&self) -> DateTime<Utc> {
        self.since
    }

    /// When it is due.
    pub fn due(&self) -> DateTime<Utc> {
        self.due
    }

    /// When the stage was left, if it was.
    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.closed_at
    }

    /// Where it stands.
    pub fn status(&self) -> DeadlineStatus {
        self.status
    }

    /// What the policy says when it is overdue.
    pub fn message(&self) -> Option<&'p FixedText> {
        self.def.message.as_ref()
    }
}

/// An action scheduled by entering a stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduled<'p> {
    /// The workflow entry that scheduled it.
    pub(crate) entry: usize,
    pub(crate) action: &'p str,
    pub(crate) stage: &'p str,
    pub(crate) at: DateTime<Utc>,
    pub(crate) message: Option<&'p FixedText>,
}

impl<'p> Scheduled<'p> {
    /// The action's kind.
    pub fn action(&self) -> &'p str {
        self.action
    }

    /// The stage whose entry scheduled it.
    pub fn stage(&self) -> &'p str {
        self.stage
    }

    /// When it is due.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// What it is for.
    pub fn message(&self) -> Option<&'p FixedText> {
        self.message
    }
}

/// The result of a replay: where the case is, how it got there, what is due.
#[derive(Clone, Debug)]
pub struct Replay<'p> {
    pub(crate) program: &'p Program,
    pub(crate) workflow: &'p Workflow,
    pub(crate) now: DateTime<Utc>,
    pub(crate) stage: usize,
    pub(crate) entered_at: Option<DateTime<Utc>>,
    pub(crate) trail: Vec<Step<'p>>,
    pub(crate) deadlines: Vec<DeadlineState<'p>>,
    pub(crate) actions: Vec<Scheduled<'p>>,
    /// The events allowed next, with the stage each leads to, by index.
    pub(crate) next: Vec<(usize, usize)>,
    pub(crate) evaluation: Option<Evaluation<'p>>,
    pub(crate) problems: Vec<Diagnostic>,
    pub(crate) facts: Raw,
    /// Calendars counted through a year none of their holiday files describes, with
    /// that year, sorted (deadlines, entry actions and the final evaluation together).
    pub(crate) uncovered: Vec<(String, i32)>,
    /// How many events came from a checkpoint instead of being judged again.
    pub(crate) resumed: usize,
}

impl<'p> Replay<'p> {
    /// How many of the events were taken from a checkpoint rather than judged again
    /// (0 for a replay from the start).
    pub fn resumed_events(&self) -> usize {
        self.resumed
    }

    /// The policy's name.
    pub fn policy_name(&self) -> &'p str {
        &self.program.name
    }

    /// The policy's version.
    pub fn version(&self) -> Option<&'p str> {
        self.program.version.as_deref()
    }

    /// The workflow's name.
    pub fn workflow(&self) -> &'p str {
        &self.workflow.name
    }

    /// The workflow's title, when it has one.
    pub fn workflow_title(&self) -> Option<&'p str> {
        self.workflow.title.as_deref()
    }

    /// The policy's zone and currency, to show times as the result does.
    pub fn locale(&self) -> &'p Locale {
        &self.program.locale
    }

    /// The instant deadlines are judged at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The current stage.
    pub fn stage(&self) -> &'p str {
        self.workflow.stage_name(self.stage)
    }

    /// True when the current stage is final: the case takes no more events.
    pub fn is_final(&self) -> bool {
        self.workflow.is_final(self.stage)
    }

    /// When the case entered its stage (absent when there were no events).
    pub fn entered_at(&self) -> Option<DateTime<Utc>> {
        self.entered_at
    }

    /// Every event, in order.
    pub fn trail(&self) -> &[Step<'p>] {
        &self.trail
    }

    /// Deadlines that have started, in declaration order.
    pub fn deadlines(&self) -> &[DeadlineState<'p>] {
        &self.deadlines
    }

    /// Actions scheduled by stage entries, by due time.
    pub fn actions(&self) -> &[Scheduled<'p>] {
        &self.actions
    }

    /// The events allowed next, with the stage each leads to.
    pub fn next(&self) -> impl Iterator<Item = (&'p str, &'p str)> + '_ {
        self.next.iter().map(|&(event, to)| (self.workflow.event_name(event), self.workflow.stage_name(to)))
    }

    /// Who may post `event` now (`on EVENT by ROLE`): the roles' names, empty when anyone
    /// may or the event is not allowed now.
    pub fn roles_for(&self, event: &str) -> Vec<&'p str> {
        let workflow = self.workflow;
        let Some(ev) = workflow.events.iter().position(|e| &**e == event) else { return Vec::new() };
        workflow
            .transitions
            .iter()
            .find(|t| t.from == self.stage && t.event == ev)
            .map(|t| t.by.indices().filter_map(|i| workflow.roles.get(i).map(|r| &**r)).collect())
            .unwrap_or_default()
    }

    /// The policy evaluated at `now` on the facts the case has gathered (for its
    /// outputs); `None` when that failed ([`Self::problems`] says why).
    pub fn evaluation(&self) -> Option<&Evaluation<'p>> {
        self.evaluation.as_ref()
    }

    /// Why the evaluation at `now` failed, when it did.
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }

    /// The facts the case has gathered.
    pub fn facts(&self) -> &Raw {
        &self.facts
    }

    /// A `calendar-coverage` warning per calendar and year counted without holiday data.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        crate::eval::coverage_warnings(&self.uncovered)
    }
}
