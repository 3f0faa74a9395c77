//! The JSON forms of a result: the whole result as the command-line contract specifies
//! it, and the compact summary a batch writes per line.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json, json};

use super::result::{Evaluation, Finding};
use super::trace::RuleTrace;
use crate::diagnostics::{self, Lang};

impl Evaluation<'_> {
    /// The outputs that have a value, by name, in declaration order.
    pub fn outputs_json(&self) -> Json {
        Json::Object(self.outputs().map(|o| (o.name().to_owned(), o.to_json())).collect())
    }

    /// The `warnings` of a result as JSON diagnostics; `None` when there are none, so
    /// the usual result keeps its shape.
    pub fn warnings_json(&self) -> Option<Json> {
        let warnings = self.warnings();
        (!warnings.is_empty()).then(|| json!(diagnostics::to_json(&warnings, Lang::Both)))
    }

    /// The result object: policy, version, now, decision, codes, findings, ledgers,
    /// outputs, actions, warnings (when there are any) and trace (filled when
    /// explained). `now_source` says where `now` came from when it was not given
    /// (`"system_clock"`).
    pub fn to_json(&self, now_source: Option<&str>) -> Json {
        let locale = self.locale();
        let mut out = Map::new();
        out.insert("policy".into(), json!(self.policy_name()));
        out.insert("version".into(), json!(self.version()));
        out.insert("now".into(), json!(locale.datetime(&self.now)));
        if let Some(source) = now_source {
            out.insert("now_source".into(), json!(source));
        }
        out.insert("decision".into(), json!(self.decision.as_str()));
        out.insert("codes".into(), json!(self.codes()));
        out.insert("findings".into(), self.findings.iter().map(|f| self.finding_json(f)).collect());
        if !self.pending.is_empty() {
            out.insert("pending".into(), self.pending.iter().map(|f| self.finding_json(f)).collect());
        }
        let mut ledgers = Map::new();
        for result in &self.ledgers {
            let lines: Vec<Json> = result
                .lines()
                .iter()
                .map(|line| {
                    let mut m = Map::new();
                    m.insert("code".into(), json!(line.code()));
                    m.insert("amount".into(), json!(locale.money(line.amount())));
                    if let Some(item) = line.item() {
                        m.insert("item".into(), json!(item));
                    }
                    Json::Object(m)
                })
                .collect();
            let mut m = Map::new();
            m.insert("lines".into(), Json::Array(lines));
            if let Some(cap) = result.cap() {
                m.insert("uncapped".into(), json!(locale.money(result.uncapped())));
                m.insert("cap".into(), json!(locale.money(cap)));
            }
            m.insert("total".into(), json!(locale.money(result.total())));
            ledgers.insert(result.name().to_owned(), Json::Object(m));
        }
        out.insert("ledgers".into(), Json::Object(ledgers));
        out.insert("outputs".into(), self.outputs_json());
        let actions: Vec<Json> = self
            .actions
            .iter()
            .map(|a| {
                let mut m = Map::new();
                m.insert("kind".into(), json!(a.kind()));
                if let Some(at) = a.at() {
                    m.insert("at".into(), json!(locale.datetime(&at)));
                }
                m.insert("rule".into(), json!(a.rule()));
                if let Some(item) = a.item() {
                    m.insert("item".into(), json!(item));
                }
                if let Some(msg) = a.message() {
                    m.insert("message".into(), json!(msg));
                }
                if let Some(en) = a.message_en() {
                    m.insert("message_en".into(), json!(en));
                }
                Json::Object(m)
            })
            .collect();
        out.insert("actions".into(), Json::Array(actions));
        if let Some(warnings) = self.warnings_json() {
            out.insert("warnings".into(), warnings);
        }
        let trace: Vec<Json> = self.trace().unwrap_or_default().iter().map(|t| self.trace_json(t)).collect();
        out.insert("trace".into(), Json::Array(trace));
        Json::Object(out)
    }

    fn finding_json(&self, f: &Finding<'_>) -> Json {
        let mut m = Map::new();
        // A cap's flag is named after the cap's declaration.
        let rule = f.rule().map(str::to_owned).or_else(|| f.ledger().map(|l| format!("cap {l}")));
        m.insert("rule".into(), json!(rule));
        if let Some(item) = f.item() {
            m.insert("item".into(), json!(item));
        }
        m.insert("code".into(), json!(f.code()));
        m.insert("kind".into(), json!(f.kind().as_str()));
        m.insert("stage".into(), json!(f.stage()));
        m.insert("message".into(), json!(f.message()));
        if let Some(en) = f.message_en() {
            m.insert("message_en".into(), json!(en));
        }
        if let Some(a) = f.amount() {
            m.insert("amount".into(), json!(self.locale().money(a)));
        }
        if let Some(l) = f.ledger() {
            m.insert("ledger".into(), json!(l));
        }
        Json::Object(m)
    }

    fn trace_json(&self, t: &RuleTrace<'_>) -> Json {
        let conditions: Vec<Json> = t
            .conditions()
            .map(|c| {
                let values: Vec<Json> = c
                    .operands()
                    .map(|(text, v)| json!({"expr": text, "value": self.locale().literal(v).to_string()}))
                    .collect();
                json!({"condition": c.text(), "result": c.result(), "values": values})
            })
            .collect();
        let mut m = Map::new();
        m.insert("rule".into(), json!(t.rule()));
        if let Some(item) = t.item() {
            m.insert("item".into(), json!(item));
        }
        m.insert("stage".into(), json!(t.stage()));
        m.insert("status".into(), json!(t.status().as_str()));
        m.insert("conditions".into(), Json::Array(conditions));
        if !t.missing().is_empty() {
            m.insert("missing".into(), json!(t.missing()));
        }
        Json::Object(m)
    }

    /// The compact form a batch writes per line.
    pub fn summary(&self) -> Summary<'_, '_> {
        Summary(self)
    }
}

/// The compact form of a result — `decision`, `codes`, the ledgers' totals, `outputs`
/// and, when there are any, `warnings` — serialized as it goes, without building a JSON
/// tree (a batch writes one per line).
pub struct Summary<'e, 'p>(&'e Evaluation<'p>);

impl Serialize for Summary<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let eval = self.0;
        let warnings = eval.warnings_json();
        let mut map = serializer.serialize_map(Some(4 + usize::from(warnings.is_some())))?;
        map.serialize_entry("decision", eval.decision.as_str())?;
        map.serialize_entry("codes", &eval.codes())?;
        map.serialize_entry("ledgers", &Totals(eval))?;
        map.serialize_entry("outputs", &Outputs(eval))?;
        if let Some(w) = warnings {
            map.serialize_entry("warnings", &w)?;
        }
        map.end()
    }
}

struct Totals<'e, 'p>(&'e Evaluation<'p>);

impl Serialize for Totals<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let locale = self.0.locale();
        let mut map = serializer.serialize_map(Some(self.0.ledgers.len()))?;
        for l in &self.0.ledgers {
            map.serialize_entry(l.name(), &locale.money(l.total()))?;
        }
        map.end()
    }
}

struct Outputs<'e, 'p>(&'e Evaluation<'p>);

impl Serialize for Outputs<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for o in self.0.outputs() {
            map.serialize_entry(o.name(), &o.to_json())?;
        }
        map.end()
    }
}
