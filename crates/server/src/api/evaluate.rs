//! `POST /v1/policies/{policy}/evaluate`: the answer of `tenet eval --format json` for
//! the facts in the body, with a `decision_id` under which it is logged.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tenet::eval::EvalError;

use super::answers::{ErrorBody, Evaluation, Facts};
use super::query::NowQuery;
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;
use crate::store::NewDecision;

/// Evaluates the facts of the body under the policy served as `policy`.
#[utoipa::path(
    post,
    path = "/v1/policies/{policy}/evaluate",
    operation_id = "evaluate",
    tag = "decisions",
    params(("policy" = String, Path, description = "The policy's name"), NowQuery),
    request_body(content = Facts, description = "The facts, as the policy's schema declares them"),
    responses(
        (status = 200, description = "The decision, as `tenet eval --format json` prints it, kept in the decision log", body = Evaluation),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No such policy", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "The facts do not fit the policy's schema", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn evaluate(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    Query(query): Query<NowQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    app.access.check(&headers, Role::Operator)?;
    let loaded = app.current_policy(&name)?;
    let text = super::body_text(&headers, body)?;
    // One parse on the way that succeeds; a failure is then told apart: not JSON (400)
    // or facts that do not fit the policy (422).
    let facts = loaded
        .policy
        .facts_from_json(&text)
        .map_err(|diags| super::not_a_json_object(&text).unwrap_or_else(|| invalid_facts(&diags)))?;
    let (now, note) = match (query.now, facts.now()) {
        (Some(_), _) | (None, None) => super::now_of(query.now),
        (None, Some(t)) => (t, None),
    };
    let evaluation = match loaded.policy.evaluate(&facts, now) {
        Ok(e) => e,
        Err(EvalError::InvalidFacts(diags)) => return Err(invalid_facts(&diags)),
        // `Failed`, and whatever the engine adds later: the facts could not be evaluated.
        Err(e) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "evaluation_failed",
                "这些事实无法评估",
                "these facts cannot be evaluated",
            )
            .with_diagnostics(e.diagnostics()));
        }
    };
    let decision = evaluation.decision().as_str();
    let decision_id = crate::ids::decision_id().ok_or_else(|| ApiError::internal("no randomness"))?;
    // Written as it is serialized, without a JSON tree in between: the answer's largest
    // cost after HTTP itself.
    let result_text =
        serde_json::to_string(&evaluation.report(note).with_decision_id(&decision_id)).map_err(ApiError::internal)?;
    // The log keeps what reproduces the answer (the facts as given, the version, `now`)
    // and what a reader filters on; the messages are rebuilt on read.
    let kept = crate::kept::kept_result(&evaluation, now, note).map_err(ApiError::internal)?;
    let entry = crate::store::Entry::of(&NewDecision {
        decision_id: &decision_id,
        at: &crate::clock::stamp(crate::clock::now()),
        policy: loaded.policy.name(),
        policy_version: loaded.policy.version(),
        policy_hash: &loaded.hash,
        case_id: None,
        event: None,
        facts: &text,
        result: &kept,
    });
    let logged = if app.durable_decisions { app.log.write(entry).await } else { app.log.submit(entry).await };
    // An evaluation is answered only once its log entry is queued (or, durable, written):
    // one the log cannot take is refused, never answered and lost.
    logged.map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "log_unavailable",
            "决定日志暂时无法写入，请稍后重试",
            format!("the decision log cannot take the entry now ({e}); try again shortly"),
        )
    })?;
    app.metrics.decision(decision);
    // The candidate of the same name judges the same facts at the same `now`, after the
    // answer and apart from it.
    if let Some(candidate) = app.shadow.get(loaded.policy.name()) {
        let at = crate::clock::stamp(crate::clock::now());
        tokio::spawn(crate::shadow::judge(
            Arc::clone(&app),
            Arc::clone(candidate),
            text.clone(),
            now,
            [decision_id.clone(), at],
            kept.clone(),
        ));
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], result_text).into_response())
}

/// 422 with the facts' diagnostics, each naming its path.
pub fn invalid_facts(diags: &[tenet::diagnostics::Diagnostic]) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_facts",
        "事实不符合策略的定义",
        "the facts do not fit the policy",
    )
    .with_diagnostics(diags)
}
