//! `GET /v1/actions?due_before=`: the actions whose time has come across all cases, each
//! until `POST /v1/actions/{id}/done` marks it delivered.

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

/// Most cases looked at for one listing.
const MAX_CASES: i64 = 100_000;

/// An action's id: a digest of its case, kind and due time, the same on every server.
fn action_id(case: &str, kind: &str, due: &str) -> String {
    let digest = crate::ids::sha256_hex(format!("{case}\n{kind}\n{due}").as_bytes());
    digest.get(..24).unwrap_or(&digest).to_owned()
}

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
    let mut out: Vec<(chrono::DateTime<chrono::Utc>, ActionItem)> = Vec::new();
    let mut after = String::new();
    let mut seen = 0;
    loop {
        let rows = app.store.list_cases(None, None, Some(&after), 500).await?;
        if rows.is_empty() || seen >= MAX_CASES {
            break;
        }
        // The page's actions due, then one question to the database for which are done.
        let mut page: Vec<(chrono::DateTime<chrono::Utc>, String, ActionItem)> = Vec::new();
        let cases = app.cases_listed(&rows).await?;
        for (row, cached) in rows.iter().zip(cases) {
            seen += 1;
            after = row.id.clone();
            let loaded = app.policy_for(&cached.stored.policy_hash).await?;
            // Only a case with an action due is written out as a view.
            let view = App::with_replay(&loaded, &cached, now, |r| {
                r.actions().iter().any(|a| a.at() <= until).then(|| r.to_json(None, None, None))
            })?;
            for a in view.as_ref().and_then(|v| v.get("actions")).and_then(Value::as_array).into_iter().flatten() {
                let action: ViewAction = serde_json::from_value(a.clone()).map_err(ApiError::internal)?;
                let Some(due) = crate::clock::parse(&action.due) else { continue };
                if due > until {
                    continue;
                }
                let id = action_id(&row.id, &action.kind, &crate::clock::stamp(due));
                let item = ActionItem { id: id.clone(), case: row.id.clone(), policy: row.policy.clone(), action };
                page.push((due, id, item));
            }
        }
        let ids: Vec<&str> = page.iter().map(|(_, id, _)| id.as_str()).collect();
        let done = app.store.done_among(&ids).await?;
        out.extend(page.into_iter().filter(|(_, id, _)| !done.contains(id)).map(|(due, _, item)| (due, item)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    Ok(out.into_iter().map(|(_, v)| v).collect())
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
