//! `GET /v1/decisions`: the decision log, as one JSON object or, with
//! `Accept: application/x-ndjson`, as JSON lines.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;

use super::extract::Query;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{instant_of, limit_of};
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;
use crate::store::{DecisionFilter, DecisionRow};

fn entry(row: DecisionRow) -> Value {
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    json!({
        "decision_id": row.decision_id,
        "at": row.at,
        "policy": row.policy,
        "policy_version": row.policy_version,
        "policy_hash": row.policy_hash,
        "case_id": row.case_id,
        "event": row.event,
        "facts": parse(&row.facts),
        "result": parse(&row.result),
    })
}

/// The log, oldest first, filtered by `policy`, `since`, `until`, paged by `after`.
pub async fn list(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let instant = |key: &str| -> Result<Option<String>, ApiError> {
        query.get(key).map(|t| instant_of(key, t).map(crate::clock::stamp)).transpose()
    };
    let filter = DecisionFilter {
        policy: query.get("policy").cloned(),
        since: instant("since")?,
        until: instant("until")?,
        after: query.get("after").cloned(),
        limit: limit_of(query.get("limit"))?,
    };
    let rows = app.store.decisions(&filter).await?;
    let full = i64::try_from(rows.len()).unwrap_or(0) == filter.limit;
    let entries: Vec<Value> = rows.into_iter().map(entry).collect();
    let ndjson =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/x-ndjson"));
    if ndjson {
        let mut text = String::new();
        for e in &entries {
            text.push_str(&e.to_string());
            text.push('\n');
        }
        let mut r = text.into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
        return Ok(r);
    }
    let next = if full { entries.last().and_then(|e| e.get("decision_id")).cloned() } else { None };
    Ok(axum::Json(json!({"decisions": entries, "next_after": next})).into_response())
}
