//! The JSON result of an evaluation, as the command-line contract specifies it.

use serde_json::{Map, Value as Json, json};

use super::{Evaluation, RuleTrace};
use crate::ir::Program;
use crate::value::to_json as value_json;

/// The outputs that have a value, by name, in declaration order.
pub fn outputs_json(program: &Program, eval: &Evaluation) -> Json {
    let mut outputs = Map::new();
    for (def, value) in program.derived.iter().zip(&eval.values) {
        if def.exported && !value.is_missing() {
            outputs.insert(def.name.clone(), value_json(value, &def.ty, &program.locale));
        }
    }
    Json::Object(outputs)
}

/// The `warnings` of a result, as diagnostics, for calendars counted through a year
/// without holiday data; `None` when there are none, so the usual result keeps its shape.
pub fn warnings_json(uncovered: &[(String, i32)]) -> Option<Json> {
    if uncovered.is_empty() {
        return None;
    }
    let warnings = super::coverage_warnings(uncovered);
    Some(json!(crate::diagnostics::to_json(&warnings, crate::diagnostics::Lang::Both)))
}

/// The result object: policy, version, now, decision, codes, findings, ledgers,
/// outputs, actions, trace (filled when explained). `now_note` says where `now` came
/// from when it was not given (the system clock).
pub fn to_json(program: &Program, eval: &Evaluation, now_note: Option<&str>) -> Json {
    let format = &program.locale;
    let mut out = Map::new();
    out.insert("policy".into(), json!(program.name));
    out.insert("version".into(), json!(program.version));
    out.insert("now".into(), json!(format.datetime(&eval.now)));
    if let Some(note) = now_note {
        out.insert("now_source".into(), json!(note));
    }
    out.insert("decision".into(), json!(eval.decision.as_str()));
    out.insert("codes".into(), json!(eval.codes()));
    let findings: Vec<Json> = eval
        .findings
        .iter()
        .map(|f| {
            let rule = f.rule.map(|r| &program.rules[r as usize]);
            let mut m = Map::new();
            match rule {
                Some(rule) => m.insert("rule".into(), json!(&*rule.name)),
                // A cap's flag: named after the cap's declaration.
                None => m.insert(
                    "rule".into(),
                    json!(f.ledger.map(|l| format!("cap {}", program.ledgers[l as usize].name))),
                ),
            };
            if let Some(item) = &f.item {
                m.insert("item".into(), json!(&**item));
            }
            m.insert("code".into(), json!(&*f.code));
            m.insert("kind".into(), json!(f.kind.as_str()));
            m.insert("stage".into(), json!(rule.and_then(|r| r.stage.as_deref())));
            m.insert("message".into(), json!(f.message.as_deref()));
            if let Some(en) = &f.message_en {
                m.insert("message_en".into(), json!(&**en));
            }
            if let Some(a) = f.amount {
                m.insert("amount".into(), json!(format.money(a)));
            }
            if let Some(l) = f.ledger {
                m.insert("ledger".into(), json!(program.ledgers[l as usize].name));
            }
            Json::Object(m)
        })
        .collect();
    out.insert("findings".into(), Json::Array(findings));
    let mut ledgers = Map::new();
    for (def, result) in program.ledgers.iter().zip(&eval.ledgers) {
        let lines: Vec<Json> = result
            .lines
            .iter()
            .map(|line| {
                let mut m = Map::new();
                m.insert("code".into(), json!(&*line.code));
                m.insert("amount".into(), json!(format.money(line.amount)));
                if let Some(item) = &line.item {
                    m.insert("item".into(), json!(&**item));
                }
                Json::Object(m)
            })
            .collect();
        let mut m = Map::new();
        m.insert("lines".into(), Json::Array(lines));
        if let Some(cap) = result.cap {
            m.insert("uncapped".into(), json!(format.money(result.uncapped)));
            m.insert("cap".into(), json!(format.money(cap)));
        }
        m.insert("total".into(), json!(format.money(result.total)));
        ledgers.insert(def.name.clone(), Json::Object(m));
    }
    out.insert("ledgers".into(), Json::Object(ledgers));
    out.insert("outputs".into(), outputs_json(program, eval));
    let actions: Vec<Json> = eval
        .actions
        .iter()
        .map(|a| {
            let mut m = Map::new();
            m.insert("kind".into(), json!(&*a.kind));
            if let Some(at) = a.at {
                m.insert("at".into(), json!(format.datetime(&at)));
            }
            m.insert("rule".into(), json!(&*program.rules[a.rule as usize].name));
            if let Some(item) = &a.item {
                m.insert("item".into(), json!(&**item));
            }
            if let Some(msg) = &a.message {
                m.insert("message".into(), json!(&**msg));
            }
            if let Some(en) = &a.message_en {
                m.insert("message_en".into(), json!(&**en));
            }
            Json::Object(m)
        })
        .collect();
    out.insert("actions".into(), Json::Array(actions));
    if let Some(warnings) = warnings_json(&eval.uncovered) {
        out.insert("warnings".into(), warnings);
    }
    let trace: Vec<Json> = eval.trace.iter().flatten().map(|t| trace_json(program, t)).collect();
    out.insert("trace".into(), Json::Array(trace));
    Json::Object(out)
}

fn trace_json(program: &Program, t: &RuleTrace) -> Json {
    let rule = &program.rules[t.rule as usize];
    let conditions: Vec<Json> = rule
        .conditions
        .iter()
        .zip(&t.conditions)
        .map(|(c, ct)| {
            let values: Vec<Json> = c
                .operands
                .iter()
                .zip(&ct.values)
                .map(|((text, _), v)| json!({"expr": text, "value": program.locale.literal(v).to_string()}))
                .collect();
            json!({"condition": c.text, "result": ct.result, "values": values})
        })
        .collect();
    let mut m = Map::new();
    m.insert("rule".into(), json!(&*rule.name));
    if let Some(item) = &t.item {
        m.insert("item".into(), json!(&**item));
    }
    m.insert("stage".into(), json!(rule.stage.as_deref()));
    m.insert("status".into(), json!(t.status.as_str()));
    m.insert("conditions".into(), Json::Array(conditions));
    if !t.missing.is_empty() {
        m.insert("missing".into(), json!(t.missing));
    }
    Json::Object(m)
}
