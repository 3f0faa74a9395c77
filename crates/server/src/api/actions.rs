//! `GET /v1/actions?due_before=`: the actions whose time has come across all cases, each
//! until `POST /v1/actions/{id}/done` marks it delivered.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;

use super::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::answers::{ActionDone, ActionItem, ActionList, ErrorBody, ViewAction};
use super::now_of;
use super::query::ActionQuery;
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;

/// Most actions listed at once.
const MAX_ACTIONS: i64 = 100_000;

/// The actions due before `due_before` (default now) not yet marked done, by due time;
/// `past_due` says whether each is due at `now` (the server's clock, or `now=`), not at
/// the cut-off.
#[utoipa::path(
    get,
    path = "/v1/actions",
    operation_id = "listActions",
    tag = "actions",
    params(ActionQuery),
    responses(
        (status = 200, description = "Actions due before `due_before`, not yet marked done, by due time", body = ActionList),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn due(
    State(app): State<Arc<App>>,
    Query(query): Query<ActionQuery>,
    headers: HeaderMap,
) -> Result<Json<ActionList>, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let (now, _) = now_of(query.now);
    let until = query.due_before.map_or(now, |t| t.0);
    Ok(Json(ActionList { actions: due_actions(&app, now, until).await? }))
}

/// The actions due by `until` not yet marked done, by due time (then id), judged at `now`
/// — for the API and the desk alike.
pub async fn due_actions(
    app: &App,
    now: chrono::DateTime<chrono::Utc>,
    until: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<ActionItem>, ApiError> {
    // The due ids come from the index of scheduled actions; only their cases are read, for
    // the actions' messages as the case view gives them.
    let due = app.store.due_action_ids(&crate::clock::stamp(until), MAX_ACTIONS).await?;
    let mut out = Vec::with_capacity(due.len());
    // Per case: its policy and its actions with their ids.
    let mut views: HashMap<String, (String, Vec<(String, ViewAction)>)> = HashMap::new();
    for (action_id, case_id) in due {
        if !views.contains_key(&case_id) {
            let cached = app.case(&case_id).await?;
            let loaded = app.policy_for(&cached.stored.policy_hash).await?;
            let view = App::with_replay(&loaded, &cached, now, |r| r.to_json(None, None, None))?;
            let mut listed = Vec::new();
            for a in view.get("actions").and_then(Value::as_array).into_iter().flatten() {
                let action: ViewAction = serde_json::from_value(a.clone()).map_err(ApiError::internal)?;
                let Some(at) = crate::clock::parse(&action.due) else { continue };
                listed.push((crate::ids::action_id(&case_id, &action.kind, &crate::clock::stamp(at)), action));
            }
            views.insert(case_id.clone(), (cached.stored.policy.clone(), listed));
        }
        let Some((policy, listed)) = views.get_mut(&case_id) else { continue };
        let Some(i) = listed.iter().position(|(id, _)| *id == action_id) else {
            // The index and the case disagree (a row behind its case): said, and the
            // keeper recomputes the row.
            eprintln!(
                "tenet serve: action {action_id} of case {case_id} is not in its case view; the keeper will recompute it"
            );
            continue;
        };
        let (_, action) = listed.swap_remove(i);
        out.push(ActionItem { id: action_id, case: case_id.clone(), policy: policy.clone(), action });
    }
    Ok(out)
}

/// Marks an action delivered; marking it again is harmless.
#[utoipa::path(
    post,
    path = "/v1/actions/{id}/done",
    operation_id = "markActionDone",
    tag = "actions",
    params(("id" = String, Path, description = "The action's id")),
    responses(
        (status = 200, description = "Marked done (again is harmless)", body = ActionDone),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No such action", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn done(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<ActionDone>), ApiError> {
    let caller = app.access.check(&headers, Role::Operator)?;
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found("action"));
    }
    let by = caller.name.as_deref().unwrap_or("api");
    let first = app.store.action_done(&id, &crate::clock::stamp(crate::clock::now()), by).await?;
    Ok((StatusCode::OK, Json(ActionDone { id, done: true, already: !first })))
}
