//! Background tasks run in the order they were started for each key: the shadow's
//! judgments of one case follow its events, since a case's latest judgment is the one
//! that says whether it differs.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use tokio::task::JoinHandle;

/// How many keys are remembered before the finished ones are forgotten.
const TIDY_AT: usize = 1024;

/// Tasks by key, each started after the one before it of the same key has finished.
#[derive(Debug, Default)]
pub struct InOrder {
    last: Mutex<HashMap<String, JoinHandle<()>>>,
}

impl InOrder {
    /// Runs `task` once every task started before it under `key` has finished.
    pub fn spawn(&self, key: &str, task: impl Future<Output = ()> + Send + 'static) {
        // A poisoned lock only means a panic elsewhere while holding it: the map is
        // still whole (each change is one insert or retain).
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = last.remove(key);
        let handle = tokio::spawn(async move {
            if let Some(b) = before {
                // A task before that failed does not stop the ones after it.
                let _ = b.await;
            }
            task.await;
        });
        last.insert(key.to_owned(), handle);
        if last.len() > TIDY_AT {
            last.retain(|_, h| !h.is_finished());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tasks_of_one_key_run_in_the_order_started() {
        let order = InOrder::default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        for i in 0..50u64 {
            let seen = Arc::clone(&seen);
            // The earlier tasks sleep longer: unordered, they would finish last.
            order.spawn("case", async move {
                tokio::time::sleep(std::time::Duration::from_millis(50 - i)).await;
                seen.lock().unwrap().push(i);
            });
        }
        for _ in 0..200 {
            if seen.lock().unwrap().len() == 50 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(*seen.lock().unwrap(), (0..50).collect::<Vec<_>>());
    }
}
