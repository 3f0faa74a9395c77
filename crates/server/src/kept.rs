//! What the decision log keeps of an answer — an evaluation's or a case's — enough to
//! rebuild it and to compare two policies' answers (the shadow) without the messages.

use serde::Serialize;
use serde_json::Value;
use tenet::workflow::Replay;

/// The parts of a kept result two policies' answers are compared on — what `tenet diff`
/// compares: the decision, the codes, the ledgers' totals, the outputs.
pub const COMPARED: [&str; 4] = ["decision", "codes", "ledgers", "outputs"];

/// Whether two kept results (`kept_result`, `case_result`) decide differently.
pub fn differs(a: &Value, b: &Value) -> bool {
    COMPARED.iter().any(|k| a.get(k) != b.get(k))
}

/// An evaluation's kept result, serialized as it goes (one per request).
#[derive(Serialize)]
struct Kept<'a, S: Serialize> {
    now: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    now_source: Option<&'a str>,
    #[serde(flatten)]
    summary: S,
}

/// What the decision log keeps of an evaluation's answer: `now` (UTC, exact) and where
/// it came from, then the compact result (`decision`, `codes`, ledger totals, `outputs`,
/// `warnings` when there are any) — enough to filter and sum on, and to check an answer
/// rebuilt from the facts against.
pub fn kept_result(
    evaluation: &tenet::eval::Evaluation<'_>,
    now: chrono::DateTime<chrono::Utc>,
    note: Option<&str>,
) -> Result<String, serde_json::Error> {
    serde_json::to_string(&Kept {
        now: now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        now_source: note,
        summary: evaluation.summary(),
    })
}

/// A case's kept result.
#[derive(Serialize)]
struct CaseKept<'a, S: Serialize> {
    stage: &'a str,
    #[serde(flatten)]
    result: S,
    #[serde(skip_serializing_if = "Option::is_none")]
    posted: Option<&'a Value>,
}

/// A case whose facts could not be evaluated yet: no decision, nothing fired.
#[derive(Serialize)]
struct NotEvaluated {
    decision: Option<&'static str>,
    codes: [&'static str; 0],
    outputs: serde_json::Map<String, Value>,
}

/// What the decision log keeps of a case after its opening or an event: the stage, the
/// compact result of its facts (as [`kept_result`] without `now`) and the event posted.
pub fn case_result(r: &Replay<'_>, posted: Option<&Value>) -> Result<String, serde_json::Error> {
    match r.evaluation() {
        Some(e) => serde_json::to_string(&CaseKept { stage: r.stage(), result: e.summary(), posted }),
        None => serde_json::to_string(&CaseKept {
            stage: r.stage(),
            result: NotEvaluated { decision: None, codes: [], outputs: serde_json::Map::new() },
            posted,
        }),
    }
}
