//! The compiled workflow: stages, events, transitions, deadlines and entry actions,
//! with names turned into indices.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::diagnostics::Msg;
use crate::time::{Calendar, ClockError};
use crate::value::duration;

/// A fixed bilingual text.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedText {
    pub(crate) zh: String,
    pub(crate) en: Option<String>,
}

impl FixedText {
    /// The Chinese text.
    pub fn zh(&self) -> &str {
        &self.zh
    }

    /// The English text, when the policy gives one.
    pub fn en(&self) -> Option<&str> {
        self.en.as_deref()
    }
}

/// A compiled workflow: names are indices.
#[derive(Clone, Debug)]
pub struct Workflow {
    /// Its name.
    pub name: String,
    /// A human title.
    pub title: Option<String>,
    /// Stage names.
    pub stages: Vec<Arc<str>>,
    /// The stage a case starts in.
    pub initial: usize,
    /// Per stage: the process ends there (it is left only by a transition declared from
    /// it, such as a resubmission or a reopening).
    pub finals: Vec<bool>,
    /// Event names.
    pub events: Vec<Arc<str>>,
    /// Declared roles: who posts events (`roles reviewer, warehouse`).
    pub roles: Vec<Arc<str>>,
    /// Transitions in declaration order.
    pub transitions: Vec<Transition>,
    /// The rejections transitions decide (`rejects CODE`), by index.
    pub rejections: Vec<Rejection>,
    /// Stage deadlines.
    pub deadlines: Vec<Deadline>,
    /// Actions scheduled on entering a stage.
    pub entries: Vec<Entry>,
}

/// `from -> to on event [else otherwise]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// Stage index.
    pub from: usize,
    /// Stage index.
    pub to: usize,
    /// Event index.
    pub event: usize,
    /// The roles that may post the event here; anyone when empty.
    pub by: RoleSet,
    /// `with inspection`: the top-level input fields the event's data fills in.
    pub carries: Vec<Arc<str>>,
    /// Where a reject of the target stage sends the case instead.
    pub otherwise: Option<usize>,
    /// `rejects CODE "text"`: an index into [`Workflow::rejections`]; taking the event
    /// decides the case as rejected.
    pub rejects: Option<usize>,
}

/// A set of a workflow's roles, by index into [`Workflow::roles`] (at most
/// [`RoleSet::MAX`]); empty means anyone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoleSet(u64);

impl RoleSet {
    /// The most roles a workflow declares.
    pub const MAX: usize = crate::lang::MAX_ROLES;

    /// The set of these role indices (indices at or past [`RoleSet::MAX`] are left out;
    /// the checker refuses a workflow with more roles).
    pub fn of(roles: &[usize]) -> RoleSet {
        RoleSet(roles.iter().filter(|&&r| r < Self::MAX).fold(0, |set, &r| set | (1u64 << r)))
    }

    /// True when role `index` is in the set.
    pub fn contains(self, index: usize) -> bool {
        index < Self::MAX && self.0 & (1u64 << index) != 0
    }

    /// The role indices in the set, in order.
    pub fn indices(self) -> impl Iterator<Item = usize> {
        (0..Self::MAX).filter(move |&i| self.contains(i))
    }
}

/// `rejects CODE "text"` on a transition: the code and text of a rejection that a
/// person decides by taking the event (a reviewer's reject).
#[derive(Clone, Debug)]
pub struct Rejection {
    /// The code it decides with (`REJECTED_BY_REVIEWER`).
    pub code: Arc<str>,
    /// What it says, before the person's note.
    pub message: Option<FixedText>,
}

/// How long a deadline or a delay is.
#[derive(Clone, Debug)]
pub enum Amount {
    /// A plain duration, added by [`crate::time::shift`]: whole days are local days.
    Plain(TimeDelta),
    /// Working time on a calendar.
    Working(Arc<Calendar>, TimeDelta),
    /// Whole working days on a calendar.
    WorkingDays(Arc<Calendar>, u32),
}

impl Amount {
    /// The instant this long after `from`.
    pub fn after(&self, from: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, ClockError> {
        match self {
            Amount::Plain(d) => crate::time::shift(from, *d, tz).ok_or(ClockError::TooFar),
            Amount::Working(cal, d) => cal.add(from, *d),
            Amount::WorkingDays(cal, n) => cal.add_working_days(from, *n),
        }
    }

    /// The first year of `[from, to]` the amount's calendar has no holiday file for.
    pub fn uncovered(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<(String, i32)> {
        match self {
            Amount::Plain(_) => None,
            Amount::Working(cal, _) | Amount::WorkingDays(cal, _) => {
                cal.uncovered_year(from, to).map(|y| (cal.name.clone(), y))
            }
        }
    }

    /// In words: `7 天`, `2 个工作日（business）`, `4 个工作小时（business）`.
    pub fn describe(&self) -> Msg {
        match self {
            Amount::Plain(d) => Msg::new(duration::words_zh(*d), duration::words(*d)),
            Amount::Working(cal, d) => Msg::new(
                format!("{}工作时间（{}）", duration::words_zh(*d), cal.name),
                format!("{} of working time ({})", duration::words(*d), cal.name),
            ),
            Amount::WorkingDays(cal, n) => Msg::new(
                format!("{n} 个工作日（{}）", cal.name),
                format!("{n} working day{} ({})", if *n == 1 { "" } else { "s" }, cal.name),
            ),
        }
    }
}

/// `deadline stage within amount of anchor`: the stage must be left within `within`
/// of entering `anchor`.
#[derive(Clone, Debug)]
pub struct Deadline {
    /// The stage that must be left.
    pub stage: usize,
    /// Counted from the latest entry into this stage.
    pub anchor: usize,
    /// How long, or the value that says when.
    pub due: Due,
    /// What to say when it is overdue.
    pub message: Option<FixedText>,
}

/// When a deadline is due.
#[derive(Clone, Debug)]
pub enum Due {
    /// Within an amount of entering the anchor stage.
    Within(Amount),
    /// At the datetime a let or output computes on the facts gathered (`by NAME`).
    By(Arc<str>),
}

/// `entering stage emit action [after amount]`.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The stage.
    pub stage: usize,
    /// The action's kind.
    pub action: Arc<str>,
    /// Delay after entering.
    pub after: Option<Amount>,
    /// What it is for.
    pub message: Option<FixedText>,
}

impl Workflow {
    /// The transition `event` takes from `stage`, if any.
    pub fn transition(&self, stage: usize, event: usize) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.from == stage && t.event == event)
    }

    /// A stage's name by index (empty for an index the workflow does not have).
    pub fn stage_name(&self, i: usize) -> &str {
        self.stages.get(i).map_or("", |s| s)
    }

    /// An event's name by index (empty for an index the workflow does not have).
    pub fn event_name(&self, i: usize) -> &str {
        self.events.get(i).map_or("", |e| e)
    }

    /// True when a case never leaves the stage.
    pub fn is_final(&self, stage: usize) -> bool {
        self.finals.get(stage).copied().unwrap_or(false)
    }

    /// The index of an event by name.
    pub fn event(&self, name: &str) -> Option<usize> {
        self.events.iter().position(|e| &**e == name)
    }
}
