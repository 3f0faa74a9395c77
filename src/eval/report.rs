//! The JSON forms of a result: the whole result as the command-line contract specifies
//! it, and the compact summary a batch writes per line.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value as Json, json};

use super::result::{Action, Evaluation, Finding, LedgerResult, Line};
use super::trace::RuleTrace;
use crate::diagnostics;
use crate::value::Locale;

impl<'p> Evaluation<'p> {
    /// The outputs that have a value, by name, in declaration order.
    pub fn outputs_json(&self) -> Json {
        Json::Object(self.outputs().map(|o| (o.name().to_owned(), o.to_json())).collect())
    }

    /// The `warnings` of a result as JSON diagnostics; `None` when there are none, so
    /// the usual result keeps its shape.
    pub fn warnings_json(&self) -> Option<Json> {
        let warnings = self.warnings();
        (!warnings.is_empty()).then(|| json!(diagnostics::to_json(&warnings)))
    }

    /// The result object: policy, version, now, decision, codes, findings, ledgers,
    /// outputs, actions, warnings (when there are any) and trace (filled when
    /// explained). `now_source` says where `now` came from when it was not given
    /// (`"system_clock"`).
    pub fn to_json(&self, now_source: Option<&str>) -> Json {
        // Our own maps with string keys: serializing them into a value cannot fail.
        serde_json::to_value(self.report(now_source)).unwrap_or(Json::Null)
    }

    /// The result object of [`Evaluation::to_json`], serialized as it goes instead of
    /// built as a JSON tree first (a service writes one per request).
    pub fn report<'e>(&'e self, now_source: Option<&'e str>) -> Report<'e, 'p> {
        Report { eval: self, now_source, decision_id: None }
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

/// The outputs that have a value, by name, in declaration order.
pub(crate) struct Outputs<'e, 'p>(pub(crate) &'e Evaluation<'p>);

impl Serialize for Outputs<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for o in self.0.outputs() {
            map.serialize_entry(o.name(), &o.to_json())?;
        }
        map.end()
    }
}

/// The whole result object (see [`Evaluation::report`]); `decision_id`, when given, is
/// written last, as the service answers it.
#[derive(Clone, Copy, Debug)]
pub struct Report<'e, 'p> {
    eval: &'e Evaluation<'p>,
    now_source: Option<&'e str>,
    decision_id: Option<&'e str>,
}

impl<'e> Report<'e, '_> {
    /// The same object with `decision_id` after every other field.
    pub fn with_decision_id(self, id: &'e str) -> Self {
        Report { decision_id: Some(id), ..self }
    }
}

impl Serialize for Report<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let eval = self.eval;
        let locale = eval.locale();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("policy", eval.policy_name())?;
        map.serialize_entry("version", &eval.version())?;
        map.serialize_entry("now", &locale.datetime(&eval.now))?;
        if let Some(source) = self.now_source {
            map.serialize_entry("now_source", source)?;
        }
        map.serialize_entry("decision", eval.decision.as_str())?;
        map.serialize_entry("codes", &eval.codes())?;
        map.serialize_entry("findings", &Findings(&eval.findings, locale))?;
        if !eval.pending.is_empty() {
            map.serialize_entry("pending", &Findings(&eval.pending, locale))?;
        }
        map.serialize_entry("ledgers", &Ledgers(&eval.ledgers, locale))?;
        map.serialize_entry("outputs", &Outputs(eval))?;
        map.serialize_entry("actions", &Actions(&eval.actions, locale))?;
        if let Some(warnings) = eval.warnings_json() {
            map.serialize_entry("warnings", &warnings)?;
        }
        let trace: Vec<Json> = eval.trace().unwrap_or_default().iter().map(|t| eval.trace_json(t)).collect();
        map.serialize_entry("trace", &trace)?;
        if let Some(id) = self.decision_id {
            map.serialize_entry("decision_id", id)?;
        }
        map.end()
    }
}

/// A list of findings, each as an object.
pub(crate) struct Findings<'e, 'p>(pub(crate) &'e [Finding<'p>], pub(crate) &'p Locale);

impl Serialize for Findings<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let locale = self.1;
        let mut list = serializer.serialize_seq(Some(self.0.len()))?;
        for f in self.0 {
            list.serialize_element(&FindingJson(f, locale))?;
        }
        list.end()
    }
}

struct FindingJson<'e, 'p>(&'e Finding<'p>, &'p Locale);

impl Serialize for FindingJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (f, locale) = (self.0, self.1);
        let mut m = serializer.serialize_map(None)?;
        // A cap's flag is named after the cap's declaration.
        match (f.rule(), f.ledger()) {
            (Some(rule), _) => m.serialize_entry("rule", rule)?,
            (None, Some(ledger)) => m.serialize_entry("rule", &format!("cap {ledger}"))?,
            (None, None) => m.serialize_entry("rule", &())?,
        }
        if let Some(item) = f.item() {
            m.serialize_entry("item", item)?;
        }
        m.serialize_entry("code", f.code())?;
        m.serialize_entry("kind", f.kind().as_str())?;
        m.serialize_entry("stage", &f.stage())?;
        if let Some(event) = f.event() {
            m.serialize_entry("event", event)?;
        }
        m.serialize_entry("message", &f.message())?;
        if let Some(en) = f.message_en() {
            m.serialize_entry("message_en", en)?;
        }
        if let Some(a) = f.amount() {
            m.serialize_entry("amount", &locale.money(a))?;
        }
        if let Some(l) = f.ledger() {
            m.serialize_entry("ledger", l)?;
        }
        m.end()
    }
}

/// The ledgers by name, each with its lines, cap and total.
pub(crate) struct Ledgers<'e, 'p>(pub(crate) &'e [LedgerResult<'p>], pub(crate) &'p Locale);

impl Serialize for Ledgers<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let locale = self.1;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for result in self.0 {
            map.serialize_entry(result.name(), &LedgerJson(result, locale))?;
        }
        map.end()
    }
}

struct LedgerJson<'e, 'p>(&'e LedgerResult<'p>, &'p Locale);

impl Serialize for LedgerJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (result, locale) = (self.0, self.1);
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("lines", &Lines(result.lines(), locale))?;
        if let Some(cap) = result.cap() {
            m.serialize_entry("uncapped", &locale.money(result.uncapped()))?;
            m.serialize_entry("cap", &locale.money(cap))?;
        }
        m.serialize_entry("total", &locale.money(result.total()))?;
        m.end()
    }
}

struct Lines<'e, 'p>(&'e [Line<'p>], &'p Locale);

impl Serialize for Lines<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(Some(self.0.len()))?;
        for line in self.0 {
            list.serialize_element(&LineJson(line, self.1))?;
        }
        list.end()
    }
}

struct LineJson<'e, 'p>(&'e Line<'p>, &'p Locale);

impl Serialize for LineJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let line = self.0;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("code", line.code())?;
        m.serialize_entry("amount", &self.1.money(line.amount()))?;
        if let Some(item) = line.item() {
            m.serialize_entry("item", item)?;
        }
        m.end()
    }
}

/// The actions in firing order.
struct Actions<'e, 'p>(&'e [Action<'p>], &'p Locale);

impl Serialize for Actions<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(Some(self.0.len()))?;
        for a in self.0 {
            list.serialize_element(&ActionJson(a, self.1))?;
        }
        list.end()
    }
}

struct ActionJson<'e, 'p>(&'e Action<'p>, &'p Locale);

impl Serialize for ActionJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("kind", a.kind())?;
        if let Some(at) = a.at() {
            m.serialize_entry("at", &self.1.datetime(&at))?;
        }
        m.serialize_entry("rule", a.rule())?;
        if let Some(item) = a.item() {
            m.serialize_entry("item", item)?;
        }
        if let Some(msg) = a.message() {
            m.serialize_entry("message", msg)?;
        }
        if let Some(en) = a.message_en() {
            m.serialize_entry("message_en", en)?;
        }
        m.end()
    }
}
