//! Case files for `tenet case`: the facts a case starts with and the events that
//! happened to it, in order.
//!
//! ```yaml
//! name: a return that ends refunded      # optional
//! now: 2026-11-20T12:00:00+08:00         # optional: --now overrides it
//! facts: { …as for tenet eval… }
//! events:
//!   - { at: 2026-11-03T10:00:00+08:00, event: submit, by: customer }
//!   - { at: …, event: inspect, by: warehouse, data: { inspection: { … } } }
//! ```

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::document::{self, Format, Raw};
use crate::source::SourceFile;

/// One event of a case's history.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The event's name, as the workflow declares it.
    pub name: String,
    /// Who did it.
    pub by: Option<String>,
    /// What the person said with it: a reviewer's reason to reject, a supervisor's
    /// reason to reopen. Shown in the trail; a transition's `rejects` text carries it.
    pub note: Option<String>,
    /// Facts that became known with it; merged into the case's facts from then on.
    pub data: Option<Raw>,
}

/// A parsed case file.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The case's identifier (the service's case id), when the file gives one.
    pub id: Option<String>,
    /// A short description.
    pub name: Option<String>,
    /// The policy it belongs to, relative to the case file (optional).
    pub policy: Option<String>,
    /// The instant to report deadlines at, when the file gives one.
    pub now: Option<DateTime<Utc>>,
    /// The facts the case starts with.
    pub facts: Raw,
    /// The history, in the order given.
    pub events: Vec<Event>,
    /// What replaying it must give, for `tenet test` (kept as written; the replay
    /// itself never reads it).
    pub expect: Option<Raw>,
}

const KEYS: [&str; 7] = ["id", "name", "policy", "now", "facts", "events", "expect"];
const EVENT_KEYS: [&str; 5] = ["at", "event", "by", "note", "data"];

impl Case {
    /// Parses a case file (YAML or JSON); every problem names its path.
    pub fn parse(file: &Arc<SourceFile>, format: Format) -> Result<Case, Vec<Diagnostic>> {
        let raw = document::parse_raw(file, format).map_err(|d| vec![d])?;
        let mut problems = Vec::new();
        let case = from_raw(&raw, &mut problems);
        match case {
            Some(case) if problems.is_empty() => Ok(case),
            _ => Err(problems.into_iter().map(|d| d.in_file(file)).collect()),
        }
    }

    /// Reads a case already parsed into a value (a line of a JSON-lines file of cases:
    /// `{"id", "facts", "events"}`); the problems name their paths.
    pub fn from_raw(raw: &Raw) -> Result<Case, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        match from_raw(raw, &mut problems) {
            Some(case) if problems.is_empty() => Ok(case),
            _ => Err(problems),
        }
    }

    /// Whether a value looks like a case rather than facts: a mapping with `facts` whose
    /// keys are all a case's (`id`, `name`, `policy`, `now`, `facts`, `events`, `expect`),
    /// as a line of a JSON-lines file of cases (`tenet report`, `tenet diff`) is.
    pub fn is_case_like(raw: &Raw) -> bool {
        let Some(top) = entries(raw) else { return false };
        let named = |k: &Raw, pick: &dyn Fn(&str) -> bool| matches!(k, Raw::Str(k) if pick(k));
        top.iter().any(|(k, _)| named(k, &|k| k == "facts"))
            && top.iter().all(|(k, _)| named(k, &|k| KEYS.contains(&k)))
    }
}

fn problem(path: &str, message: Msg, help: Msg) -> Diagnostic {
    Diagnostic::error(codes::INVALID_CASE, message).at_path(path).help(help)
}

fn entries(raw: &Raw) -> Option<&[(Raw, Raw)]> {
    if let Raw::Map(e) = raw { Some(e) } else { None }
}

fn unknown_key(path: &str, key: &str, known: &[&str], problems: &mut Vec<Diagnostic>) {
    let help = match suggest::closest(key, known.iter().copied()) {
        Some(near) => msg!("是不是 `{near}`？", "did you mean `{near}`?"),
        None => {
            let all = known.join(", ");
            msg!("可用的键：{all}", "known keys: {all}")
        }
    };
    problems.push(problem(path, msg!("未知的键 `{key}`", "unknown key `{key}`"), help));
}

fn datetime(path: &str, raw: &Raw, problems: &mut Vec<Diagnostic>) -> Option<DateTime<Utc>> {
    let parsed = match raw {
        Raw::Str(s) => crate::time::parse_datetime(s).map(|t| t.to_utc()),
        _ => None,
    };
    if parsed.is_none() {
        let found = raw.describe();
        problems.push(problem(
            path,
            msg!("应是带时区偏移的日期时间，却是 {found}", "expected a datetime with an offset, found {found}"),
            Msg::new("例如 '2026-11-10T09:30:00+08:00'（加引号）", "for example '2026-11-10T09:30:00+08:00' (quoted)"),
        ));
    }
    parsed
}

fn text(path: &str, raw: &Raw, problems: &mut Vec<Diagnostic>) -> Option<String> {
    if let Raw::Str(s) = raw {
        return Some(s.clone());
    }
    let found = raw.describe();
    problems.push(problem(
        path,
        msg!("应是文本，却是 {found}", "expected a text, found {found}"),
        Msg::new("写成带引号的文本", "write it as a quoted text"),
    ));
    None
}

fn from_raw(raw: &Raw, problems: &mut Vec<Diagnostic>) -> Option<Case> {
    let Some(top) = entries(raw) else {
        problems.push(problem(
            "",
            Msg::new("案例文件应是一个映射", "a case file must be a mapping"),
            Msg::new("以 `facts:` 和 `events:` 开头", "start with `facts:` and `events:`"),
        ));
        return None;
    };
    let mut case = Case {
        id: None,
        name: None,
        policy: None,
        now: None,
        facts: Raw::Map(Vec::new()),
        events: Vec::new(),
        expect: None,
    };
    let mut has_facts = false;
    for (k, v) in top {
        let key = if let Raw::Str(k) = k { k.as_str() } else { "" };
        match key {
            "id" => case.id = text("id", v, problems),
            "name" => case.name = text("name", v, problems),
            "policy" => case.policy = text("policy", v, problems),
            "now" => case.now = datetime("now", v, problems),
            "facts" => {
                has_facts = true;
                if entries(v).is_none() {
                    let found = v.describe();
                    problems.push(problem(
                        "facts",
                        msg!("`facts` 应是一个映射，却是 {found}", "`facts` must be a mapping, found {found}"),
                        Msg::new("写出案例开始时已知的事实", "write the facts known when the case starts"),
                    ));
                }
                case.facts = v.clone();
            }
            "events" => case.events = events(v, problems),
            "expect" => case.expect = Some(v.clone()),
            other => unknown_key(other, other, &KEYS, problems),
        }
    }
    if !has_facts {
        problems.push(problem(
            "facts",
            Msg::new("缺少 `facts`", "`facts` is missing"),
            Msg::new(
                "写出案例开始时已知的事实（可以是 `{}`）",
                "write the facts known when the case starts (may be `{}`)",
            ),
        ));
    }
    Some(case)
}

fn events(raw: &Raw, problems: &mut Vec<Diagnostic>) -> Vec<Event> {
    let Raw::Seq(items) = raw else {
        let found = raw.describe();
        problems.push(problem(
            "events",
            msg!("`events` 应是一个列表，却是 {found}", "`events` must be a list, found {found}"),
            Msg::new("每项写成 `- {at: …, event: …}`", "write each as `- {at: …, event: …}`"),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(event) = event(&format!("events[{i}]"), item, problems) {
            out.push(event);
        }
    }
    out
}

impl Event {
    /// Reads one event (`{at, event, by?, note?, data?}`) from a parsed document; every problem
    /// names its path under `path` (empty for a document that is the event itself).
    pub fn from_raw(path: &str, raw: &Raw) -> Result<Event, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        match event(path, raw, &mut problems) {
            Some(e) if problems.is_empty() => Ok(e),
            _ => Err(problems),
        }
    }
}

fn event(path: &str, item: &Raw, problems: &mut Vec<Diagnostic>) -> Option<Event> {
    let Some(fields) = entries(item) else {
        let found = item.describe();
        problems.push(problem(
            path,
            msg!("事件应是一个映射，却是 {found}", "an event must be a mapping, found {found}"),
            Msg::new(
                "例如 `{at: '2026-11-03T10:00:00+08:00', event: submit}`",
                "e.g. `{at: '2026-11-03T10:00:00+08:00', event: submit}`",
            ),
        ));
        return None;
    };
    let (mut at, mut name, mut by, mut note, mut data) = (None, None, None, None, None);
    for (k, v) in fields {
        let key = if let Raw::Str(k) = k { k.as_str() } else { "" };
        let field = if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
        match key {
            "at" => at = datetime(&field, v, problems),
            "event" => name = text(&field, v, problems),
            "by" => by = text(&field, v, problems),
            "note" => note = text(&field, v, problems),
            "data" if entries(v).is_some() => data = Some(v.clone()),
            "data" => {
                let found = v.describe();
                problems.push(problem(
                    &field,
                    msg!("`data` 应是一个映射，却是 {found}", "`data` must be a mapping, found {found}"),
                    Msg::new(
                        "写出这个事件带来的事实，如 `{refund: {status: success}}`",
                        "write the facts this event brings, e.g. `{refund: {status: success}}`",
                    ),
                ));
            }
            other => unknown_key(&field, other, &EVENT_KEYS, problems),
        }
    }
    for (present, key) in [(at.is_some(), "at"), (name.is_some(), "event")] {
        if !present && !fields.iter().any(|(k, _)| matches!(k, Raw::Str(s) if s == key)) {
            let field = if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
            problems.push(problem(
                &field,
                msg!("事件缺少 `{key}`", "the event has no `{key}`"),
                Msg::new(
                    "每个事件都要写 `at`（时间）和 `event`（事件名）",
                    "every event needs `at` (when) and `event` (what)",
                ),
            ));
        }
    }
    match (at, name) {
        (Some(at), Some(name)) => Some(Event { at, name, by, note, data }),
        _ => None,
    }
}

/// `base` with `update` merged in: mappings merge key by key, anything else replaces.
pub fn merge(base: &Raw, update: &Raw) -> Raw {
    match (base, update) {
        (Raw::Map(old), Raw::Map(new)) => {
            let mut out = old.clone();
            for (k, v) in new {
                match out.iter_mut().find(|(ok, _)| ok == k) {
                    Some((_, slot)) => *slot = merge(slot, v),
                    None => out.push((k.clone(), v.clone())),
                }
            }
            Raw::Map(out)
        }
        (_, new) => new.clone(),
    }
}
