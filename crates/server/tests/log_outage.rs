//! The decision log under a database outage: while its commits fail, the entries wait in
//! a bounded queue and are retried until the database is back; `/readyz` turns unready
//! and `/metrics` counts the retries; nothing answered `200` is lost. With
//! `refuse_when_log_full`, evaluations beyond the queue are refused with `503` (never
//! answered and dropped). The outage is real: another connection holds SQLite's write
//! lock, so every commit of the server's fails until it lets go.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection;
use support::*;

fn facts() -> Value {
    let text = std::fs::read_to_string(root().join("examples/returns/opened-keyboard.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Holds SQLite's write lock on `db` until dropped (then rolls back).
async fn outage(db: &str) -> sqlx::SqliteConnection {
    let mut conn = sqlx::SqliteConnection::connect(db).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
    conn
}

/// The decision ids the log holds, read from the file after the server is done.
async fn logged(db: &str) -> BTreeSet<String> {
    let mut conn = sqlx::SqliteConnection::connect(db).await.unwrap();
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT decision_id FROM decision_log").fetch_all(&mut conn).await.unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn wait_for(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_loses_no_answered_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/tenet.db", dir.path().display());
    let s = Server::start_with(Some(&db), None, |o| o.durable_decisions = false).await;
    let facts = facts();
    let (status, _) = s.post("/v1/policies/returns/evaluate", &facts).await;
    assert_eq!(status, StatusCode::OK);
    let lock = outage(&db).await;
    // Answered while the database cannot be written: queued, each with its id.
    let mut answered = BTreeSet::new();
    for _ in 0..5 {
        let (status, v) = s.post("/v1/policies/returns/evaluate", &facts).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        answered.insert(v["decision_id"].as_str().unwrap().to_owned());
    }
    wait_for("readyz turns unready while the log cannot be written", Duration::from_secs(30), async || {
        let (status, v) = s.get("/readyz").await;
        status == StatusCode::SERVICE_UNAVAILABLE && v["decision_log"]["writing"] == false
    })
    .await;
    // Longer than a commit's wait for the lock (SQLite's busy timeout): several retries.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let text = s.client.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
    let retries: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("tenet_decision_log_retries_total "))
        .expect("the retries are counted")
        .parse()
        .unwrap();
    assert!(retries >= 1.0, "{text}");
    assert!(text.contains("tenet_decision_log_queued "), "{text}");
    drop(lock);
    wait_for("readyz is ready again once the log is written", Duration::from_secs(30), async || {
        s.get("/readyz").await.0 == StatusCode::OK
    })
    .await;
    // Ready again as soon as a commit succeeds; the rest of the queue follows it.
    wait_for("every answered evaluation is logged", Duration::from_secs(30), async || {
        let kept = logged(&db).await;
        answered.iter().all(|id| kept.contains(id))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_refuses_rather_than_drops() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/tenet.db", dir.path().display());
    let s = Server::start_with(Some(&db), None, |o| {
        o.durable_decisions = false;
        o.refuse_when_log_full = true;
    })
    .await;
    let facts = facts();
    let lock = outage(&db).await;
    let (mut answered, mut refused) = (BTreeSet::new(), 0);
    // More than the queue holds, with one batch being retried.
    for _ in 0..(tenet_server::store::QUEUE + 400) {
        let (status, v) = s.post("/v1/policies/returns/evaluate", &facts).await;
        match status {
            StatusCode::OK => {
                answered.insert(v["decision_id"].as_str().unwrap().to_owned());
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(v["error"], "log_unavailable", "{v}");
                assert!(v.get("decision_id").is_none());
                refused += 1;
            }
            other => panic!("{other}: {v}"),
        }
    }
    assert!(refused > 0, "the queue never filled");
    let text = s.client.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains(&format!("tenet_decision_log_refused_total {refused}")), "{text}");
    drop(lock);
    wait_for("every answered evaluation is logged", Duration::from_secs(60), async || {
        logged(&db).await.len() >= answered.len()
    })
    .await;
    let kept = logged(&db).await;
    assert_eq!(kept, answered, "exactly the answered ones are logged");
}

/// The same promise on PostgreSQL, with the server really stopped (`tests/postgres.sh`
/// gives the script that stops and starts its cluster) for longer than the pool waits
/// for a connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_loses_no_answered_evaluation() {
    let Some(url) = support::postgres() else { return };
    let Some(ctl) = std::env::var_os("TENET_TEST_POSTGRES_CTL") else {
        assert!(std::env::var_os("CI").is_none(), "tests/postgres.sh gives TENET_TEST_POSTGRES_CTL under CI");
        return;
    };
    let cluster = |what: &str| {
        let out = std::process::Command::new(&ctl).arg(what).output().unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let s = Server::start_with(Some(&url), None, |o| o.durable_decisions = false).await;
    let facts = facts();
    assert_eq!(s.post("/v1/policies/returns/evaluate", &facts).await.0, StatusCode::OK);
    cluster("stop");
    let mut answered = Vec::new();
    for _ in 0..5 {
        let (status, v) = s.post("/v1/policies/returns/evaluate", &facts).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        answered.push(v["decision_id"].as_str().unwrap().to_owned());
    }
    // Longer than the pool's wait for a connection (10 s).
    tokio::time::sleep(Duration::from_secs(14)).await;
    let (status, v) = s.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    cluster("start");
    wait_for("readyz is ready again once the log is written", Duration::from_secs(60), async || {
        s.get("/readyz").await.0 == StatusCode::OK
    })
    .await;
    // Ready again as soon as a commit succeeds; the rest of the queue follows it.
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let started = Instant::now();
    loop {
        let mut missing = Vec::new();
        for id in &answered {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT decision_id FROM decision_log WHERE decision_id = $1")
                    .bind(id)
                    .fetch_optional(&mut conn)
                    .await
                    .unwrap();
            if found.is_none() {
                missing.push(id.clone());
            }
        }
        if missing.is_empty() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "answered during the outage but not logged: {missing:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
