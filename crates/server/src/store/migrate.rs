//! Versioned migrations, applied in order at start and recorded in `tenet_schema`. One
//! schema for both databases: times are sortable UTC texts and documents are JSON texts,
//! so the only difference is how a counter column is declared.

use sqlx::Row;

use super::{Backend, Store};

/// The migrations, in order; `{serial}` is the backend's auto-incrementing key.
const MIGRATIONS: &[(i64, &str, &[&str])] = &[
    (
        1,
        "cases, events, idempotency, decisions, actions_done, policies",
        &[
            "CREATE TABLE policies (hash TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL, \
         source TEXT NOT NULL, stored_at TEXT NOT NULL)",
            "CREATE TABLE cases (id TEXT PRIMARY KEY, policy TEXT NOT NULL, policy_hash TEXT NOT NULL, \
         version BIGINT NOT NULL, stage TEXT NOT NULL, facts TEXT NOT NULL, token_hash TEXT NOT NULL, \
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
            "CREATE INDEX cases_by_stage ON cases (stage, id)",
            "CREATE TABLE events (case_id TEXT NOT NULL REFERENCES cases (id), version BIGINT NOT NULL, \
         body TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (case_id, version))",
            "CREATE TABLE idempotency (case_id TEXT NOT NULL REFERENCES cases (id), idem_key TEXT NOT NULL, \
         status BIGINT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (case_id, idem_key))",
            "CREATE TABLE decisions (seq {serial}, decision_id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, \
         policy TEXT NOT NULL, policy_version TEXT, policy_hash TEXT NOT NULL, case_id TEXT, event TEXT, \
         facts TEXT NOT NULL, result TEXT NOT NULL)",
            "CREATE INDEX decisions_by_time ON decisions (at)",
            "CREATE TABLE actions_done (action_id TEXT PRIMARY KEY, done_at TEXT NOT NULL)",
        ],
    ),
    (
        2,
        "policy versions keep the files they read",
        // JSON {"calendars/cn-2026.yaml": "…"}; NULL for a version kept before, whose files
        // are read from disk once and then kept.
        &["ALTER TABLE policies ADD COLUMN files TEXT"],
    ),
];

/// Applies the migrations not yet recorded. On PostgreSQL an advisory lock keeps two
/// servers starting together from applying the same one twice.
pub(super) async fn run(store: &Store) -> sqlx::Result<()> {
    let mut conn = store.pool.acquire().await?;
    if store.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock(7271)").execute(&mut *conn).await?;
    }
    let result = apply(store.backend, &mut conn).await;
    if store.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7271)").execute(&mut *conn).await?;
    }
    result
}

async fn apply(backend: Backend, conn: &mut sqlx::AnyConnection) -> sqlx::Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS tenet_schema (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         applied_at TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM tenet_schema ORDER BY version")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("version"))
        .collect::<sqlx::Result<_>>()?;
    let serial = match backend {
        Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    for (version, description, statements) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for statement in *statements {
            sqlx::query(&statement.replace("{serial}", serial)).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO tenet_schema (version, description, applied_at) VALUES ($1, $2, $3)")
            .bind(*version)
            .bind(*description)
            .bind(crate::clock::stamp(chrono::Utc::now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
