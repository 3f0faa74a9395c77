//! The decision log's writer: evaluations arrive one by one from many requests. One writer
//! task gathers whatever entries are waiting into one transaction (group commit), so 32
//! concurrent requests share a commit instead of queueing for 32. A request either waits
//! for its entry's commit ([`DecisionLog::write`]) or only for a place in the queue
//! ([`DecisionLog::submit`]); shutdown flushes the queue before the database closes.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::{Backend, NewDecision, Store};

/// An entry to log (none for a flush), with the channel told once it is committed.
type Job = (Option<Entry>, Option<oneshot::Sender<Result<(), String>>>);

/// [`NewDecision`] with owned fields, to cross to the writer task.
#[derive(Clone, Debug)]
pub struct Entry {
    decision_id: String,
    at: String,
    policy: String,
    policy_version: Option<String>,
    policy_hash: String,
    facts: String,
    result: String,
}

impl Entry {
    /// Copies an entry of an evaluation (no case, no event).
    pub fn of(d: &NewDecision<'_>) -> Entry {
        Entry {
            decision_id: d.decision_id.to_owned(),
            at: d.at.to_owned(),
            policy: d.policy.to_owned(),
            policy_version: d.policy_version.map(str::to_owned),
            policy_hash: d.policy_hash.to_owned(),
            facts: d.facts.to_owned(),
            result: d.result.to_owned(),
        }
    }
}

/// Most entries in one commit.
const BATCH: usize = 256;

/// The handle requests log through.
#[derive(Clone, Debug)]
pub struct DecisionLog {
    jobs: mpsc::Sender<Job>,
}

impl DecisionLog {
    /// Starts the writer task on the current runtime, with a connection of its own;
    /// `durable` when every entry is answered only once committed (see
    /// [`Store::for_log`]).
    pub fn start(store: Store, durable: bool) -> DecisionLog {
        let (jobs, rx) = mpsc::channel::<Job>(4 * BATCH);
        tokio::spawn(async move {
            let store = match store.for_log(durable).await {
                Ok(own) => own,
                Err(e) => {
                    // The shared pool commits durably: slower, never weaker.
                    eprintln!("tenet serve: the decision log shares the pool ({e})");
                    store
                }
            };
            write_loop(store, rx).await;
        });
        DecisionLog { jobs }
    }

    /// Logs an entry; returns once it is committed.
    pub async fn write(&self, entry: Entry) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.jobs.send((Some(entry), Some(done))).await.map_err(|_| STOPPED.to_owned())?;
        wait.await.map_err(|_| STOPPED.to_owned())?
    }

    /// Queues an entry for the next commit and returns at once; waits only while the
    /// queue is full, so a slow disk slows requests down instead of losing entries.
    pub async fn submit(&self, entry: Entry) -> Result<(), String> {
        self.jobs.send((Some(entry), None)).await.map_err(|_| STOPPED.to_owned())
    }

    /// Returns once every entry queued before it is committed.
    pub async fn flush(&self) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.jobs.send((None, Some(done))).await.map_err(|_| STOPPED.to_owned())?;
        wait.await.map_err(|_| STOPPED.to_owned())?
    }
}

const STOPPED: &str = "the decision log writer has stopped";

/// How long a commit waits for more entries when nobody waits for it: a transaction
/// costs far more than a row, and under load a commit of a few rows each would spend the
/// writer's time on transactions. The writer sleeps through the wait rather than waking
/// for each entry that arrives.
const LINGER: Duration = Duration::from_millis(20);

/// Takes what is queued, up to `BATCH` jobs in all; true when one of them has a
/// request waiting for its commit.
fn drain(rx: &mut mpsc::Receiver<Job>, batch: &mut Vec<Job>) -> bool {
    while batch.len() < BATCH {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    batch.iter().any(|(_, done)| done.is_some())
}

async fn write_loop(store: Store, mut rx: mpsc::Receiver<Job>) {
    let inserts = inserts(store.backend);
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        let deadline = Instant::now() + LINGER;
        batch.push(first);
        let waited_for = drain(&mut rx, &mut batch);
        if !waited_for && batch.len() < BATCH {
            tokio::time::sleep_until(deadline).await;
            drain(&mut rx, &mut batch);
        }
        let result = commit(&store, &inserts, &batch).await.map_err(|e| e.to_string());
        if let Err(e) = &result {
            eprintln!("tenet serve: {} decision log entries not written: {e}", batch.len());
        }
        for (_, done) in batch.drain(..) {
            if let Some(done) = done {
                let _ = done.send(result.clone());
            }
        }
    }
}

/// Rows per INSERT statement: one statement for many entries instead of one each.
const ROWS: usize = 64;

/// The INSERT of `n` rows, for `n` from 1 to [`ROWS`], written once per writer.
fn inserts(backend: Backend) -> Vec<String> {
    (1..=ROWS)
        .map(|n| {
            let rows: Vec<String> = (0..n)
                .map(|i| {
                    // SQLite binds `?` by position; naming each parameter (`$n`) makes the
                    // driver look every name up, which costs more than the insert for long
                    // statements. An evaluation has no case and no event.
                    let p = |k: usize| match backend {
                        Backend::Sqlite => "?".to_owned(),
                        Backend::Postgres => format!("${}", i * 7 + k),
                    };
                    format!("({}, {}, {}, {}, {}, NULL, NULL, {}, {})", p(1), p(2), p(3), p(4), p(5), p(6), p(7))
                })
                .collect();
            format!(
                "INSERT INTO decisions (decision_id, at, policy, policy_version, policy_hash, case_id, event, facts, result) VALUES {}",
                rows.join(", ")
            )
        })
        .collect()
}

async fn commit(store: &Store, inserts: &[String], batch: &[Job]) -> sqlx::Result<()> {
    let entries: Vec<&Entry> = batch.iter().filter_map(|(e, _)| e.as_ref()).collect();
    if entries.is_empty() {
        return Ok(());
    }
    let mut tx = store.pool.begin().await?;
    for chunk in entries.chunks(ROWS) {
        let Some(sql) = inserts.get(chunk.len().saturating_sub(1)) else { continue };
        let mut q = sqlx::query(sql);
        for e in chunk {
            q = q
                .bind(e.decision_id.as_str())
                .bind(e.at.as_str())
                .bind(e.policy.as_str())
                .bind(e.policy_version.as_deref())
                .bind(e.policy_hash.as_str())
                .bind(e.facts.as_str())
                .bind(e.result.as_str());
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await
}
