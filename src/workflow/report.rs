//! The JSON form of a replay: current stage, audit trail, deadlines, actions, the
//! events allowed next, and the policy's outputs on the facts gathered. Written as it is
//! serialized rather than built as a JSON tree first: a service writes one per request,
//! and a long trail made the tree cost more than the replay.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value as Json};

use super::result::{DeadlineState, DeadlineStatus, GuardFinding, Replay, Scheduled, Step};
use crate::diagnostics::{Msg, to_json as diagnostics_json};
use crate::eval::{Findings, Ledgers, Outputs};
use crate::ir::FixedText;
use crate::value::Locale;

impl<'p> Replay<'p> {
    /// The case view: the replay as one JSON object, the same for `tenet case --format
    /// json` and the service. `id` is the case's identifier, `case_name` its description;
    /// `now_source` says where `now` came from when it was not given (`"system_clock"`).
    /// `version` counts the recorded events, whatever their outcome.
    pub fn to_json(&self, id: Option<&str>, case_name: Option<&str>, now_source: Option<&str>) -> Json {
        // Our own maps with string keys: serializing them into a value cannot fail.
        serde_json::to_value(self.view(id, case_name, now_source)).unwrap_or(Json::Null)
    }

    /// The case view of [`Replay::to_json`], serialized as it goes.
    pub fn view<'r>(
        &'r self,
        id: Option<&'r str>,
        case_name: Option<&'r str>,
        now_source: Option<&'r str>,
    ) -> CaseView<'r, 'p> {
        CaseView { replay: self, id, case_name, now_source, extra: Vec::new() }
    }

    /// One step of the trail as the case view writes it.
    pub fn step_json(&self, step: &Step<'_>) -> Json {
        serde_json::to_value(Item(step, self.locale())).unwrap_or(Json::Null)
    }
}

/// The case view (see [`Replay::to_json`]); entries added with [`CaseView::with`] come
/// after every other field, as the service adds `posted` and `decision_id`.
#[derive(Clone, Debug)]
pub struct CaseView<'r, 'p> {
    replay: &'r Replay<'p>,
    id: Option<&'r str>,
    case_name: Option<&'r str>,
    now_source: Option<&'r str>,
    extra: Vec<(&'r str, &'r Json)>,
}

impl<'r> CaseView<'r, '_> {
    /// The same view with `key: value` after every other field.
    pub fn with(mut self, key: &'r str, value: &'r Json) -> Self {
        self.extra.push((key, value));
        self
    }
}

impl Serialize for CaseView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.replay;
        let locale = r.locale();
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        if let Some(name) = self.case_name {
            m.serialize_entry("case", name)?;
        }
        m.serialize_entry("policy", r.policy_name())?;
        m.serialize_entry("policy_version", &r.version())?;
        m.serialize_entry("version", &r.trail().len())?;
        m.serialize_entry("workflow", r.workflow())?;
        m.serialize_entry("now", &locale.datetime(&r.now))?;
        if let Some(source) = self.now_source {
            m.serialize_entry("now_source", source)?;
        }
        m.serialize_entry("stage", r.stage())?;
        m.serialize_entry("entered_at", &r.entered_at.map(|t| locale.datetime(&t)))?;
        m.serialize_entry("final", &r.is_final())?;
        m.serialize_entry("facts", &r.facts().to_json())?;
        let none: [(); 0] = [];
        match r.evaluation() {
            Some(e) => {
                m.serialize_entry("decision", e.decision.as_str())?;
                m.serialize_entry("codes", &e.codes())?;
                m.serialize_entry("findings", &Findings(&e.findings, locale))?;
                m.serialize_entry("pending", &Findings(&e.pending, locale))?;
                m.serialize_entry("ledgers", &Ledgers(&e.ledgers, locale))?;
                m.serialize_entry("outputs", &Outputs(e))?;
            }
            None => {
                m.serialize_entry("decision", &())?;
                for key in ["codes", "findings", "pending"] {
                    m.serialize_entry(key, &none)?;
                }
                for key in ["ledgers", "outputs"] {
                    m.serialize_entry(key, &Map::new())?;
                }
            }
        }
        if let Some(refund) = r.refund_json() {
            m.serialize_entry("refund", &refund)?;
        }
        m.serialize_entry("next_events", &NextEvents(r))?;
        m.serialize_entry("deadlines", &List(r.deadlines(), locale))?;
        m.serialize_entry("actions", &ActionsDue(r.actions(), r))?;
        // The trail last: it is the longest part, and the rest reads better first.
        m.serialize_entry("trail", &List(r.trail(), locale))?;
        let warnings = r.warnings();
        if !warnings.is_empty() {
            m.serialize_entry("warnings", &diagnostics_json(&warnings))?;
        }
        if !r.problems().is_empty() {
            m.serialize_entry("problems", &diagnostics_json(r.problems()))?;
        }
        for (key, value) in &self.extra {
            m.serialize_entry(key, value)?;
        }
        m.end()
    }
}

/// Writes a `key` (Chinese) and `key_en` (English) pair for a message.
fn bilingual<M: SerializeMap>(m: &mut M, key: &str, en_key: &str, msg: &Msg) -> Result<(), M::Error> {
    m.serialize_entry(key, &msg.zh)?;
    m.serialize_entry(en_key, &msg.en)
}

/// Writes `message` and, when there is one, `message_en`.
fn message<M: SerializeMap>(m: &mut M, text: Option<&FixedText>) -> Result<(), M::Error> {
    if let Some(text) = text {
        m.serialize_entry("message", text.zh())?;
        if let Some(en) = text.en() {
            m.serialize_entry("message_en", en)?;
        }
    }
    Ok(())
}

/// A list whose items are written with the replay's locale.
struct List<'a, T>(&'a [T], &'a Locale);

/// One item of a [`List`].
struct Item<'a, T>(&'a T, &'a Locale);

impl<'a, T> Serialize for List<'a, T>
where
    Item<'a, T>: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            list.serialize_element(&Item(item, self.1))?;
        }
        list.end()
    }
}

impl Serialize for Item<'_, Step<'_>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (step, locale) = (self.0, self.1);
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("index", &step.index())?;
        m.serialize_entry("at", &locale.datetime(&step.at()))?;
        m.serialize_entry("event", step.event())?;
        if let Some(by) = step.by() {
            m.serialize_entry("by", by)?;
        }
        if let Some(note) = step.note() {
            m.serialize_entry("note", note)?;
        }
        m.serialize_entry("from", step.from())?;
        if let Some(to) = step.to() {
            m.serialize_entry("to", to)?;
        }
        m.serialize_entry("outcome", step.outcome().as_str())?;
        if !step.findings().is_empty() {
            m.serialize_entry("findings", &List(step.findings(), locale))?;
        }
        if let Some(reason) = step.reason() {
            bilingual(&mut m, "reason", "reason_en", reason)?;
        }
        if !step.changes().is_empty() {
            let changes: Vec<Json> = step
                .changes()
                .iter()
                .map(|c| serde_json::json!({"path": c.path, "from": c.from.as_ref().map(|f| f.to_json()), "to": c.to.to_json()}))
                .collect();
            m.serialize_entry("changes", &changes)?;
        }
        m.end()
    }
}

impl Serialize for Item<'_, GuardFinding> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("code", f.code())?;
        m.serialize_entry("kind", f.kind().as_str())?;
        m.serialize_entry("rule", f.rule())?;
        m.serialize_entry("stage", f.stage())?;
        if let Some(item) = f.item() {
            m.serialize_entry("item", item)?;
        }
        m.serialize_entry("message", &f.message())?;
        if let Some(en) = f.message_en() {
            m.serialize_entry("message_en", en)?;
        }
        m.end()
    }
}

impl Serialize for Item<'_, DeadlineState<'_>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (d, locale) = (self.0, self.1);
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("stage", d.stage())?;
        m.serialize_entry("from_entering", d.anchor())?;
        bilingual(&mut m, "within", "within_en", &d.within())?;
        m.serialize_entry("since", &locale.datetime(&d.since()))?;
        m.serialize_entry("due", &locale.datetime(&d.due()))?;
        m.serialize_entry("status", d.status().as_str())?;
        m.serialize_entry("overdue", &(d.status() == DeadlineStatus::Overdue))?;
        if let Some(t) = d.closed_at() {
            m.serialize_entry("closed_at", &locale.datetime(&t))?;
        }
        message(&mut m, d.message())?;
        m.end()
    }
}

/// The actions scheduled, each with whether it is past due at the replay's `now`.
struct ActionsDue<'a, 'p>(&'a [Scheduled<'p>], &'a Replay<'p>);

impl Serialize for ActionsDue<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (actions, r) = (self.0, self.1);
        let locale = r.locale();
        let mut list = serializer.serialize_seq(Some(actions.len()))?;
        for a in actions {
            list.serialize_element(&ActionDue(a, locale, a.at() <= r.now))?;
        }
        list.end()
    }
}

struct ActionDue<'a, 'p>(&'a Scheduled<'p>, &'a Locale, bool);

impl Serialize for ActionDue<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("kind", a.action())?;
        m.serialize_entry("due", &self.1.datetime(&a.at()))?;
        m.serialize_entry("past_due", &self.2)?;
        m.serialize_entry("stage", a.stage())?;
        message(&mut m, a.message())?;
        m.end()
    }
}

/// The events allowed next, each with the stage it leads to.
struct NextEvents<'a, 'p>(&'a Replay<'p>);

impl Serialize for NextEvents<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(None)?;
        for (event, to) in self.0.next() {
            list.serialize_element(&EventTo(event, to, self.0.roles_for(event)))?;
        }
        list.end()
    }
}

/// An allowed event, where it leads and who may post it (`by`, only when the policy
/// names roles for it).
struct EventTo<'a>(&'a str, &'a str, Vec<&'a str>);

impl Serialize for EventTo<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("event", self.0)?;
        m.serialize_entry("to", self.1)?;
        if !self.2.is_empty() {
            m.serialize_entry("by", &self.2)?;
        }
        m.end()
    }
}

/// The outputs that make up a case's `refund`, by the name of its field there.
const REFUND_OUTPUTS: [(&str, &str); 6] = [
    ("amount", "refund_amount"),
    ("status", "refund_status"),
    ("method", "refund_method"),
    ("reference", "refund_reference"),
    ("due", "refund_due"),
    ("note", "refund_note"),
];

impl Replay<'_> {
    /// `refund` of the case view: the policy's outputs `refund_amount`, `refund_status`,
    /// `refund_method`, `refund_reference`, `refund_due` and `refund_note` (null when one
    /// has no value); `None` when the policy declares none of them, or when the case is
    /// rejected (a rejected case is owed no refund, whatever an output says).
    pub fn refund_json(&self) -> Option<Json> {
        let evaluation = self.evaluation()?;
        if evaluation.decision == crate::eval::Decision::Rejected {
            return None;
        }
        let declared =
            self.program.derived.iter().any(|d| d.exported && REFUND_OUTPUTS.iter().any(|(_, name)| d.name == *name));
        if !declared {
            return None;
        }
        let outputs = evaluation.outputs_json();
        let mut m = Map::new();
        for (field, output) in REFUND_OUTPUTS {
            m.insert(field.into(), outputs.get(output).cloned().unwrap_or(Json::Null));
        }
        Some(Json::Object(m))
    }
}
