//! The JSON form of a replay: current stage, audit trail, deadlines, actions, the
//! events allowed next, and the policy's outputs on the facts gathered.

use serde_json::{Map, Value as Json, json};

use super::Workflow;
use super::replay::Replay;
use crate::diagnostics::{Lang, Msg, to_json as diagnostics_json};
use crate::eval::report::outputs_json;
use crate::ir::Program;

/// Puts `key` (Chinese) and `key_en` (English) for a message into `m`.
fn bilingual(m: &mut Map<String, Json>, key: &str, msg: &Msg) {
    m.insert(key.into(), json!(msg.zh));
    m.insert(format!("{key}_en"), json!(msg.en));
}

/// The replay as one JSON object. `now_note` says where `now` came from when it was not
/// given (the system clock).
pub fn to_json(
    program: &Program,
    wf: &Workflow,
    replay: &Replay,
    case_name: Option<&str>,
    now_note: Option<&str>,
) -> Json {
    let format = &program.locale;
    let stage = |i: usize| json!(&*wf.stages[i]);
    let mut out = Map::new();
    out.insert("policy".into(), json!(program.name));
    out.insert("version".into(), json!(program.version));
    out.insert("workflow".into(), json!(wf.name));
    if let Some(name) = case_name {
        out.insert("case".into(), json!(name));
    }
    out.insert("now".into(), json!(format.datetime(&replay.now)));
    if let Some(note) = now_note {
        out.insert("now_source".into(), json!(note));
    }
    out.insert("stage".into(), stage(replay.stage));
    out.insert("entered_at".into(), json!(replay.entered_at.map(|t| format.datetime(&t))));
    out.insert("final".into(), json!(wf.finals[replay.stage]));
    let trail: Vec<Json> = replay
        .trail
        .iter()
        .map(|step| {
            let mut m = Map::new();
            m.insert("index".into(), json!(step.index));
            m.insert("at".into(), json!(format.datetime(&step.at)));
            m.insert("event".into(), json!(step.event));
            if let Some(by) = &step.by {
                m.insert("by".into(), json!(by));
            }
            m.insert("from".into(), stage(step.from));
            if let Some(to) = step.to {
                m.insert("to".into(), stage(to));
            }
            m.insert("outcome".into(), json!(step.outcome.as_str()));
            if !step.findings.is_empty() {
                let findings: Vec<Json> = step
                    .findings
                    .iter()
                    .map(|f| {
                        let mut fm = Map::new();
                        fm.insert("code".into(), json!(&*f.code));
                        fm.insert("kind".into(), json!(f.kind.as_str()));
                        fm.insert("rule".into(), json!(&*f.rule));
                        fm.insert("stage".into(), json!(&*f.stage));
                        if let Some(item) = &f.item {
                            fm.insert("item".into(), json!(&**item));
                        }
                        fm.insert("message".into(), json!(f.message.as_deref()));
                        if let Some(en) = &f.message_en {
                            fm.insert("message_en".into(), json!(&**en));
                        }
                        Json::Object(fm)
                    })
                    .collect();
                m.insert("findings".into(), Json::Array(findings));
            }
            if let Some(reason) = &step.reason {
                bilingual(&mut m, "reason", reason);
            }
            Json::Object(m)
        })
        .collect();
    out.insert("trail".into(), Json::Array(trail));
    let deadlines: Vec<Json> = replay
        .deadlines
        .iter()
        .filter_map(|state| {
            let d = wf.deadlines.get(state.deadline)?;
            let mut m = Map::new();
            m.insert("stage".into(), stage(d.stage));
            m.insert("from_entering".into(), stage(d.anchor));
            bilingual(&mut m, "within", &d.within.describe());
            m.insert("since".into(), json!(format.datetime(&state.since)));
            m.insert("due".into(), json!(format.datetime(&state.due)));
            m.insert("status".into(), json!(state.status.as_str()));
            m.insert("overdue".into(), json!(state.status == super::replay::DeadlineStatus::Overdue));
            if let Some(t) = state.closed_at {
                m.insert("closed_at".into(), json!(format.datetime(&t)));
            }
            if let Some(msg) = &d.message {
                m.insert("message".into(), json!(msg.zh));
                if let Some(en) = &msg.en {
                    m.insert("message_en".into(), json!(en));
                }
            }
            Some(Json::Object(m))
        })
        .collect();
    out.insert("deadlines".into(), Json::Array(deadlines));
    let actions: Vec<Json> = replay
        .actions
        .iter()
        .map(|a| {
            let mut m = Map::new();
            m.insert("kind".into(), json!(&*a.action));
            m.insert("at".into(), json!(format.datetime(&a.at)));
            m.insert("stage".into(), stage(a.stage));
            if let Some(msg) = &a.message {
                m.insert("message".into(), json!(msg.zh));
                if let Some(en) = &msg.en {
                    m.insert("message_en".into(), json!(en));
                }
            }
            Json::Object(m)
        })
        .collect();
    out.insert("actions".into(), Json::Array(actions));
    let next: Vec<Json> =
        replay.next.iter().map(|&(event, to)| json!({"event": &*wf.events[event], "to": &*wf.stages[to]})).collect();
    out.insert("next".into(), Json::Array(next));
    out.insert("outputs".into(), replay.evaluation.as_ref().map_or_else(|| json!({}), |e| outputs_json(program, e)));
    if let Some(warnings) = crate::eval::report::warnings_json(&replay.uncovered) {
        out.insert("warnings".into(), warnings);
    }
    if !replay.problems.is_empty() {
        out.insert("problems".into(), json!(diagnostics_json(&replay.problems, Lang::Both)));
    }
    Json::Object(out)
}
