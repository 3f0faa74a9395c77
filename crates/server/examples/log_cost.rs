//! The decision log's cost per entry, alone: `N` entries of the size an evaluation
//! writes (the facts of the opened keyboard and its 1.4 KB answer) submitted as fast as
//! one task can, then flushed; prints the wall time and this process's CPU time per
//! entry. `cargo run --release -p tenet-server --example log_cost [N] [durable]`; `REPEAT=n`
//! makes the answer `n` copies of a 89-byte message instead of 16, to separate what an
//! entry costs from what its bytes cost.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring program stops at the first surprise")]

use std::time::{Duration, Instant};

use tenet_server::store::{DecisionLog, Entry, NewDecision, Store};

fn cpu_time() -> Duration {
    tenet_server::metrics::process_cpu_time().unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let durable = args.get(2).is_some_and(|s| s == "durable");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&format!("sqlite://{}/log.db", dir.path().display())).await.expect("store");
    let log = DecisionLog::start(store, durable, false);
    let facts = include_str!("../../../examples/returns/opened-keyboard.json");
    let result = "{\"policy\":\"returns\",\"message\":\"商品已拆封，扣除商品金额的 10% 作为折旧费。\"}"
        .repeat(std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(16));
    let (t, cpu) = (Instant::now(), cpu_time());
    for _ in 0..n {
        let id = tenet_server::ids::decision_id().expect("id");
        let at = tenet_server::clock::stamp(tenet_server::clock::now());
        let entry = Entry::of(&NewDecision {
            decision_id: &id,
            at: &at,
            policy: "returns",
            policy_version: Some("2026.1"),
            policy_hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            case_id: None,
            event: None,
            facts,
            result: &result,
        });
        log.submit(entry).await.expect("queued");
    }
    log.flush().await.expect("flushed");
    let (wall, cpu) = (t.elapsed(), cpu_time() - cpu);
    println!(
        "{n} entries ({} B each): {:.0}/s, {:.1} µs CPU per entry",
        facts.len() + result.len(),
        n as f64 / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / n as f64
    );
}
