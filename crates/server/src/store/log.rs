//! The decision log's writer: evaluations arrive one by one from many requests, and each
//! must be on disk before its answer goes out. One writer task gathers whatever entries
//! are waiting into one transaction (group commit), so 32 concurrent requests share a
//! commit instead of queueing for 32.

use tokio::sync::{mpsc, oneshot};

use super::{NewDecision, Store, insert_decision};

/// An entry to log, owned, with the channel its request waits on.
type Job = (Entry, oneshot::Sender<Result<(), String>>);

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

    fn as_new(&self) -> NewDecision<'_> {
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
}

/// Most entries in one commit.
const BATCH: usize = 256;

/// The handle requests log through.
#[derive(Clone, Debug)]
pub struct DecisionLog {
    jobs: mpsc::Sender<Job>,
}

impl DecisionLog {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store) -> DecisionLog {
        let (jobs, rx) = mpsc::channel::<Job>(4096);
        tokio::spawn(write_loop(store, rx));
        DecisionLog { jobs }
    }

    /// Logs an entry; returns once it is committed.
    pub async fn write(&self, entry: Entry) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.jobs.send((entry, done)).await.map_err(|_| "the decision log writer has stopped".to_owned())?;
        wait.await.map_err(|_| "the decision log writer has stopped".to_owned())?
    }
}

async fn write_loop(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = commit(&store, &batch).await.map_err(|e| e.to_string());
        for (_, done) in batch.drain(..) {
            let _ = done.send(result.clone());
        }
    }
}

async fn commit(store: &Store, batch: &[Job]) -> sqlx::Result<()> {
    let mut tx = store.pool.begin().await?;
    for (entry, _) in batch {
        insert_decision(&mut tx, &entry.as_new()).await?;
    }
    tx.commit().await
}
