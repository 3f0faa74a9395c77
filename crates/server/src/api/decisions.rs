//! `GET /v1/decisions`: the decision log, as one JSON object or, with
//! `Accept: application/x-ndjson`, as JSON lines.

use std::sync::Arc;

use axum::extract::State;

use super::extract::Query;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::answers::{DecisionEntry, DecisionList, ErrorBody};
use super::query::DecisionQuery;

use super::query::Limit;
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;
use crate::store::{DecisionFilter, DecisionRow};

fn entry(row: DecisionRow) -> DecisionEntry {
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    DecisionEntry {
        facts: parse(&row.facts),
        result: parse(&row.result),
        decision_id: row.decision_id,
        at: row.at,
        policy: row.policy,
        policy_version: row.policy_version,
        policy_hash: row.policy_hash,
        case_id: row.case_id,
        event: row.event,
    }
}

/// The log, oldest first, filtered by `policy`, `since`, `until`, paged by `after`.
#[utoipa::path(
    get,
    path = "/v1/decisions",
    operation_id = "listDecisions",
    tag = "decisions",
    params(DecisionQuery),
    responses(
        (status = 200, description = "The decision log, oldest first (with `Accept: application/x-ndjson`, one entry per line)", content((DecisionList = "application/json"), (DecisionEntry = "application/x-ndjson"))),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(app): State<Arc<App>>,
    Query(query): Query<DecisionQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let filter = DecisionFilter {
        policy: query.policy,
        since: query.since.map(|t| crate::clock::stamp(t.0)),
        until: query.until.map(|t| crate::clock::stamp(t.0)),
        after: query.after,
        limit: query.limit.unwrap_or(Limit::DEFAULT).0,
    };
    let rows = app.store.decisions(&filter).await?;
    let full = i64::try_from(rows.len()).unwrap_or(0) == filter.limit;
    let entries: Vec<DecisionEntry> = rows.into_iter().map(entry).collect();
    let ndjson =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/x-ndjson"));
    if ndjson {
        let mut text = String::new();
        for e in &entries {
            text.push_str(&serde_json::to_string(e).map_err(ApiError::internal)?);
            text.push('\n');
        }
        let mut r = text.into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
        return Ok(r);
    }
    let next_after = if full { entries.last().map(|e| e.decision_id.clone()) } else { None };
    Ok(axum::Json(DecisionList { decisions: entries, next_after }).into_response())
}
