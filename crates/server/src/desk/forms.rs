//! An event's form, built from the policy's schema of what the event brings (`on receive
//! by warehouse with inspection`): enumerations as choices, numbers, money, dates and times
//! as the browser's typed inputs, required fields marked. What is sent back is turned into
//! the event's `data` and judged by the engine's own facts reader, which names the path of
//! anything wrong — the form's checks help the person, they do not replace the policy's.

use chrono::{NaiveDateTime, TimeZone};
use serde::Serialize;
use serde_json::{Map, Value};
use tenet::Policy;
use tenet::{RecordType, Type};

/// The prefix of a data field's input name, apart from the form's own fields.
pub const FIELD_PREFIX: &str = "f.";

/// One input of an event's form.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FormField {
    /// The input's name: [`FIELD_PREFIX`] and the facts path (`f.inspection.appearance`).
    pub name: String,
    /// The facts path, as the label and the engine's messages say it.
    pub path: String,
    /// `select`, `number`, `money`, `date`, `datetime-local`, `time`, `checkbox`,
    /// `lines` (a list of texts, one per line) or `text`.
    pub kind: &'static str,
    /// The choices of a `select`.
    pub options: Vec<String>,
    /// The field must be given.
    pub required: bool,
    /// The browser's step for numbers (`1`, `0.01`, `any`).
    pub step: &'static str,
    /// The type as the policy writes it, shown beside the input.
    pub ty: String,
    /// The value to start from (what the case's facts hold now).
    pub value: String,
}

/// The fields of `sections` (top-level input fields), in the schema's order.
pub fn fields_for(policy: &Policy, sections: &[&str], facts: &Value) -> Vec<FormField> {
    let mut out = Vec::new();
    for section in sections {
        if let Some((_, f)) = policy.inputs().field(section) {
            walk(section, &f.ty, true, facts.get(*section), &mut out);
        }
    }
    out
}

fn walk(path: &str, ty: &Type, required: bool, current: Option<&Value>, out: &mut Vec<FormField>) {
    if let Type::Record(r) = ty {
        record(path, r, required, current, out);
        return;
    }
    let (kind, step) = match ty {
        Type::Enum(_) => ("select", ""),
        Type::Int => ("number", "1"),
        Type::Decimal | Type::Percent => ("number", "any"),
        Type::Money => ("money", "0.01"),
        Type::Date => ("date", ""),
        Type::DateTime => ("datetime-local", ""),
        Type::Time => ("time", ""),
        Type::Bool => ("checkbox", ""),
        Type::List(inner) if matches!(**inner, Type::Text | Type::Enum(_)) => ("lines", ""),
        // Lists of records and the like are posted through the API.
        Type::List(_) | Type::EmptyList | Type::Record(_) | Type::Calendar | Type::Error => return,
        Type::Text | Type::Duration | Type::Period => ("text", ""),
    };
    let options = match ty {
        Type::Enum(values) => values.iter().map(|v| v.to_string()).collect(),
        _ => Vec::new(),
    };
    let value = match current {
        Some(Value::String(s)) if kind == "datetime-local" => local_input(s),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    };
    out.push(FormField {
        name: format!("{FIELD_PREFIX}{path}"),
        path: path.to_owned(),
        kind,
        options,
        required: required && kind != "checkbox",
        step,
        ty: ty.to_string(),
        value,
    });
}

fn record(path: &str, r: &RecordType, required: bool, current: Option<&Value>, out: &mut Vec<FormField>) {
    for f in &r.fields {
        let inner = format!("{path}.{}", f.name);
        walk(&inner, &f.ty, required && !f.optional, current.and_then(|c| c.get(&f.name)), out);
    }
}

/// An RFC 3339 time as a `datetime-local` input shows it (its own local time).
fn local_input(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .map_or_else(|_| text.to_owned(), |t| t.format("%Y-%m-%dT%H:%M").to_string())
}

/// The event's `data` from the form's values for `fields`: empty inputs are left out (the
/// engine says which required ones are missing); a local date and time is read in the
/// policy's zone; numbers the form could not read stay text, for the engine to refuse
/// with their path.
pub fn data_of(policy: &Policy, fields: &[FormField], given: &[(String, String)]) -> Map<String, Value> {
    let mut data = Map::new();
    for f in fields {
        let value = given.iter().find(|(k, _)| *k == f.name).map(|(_, v)| v.trim());
        let json = match (f.kind, value) {
            ("checkbox", v) => Value::Bool(v.is_some_and(|v| v == "true" || v == "on")),
            (_, None | Some("")) => continue,
            ("number", Some(v)) if f.step == "1" => {
                v.parse::<i64>().map_or_else(|_| Value::String(v.to_owned()), Value::from)
            }
            ("lines", Some(v)) => Value::Array(
                v.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Value::String(l.to_owned())).collect(),
            ),
            ("datetime-local", Some(v)) => Value::String(with_offset(policy, v)),
            (_, Some(v)) => Value::String(v.to_owned()),
        };
        put(&mut data, &f.path, json);
    }
    data
}

/// `2026-11-08T14:00` in the policy's zone as RFC 3339 with its offset; the text as it is
/// when it is not a local date and time (the engine then names it).
fn with_offset(policy: &Policy, local: &str) -> String {
    let parsed = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"));
    match parsed.ok().and_then(|n| policy.locale().zone().from_local_datetime(&n).earliest()) {
        Some(t) => t.to_rfc3339(),
        None => local.to_owned(),
    }
}

fn put(map: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut here = map;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            here.insert(part.to_owned(), value);
            return;
        }
        let next = here.entry(part.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        match next {
            Value::Object(m) => here = m,
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "policy p version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n\
        input {\n  inspection?: {\n    at: datetime\n    count: int >= 0\n    look: \"intact\" | \"worn\"\n    \
        fee: money?\n    notes: list<text>\n    ok: bool\n  }\n}\n\
        rule \"r\"\n  when inspection.count > 1\n  reject R \"x\"\n\
        workflow w {\n  stages a, b\n  initial a\n  final b\n  events go\n  a -> b on go with inspection\n}\n";

    fn policy() -> Policy {
        match Policy::from_text("p.tenet", POLICY) {
            Ok(p) => p,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn the_schema_gives_each_input_its_kind_and_whether_it_is_required() {
        let p = policy();
        let fields = fields_for(&p, &["inspection"], &Value::Null);
        let shown: Vec<(&str, &str, bool, Vec<String>)> =
            fields.iter().map(|f| (f.path.as_str(), f.kind, f.required, f.options.clone())).collect();
        assert_eq!(
            shown,
            [
                ("inspection.at", "datetime-local", true, vec![]),
                ("inspection.count", "number", true, vec![]),
                ("inspection.look", "select", true, vec!["intact".to_owned(), "worn".to_owned()]),
                ("inspection.fee", "money", false, vec![]),
                ("inspection.notes", "lines", true, vec![]),
                ("inspection.ok", "checkbox", false, vec![]),
            ]
        );
    }

    #[test]
    fn the_form_becomes_the_event_data_in_the_policy_zone() {
        let p = policy();
        let fields = fields_for(&p, &["inspection"], &Value::Null);
        let given: Vec<(String, String)> = [
            ("f.inspection.at", "2026-11-08T14:00"),
            ("f.inspection.count", "2"),
            ("f.inspection.look", "worn"),
            ("f.inspection.fee", ""),
            ("f.inspection.notes", "scratch\n\n box torn "),
            ("f.inspection.ok", "on"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let data = data_of(&p, &fields, &given);
        assert_eq!(
            Value::Object(data),
            serde_json::json!({"inspection": {
                "at": "2026-11-08T14:00:00+08:00", "count": 2, "look": "worn",
                "notes": ["scratch", "box torn"], "ok": true
            }})
        );
    }
}
