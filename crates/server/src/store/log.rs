//! The decision log's writer: evaluations arrive one by one from many requests. One writer
//! task gathers whatever entries are waiting into one transaction (group commit), so 32
//! concurrent requests share a commit instead of queueing for 32. A request either waits
//! for its entry's commit ([`DecisionLog::write`]) or only for a place in the queue
//! ([`DecisionLog::submit`]); shutdown flushes the queue before the database closes.
//!
//! Nothing queued is dropped: a commit that fails (the database is away) is retried, the
//! same entries, until it succeeds — the insert skips an entry already written, so a
//! commit whose answer was lost is not doubled. Meanwhile the queue is bounded
//! ([`QUEUE`] entries): when it is full a request waits for room (back-pressure, the
//! default) or, with `refuse_when_full`, is refused (`503`) before it is answered.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::{Backend, Encoded, NewDecision, Store};

/// An entry to log (none for a flush), with the channel told once it is committed.
type Job = (Option<Entry>, Option<oneshot::Sender<()>>);

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
    fn borrow(&self) -> NewDecision<'_> {
        NewDecision {
            decision_id: &self.decision_id,
            at: &self.at,
            policy: &self.policy,
            policy_version: self.policy_version.as_deref(),
            policy_hash: &self.policy_hash,
            case_id: None,
            event: None,
            facts: &self.facts,
            result: &self.result,
        }
    }

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

/// Most entries waiting for a commit: the bounded buffer an outage fills.
pub const QUEUE: usize = 4 * BATCH;

/// The handle requests log through.
#[derive(Clone, Debug)]
pub struct DecisionLog {
    jobs: mpsc::Sender<Job>,
    state: Arc<LogState>,
}

/// How the writer is doing, for `/readyz` and `/metrics`.
#[derive(Debug, Default)]
pub struct LogState {
    /// False from a failed commit until a commit succeeds again.
    failing: AtomicBool,
    /// Commits tried again after a failure.
    retried: AtomicU64,
    /// Entries refused because the queue was full (`refuse_when_full`).
    refused: AtomicU64,
    /// Refuse instead of waiting when the queue is full.
    refuse_when_full: bool,
}

/// Why an entry was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The queue is full and the server refuses rather than waits.
    #[error("the decision log's queue is full ({QUEUE} entries) while the database cannot be written")]
    Full,
    /// The writer has stopped (the server is shutting down).
    #[error("the decision log writer has stopped")]
    Stopped,
}

impl DecisionLog {
    /// Starts the writer task on the current runtime, with a connection of its own;
    /// `durable` when every entry is answered only once committed (see
    /// [`Store::for_log`]); `refuse_when_full` to refuse entries while the queue is full
    /// instead of waiting for room.
    pub fn start(store: Store, durable: bool, refuse_when_full: bool) -> DecisionLog {
        let (jobs, rx) = mpsc::channel::<Job>(QUEUE);
        let state = Arc::new(LogState { refuse_when_full, ..LogState::default() });
        let writer_state = Arc::clone(&state);
        tokio::spawn(async move {
            let store = match store.for_log(durable).await {
                Ok(own) => own,
                Err(e) => {
                    // The shared pool commits durably: slower, never weaker.
                    eprintln!("tenet serve: the decision log shares the pool ({e})");
                    store
                }
            };
            write_loop(store, rx, &writer_state).await;
        });
        DecisionLog { jobs, state }
    }

    /// Logs an entry; returns once it is committed (however long the database is away).
    pub async fn write(&self, entry: Entry) -> Result<(), LogError> {
        let (done, wait) = oneshot::channel();
        self.enqueue((Some(entry), Some(done))).await?;
        wait.await.map_err(|_| LogError::Stopped)
    }

    /// Queues an entry for the next commit and returns at once; while the queue is full
    /// it waits for room, or is refused with `refuse_when_full`.
    pub async fn submit(&self, entry: Entry) -> Result<(), LogError> {
        self.enqueue((Some(entry), None)).await
    }

    async fn enqueue(&self, job: Job) -> Result<(), LogError> {
        if self.state.refuse_when_full {
            return self.jobs.try_send(job).map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => {
                    self.state.refused.fetch_add(1, Ordering::Relaxed);
                    LogError::Full
                }
                mpsc::error::TrySendError::Closed(_) => LogError::Stopped,
            });
        }
        self.jobs.send(job).await.map_err(|_| LogError::Stopped)
    }

    /// Returns once every entry queued before it is committed.
    pub async fn flush(&self) -> Result<(), LogError> {
        let (done, wait) = oneshot::channel();
        self.jobs.send((None, Some(done))).await.map_err(|_| LogError::Stopped)?;
        wait.await.map_err(|_| LogError::Stopped)
    }

    /// True while the last commit failed: entries wait in the queue for the database.
    pub fn failing(&self) -> bool {
        self.state.failing.load(Ordering::Relaxed)
    }

    /// Entries waiting for a commit now.
    pub fn queued(&self) -> usize {
        self.jobs.max_capacity().saturating_sub(self.jobs.capacity())
    }

    /// Commits tried again after a failure, since the start.
    pub fn retried(&self) -> u64 {
        self.state.retried.load(Ordering::Relaxed)
    }

    /// Entries refused because the queue was full, since the start.
    pub fn refused(&self) -> u64 {
        self.state.refused.load(Ordering::Relaxed)
    }
}

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

/// The first wait before a failed commit is tried again, and the longest.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MOST: Duration = Duration::from_secs(2);

async fn write_loop(store: Store, mut rx: mpsc::Receiver<Job>, state: &LogState) {
    let inserts = inserts(store.backend);
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    let (mut samples, mut trained) = (Vec::new(), false);
    while let Some(first) = rx.recv().await {
        let deadline = Instant::now() + LINGER;
        batch.push(first);
        let waited_for = drain(&mut rx, &mut batch);
        if !waited_for && batch.len() < BATCH {
            tokio::time::sleep_until(deadline).await;
            drain(&mut rx, &mut batch);
        }
        // Until a dictionary is kept, entries are sampled to train one (once enough are).
        let sampling = store.codec.dict().is_none() && !trained;
        if sampling && samples.len() >= super::codec::TRAIN_AFTER {
            train(&store, std::mem::take(&mut samples));
            trained = true;
        }
        // The same entries until they are in: nothing queued is ever dropped.
        let mut pause = RETRY_FIRST;
        while let Err(e) = commit(&store, &inserts, &batch, sampling.then_some(&mut samples)).await {
            if !state.failing.swap(true, Ordering::Relaxed) {
                let why = crate::error::with_causes(&e);
                eprintln!("tenet serve: {} decision log entries wait for the database: {why}", batch.len());
            }
            state.retried.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(RETRY_MOST);
        }
        if state.failing.swap(false, Ordering::Relaxed) {
            eprintln!("tenet serve: the decision log is written again");
        }
        for (_, done) in batch.drain(..) {
            if let Some(done) = done {
                let _ = done.send(());
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
                        Backend::Postgres => format!("${}", i * 6 + k),
                    };
                    format!(
                        "({}, {}, (SELECT ref FROM policy_refs WHERE hash = {}), NULL, NULL, {}, {}, {})",
                        p(1),
                        p(2),
                        p(3),
                        p(4),
                        p(5),
                        p(6)
                    )
                })
                .collect();
            // A retried commit may find an entry its lost answer had written.
            format!(
                "INSERT INTO decision_log (decision_id, at, ref, case_id, event, codec, dict, body) VALUES {} \
                 ON CONFLICT (decision_id) DO NOTHING",
                rows.join(", ")
            )
        })
        .collect()
}

/// The entries of a batch as the database keeps them; with `samples`, their plaintexts
/// are kept for training a dictionary.
fn encode(store: &Store, entries: &[&Entry], samples: Option<&mut Vec<Vec<u8>>>) -> sqlx::Result<Vec<Encoded>> {
    if let Some(samples) = samples {
        samples.extend(entries.iter().map(|e| super::codec::plaintext(&e.facts, &e.result)));
    }
    entries.iter().map(|e| store.encode(&e.borrow())).collect()
}

async fn commit(
    store: &Store,
    inserts: &[String],
    batch: &[Job],
    samples: Option<&mut Vec<Vec<u8>>>,
) -> sqlx::Result<()> {
    let entries: Vec<&Entry> = batch.iter().filter_map(|(e, _)| e.as_ref()).collect();
    if entries.is_empty() {
        return Ok(());
    }
    for e in &entries {
        store.ensure_ref(&e.borrow()).await?;
    }
    let encoded = encode(store, &entries, samples)?;
    let mut tx = store.pool.begin().await?;
    for (chunk, codes) in entries.chunks(ROWS).zip(encoded.chunks(ROWS)) {
        let Some(sql) = inserts.get(chunk.len().saturating_sub(1)) else { continue };
        let mut q = sqlx::query(sql);
        for (e, c) in chunk.iter().zip(codes) {
            q = q
                .bind(e.decision_id.as_str())
                .bind(e.at.as_str())
                .bind(e.policy_hash.as_str())
                .bind(c.codec)
                .bind(c.dict)
                .bind(c.body.as_slice());
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// Trains a dictionary on `samples` off the writer's task and keeps it: entries written
/// after it is kept use it.
fn train(store: &Store, samples: Vec<Vec<u8>>) {
    let store = store.clone();
    tokio::spawn(async move {
        let trained = tokio::task::spawn_blocking(move || super::codec::train(&samples)).await;
        let at = crate::clock::stamp(crate::clock::now());
        match trained {
            Ok(Ok(dict)) => {
                if let Err(e) = store.keep_dict(&dict, &at).await {
                    eprintln!(
                        "tenet serve: the decision log's dictionary was not kept: {}",
                        crate::error::with_causes(&e)
                    );
                }
            }
            Ok(Err(e)) => eprintln!("tenet serve: the decision log's dictionary could not be trained: {e}"),
            Err(e) => eprintln!("tenet serve: the decision log's dictionary could not be trained: {e}"),
        }
    });
}
