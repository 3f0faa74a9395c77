//! `GET /v1/decisions`: the decision log, as one JSON object or, with
//! `Accept: application/x-ndjson`, as JSON lines.

use std::sync::Arc;

use axum::extract::State;

use super::extract::Query;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::answers::{DecisionEntry, DecisionList, ErrorBody};
use super::query::{DecisionQuery, ExplainQuery};

use super::query::Limit;
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;
use crate::store::{DecisionFilter, DecisionRow};

fn entry(row: DecisionRow) -> DecisionEntry {
    // (`whole` entries of the first log keep the whole answer as their result.)
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
        unreadable: row.unreadable,
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

/// One logged decision's answer: for an evaluation, exactly what
/// `POST /v1/policies/{policy}/evaluate` answered — rebuilt from the facts as given, the
/// policy version and `now` the log kept — and with `?explain=true` every rule's trace
/// too; for a case's entry, the result it kept.
#[utoipa::path(
    get,
    path = "/v1/decisions/{id}",
    operation_id = "getDecision",
    tag = "decisions",
    params(("id" = String, Path, description = "The decision id an answer carried"), ExplainQuery),
    responses(
        (status = 200, description = "The answer as it was given (header `tenet-rebuilt: differs` if this version of tenet decides the kept facts differently)", body = Object),
        (status = 400, description = "`explain` asked of a case's entry, or the request cannot be read", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No such decision", body = ErrorBody),
        (status = 500, description = "The entry is damaged and cannot be read (`entry_unreadable`, naming it)", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn get(
    State(app): State<Arc<App>>,
    super::extract::Path(id): super::extract::Path<String>,
    Query(query): Query<ExplainQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let row = app.store.decision(&id).await?.ok_or_else(|| ApiError::not_found("decision"))?;
    let row = row.readable().map_err(|why| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "entry_unreadable",
            format!("决定日志中的这一条已损坏，无法读取：{why}"),
            format!("this entry of the decision log is damaged and cannot be read: {why}"),
        )
    })?;
    let explain = query.explain.unwrap_or(false);
    if row.case_id.is_some() {
        if explain {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "not_an_evaluation",
                "这是案例的决定：请用 GET /v1/cases/{id} 查看它的解释",
                "this is a case's decision: GET /v1/cases/{id} explains it",
            ));
        }
        return Ok(json_text(row.result, false));
    }
    if row.whole && !explain {
        return Ok(json_text(row.result, false));
    }
    let (answer, differs) = rebuild(&app, &row, explain).await?;
    if differs {
        eprintln!("tenet serve: decision {id} rebuilt differs from what the log kept");
    }
    Ok(json_text(answer, differs))
}

fn json_text(body: String, differs: bool) -> Response {
    let mut r = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    if differs {
        r.headers_mut().insert("tenet-rebuilt", HeaderValue::from_static("differs"));
    }
    r
}

/// An evaluation's answer from what the log kept: the facts as given, evaluated by the
/// kept policy version at the kept `now`; `true` when the decision, codes, ledger totals
/// or outputs differ from those kept (a tenet that decides differently since).
pub async fn rebuild(app: &App, row: &DecisionRow, explain: bool) -> Result<(String, bool), ApiError> {
    let kept: Value = serde_json::from_str(&row.result).map_err(ApiError::internal)?;
    let now = kept
        .get("now")
        .and_then(Value::as_str)
        .and_then(tenet::facts::parse_datetime)
        .ok_or_else(|| ApiError::internal(format!("decision {} keeps no `now`", row.decision_id)))?
        .to_utc();
    let note = kept.get("now_source").and_then(Value::as_str);
    let loaded = app.policy_for(&row.policy_hash).await?;
    let facts = loaded.policy.facts_from_json(&row.facts).map_err(|d| {
        ApiError::internal(format!("decision {}: its facts no longer read ({} problems)", row.decision_id, d.len()))
    })?;
    let evaluation = if explain { loaded.policy.explain(&facts, now) } else { loaded.policy.evaluate(&facts, now) }
        .map_err(|e| ApiError::internal(format!("decision {}: {e}", row.decision_id)))?;
    let answer = serde_json::to_string(&evaluation.report(note).with_decision_id(&row.decision_id))
        .map_err(ApiError::internal)?;
    let summary = serde_json::to_value(evaluation.summary()).map_err(ApiError::internal)?;
    let differs = match &summary {
        // An entry of the first log kept the whole answer: its ledgers have their lines.
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !row.whole || *k == "decision" || *k == "codes")
            .any(|(k, v)| kept.get(k) != Some(v)),
        _ => true,
    };
    Ok((answer, differs))
}
