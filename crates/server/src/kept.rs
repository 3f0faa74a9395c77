//! What the decision log keeps of an evaluation's answer, enough to rebuild it and to
//! compare two policies' answers (the shadow) without the messages.

/// What the decision log keeps of an evaluation's answer: `now` (UTC, exact) and where
/// it came from, then the compact result (`decision`, `codes`, ledger totals, `outputs`,
/// `warnings` when there are any) — enough to filter and sum on, and to check an answer
/// rebuilt from the facts against.
pub fn kept_result(
    evaluation: &tenet::eval::Evaluation<'_>,
    now: chrono::DateTime<chrono::Utc>,
    note: Option<&str>,
) -> Result<String, serde_json::Error> {
    let mut m = serde_json::Map::new();
    m.insert("now".into(), now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true).into());
    if let Some(n) = note {
        m.insert("now_source".into(), n.into());
    }
    if let serde_json::Value::Object(summary) = serde_json::to_value(evaluation.summary())? {
        m.extend(summary);
    }
    serde_json::to_string(&m)
}
