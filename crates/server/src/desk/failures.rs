//! Sign-in failures that slow the next attempts for a name (the desk's sign-in reads and
//! writes them; the server's state holds them).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most sign-in failures remembered (names), so guessing names cannot fill memory.
const FAILURES_KEPT: usize = 10_000;

/// Sign-in failures by name: each attempt after the third for a name waits its turn,
/// twice as long as the one before (250 ms, 500 ms, 1 s … at most 30 s), whoever sends it
/// and however many at once.
#[derive(Debug, Default)]
pub struct Failures {
    by_name: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Failures {
    /// The delay after `count` failures.
    pub fn delay(count: u32) -> Duration {
        if count < 3 {
            return Duration::ZERO;
        }
        let ms = 250u64.saturating_mul(1u64 << (count - 3).min(7));
        Duration::from_millis(ms.min(30_000))
    }

    /// How long this attempt for `name` waits before its password is checked; reserves
    /// its turn.
    pub fn turn(&self, name: &str) -> Duration {
        let Ok(mut map) = self.by_name.lock() else { return Failures::delay(8) };
        let now = Instant::now();
        let Some((count, next)) = map.get_mut(name) else { return Duration::ZERO };
        let start = (*next).max(now);
        *next = start + Failures::delay(*count);
        start.saturating_duration_since(now)
    }

    /// Counts a failure; the wait the next attempt will have.
    pub fn failed(&self, name: &str) -> Duration {
        let Ok(mut map) = self.by_name.lock() else { return Failures::delay(8) };
        if map.len() >= FAILURES_KEPT && !map.contains_key(name) {
            let now = Instant::now();
            map.retain(|_, (_, next)| *next > now);
        }
        let entry = map.entry(name.to_owned()).or_insert((0, Instant::now()));
        entry.0 = entry.0.saturating_add(1);
        Failures::delay(entry.0)
    }

    /// Forgets the failures of `name` (it signed in).
    pub fn succeeded(&self, name: &str) {
        if let Ok(mut map) = self.by_name.lock() {
            map.remove(name);
        }
    }
}
