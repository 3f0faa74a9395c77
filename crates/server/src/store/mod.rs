//! The database: cases, their append-only events, idempotency answers, the decision log
//! and delivered actions, in SQLite (embedded, the default) or PostgreSQL, through one
//! schema and one set of queries.
//!
//! Every write that acknowledges something is one transaction committed before the
//! answer is sent. Two writers never both append version `n` of a case: the update of
//! the case row is conditional on its version, and `(case_id, version)` is the events'
//! primary key, so a lost race is a conflict the caller sees, never a duplicate.

pub mod codec;
mod decisions;
mod export;
mod log;
mod migrate;
mod outbox;
mod queue;
mod shadow;
mod users;
mod writer;

pub use codec::{Codec, Encoded};
pub use export::{DayToExport, Unexported};
pub use log::{DecisionLog, Entry, LogError, QUEUE};
pub use outbox::{Attempt, Delivery, NewDelivery, Outcome};
pub use queue::{NO_DEADLINE, QueueFilter, QueueRow, Timer};
pub use shadow::{ShadowDiff, ShadowRow};
pub use users::{NoteRow, SessionRow, UserRow};

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};

use crate::error::StartError;

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, a file on this machine.
    Sqlite,
    /// PostgreSQL, shared by every server that names it.
    Postgres,
}

/// The database, with its pool of connections.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The resolved URL, to open the decision log's own connection.
    url: String,
    /// SQLite's appends and case openings, committed in groups by one writer.
    writer: Option<writer::Writer>,
    /// How log entries are compressed and read back, shared by every clone.
    codec: std::sync::Arc<Codec>,
    /// Policy versions known to have a row in `policy_refs`.
    refs: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// A case as stored: its header row and its events in order.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredCase {
    /// The case id.
    pub id: String,
    /// The policy's name.
    pub policy: String,
    /// The content hash of the policy version the case was opened with.
    pub policy_hash: String,
    /// The number of recorded events.
    pub version: i64,
    /// The facts it was opened with (JSON text).
    pub facts: String,
    /// SHA-256 of the tracking token, hex.
    pub token_hash: String,
    /// The events, oldest first.
    pub events: Vec<StoredEvent>,
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    /// Its position, from 1.
    pub version: i64,
    /// The event as posted (JSON text: at, event, by, data).
    pub body: String,
}

/// What an append did.
#[derive(Debug)]
pub enum Appended {
    /// Committed.
    Done,
    /// The case moved on since it was read; nothing was written.
    Conflict,
    /// The idempotency key was used by a request that committed first; its answer.
    Replayed(Idem),
}

/// A stored answer to an idempotent request.
#[derive(Clone, Debug)]
pub struct Idem {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

/// One entry of the decision log, to write.
#[derive(Clone, Debug)]
pub struct NewDecision<'a> {
    /// Its id.
    pub decision_id: &'a str,
    /// When it was made (stored as sortable UTC text).
    pub at: &'a str,
    /// The policy's name, version and content hash.
    pub policy: &'a str,
    /// See `policy`.
    pub policy_version: Option<&'a str>,
    /// See `policy`.
    pub policy_hash: &'a str,
    /// The case it belongs to, for events.
    pub case_id: Option<&'a str>,
    /// The event, for events.
    pub event: Option<&'a str>,
    /// The input facts (JSON text).
    pub facts: &'a str,
    /// The result (JSON text).
    pub result: &'a str,
}

/// The event to append and what goes with it.
#[derive(Debug)]
pub struct Append<'a> {
    /// The case.
    pub case_id: &'a str,
    /// The version the caller read; the event becomes `expected + 1`.
    pub expected: i64,
    /// The event as posted (JSON text).
    pub body: &'a str,
    /// The stage after the event, for listing.
    pub stage: &'a str,
    /// When the server recorded it.
    pub recorded_at: &'a str,
    /// The idempotency key and the answer to keep under it.
    pub idempotency: Option<(&'a str, &'a Idem)>,
    /// The decision log entry of the event.
    pub decision: NewDecision<'a>,
    /// The webhook deliveries the event causes, written with it or not at all.
    pub deliveries: &'a [NewDelivery],
}

/// A case row for listing.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CaseRow {
    /// Id.
    pub id: String,
    /// Policy name.
    pub policy: String,
    /// Stage after the last event.
    pub stage: String,
    /// Its version when listed, so a scan reads only the cases that moved.
    pub version: i64,
    /// Its policy version's hash when listed: a case a supervisor moved to another
    /// version is read again, though no event was added.
    pub policy_hash: String,
}

/// Filters of the decision log.
#[derive(Clone, Debug, Default)]
pub struct DecisionFilter {
    /// Policy name.
    pub policy: Option<String>,
    /// From this instant (sortable UTC text), inclusive.
    pub since: Option<String>,
    /// Before this instant, exclusive.
    pub until: Option<String>,
    /// After this decision id.
    pub after: Option<String>,
    /// At most this many.
    pub limit: i64,
}

/// A stored decision log entry.
#[derive(Clone, Debug)]
pub struct DecisionRow {
    /// Its place in the log (increasing as entries are written).
    pub seq: i64,
    /// See [`NewDecision`].
    pub decision_id: String,
    /// See [`NewDecision`].
    pub at: String,
    /// See [`NewDecision`].
    pub policy: String,
    /// See [`NewDecision`].
    pub policy_version: Option<String>,
    /// See [`NewDecision`].
    pub policy_hash: String,
    /// See [`NewDecision`].
    pub case_id: Option<String>,
    /// See [`NewDecision`].
    pub event: Option<String>,
    /// See [`NewDecision`].
    pub facts: String,
    /// See [`NewDecision`]: for an evaluation the compact result (`now`, `decision`,
    /// `codes`, ledger totals, `outputs`) unless `whole`.
    pub result: String,
    /// True for an entry of the first log, which kept the whole answer as `result`.
    pub whole: bool,
    /// Why the entry's body cannot be read, when it is damaged: then `facts` and
    /// `result` are `null`. A listing shows such an entry; a reader that needs its
    /// contents (an export, a rebuilt answer, `tenet diff`) refuses, naming it.
    pub unreadable: Option<String>,
}

impl DecisionRow {
    /// The entry, or why it cannot be read (naming it).
    pub fn readable(self) -> Result<DecisionRow, String> {
        match &self.unreadable {
            Some(why) => Err(format!("decision {} (logged {}) cannot be read: {why}", self.decision_id, self.at)),
            None => Ok(self),
        }
    }
}

/// Ids asked about in one query (well below either database's limit on parameters).
const IN_CHUNK: usize = 500;

/// `$1, $2, … $n`.
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

impl Store {
    /// Connects (creating an SQLite file and its folder on first start) and applies the
    /// migrations this version knows.
    pub async fn open(url: &str) -> Result<Store, StartError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StartError::Usage(format!(
                "--db {url:?}: 应以 sqlite:// 或 postgres:// 开头 · must start with sqlite:// or postgres://"
            )));
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let max = if backend == Backend::Sqlite { 4 } else { 8 };
        let target = without_password(&url);
        let failed = |doing: &'static str| {
            let target = target.clone();
            move |source: sqlx::Error| StartError::Store { doing, target, source }
        };
        if backend == Backend::Postgres {
            // One connection first: a server that is not there is said at once, with the
            // driver's reason (refused, unknown host, bad password), where the pool would
            // wait its 10 s and say only that it timed out.
            use sqlx::Connection;
            let probe = sqlx::AnyConnection::connect(&url).await.map_err(failed("connecting to"))?;
            let _ = probe.close().await;
        }
        let pool = connect(&url, backend, max, true).await.map_err(failed("connecting to"))?;
        let writer = match backend {
            Backend::Sqlite => {
                let own = connect(&url, backend, 1, true).await.map_err(failed("connecting to"))?;
                Some(writer::Writer::start(own))
            }
            Backend::Postgres => None,
        };
        let store = Store { pool, backend, url, writer, codec: Default::default(), refs: Default::default() };
        migrate::run(&store).await.map_err(failed("migrating"))?;
        store.use_latest_dict().await.map_err(failed("reading the log's dictionary from"))?;
        Ok(store)
    }

    /// The same database through one connection of its own for the decision log's
    /// writer. Unless `durable`, its commits do not wait for the disk (SQLite
    /// `synchronous = NORMAL` in WAL mode, PostgreSQL `synchronous_commit = off`): a
    /// crash of the process loses nothing committed, a power cut may lose the last
    /// commits, never half of one. Answers that waited for nothing lose nothing they
    /// promised.
    pub async fn for_log(&self, durable: bool) -> sqlx::Result<Store> {
        let pool = connect(&self.url, self.backend, 1, durable).await?;
        Ok(Store {
            pool,
            backend: self.backend,
            url: self.url.clone(),
            writer: None,
            codec: std::sync::Arc::clone(&self.codec),
            refs: std::sync::Arc::clone(&self.refs),
        })
    }

    /// The database's URL as the store opened it (its password kept: for a second
    /// server on the same database).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// Closes every connection, after the ones in use are returned.
    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }

    /// Keeps a policy version — its text and the files it reads (JSON) — under its hash
    /// (once).
    pub async fn keep_policy(
        &self,
        hash: &str,
        name: &str,
        path: &str,
        source: &str,
        files: &str,
        at: &str,
    ) -> sqlx::Result<()> {
        let r = sqlx::query(
            "INSERT INTO policies (hash, name, path, source, files, stored_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hash)
        .bind(name)
        .bind(path)
        .bind(source)
        .bind(files)
        .bind(at)
        .execute(&self.pool)
        .await;
        match r {
            Err(e) if !is_unique_violation(&e) => Err(e),
            _ => Ok(()),
        }
    }

    /// A kept policy version by content hash: its path, source and the files it reads
    /// (JSON; `None` for a version kept before files were).
    pub async fn policy_source(&self, hash: &str) -> sqlx::Result<Option<(String, String, Option<String>)>> {
        let row = sqlx::query("SELECT path, source, files FROM policies WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("path")?, r.try_get("source")?, r.try_get("files")?))).transpose()
    }

    /// Moves case `id` from policy version `from` to `to`, with the decision log entry
    /// that records it, in one transaction; `false` when the case is no longer at `from`.
    pub async fn move_case_policy(
        &self,
        id: &str,
        from: &str,
        to: &str,
        at: &str,
        decision: &NewDecision<'_>,
    ) -> sqlx::Result<bool> {
        self.ensure_ref(decision).await?;
        let encoded = self.encode(decision)?;
        let mut tx = self.pool.begin().await?;
        let moved =
            sqlx::query("UPDATE cases SET policy_hash = $1, updated_at = $2 WHERE id = $3 AND policy_hash = $4")
                .bind(to)
                .bind(at)
                .bind(id)
                .bind(from)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if moved != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_decision(&mut tx, decision, &encoded).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Keeps a loaded policy version (see [`Store::keep_policy`]).
    pub async fn keep_version(&self, l: &crate::policies::Loaded, at: &str) -> sqlx::Result<()> {
        // A map of texts always serializes.
        let files = serde_json::to_string(&l.files).unwrap_or_default();
        self.keep_policy(&l.hash, l.policy.name(), &l.path, &l.source, &files, at).await
    }

    /// Keeps the files of a version kept before files were, so it no longer reads disk.
    pub async fn keep_policy_files(&self, hash: &str, files: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE policies SET files = $1 WHERE hash = $2 AND files IS NULL")
            .bind(files)
            .bind(hash)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Creates a case with its opening decision; `false` when the id is taken.
    pub async fn create_case(
        &self,
        case: &StoredCase,
        stage: &str,
        at: &str,
        decision: &NewDecision<'_>,
    ) -> sqlx::Result<bool> {
        self.ensure_ref(decision).await?;
        let encoded = self.encode(decision)?;
        if let Some(writer) = &self.writer {
            return writer.open(case, stage, at, decision, encoded).await;
        }
        let mut tx = self.pool.begin().await?;
        if open_statements(&mut tx, case, stage, at, decision, &encoded).await? {
            tx.commit().await?;
            return Ok(true);
        }
        tx.rollback().await?;
        Ok(false)
    }

    /// The case's version, or `None` when there is no such case.
    pub async fn case_version(&self, id: &str) -> sqlx::Result<Option<i64>> {
        Ok(self.case_head(id).await?.map(|(version, _)| version))
    }

    /// A case's version and policy version hash, or `None`.
    pub async fn case_head(&self, id: &str) -> sqlx::Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT version, policy_hash FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("version")?, r.try_get("policy_hash")?))).transpose()
    }

    /// A case with its events after `from` (all events for 0), or `None`.
    pub async fn load_case(&self, id: &str, from: i64) -> sqlx::Result<Option<StoredCase>> {
        let Some(row) =
            sqlx::query("SELECT id, policy, policy_hash, version, facts, token_hash FROM cases WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let version: i64 = row.try_get("version")?;
        let rows = sqlx::query(
            "SELECT version, body FROM events WHERE case_id = $1 AND version > $2 AND version <= $3 ORDER BY version",
        )
        .bind(id)
        .bind(from)
        .bind(version)
        .fetch_all(&self.pool)
        .await?;
        let events = rows
            .iter()
            .map(|r| Ok(StoredEvent { version: r.try_get("version")?, body: r.try_get("body")? }))
            .collect::<sqlx::Result<Vec<_>>>()?;
        Ok(Some(StoredCase {
            id: row.try_get("id")?,
            policy: row.try_get("policy")?,
            policy_hash: row.try_get("policy_hash")?,
            version,
            facts: row.try_get("facts")?,
            token_hash: row.try_get("token_hash")?,
            events,
        }))
    }

    /// The answer kept under an idempotency key.
    pub async fn idempotent(&self, case_id: &str, key: &str) -> sqlx::Result<Option<Idem>> {
        idempotent(&self.pool, case_id, key).await
    }

    /// Appends an event as version `expected + 1`, with its idempotency answer and its
    /// decision log entry, in one transaction (on SQLite, one shared with the writes
    /// waiting beside it: see [`writer`]).
    pub async fn append(&self, a: &Append<'_>) -> sqlx::Result<Appended> {
        self.ensure_ref(&a.decision).await?;
        let encoded = self.encode(&a.decision)?;
        if let Some(writer) = &self.writer {
            return writer.append(a, encoded).await;
        }
        // PostgreSQL: one statement, atomic by itself, one round trip.
        let sql = if a.idempotency.is_some() { PG_APPEND_KEYED } else { PG_APPEND };
        match append_query(sql, a, &encoded, Some(deliveries_json(a.deliveries))).execute(&self.pool).await {
            Ok(done) if done.rows_affected() == 1 => Ok(Appended::Done),
            // The case moved on, or another writer took the version or the key first:
            // the statement wrote nothing.
            Ok(_) => after_conflict(&self.pool, a).await,
            Err(e) if is_unique_violation(&e) => after_conflict(&self.pool, a).await,
            Err(e) => Err(e),
        }
    }

    /// Cases in id order after `after`, at most `limit`, with optional filters.
    pub async fn list_cases(
        &self,
        policy: Option<&str>,
        stage: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> sqlx::Result<Vec<CaseRow>> {
        sqlx::query_as::<_, CaseRow>(
            "SELECT id, policy, stage, version, policy_hash FROM cases \
             WHERE ($1 = '' OR policy = $1) AND ($2 = '' OR stage = $2) AND id > $3 \
             ORDER BY id LIMIT $4",
        )
        .bind(policy.unwrap_or(""))
        .bind(stage.unwrap_or(""))
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Marks an action delivered; `false` when it already was.
    pub async fn action_done(&self, action_id: &str, at: &str, by: &str) -> sqlx::Result<bool> {
        let r = sqlx::query("INSERT INTO actions_done (action_id, done_at, done_by) VALUES ($1, $2, $3)")
            .bind(action_id)
            .bind(at)
            .bind(by)
            .execute(&self.pool)
            .await;
        match r {
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
            Ok(_) => Ok(true),
        }
    }

    /// The cases `ids` with all their events (those that exist, in id order): two
    /// queries for a scan's page of cases instead of two for each.
    pub async fn load_cases(&self, ids: &[&str]) -> sqlx::Result<Vec<StoredCase>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IN_CHUNK) {
            let marks = placeholders(chunk.len());
            let sql = format!(
                "SELECT id, policy, policy_hash, version, facts, token_hash FROM cases WHERE id IN ({marks}) ORDER BY id"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            let heads = q.fetch_all(&self.pool).await?;
            let sql = format!(
                "SELECT case_id, version, body FROM events WHERE case_id IN ({marks}) ORDER BY case_id, version"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            let mut events: HashMap<String, Vec<StoredEvent>> = HashMap::new();
            for r in q.fetch_all(&self.pool).await? {
                let event = StoredEvent { version: r.try_get("version")?, body: r.try_get("body")? };
                events.entry(r.try_get("case_id")?).or_default().push(event);
            }
            for row in heads {
                let id: String = row.try_get("id")?;
                let version: i64 = row.try_get("version")?;
                let mut evs = events.remove(&id).unwrap_or_default();
                // Events appended between the two queries belong to a later version.
                evs.retain(|e| e.version <= version);
                out.push(StoredCase {
                    policy: row.try_get("policy")?,
                    policy_hash: row.try_get("policy_hash")?,
                    version,
                    facts: row.try_get("facts")?,
                    token_hash: row.try_get("token_hash")?,
                    events: evs,
                    id,
                });
            }
        }
        Ok(out)
    }

    /// Which of `action_ids` are marked done: one query for a scan's page of actions.
    pub async fn done_among(&self, action_ids: &[&str]) -> sqlx::Result<std::collections::HashSet<String>> {
        let mut done = std::collections::HashSet::new();
        for chunk in action_ids.chunks(IN_CHUNK) {
            let sql = format!("SELECT action_id FROM actions_done WHERE action_id IN ({})", placeholders(chunk.len()));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                done.insert(row.try_get("action_id")?);
            }
        }
        Ok(done)
    }
}

/// The answer kept under an idempotency key, read through `e`.
async fn idempotent<'c, E: Executor<'c, Database = sqlx::Any>>(
    e: E,
    case_id: &str,
    key: &str,
) -> sqlx::Result<Option<Idem>> {
    let row = sqlx::query("SELECT status, body FROM idempotency WHERE case_id = $1 AND idem_key = $2")
        .bind(case_id)
        .bind(key)
        .fetch_optional(e)
        .await?;
    row.map(|r| {
        let status: i64 = r.try_get("status")?;
        Ok(Idem { status: u16::try_from(status).unwrap_or(200), body: r.try_get("body")? })
    })
    .transpose()
}

/// The statements of a case's opening in an open transaction: `false` when the id is
/// taken and nothing was written.
async fn open_statements(
    conn: &mut sqlx::AnyConnection,
    case: &StoredCase,
    stage: &str,
    at: &str,
    decision: &NewDecision<'_>,
    encoded: &Encoded,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO cases (id, policy, policy_hash, version, stage, facts, token_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $7)",
    )
    .bind(&case.id)
    .bind(&case.policy)
    .bind(&case.policy_hash)
    .bind(stage)
    .bind(&case.facts)
    .bind(&case.token_hash)
    .bind(at)
    .execute(&mut *conn)
    .await;
    match r {
        Err(e) if is_unique_violation(&e) => return Ok(false),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    insert_decision(conn, decision, encoded).await?;
    Ok(true)
}

/// An append on PostgreSQL as one statement: the version check moves the case, and only
/// then are the event, its decision and its webhook deliveries inserted (data-modifying
/// `WITH` parts run once, on one snapshot, whether the main part reads them or not; the
/// statement is atomic without a transaction around it). The deliveries come as one JSON
/// array, `$15`. (The version check also requires the policy version the event was judged
/// by, `$11`: a case a supervisor moved meanwhile is a lost race, judged again from the
/// database.)
const PG_APPEND: &str = "\
    WITH moved AS (UPDATE cases SET version = $1, stage = $2, updated_at = $3 WHERE id = $4 AND version = $5 AND policy_hash = $11 \
    RETURNING id), \
    event AS (INSERT INTO events (case_id, version, body, recorded_at) SELECT $4, $1, $6, $3 FROM moved RETURNING 1), \
    hooks AS (INSERT INTO webhook_outbox (id, url, event_type, payload, created_at, next_attempt_at, attempts, status) \
    SELECT d.id, d.url, d.event_type, d.payload, $3, $3, 0, 'pending' \
    FROM moved, json_to_recordset($15::json) AS d(id text, url text, event_type text, payload text) RETURNING 1) \
    INSERT INTO decision_log (decision_id, at, ref, case_id, event, codec, dict, body) \
    SELECT $7, $8, (SELECT ref FROM policy_refs WHERE hash = $11), $9, $10, $12, $13, $14 FROM event";

/// [`PG_APPEND`] that also keeps the answer under its idempotency key (`$16`–`$18`): a key
/// another request used first fails the whole statement.
const PG_APPEND_KEYED: &str = "\
    WITH moved AS (UPDATE cases SET version = $1, stage = $2, updated_at = $3 WHERE id = $4 AND version = $5 AND policy_hash = $11 \
    RETURNING id), \
    event AS (INSERT INTO events (case_id, version, body, recorded_at) SELECT $4, $1, $6, $3 FROM moved RETURNING 1), \
    hooks AS (INSERT INTO webhook_outbox (id, url, event_type, payload, created_at, next_attempt_at, attempts, status) \
    SELECT d.id, d.url, d.event_type, d.payload, $3, $3, 0, 'pending' \
    FROM moved, json_to_recordset($15::json) AS d(id text, url text, event_type text, payload text) RETURNING 1), \
    kept AS (INSERT INTO idempotency (case_id, idem_key, status, body) SELECT $4, $16, $17, $18 FROM moved RETURNING 1) \
    INSERT INTO decision_log (decision_id, at, ref, case_id, event, codec, dict, body) \
    SELECT $7, $8, (SELECT ref FROM policy_refs WHERE hash = $11), $9, $10, $12, $13, $14 FROM event";

/// After a lost race: the first answer when the key was used, else a conflict.
async fn after_conflict<'c, E: Executor<'c, Database = sqlx::Any>>(e: E, a: &Append<'_>) -> sqlx::Result<Appended> {
    if let Some((key, _)) = &a.idempotency
        && let Some(answer) = idempotent(e, a.case_id, key).await?
    {
        return Ok(Appended::Replayed(answer));
    }
    Ok(Appended::Conflict)
}

/// A query on any backend, with its arguments.
type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a log entry's eight fields, `$7`–`$14` of an append: its id, time, case and
/// event, the policy version's hash (`$11`, which the append's version check also reads),
/// its codec, dictionary and body.
fn bind_decision<'q>(q: AnyQuery<'q>, d: &NewDecision<'q>, e: &'q Encoded) -> AnyQuery<'q> {
    q.bind(d.decision_id)
        .bind(d.at)
        .bind(d.case_id)
        .bind(d.event)
        .bind(d.policy_hash)
        .bind(e.codec)
        .bind(e.dict)
        .bind(e.body.as_slice())
}

/// An append as one statement or one list of them ([`PG_APPEND`], SQLite's in
/// `writer.rs`) with its arguments: `$1`–`$6` the new version, stage, time, case, version
/// read and event body, `$7`–`$14` the log entry; on PostgreSQL `$15` the deliveries as a
/// JSON array; then with a key the key, the answer's status and its body (`$15`–`$17` on
/// SQLite, which writes the deliveries with a statement of its own).
fn append_query<'q>(sql: &'q str, a: &Append<'q>, e: &'q Encoded, deliveries: Option<String>) -> AnyQuery<'q> {
    let q = sqlx::query(sql)
        .bind(a.expected + 1)
        .bind(a.stage)
        .bind(a.recorded_at)
        .bind(a.case_id)
        .bind(a.expected)
        .bind(a.body);
    let q = bind_decision(q, &a.decision, e);
    let q = match deliveries {
        Some(json) => q.bind(json),
        None => q,
    };
    match a.idempotency {
        Some((key, answer)) => q.bind(key).bind(i64::from(answer.status)).bind(answer.body.as_str()),
        None => q,
    }
}

/// Deliveries as the JSON array the append statements read.
fn deliveries_json(deliveries: &[NewDelivery]) -> String {
    let rows: Vec<serde_json::Value> = deliveries
        .iter()
        .map(|d| serde_json::json!({"id": d.id, "url": d.url, "event_type": d.event_type, "payload": d.payload}))
        .collect();
    serde_json::Value::Array(rows).to_string()
}

async fn insert_decision(conn: &mut sqlx::AnyConnection, d: &NewDecision<'_>, e: &Encoded) -> sqlx::Result<()> {
    let sql = "INSERT INTO decision_log (decision_id, at, case_id, event, ref, codec, dict, body) \
               SELECT $1, $2, $3, $4, (SELECT ref FROM policy_refs WHERE hash = $5), $6, $7, $8";
    bind_decision(sqlx::query(sql), d, e).execute(conn).await?;
    Ok(())
}

/// `sqlite://path` with the file's folder created and `mode=rwc` so a first start
/// creates the file.
/// A pool of at most `max` connections; `durable` commits wait for the disk.
async fn connect(url: &str, backend: Backend, max: u32, durable: bool) -> sqlx::Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        // A file on this machine does not drop a connection: pinging SQLite before each
        // use doubled the hand-offs to its worker thread, which cost more than the
        // query. A PostgreSQL connection can die with its server, so it is checked.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                match backend {
                    Backend::Sqlite => {
                        // 8 KB pages (PostgreSQL's size), set before the file has any:
                        // a decision log entry is 2-3 KB, so a 4 KB page holds one and
                        // writes the rest empty, twice (WAL, then checkpoint). A file
                        // that exists keeps its size; the pragma is then a no-op.
                        conn.execute("PRAGMA page_size = 8192").await?;
                        // WAL lets readers run beside the writer; FULL makes each commit
                        // durable before it returns; writers wait for each other.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        let sync = if durable { "FULL" } else { "NORMAL" };
                        conn.execute(format!("PRAGMA synchronous = {sync}").as_str()).await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Backend::Postgres if !durable => {
                        conn.execute("SET synchronous_commit = off").await?;
                    }
                    Backend::Postgres => {}
                }
                Ok(())
            })
        })
        .connect(url)
        .await
}

/// A database URL fit to print: `postgres://user:secret@host/db` without `:secret`.
pub(crate) fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

fn sqlite_url(url: &str) -> Result<String, StartError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(StartError::Usage(
            "--db sqlite://: 需要一个文件路径（内存数据库会丢失数据）· needs a file path (an in-memory database loses everything)".into(),
        ));
    }
    if let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StartError::Database(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut query = query.to_owned();
    if !query.split('&').any(|p| p.starts_with("mode=")) {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{query}"))
}

/// A case for the store's tests: no events, a policy the database does not keep.
#[cfg(test)]
fn test_case(id: &str) -> StoredCase {
    StoredCase {
        id: id.into(),
        policy: "returns".into(),
        policy_hash: "h".into(),
        version: 0,
        facts: "{}".into(),
        token_hash: "t".into(),
        events: Vec::new(),
    }
}

#[cfg(test)]
mod tests {

    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test stops at the first surprise")]
    use super::*;

    #[test]
    fn a_database_url_is_printed_without_its_password() {
        assert_eq!(without_password("postgres://u:secret@h:5432/db"), "postgres://u@h:5432/db");
        assert_eq!(without_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(without_password("sqlite://data/t.db"), "sqlite://data/t.db");
    }

    async fn pragma(store: &Store, name: &str) -> i64 {
        let row = sqlx::query(&format!("PRAGMA {name}")).fetch_one(&store.pool).await.expect(name);
        row.try_get::<i64, _>(0).expect("a number")
    }

    /// Only the decision log's own connection, and only when no answer waits for its
    /// commits, may skip waiting for the disk.
    #[tokio::test]
    async fn the_log_connection_relaxes_only_what_it_may() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display())).await.expect("store");
        assert_eq!(pragma(&store, "synchronous").await, 2, "FULL for cases and events");
        let relaxed = store.for_log(false).await.expect("log connection");
        assert_eq!(pragma(&relaxed, "synchronous").await, 1, "NORMAL for the queued log");
        let durable = store.for_log(true).await.expect("log connection");
        assert_eq!(pragma(&durable, "synchronous").await, 2, "FULL with --durable-decisions");
        assert_eq!(pragma(&store, "synchronous").await, 2, "the shared pool is untouched");
        assert_eq!(pragma(&store, "page_size").await, 8192, "a new file has 8 KB pages");
    }

    /// A database written by an earlier version keeps its 4 KB pages and opens as before.
    #[tokio::test]
    async fn an_older_file_keeps_its_page_size() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
        let mut old = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.expect("connect");
        for sql in ["PRAGMA page_size = 4096", "PRAGMA journal_mode = WAL", "CREATE TABLE before (a TEXT)"] {
            sqlx::query(sql).execute(&mut old).await.expect(sql);
        }
        sqlx::Connection::close(old).await.expect("close");
        let store = Store::open(&url).await.expect("store");
        assert_eq!(pragma(&store, "page_size").await, 4096);
        assert!(store.ping().await);
        assert!(store.load_case("none", 0).await.expect("a query").is_none());
    }

    fn entry<'a>(decision_id: &'a str, case_id: Option<&'a str>) -> NewDecision<'a> {
        NewDecision {
            decision_id,
            at: "2026-12-02T00:00:00Z",
            policy: "returns",
            policy_version: None,
            policy_hash: "h",
            case_id,
            event: None,
            facts: "{}",
            result: "{}",
        }
    }

    fn append<'a>(id: &'a str, expected: i64, key: Option<(&'a str, &'a Idem)>, decision_id: &'a str) -> Append<'a> {
        Append {
            case_id: id,
            expected,
            body: "{}",
            stage: "review",
            recorded_at: "2026-12-02T00:00:01Z",
            idempotency: key,
            decision: entry(decision_id, Some(id)),
            deliveries: &[],
        }
    }

    /// The same appends on either backend: a used key answers the first answer and writes
    /// nothing more, a stale version writes nothing, the next version goes in.
    async fn appends_keep_their_promises(url: &str) {
        let store = Store::open(url).await.expect("store");
        let id = format!("S-{}", crate::ids::random_hex(6).expect("random"));
        let case = test_case(&id);
        let opened = format!("{id}-open");
        let open = entry(&opened, Some(&id));
        assert!(store.create_case(&case, "application", "2026-12-02T00:00:00Z", &open).await.expect("open"));
        assert!(!store.create_case(&case, "application", "2026-12-02T00:00:00Z", &open).await.expect("again"));
        let first = Idem { status: 200, body: "{\"n\":1}".into() };
        let second = Idem { status: 200, body: "{\"n\":2}".into() };
        let ids: Vec<String> = (0..4).map(|n| format!("{id}-{n}")).collect();
        let steps = [(0, Some(("k", &first))), (1, Some(("k", &second))), (0, None), (1, None)];
        let mut seen = Vec::new();
        for ((expected, key), decision_id) in steps.into_iter().zip(&ids) {
            seen.push(match store.append(&append(&id, expected, key, decision_id)).await.expect("append") {
                Appended::Done => "done".to_owned(),
                Appended::Conflict => "conflict".to_owned(),
                Appended::Replayed(answer) => answer.body,
            });
        }
        let version = store.case_version(&id).await.expect("version");
        let loaded = store.load_case(&id, 0).await.expect("load").expect("the case");
        let mut logged = Vec::new();
        for decision_id in &ids {
            let row = sqlx::query("SELECT COUNT(*) FROM decision_log WHERE decision_id = $1")
                .bind(decision_id.as_str())
                .fetch_one(&store.pool)
                .await
                .expect("count");
            logged.push(row.try_get::<i64, _>(0).expect("a number"));
        }
        // A scan's page reads the same case, and passes over an id no case has.
        let together = store.load_cases(&[id.as_str(), "no-such-case"]).await.expect("load together");
        assert_eq!(together, std::slice::from_ref(&loaded));
        // The case names no policy the server knows: it goes before the service's tests
        // share this database and list every case.
        for table in ["idempotency", "events"] {
            let sql = format!("DELETE FROM {table} WHERE case_id = $1");
            sqlx::query(&sql).bind(id.as_str()).execute(&store.pool).await.expect("clean up");
        }
        sqlx::query("DELETE FROM decision_log WHERE case_id = $1")
            .bind(id.as_str())
            .execute(&store.pool)
            .await
            .expect("clean up");
        sqlx::query("DELETE FROM cases WHERE id = $1").bind(id.as_str()).execute(&store.pool).await.expect("clean up");
        store.close().await;
        assert_eq!(seen, ["done", "{\"n\":1}", "conflict", "done"], "{url}");
        assert_eq!(version, Some(2));
        assert_eq!(loaded.events.iter().map(|e| e.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(logged, [1, 0, 0, 1], "only the events written are logged");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn appends_keep_their_promises_on_sqlite() {
        let dir = tempfile::tempdir().expect("temp dir");
        appends_keep_their_promises(&format!("sqlite://{}/t.db", dir.path().display())).await;
    }

    /// PostgreSQL writes an append as one statement: the same promises.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn appends_keep_their_promises_on_postgres() {
        match std::env::var("TENET_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) {
            Some(url) => appends_keep_their_promises(&url).await,
            None => assert!(
                std::env::var_os("CI").is_none_or(|v| v != "true"),
                "TENET_TEST_POSTGRES is not set under CI: .ci/run starts a PostgreSQL for these tests"
            ),
        }
    }

    /// Done marks are asked about a page at a time, in chunks the database takes.
    #[tokio::test]
    async fn done_marks_are_found_among_many() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display())).await.expect("store");
        let ids: Vec<String> = (0..1200).map(|i| format!("a-{i:04}")).collect();
        for marked in ["a-0003", "a-0700", "a-1199"] {
            assert!(store.action_done(marked, "2026-12-02T00:00:00Z", "amy").await.expect("mark"));
        }
        assert!(!store.action_done("a-0003", "2026-12-02T00:00:01Z", "amy").await.expect("again"), "marked once");
        let asked: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut done: Vec<String> = store.done_among(&asked).await.expect("query").into_iter().collect();
        done.sort();
        assert_eq!(done, ["a-0003", "a-0700", "a-1199"]);
        assert!(store.done_among(&[]).await.expect("nothing asked").is_empty());
    }
}
