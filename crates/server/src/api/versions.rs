//! `POST /v1/cases/{id}/policy-version`: a supervisor moves a case from the policy
//! version it was opened with to the version of its policy served now. A case never
//! changes version by itself (a calendar edited on disk is a new version for new cases);
//! this is the explicit, logged way, previewed first: `{"preview": true}` answers what
//! would change for the case and moves nothing; `{"reason": "…", "by"?}` moves it and
//! writes the move to the decision log in the same transaction.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::answers::{Change, ErrorBody, Moved, VersionRef};
use super::extract::Path;
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;
use crate::store::NewDecision;

/// The request's body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// Only say what would change.
    #[serde(default)]
    pub preview: bool,
    /// Why the case moves (required to move it).
    #[serde(default)]
    pub reason: Option<String>,
    /// Who moves it.
    #[serde(default)]
    pub by: Option<String>,
}

/// The parts of a case view that matter to the people of the case, as texts.
fn headline(view: &Value) -> Vec<(&'static str, String)> {
    let text =
        |v: Option<&Value>| v.map_or_else(String::new, |v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
    let list = |pointer: &str, f: &dyn Fn(&Value) -> String| -> String {
        view.pointer(pointer)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(f).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    vec![
        ("stage", text(view.pointer("/stage"))),
        ("decision", text(view.pointer("/decision"))),
        ("codes", list("/codes", &|c| text(Some(c)))),
        ("refund.amount", text(view.pointer("/refund/amount"))),
        ("refund.due", text(view.pointer("/refund/due"))),
        (
            "deadlines",
            list("/deadlines", &|d| {
                format!("{} {} {}", text(d.get("stage")), text(d.get("due")), text(d.get("status")))
            }),
        ),
        ("actions", list("/actions", &|a| format!("{} {}", text(a.get("kind")), text(a.get("due"))))),
        ("next_events", list("/next_events", &|e| text(e.get("event")))),
    ]
}

/// `POST /v1/cases/{id}/policy-version` (admin).
#[utoipa::path(
    post,
    path = "/v1/cases/{id}/policy-version",
    operation_id = "moveCaseVersion",
    tag = "cases",
    params(("id" = String, Path, description = "The case's id")),
    request_body = MoveRequest,
    responses(
        (status = 200, description = "What changes for the case under the version served now; moved unless a preview", body = Moved),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "Someone else moved the case first: preview again", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn move_case(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Moved>), ApiError> {
    app.access.check(&headers, Role::Admin)?;
    let request: MoveRequest = super::typed_body(&headers, body)?;
    let cached = app.case(&id).await?;
    let old = app.policy_for(&cached.stored.policy_hash).await?;
    let new = app.current_policy(old.policy.name())?;
    let now = crate::clock::now();
    let before = App::case_view(&old, &cached, now, None)?;
    let after = new.policy.replay(&cached.case, now).map_err(crate::app::replay_error)?;
    let after_view = after.to_json(cached.case.id.as_deref(), cached.case.name.as_deref(), None);
    let changes: Vec<Change> = headline(&before)
        .into_iter()
        .zip(headline(&after_view))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((what, from), (_, to))| Change { what, from, to })
        .collect();
    let version = |l: &crate::policies::Loaded| VersionRef {
        hash: l.hash.clone(),
        version: l.policy.version().map(str::to_owned),
    };
    let mut answer = Moved {
        case: id.clone(),
        from: version(&old),
        to: version(&new),
        same: old.hash == new.hash,
        changes,
        moved: false,
        decision_id: None,
        view: after_view,
    };
    if request.preview || answer.same {
        return Ok((StatusCode::OK, Json(answer)));
    }
    let Some(reason) = request.reason.filter(|r| !r.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            "移动案例的策略版本须写明原因（reason）；先用 {\"preview\": true} 查看变化",
            "moving a case to another policy version needs a reason; preview the changes first with {\"preview\": true}",
        ));
    };
    let at = crate::clock::stamp(now);
    let decision_id = crate::ids::decision_id().ok_or_else(|| ApiError::internal("no randomness"))?;
    let result = json!({
        "stage": after.stage(),
        "decision": after.evaluation().map(|e| e.decision().as_str()),
        "codes": after.evaluation().map(|e| e.codes()).unwrap_or_default(),
        "moved": {"from": old.hash, "to": new.hash, "reason": reason, "by": request.by, "changes": answer.changes},
    })
    .to_string();
    let facts = after.facts().to_json().to_string();
    let entry = NewDecision {
        decision_id: &decision_id,
        at: &at,
        policy: new.policy.name(),
        policy_version: new.policy.version(),
        policy_hash: &new.hash,
        case_id: Some(&id),
        event: Some("(policy version)"),
        facts: &facts,
        result: &result,
    };
    if !app.store.move_case_policy(&id, &old.hash, &new.hash, &at, &entry).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "案例的策略版本已被别人改动；请重新预览",
            "the case's policy version was changed by someone else; preview again",
        ));
    }
    app.forget(&id)?;
    crate::desk::queue::after_write(&app, &id).await;
    answer.moved = true;
    answer.decision_id = Some(decision_id);
    Ok((StatusCode::OK, Json(answer)))
}
