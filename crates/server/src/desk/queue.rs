//! Keeps the desk's queue rows in step with the cases: a row is derived from the case's
//! replay after every write this server makes, and a keeper recomputes the rows found
//! behind (written by another server, by a version before the desk, or missed by a crash).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tenet::workflow::{DeadlineStatus, Replay};

use crate::app::App;
use crate::error::ApiError;
use crate::store::NO_DEADLINE;
use crate::store::QueueRow;

/// How often the keeper looks for rows behind their case.
pub const KEEPER_EVERY: Duration = Duration::from_secs(30);

/// The text at `path` of the facts, or empty.
fn text_at(facts: &Value, path: &[&str]) -> String {
    let mut v = facts;
    for p in path {
        match v.get(p) {
            Some(next) => v = next,
            None => return String::new(),
        }
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// The queue row of a case from its replay: the earliest deadline not met is its due
/// time; the roles of the events it can take next are the roles it waits for.
pub fn derive(r: &Replay<'_>, case_id: &str, version: i64, policy: &str, policy_hash: &str) -> QueueRow {
    let due = r
        .deadlines()
        .iter()
        .filter(|d| matches!(d.status(), DeadlineStatus::Open | DeadlineStatus::Overdue))
        .map(|d| crate::clock::stamp(d.due()))
        .min()
        .unwrap_or_else(|| NO_DEADLINE.to_owned());
    let mut waiting: Vec<String> = Vec::new();
    for (event, _) in r.next() {
        for role in r.roles_for(event) {
            if !waiting.iter().any(|w| w == role) {
                waiting.push(role.to_owned());
            }
        }
    }
    waiting.sort();
    let facts = r.facts().to_json();
    let e = r.evaluation();
    let actions = r
        .actions()
        .iter()
        .map(|a| {
            let due = crate::clock::stamp(a.at());
            (crate::ids::action_id(case_id, a.action(), &due), a.action().to_owned(), due)
        })
        .collect();
    QueueRow {
        case_id: case_id.to_owned(),
        version,
        policy_hash: policy_hash.to_owned(),
        policy: policy.to_owned(),
        stage: r.stage().to_owned(),
        open: !r.is_final(),
        due,
        decision: e.map(|e| e.decision().as_str().to_owned()).unwrap_or_default(),
        codes: e.map(|e| e.codes().iter().map(|c| c.to_string()).collect()).unwrap_or_default(),
        sku: text_at(&facts, &["item", "sku"]),
        order_id: text_at(&facts, &["order", "id"]),
        request_id: text_at(&facts, &["request", "id"]),
        waiting,
        actions,
    }
}

/// Recomputes case `id`'s row from the database's latest version, judged at `now`.
pub async fn refresh(app: &App, id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let cached = app.case(id).await?;
    let loaded = app.policy_for(&cached.stored.policy_hash).await?;
    let row = App::with_replay(&loaded, &cached, now, |r| {
        derive(r, id, cached.stored.version, &cached.stored.policy, &cached.stored.policy_hash)
    })?;
    app.store.put_queue_row(&row).await?;
    Ok(())
}

/// After a write that did not replay the case (a policy-version move): the row now, so
/// the desk shows what was just done. A failure is said
/// on standard error and left to the keeper; the write itself stands.
pub async fn after_write(app: &App, id: &str) {
    if let Err(e) = refresh(app, id, crate::clock::now()).await {
        eprintln!("tenet serve: the desk's queue row of case {id} is behind ({}); the keeper retries", e.kind());
    }
}

/// After a write that replayed the case already: its row, derived from that replay (no
/// second read or replay on the write's path). A failure is said on standard error and
/// left to the keeper; the write itself stands.
pub async fn put(app: &App, row: &QueueRow) {
    if let Err(e) = app.store.put_queue_row(row).await {
        eprintln!("tenet serve: the desk's queue row of case {} is behind ({e}); the keeper retries", row.case_id);
    }
}

/// Recomputes every row behind its case, in one pass in id order; the number
/// recomputed. A case that cannot be listed is said on standard error and passed over
/// until the next round.
pub async fn catch_up(app: &App) -> Result<usize, ApiError> {
    let mut n = 0;
    let mut after = String::new();
    loop {
        let ids = app.store.stale_queue(&after, 500).await?;
        let Some(last) = ids.last() else { return Ok(n) };
        after = last.clone();
        for id in &ids {
            match refresh(app, id, crate::clock::now()).await {
                Ok(()) => n += 1,
                Err(e) => eprintln!("tenet serve: case {id} cannot be listed on the desk: {}", e.kind()),
            }
        }
    }
}

/// Runs [`catch_up`] at start and every [`KEEPER_EVERY`].
pub async fn keep(app: Arc<App>) {
    loop {
        if let Err(e) = catch_up(&app).await {
            eprintln!("tenet serve: the desk's queue keeper: {}", e.kind());
        }
        tokio::time::sleep(KEEPER_EVERY).await;
    }
}
