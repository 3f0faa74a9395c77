//! Group commit of durable writes on SQLite: event appends and case openings. SQLite has
//! one writer at a time, and each of its durable commits waits for the disk, so appends
//! to 32 cases committed one by one spend their time waiting for 32 flushes. One writer
//! task takes every write that is waiting, runs them in one transaction and commits them
//! together: one flush for all of them, and each request answered only after that
//! commit. A write that loses its race writes nothing (the case's version is checked
//! first, a taken id fails the first insert), except an append whose idempotency key
//! another request used: that one runs in a savepoint and undoes only its own rows. An
//! error halfway through any other write stops the batch, and every request in it is
//! answered with the error. Each statement is a hand-off to SQLite's worker thread, the
//! largest cost of an append, so none is spent where it cannot matter. PostgreSQL needs
//! none of this: its commits from many connections already share a flush.

use tokio::sync::{mpsc, oneshot};

use super::{Append, Appended, Encoded, Idem, NewDecision, NewDelivery, StoredCase};

/// Most writes in one commit.
const BATCH: usize = 64;

/// A decision log entry with owned fields.
#[derive(Debug)]
struct OwnedDecision {
    texts: [String; 6],
    policy_version: Option<String>,
    case_id: Option<String>,
    event: Option<String>,
}

impl OwnedDecision {
    fn of(d: &NewDecision<'_>) -> OwnedDecision {
        OwnedDecision {
            texts: [d.decision_id, d.at, d.policy, d.policy_hash, d.facts, d.result].map(str::to_owned),
            policy_version: d.policy_version.map(str::to_owned),
            case_id: d.case_id.map(str::to_owned),
            event: d.event.map(str::to_owned),
        }
    }

    fn borrow(&self) -> NewDecision<'_> {
        let [decision_id, at, policy, policy_hash, facts, result] = &self.texts;
        NewDecision {
            decision_id,
            at,
            policy,
            policy_version: self.policy_version.as_deref(),
            policy_hash,
            case_id: self.case_id.as_deref(),
            event: self.event.as_deref(),
            facts,
            result,
        }
    }
}

/// An append with owned fields.
#[derive(Debug)]
struct OwnedAppend {
    case_id: String,
    expected: i64,
    texts: [String; 3],
    idempotency: Option<(String, Idem)>,
    decision: OwnedDecision,
    deliveries: Vec<NewDelivery>,
    encoded: Encoded,
}

impl OwnedAppend {
    fn of(a: &Append<'_>, encoded: Encoded) -> OwnedAppend {
        OwnedAppend {
            encoded,
            case_id: a.case_id.to_owned(),
            expected: a.expected,
            texts: [a.body, a.stage, a.recorded_at].map(str::to_owned),
            idempotency: a.idempotency.map(|(k, answer)| (k.to_owned(), answer.clone())),
            decision: OwnedDecision::of(&a.decision),
            deliveries: a.deliveries.to_vec(),
        }
    }

    fn borrow(&self) -> Append<'_> {
        let [body, stage, recorded_at] = &self.texts;
        Append {
            case_id: &self.case_id,
            expected: self.expected,
            body,
            stage,
            recorded_at,
            idempotency: self.idempotency.as_ref().map(|(k, answer)| (k.as_str(), answer)),
            decision: self.decision.borrow(),
            deliveries: &self.deliveries,
        }
    }
}

/// A case to open with owned fields: the case, its stage, when, its opening decision.
#[derive(Debug)]
struct OwnedOpen {
    case: StoredCase,
    stage: String,
    at: String,
    decision: OwnedDecision,
    encoded: Encoded,
}

/// A write for the writer task.
enum Write {
    Append(Box<OwnedAppend>),
    Open(Box<OwnedOpen>),
}

/// What one write did.
enum Done {
    Appended(Appended),
    Opened(bool),
}

/// A write and who waits for what it did.
type Job = (Write, oneshot::Sender<sqlx::Result<Done>>);

/// The handle requests write through.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
    pool: sqlx::AnyPool,
}

fn stopped() -> sqlx::Error {
    sqlx::Error::PoolClosed
}

/// An answer that does not fit its question: each answer is made from its own write, so
/// this is a bug, reported rather than trusted.
fn mismatched() -> sqlx::Error {
    sqlx::Error::Protocol("the writer answered a different kind of write".into())
}

impl Writer {
    /// Starts the writer task on the current runtime; it writes through `pool` (one
    /// connection, durable commits) and stops when every handle is gone.
    pub(super) fn start(pool: sqlx::AnyPool) -> Writer {
        let (jobs, rx) = mpsc::channel::<Job>(4 * BATCH);
        tokio::spawn(write_loop(pool.clone(), rx));
        Writer { jobs, pool }
    }

    /// Closes the writer's connection once its commit in progress is done; writes after
    /// that fail.
    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    /// Appends, returning once the append is committed (or lost its race).
    pub(super) async fn append(&self, a: &Append<'_>, encoded: Encoded) -> sqlx::Result<Appended> {
        match self.write(Write::Append(Box::new(OwnedAppend::of(a, encoded)))).await? {
            Done::Appended(appended) => Ok(appended),
            Done::Opened(_) => Err(mismatched()),
        }
    }

    /// Opens a case, returning once it is committed; `false` when the id is taken.
    pub(super) async fn open(
        &self,
        case: &StoredCase,
        stage: &str,
        at: &str,
        decision: &NewDecision<'_>,
        encoded: Encoded,
    ) -> sqlx::Result<bool> {
        let open = OwnedOpen {
            case: case.clone(),
            stage: stage.to_owned(),
            at: at.to_owned(),
            decision: OwnedDecision::of(decision),
            encoded,
        };
        match self.write(Write::Open(Box::new(open))).await? {
            Done::Opened(opened) => Ok(opened),
            Done::Appended(_) => Err(mismatched()),
        }
    }

    async fn write(&self, write: Write) -> sqlx::Result<Done> {
        let (done, wait) = oneshot::channel();
        self.jobs.send((write, done)).await.map_err(|_| stopped())?;
        wait.await.map_err(|_| stopped())?
    }
}

async fn write_loop(pool: sqlx::AnyPool, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    // No waiting for company: writes that arrive while a commit waits for the disk form
    // the next batch by themselves.
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match commit(&pool, &batch).await {
            Ok(results) => {
                for ((_, tell), result) in batch.drain(..).zip(results) {
                    let _ = tell.send(result);
                }
            }
            Err(e) => {
                let message = e.to_string();
                for (_, tell) in batch.drain(..) {
                    let _ = tell.send(Err(sqlx::Error::Io(std::io::Error::other(message.clone()))));
                }
            }
        }
    }
}

/// One transaction for the whole batch; the result of each write.
/// The transaction takes the write lock as it begins (`BEGIN IMMEDIATE`): a deferred one
/// could find another connection's commit in its way halfway through and have to give up.
async fn commit(pool: &sqlx::AnyPool, batch: &[Job]) -> sqlx::Result<Vec<sqlx::Result<Done>>> {
    let mut conn = pool.acquire().await?;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let written = writes_in(&mut conn, batch).await;
    let committed = match written {
        Ok(results) => sqlx::query("COMMIT").execute(&mut *conn).await.map(|_| results),
        Err(e) => Err(e),
    };
    if committed.is_err() && sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
        // A connection whose transaction cannot be ended is not given back to the pool.
        let _ = conn.close().await;
    }
    committed
}

async fn writes_in(conn: &mut sqlx::AnyConnection, batch: &[Job]) -> sqlx::Result<Vec<sqlx::Result<Done>>> {
    let mut results = Vec::with_capacity(batch.len());
    for (write, _) in batch {
        let done = match write {
            Write::Append(owned) if owned.idempotency.is_some() => {
                keyed_append(conn, &owned.borrow(), &owned.encoded).await?
            }
            Write::Append(owned) => {
                let a = owned.borrow();
                match sqlite_append(conn, &a, &owned.encoded).await {
                    Ok(true) => Ok(Done::Appended(Appended::Done)),
                    Ok(false) => Ok(Done::Appended(Appended::Conflict)),
                    // The case row said version n, yet event n + 1 exists: the batch is
                    // not trusted, nothing of it is kept.
                    Err(e) if super::is_unique_violation(&e) => {
                        return Err(sqlx::Error::Protocol(format!(
                            "case {} has an event {} its version does not count",
                            a.case_id,
                            a.expected + 1
                        )));
                    }
                    Err(e) => return Err(e),
                }
            }
            Write::Open(open) => {
                let d = open.decision.borrow();
                // A taken id writes nothing; an error halfway stops the whole batch.
                Ok(Done::Opened(
                    super::open_statements(conn, &open.case, &open.stage, &open.at, &d, &open.encoded).await?,
                ))
            }
        };
        results.push(done);
    }
    Ok(results)
}

/// An append as one list of statements (its version check also requires the policy
/// version the event was judged by, `$11`) — one hand-off to SQLite's worker thread instead
/// of one a statement: the event and its decision are inserted only when the version check
/// moved the case (`changes()` counts the statement before).
const SQLITE_APPEND: &str = "\
    UPDATE cases SET version = $1, stage = $2, updated_at = $3 WHERE id = $4 AND version = $5 AND policy_hash = $11; \
    INSERT INTO events (case_id, version, body, recorded_at) SELECT $4, $1, $6, $3 WHERE changes() = 1; \
    INSERT INTO decision_log (decision_id, at, ref, case_id, event, codec, dict, body) \
    SELECT $7, $8, (SELECT ref FROM policy_refs WHERE hash = $11), $9, $10, $12, $13, $14 WHERE changes() = 1";

/// [`SQLITE_APPEND`] that also keeps the answer under its idempotency key; a key another
/// request used first fails the last statement, after the others wrote.
const SQLITE_APPEND_KEYED: &str = "\
    UPDATE cases SET version = $1, stage = $2, updated_at = $3 WHERE id = $4 AND version = $5 AND policy_hash = $11; \
    INSERT INTO events (case_id, version, body, recorded_at) SELECT $4, $1, $6, $3 WHERE changes() = 1; \
    INSERT INTO decision_log (decision_id, at, ref, case_id, event, codec, dict, body) \
    SELECT $7, $8, (SELECT ref FROM policy_refs WHERE hash = $11), $9, $10, $12, $13, $14 WHERE changes() = 1; \
    INSERT INTO idempotency (case_id, idem_key, status, body) SELECT $4, $15, $16, $17 WHERE changes() = 1";

/// Runs an append's statements: `true` when every row was written, `false` when none was
/// (the case had moved on); a row someone else took is the database's error. The event's
/// webhook deliveries follow in one more statement, only when it has any.
async fn sqlite_append(conn: &mut sqlx::AnyConnection, a: &Append<'_>, e: &Encoded) -> sqlx::Result<bool> {
    let (sql, rows) = if a.idempotency.is_some() { (SQLITE_APPEND_KEYED, 4) } else { (SQLITE_APPEND, 3) };
    match super::append_query(sql, a, e, None).execute(&mut *conn).await?.rows_affected() {
        0 => return Ok(false),
        n if n == rows => {}
        n => return Err(sqlx::Error::Protocol(format!("an append wrote {n} rows of {rows}"))),
    }
    if !a.deliveries.is_empty() {
        sqlx::query(SQLITE_DELIVERIES)
            .bind(super::deliveries_json(a.deliveries))
            .bind(a.recorded_at)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// An event's webhook deliveries, from the JSON array `$1`, due at once (`$2`).
const SQLITE_DELIVERIES: &str = "\
    INSERT INTO webhook_outbox (id, url, event_type, payload, created_at, next_attempt_at, attempts, status) \
    SELECT json_extract(value, '$.id'), json_extract(value, '$.url'), json_extract(value, '$.event_type'), \
    json_extract(value, '$.payload'), $2, $2, 0, 'pending' FROM json_each($1)";

/// An append with an idempotency key, in a savepoint of its own: the key is written after
/// the event, so a key another request used first undoes the event.
async fn keyed_append(conn: &mut sqlx::AnyConnection, a: &Append<'_>, e: &Encoded) -> sqlx::Result<sqlx::Result<Done>> {
    sqlx::query("SAVEPOINT tenet_write").execute(&mut *conn).await?;
    let result = match sqlite_append(conn, a, e).await {
        Ok(true) => Ok(Done::Appended(Appended::Done)),
        Ok(false) => super::after_conflict(&mut *conn, a).await.map(Done::Appended),
        Err(e) => {
            sqlx::query("ROLLBACK TO tenet_write").execute(&mut *conn).await?;
            if super::is_unique_violation(&e) {
                super::after_conflict(&mut *conn, a).await.map(Done::Appended)
            } else {
                Err(e)
            }
        }
    };
    sqlx::query("RELEASE tenet_write").execute(&mut *conn).await?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        reason = "a test stops at the first surprise"
    )]
    use sqlx::Row;

    use super::super::{Append, Appended, Idem, NewDecision, Store, test_case};

    fn decision<'a>(id: &'a str, case_id: &'a str) -> NewDecision<'a> {
        NewDecision {
            decision_id: id,
            at: "2026-12-02T00:00:00Z",
            policy: "returns",
            policy_version: None,
            policy_hash: "h",
            case_id: Some(case_id),
            event: Some("refund_update"),
            facts: "{}",
            result: "{}",
        }
    }

    /// Opens case `id` with opening decision `decision_id`; whether it was new.
    async fn open_case(store: &Store, id: &str, decision_id: &str) -> bool {
        let case = test_case(id);
        store.create_case(&case, "application", "2026-12-02T00:00:00Z", &decision(decision_id, id)).await.unwrap()
    }

    fn append<'a>(
        case_id: &'a str,
        expected: i64,
        key: Option<(&'a str, &'a Idem)>,
        decision_id: &'a str,
    ) -> Append<'a> {
        Append {
            case_id,
            expected,
            body: "{\"event\":\"refund_update\"}",
            stage: "refund",
            recorded_at: "2026-12-02T00:00:01Z",
            idempotency: key,
            decision: decision(decision_id, case_id),
            deliveries: &[],
        }
    }

    async fn count(store: &Store, sql: &str, arg: &str) -> i64 {
        sqlx::query(sql).bind(arg).fetch_one(&store.pool).await.unwrap().try_get::<i64, _>(0).unwrap()
    }

    /// Writes committed together keep their own outcomes: a lost race, a used key or a
    /// taken case id in the middle of a batch undoes only its own statements.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_commit_many_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display())).await.unwrap();
        for id in ["A", "B", "C", "D"] {
            assert!(open_case(&store, id, &format!("open-{id}")).await);
        }
        let first = Idem { status: 200, body: "{\"first\":\"c-1\"}".into() };
        let again = Idem { status: 200, body: "{\"first\":\"c-2\"}".into() };
        assert!(matches!(store.append(&append("C", 0, Some(("k", &first)), "c-1")).await.unwrap(), Appended::Done));
        // Another connection holds the write lock: the writer takes G alone and waits for
        // it, and the writes below queue up behind and are committed together.
        assert!(open_case(&store, "G", "open-G").await);
        let mut blocker = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *blocker).await.unwrap();
        let alone = {
            let store = store.clone();
            tokio::spawn(async move { store.append(&append("G", 0, None, "g-1")).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let jobs = [("A", 0, false, "a-1"), ("B", 5, false, "b-6"), ("C", 1, true, "c-2"), ("D", 0, false, "d-1")];
        let tasks: Vec<_> = jobs
            .into_iter()
            .map(|(case, expected, keyed, id)| {
                let (store, again) = (store.clone(), again.clone());
                tokio::spawn(async move {
                    let key = keyed.then_some(("k", &again));
                    store.append(&append(case, expected, key, id)).await
                })
            })
            .collect();
        let opens: Vec<_> = [("E", "open-E"), ("A", "open-A-again")]
            .into_iter()
            .map(|(id, decision_id)| {
                let store = store.clone();
                tokio::spawn(async move { open_case(&store, id, decision_id).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        sqlx::query("COMMIT").execute(&mut *blocker).await.unwrap();
        drop(blocker);
        assert!(matches!(alone.await.unwrap().unwrap(), Appended::Done));
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(match t.await.unwrap().unwrap() {
                Appended::Done => "done".to_owned(),
                Appended::Conflict => "conflict".to_owned(),
                Appended::Replayed(answer) => answer.body,
            });
        }
        assert_eq!(outcomes, ["done", "conflict", "{\"first\":\"c-1\"}", "done"]);
        let mut opened = Vec::new();
        for t in opens {
            opened.push(t.await.unwrap());
        }
        assert_eq!(opened, [true, false], "E is new, A was taken");
        let version = "SELECT version FROM cases WHERE id = $1";
        let events = "SELECT COUNT(*) FROM events WHERE case_id = $1";
        for (case, v) in [("A", 1), ("B", 0), ("C", 1), ("D", 1), ("E", 0)] {
            assert_eq!(count(&store, version, case).await, v, "{case}");
            assert_eq!(count(&store, events, case).await, v, "{case}");
        }
        let logged = "SELECT COUNT(*) FROM decision_log WHERE decision_id = $1";
        for (id, n) in [("a-1", 1), ("b-6", 0), ("c-1", 1), ("c-2", 0), ("d-1", 1), ("open-E", 1), ("open-A-again", 0)]
        {
            assert_eq!(count(&store, logged, id).await, n, "{id}");
        }
        store.close().await;
        let after = store.append(&append("A", 1, None, "a-2")).await;
        assert!(after.is_err(), "a closed store appends nothing");
    }

    /// A case whose events and version disagree (written by hand, not by tenet) stops the
    /// batch it is in: every write of it fails and none is kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_with_a_broken_case_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display())).await.unwrap();
        for id in ["A", "F", "X"] {
            assert!(open_case(&store, id, &format!("open-{id}")).await);
        }
        sqlx::query("INSERT INTO events (case_id, version, body, recorded_at) VALUES ('X', 1, '{}', 'then')")
            .execute(&store.pool)
            .await
            .unwrap();
        let mut blocker = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *blocker).await.unwrap();
        // The writer takes F alone and waits for the lock; A and X queue behind it and
        // are taken together.
        let first = {
            let store = store.clone();
            tokio::spawn(async move { store.append(&append("F", 0, None, "f-1")).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let tasks: Vec<_> = [("A", "a-1"), ("X", "x-1")]
            .into_iter()
            .map(|(case, id)| {
                let store = store.clone();
                tokio::spawn(async move { store.append(&append(case, 0, None, id)).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        sqlx::query("COMMIT").execute(&mut *blocker).await.unwrap();
        drop(blocker);
        assert!(matches!(first.await.unwrap().unwrap(), Appended::Done));
        for t in tasks {
            let err = t.await.unwrap().expect_err("the batch failed");
            assert!(err.to_string().contains("case X has an event 1"), "{err}");
        }
        let version = "SELECT version FROM cases WHERE id = $1";
        assert_eq!(count(&store, version, "A").await, 0, "A's append went with the batch");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM decision_log WHERE decision_id = $1", "a-1").await, 0);
        // The next batch, without the broken case, goes through.
        assert!(matches!(store.append(&append("A", 0, None, "a-2")).await.unwrap(), Appended::Done));
    }
}
