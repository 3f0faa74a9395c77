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
    (
        3,
        "the return desk: staff accounts, their sessions, internal notes, the queue, scheduled actions",
        &[
            // Roles as ` reviewer finance ` (spaces around each), the workflow's role names.
            "CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, roles TEXT NOT NULL, \
             disabled BIGINT NOT NULL, created_at TEXT NOT NULL, disabled_at TEXT)",
            // The cookie's SHA-256, never the cookie: a copy of the database signs nobody in.
            "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES users (name), \
             csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
            "CREATE INDEX sessions_by_user ON sessions (user_name)",
            "CREATE TABLE notes (seq {serial}, case_id TEXT NOT NULL REFERENCES cases (id), by_name TEXT NOT NULL, \
             at TEXT NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX notes_by_case ON notes (case_id, seq)",
            // The queue: what the desk lists, derived from each case's replay at the version
            // and policy version it names; a row behind its case is recomputed (see queue.rs).
            "CREATE TABLE desk_queue (case_id TEXT PRIMARY KEY REFERENCES cases (id), version BIGINT NOT NULL, \
             policy_hash TEXT NOT NULL, policy TEXT NOT NULL, stage TEXT NOT NULL, open BIGINT NOT NULL, \
             due TEXT NOT NULL, decision TEXT NOT NULL, codes TEXT NOT NULL, sku TEXT NOT NULL, \
             order_id TEXT NOT NULL, request_id TEXT NOT NULL, waiting TEXT NOT NULL)",
            "CREATE INDEX queue_by_due ON desk_queue (open, due, case_id)",
            "CREATE INDEX queue_by_stage ON desk_queue (open, stage, due, case_id)",
            "CREATE INDEX queue_by_policy ON desk_queue (open, policy, due, case_id)",
            "CREATE INDEX queue_by_sku ON desk_queue (open, sku, due, case_id)",
            "CREATE INDEX queue_by_order ON desk_queue (order_id)",
            "CREATE INDEX queue_by_request ON desk_queue (request_id)",
            // The API's overdue listing pages in id order: walked in that order, the due
            // time read from the index itself.
            "CREATE INDEX queue_open_by_id ON desk_queue (open, case_id, due)",
            // "My work": one row per role a case waits for.
            "CREATE TABLE desk_waiting (role TEXT NOT NULL, due TEXT NOT NULL, case_id TEXT NOT NULL REFERENCES cases (id), \
             PRIMARY KEY (role, due, case_id))",
            "CREATE INDEX waiting_by_case ON desk_waiting (case_id)",
            // Each case's scheduled actions with their ids: due actions are an index range
            // (`/v1/actions`, the desk), never a replay of every case.
            "CREATE TABLE case_actions (action_id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases (id), \
             policy TEXT NOT NULL, kind TEXT NOT NULL, due TEXT NOT NULL)",
            "CREATE INDEX case_actions_by_due ON case_actions (due, action_id)",
            "CREATE INDEX case_actions_by_case ON case_actions (case_id)",
            // Timers that fired, once across restarts and replicas: the first server to
            // insert a timer's id fires it. `action:ID` or `overdue:CASE:DUE`.
            "CREATE TABLE timers_fired (timer_id TEXT PRIMARY KEY, kind TEXT NOT NULL, case_id TEXT NOT NULL, \
             due TEXT NOT NULL, fired_at TEXT NOT NULL)",
            // Webhook deliveries, written in the transaction of what caused them and sent by
            // whichever server claims them first (`claimed_until`).
            "CREATE TABLE webhook_outbox (id TEXT PRIMARY KEY, url TEXT NOT NULL, event_type TEXT NOT NULL, \
             payload TEXT NOT NULL, created_at TEXT NOT NULL, next_attempt_at TEXT NOT NULL, attempts BIGINT NOT NULL, \
             status TEXT NOT NULL, last_error TEXT, claimed_until TEXT, delivered_at TEXT)",
            "CREATE INDEX outbox_by_due ON webhook_outbox (status, next_attempt_at)",
            // Who marked an action done (a desk account, or the API token's name).
            "ALTER TABLE actions_done ADD COLUMN done_by TEXT",
        ],
    ),
    (
        4,
        "a compact decision log: compressed [facts,result], the policy version a small reference",
        &[
            // A policy version's small number, name and version, for each log entry to
            // name it by.
            "CREATE TABLE policy_refs (ref {serial}, hash TEXT NOT NULL UNIQUE, policy TEXT NOT NULL, \
             policy_version TEXT)",
            "INSERT INTO policy_refs (hash, policy, policy_version) SELECT policy_hash, MIN(policy), MIN(policy_version) \
             FROM decisions GROUP BY policy_hash ORDER BY MIN(seq)",
            "INSERT INTO policy_refs (hash, policy) SELECT hash, name FROM policies \
             WHERE hash NOT IN (SELECT hash FROM policy_refs) ORDER BY stored_at, hash",
            // Dictionaries trained on the log; never changed or removed.
            "CREATE TABLE log_dicts (id {serial}, dict {blob} NOT NULL, trained_at TEXT NOT NULL)",
            // Codec 0 is an entry of the first log (plain text, the whole answer), 1
            // compressed (see codec.rs).
            "CREATE TABLE decision_log (seq {serial}, decision_id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, \
             ref BIGINT NOT NULL REFERENCES policy_refs (ref), case_id TEXT, event TEXT, codec BIGINT NOT NULL, \
             dict BIGINT, body {blob} NOT NULL)",
            "INSERT INTO decision_log (decision_id, at, ref, case_id, event, codec, dict, body) \
             SELECT d.decision_id, d.at, r.ref, d.case_id, d.event, 0, NULL, {legacy_body} \
             FROM decisions d JOIN policy_refs r ON r.hash = d.policy_hash ORDER BY d.seq",
            "DROP TABLE decisions",
            "CREATE INDEX decision_log_by_time ON decision_log (at)",
        ],
    ),
    (
        5,
        "what of the decision log was exported, by day",
        // One row per file written: the UTC day, the file, its rows and the last entry
        // (by seq) of the day it holds, so the next export of that day starts after it.
        &["CREATE TABLE log_exports (day TEXT NOT NULL, part BIGINT NOT NULL, file TEXT NOT NULL, \
           rows BIGINT NOT NULL, through_seq BIGINT NOT NULL, exported_at TEXT NOT NULL, PRIMARY KEY (day, part))"],
    ),
    (
        6,
        "shadow evaluation: where a candidate policy decided differently",
        &[
            // The live and the candidate's compact results (JSON), or the candidate's error.
            "CREATE TABLE shadow_diffs (seq {serial}, decision_id TEXT NOT NULL, at TEXT NOT NULL, policy TEXT NOT NULL, \
             candidate_hash TEXT NOT NULL, live TEXT NOT NULL, candidate TEXT, error TEXT)",
            "CREATE INDEX shadow_by_policy ON shadow_diffs (policy, at)",
        ],
    ),
    (
        7,
        "shadow evaluation of case events: which case and version a difference is of",
        &[
            // A case's latest judgment decides whether it differs: a later event can
            // bring the two policies together again (then a row with no difference).
            "ALTER TABLE shadow_diffs ADD COLUMN case_id TEXT",
            "ALTER TABLE shadow_diffs ADD COLUMN case_version BIGINT",
            "CREATE INDEX shadow_by_case ON shadow_diffs (case_id, case_version)",
        ],
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
    apply_up_to(backend, conn, i64::MAX).await
}

/// Applies the migrations not yet recorded, up to version `last` (a test makes a database
/// as an earlier tenet left it).
pub(super) async fn apply_up_to(backend: Backend, conn: &mut sqlx::AnyConnection, last: i64) -> sqlx::Result<()> {
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
    let (blob, legacy_body) = match backend {
        Backend::Sqlite => ("BLOB", "CAST('[' || d.facts || ',' || d.result || ']' AS BLOB)"),
        Backend::Postgres => ("BYTEA", "convert_to('[' || d.facts || ',' || d.result || ']', 'UTF8')"),
    };
    for (version, description, statements) in MIGRATIONS {
        if applied.contains(version) || *version > last {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for statement in *statements {
            let sql =
                statement.replace("{serial}", serial).replace("{blob}", blob).replace("{legacy_body}", legacy_body);
            sqlx::query(&sql).execute(&mut *tx).await?;
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
