//! The JSON form of a replay: current stage, audit trail, deadlines, actions, the
//! events allowed next, and the policy's outputs on the facts gathered.

use serde_json::{Map, Value as Json, json};

use super::result::{DeadlineStatus, Replay};
use crate::diagnostics::{Lang, Msg, to_json as diagnostics_json};
use crate::document::Raw;
use crate::ir::FixedText;

/// Puts `key` (Chinese) and `key_en` (English) for a message into `m`.
fn bilingual(m: &mut Map<String, Json>, key: &str, msg: &Msg) {
    m.insert(key.into(), json!(msg.zh));
    m.insert(format!("{key}_en"), json!(msg.en));
}

/// Puts `message` and, when there is one, `message_en` into `m`.
fn message(m: &mut Map<String, Json>, text: Option<&FixedText>) {
    if let Some(text) = text {
        m.insert("message".into(), json!(text.zh()));
        if let Some(en) = text.en() {
            m.insert("message_en".into(), json!(en));
        }
    }
}

impl Replay<'_> {
    /// The case view: the replay as one JSON object, the same for `tenet case --format
    /// json` and the service. `id` is the case's identifier, `case_name` its description;
    /// `now_source` says where `now` came from when it was not given (`"system_clock"`).
    /// `version` counts the recorded events, whatever their outcome.
    pub fn to_json(&self, id: Option<&str>, case_name: Option<&str>, now_source: Option<&str>) -> Json {
        let locale = self.locale();
        let mut out = Map::new();
        out.insert("id".into(), json!(id));
        if let Some(name) = case_name {
            out.insert("case".into(), json!(name));
        }
        out.insert("policy".into(), json!(self.policy_name()));
        out.insert("policy_version".into(), json!(self.version()));
        out.insert("version".into(), json!(self.trail().len()));
        out.insert("workflow".into(), json!(self.workflow()));
        out.insert("now".into(), json!(locale.datetime(&self.now)));
        if let Some(source) = now_source {
            out.insert("now_source".into(), json!(source));
        }
        out.insert("stage".into(), json!(self.stage()));
        out.insert("entered_at".into(), json!(self.entered_at.map(|t| locale.datetime(&t))));
        out.insert("final".into(), json!(self.is_final()));
        out.insert("facts".into(), self.facts().to_json());
        let evaluation = self.evaluation().map(|e| e.to_json(None));
        for key in ["decision", "codes", "findings", "pending", "ledgers", "outputs"] {
            let value = evaluation.as_ref().and_then(|e| e.get(key)).cloned();
            let empty = if key == "decision" {
                Json::Null
            } else if key == "ledgers" || key == "outputs" {
                json!({})
            } else {
                json!([])
            };
            out.insert(key.into(), value.unwrap_or(empty));
        }
        if let Some(refund) = self.refund_json() {
            out.insert("refund".into(), refund);
        }
        let trail: Vec<Json> = self
            .trail()
            .iter()
            .map(|step| {
                let mut m = Map::new();
                m.insert("index".into(), json!(step.index()));
                m.insert("at".into(), json!(locale.datetime(&step.at())));
                m.insert("event".into(), json!(step.event()));
                if let Some(by) = step.by() {
                    m.insert("by".into(), json!(by));
                }
                m.insert("from".into(), json!(step.from()));
                if let Some(to) = step.to() {
                    m.insert("to".into(), json!(to));
                }
                m.insert("outcome".into(), json!(step.outcome().as_str()));
                if !step.findings().is_empty() {
                    let findings: Vec<Json> = step
                        .findings()
                        .iter()
                        .map(|f| {
                            let mut fm = Map::new();
                            fm.insert("code".into(), json!(f.code()));
                            fm.insert("kind".into(), json!(f.kind().as_str()));
                            fm.insert("rule".into(), json!(f.rule()));
                            fm.insert("stage".into(), json!(f.stage()));
                            if let Some(item) = f.item() {
                                fm.insert("item".into(), json!(item));
                            }
                            fm.insert("message".into(), json!(f.message()));
                            if let Some(en) = f.message_en() {
                                fm.insert("message_en".into(), json!(en));
                            }
                            Json::Object(fm)
                        })
                        .collect();
                    m.insert("findings".into(), Json::Array(findings));
                }
                if let Some(reason) = step.reason() {
                    bilingual(&mut m, "reason", reason);
                }
                if !step.changes().is_empty() {
                    let changes: Vec<Json> = step
                        .changes()
                        .iter()
                        .map(|c| json!({"path": c.path, "from": c.from.as_ref().map(Raw::to_json), "to": c.to.to_json()}))
                        .collect();
                    m.insert("changes".into(), Json::Array(changes));
                }
                Json::Object(m)
            })
            .collect();
        out.insert("trail".into(), Json::Array(trail));
        let deadlines: Vec<Json> = self
            .deadlines()
            .iter()
            .map(|d| {
                let mut m = Map::new();
                m.insert("stage".into(), json!(d.stage()));
                m.insert("from_entering".into(), json!(d.anchor()));
                bilingual(&mut m, "within", &d.within());
                m.insert("since".into(), json!(locale.datetime(&d.since())));
                m.insert("due".into(), json!(locale.datetime(&d.due())));
                m.insert("status".into(), json!(d.status().as_str()));
                m.insert("overdue".into(), json!(d.status() == DeadlineStatus::Overdue));
                if let Some(t) = d.closed_at() {
                    m.insert("closed_at".into(), json!(locale.datetime(&t)));
                }
                message(&mut m, d.message());
                Json::Object(m)
            })
            .collect();
        out.insert("deadlines".into(), Json::Array(deadlines));
        let actions: Vec<Json> = self
            .actions()
            .iter()
            .map(|a| {
                let mut m = Map::new();
                m.insert("kind".into(), json!(a.action()));
                m.insert("due".into(), json!(locale.datetime(&a.at())));
                m.insert("past_due".into(), json!(a.at() <= self.now));
                m.insert("stage".into(), json!(a.stage()));
                message(&mut m, a.message());
                Json::Object(m)
            })
            .collect();
        out.insert("actions".into(), Json::Array(actions));
        let next: Vec<Json> = self.next().map(|(event, to)| json!({"event": event, "to": to})).collect();
        out.insert("next_events".into(), Json::Array(next));
        // The trail last: it is the longest part, and the rest reads better first.
        if let Some(trail) = out.remove("trail") {
            out.insert("trail".into(), trail);
        }
        let warnings = self.warnings();
        if !warnings.is_empty() {
            out.insert("warnings".into(), json!(diagnostics_json(&warnings, Lang::Both)));
        }
        if !self.problems().is_empty() {
            out.insert("problems".into(), json!(diagnostics_json(self.problems(), Lang::Both)));
        }
        Json::Object(out)
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
    /// has no value); `None` when the policy declares none of them.
    pub fn refund_json(&self) -> Option<Json> {
        let evaluation = self.evaluation()?;
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
