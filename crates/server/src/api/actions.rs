//! `GET /v1/actions?due_before=`: the actions whose time has come across all cases, each
//! until `POST /v1/actions/{id}/done` marks it delivered.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;

use super::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::{instant_of, now_of};
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
pub async fn due(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let (now, _) = now_of(query.get("now"))?;
    let until = match query.get("due_before") {
        Some(text) => instant_of("due_before", text)?,
        None => now,
    };
    let mut out: Vec<(chrono::DateTime<chrono::Utc>, Value)> = Vec::new();
    let mut after = String::new();
    let mut seen = 0;
    loop {
        let rows = app.store.list_cases(None, None, Some(&after), 500).await?;
        if rows.is_empty() || seen >= MAX_CASES {
            break;
        }
        // The page's actions due, then one question to the database for which are done.
        let mut page: Vec<(chrono::DateTime<chrono::Utc>, String, Value)> = Vec::new();
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
                let due_text = a.get("due").and_then(Value::as_str).unwrap_or_default();
                let Some(due) = crate::clock::parse(due_text) else { continue };
                if due > until {
                    continue;
                }
                let kind = a.get("kind").and_then(Value::as_str).unwrap_or_default();
                let id = action_id(&row.id, kind, &crate::clock::stamp(due));
                let mut item = json!({"id": id, "case": row.id, "policy": row.policy});
                if let (Some(obj), Some(src)) = (item.as_object_mut(), a.as_object()) {
                    for (k, v) in src {
                        obj.insert(k.clone(), v.clone());
                    }
                }
                page.push((due, id, item));
            }
        }
        let ids: Vec<&str> = page.iter().map(|(_, id, _)| id.as_str()).collect();
        let done = app.store.done_among(&ids).await?;
        out.extend(page.into_iter().filter(|(_, id, _)| !done.contains(id)).map(|(due, _, item)| (due, item)));
    }
    out.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| a.1.get("id").map(Value::to_string).cmp(&b.1.get("id").map(Value::to_string)))
    });
    Ok(Json(json!({"actions": out.into_iter().map(|(_, v)| v).collect::<Vec<_>>()})))
}

/// Marks an action delivered; marking it again is harmless.
pub async fn done(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    app.access.check(&headers, Role::Operator)?;
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found("action"));
    }
    let first = app.store.action_done(&id, &crate::clock::stamp(crate::clock::now())).await?;
    Ok((StatusCode::OK, Json(json!({"id": id, "done": true, "already": !first}))))
}
