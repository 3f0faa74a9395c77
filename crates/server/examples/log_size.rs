//! What the decision log keeps per evaluation, on disk and in CPU: `N` entries of the
//! opened keyboard's facts (614 bytes as compact JSON), varied per entry (order, SKU,
//! price, quantities, dates, what the warehouse found: 2 000 distinct facts), each with
//! its evaluation, written through the service's own log writer (`DecisionLog`, queued
//! commits) into a new SQLite file; then the WAL is checkpointed and the file, the WAL
//! and the log's pages are measured. `whole` logs the whole answer as the result, as the
//! first log did; `kept` (the default) the compact result the log keeps now.
//! `cargo run --release -p tenet-server --example log_size [kept|whole] [N]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a measuring program stops at the first surprise"
)]

use std::time::Instant;

use sqlx::Row;
use tenet_server::store::{DecisionLog, Entry, NewDecision, Store};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let whole = args.get(1).is_some_and(|a| a == "whole");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Ok(loaded) = tenet_server::policies::load_folder(&root.join("rules")) else {
        eprintln!("the bundled policies do not load: run `tenet check rules`");
        return;
    };
    let returns = loaded.iter().find(|l| l.policy.name() == "returns").unwrap();
    // Every entry's facts distinct, with the answer and the compact result (made before
    // the clock starts).
    let entries: Vec<(String, String, String)> = (0..n)
        .map(|i| {
            let facts_text = tenet_test_support::workloads::varied_return(i).to_string();
            let facts = returns.policy.facts_from_json(&facts_text).unwrap();
            let now = facts.now().unwrap();
            let e = returns.policy.evaluate(&facts, now).unwrap();
            let answer = serde_json::to_string(&e.report(None).with_decision_id("0".repeat(33).as_str())).unwrap();
            let kept = tenet_server::kept::kept_result(&e, now, None).unwrap();
            if whole { (facts_text, answer, String::new()) } else { (facts_text, String::new(), kept) }
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("log.db");
    let store = Store::open(&format!("sqlite://{}", path.display())).await.expect("store");
    let before = std::fs::metadata(&path).unwrap().len();
    let log = DecisionLog::start(store.clone(), false, false);
    let (t, cpu) = (Instant::now(), tenet_server::metrics::process_cpu_time().unwrap_or_default());
    for (facts, answer, kept) in &entries {
        let id = tenet_server::ids::decision_id().expect("id");
        let at = tenet_server::clock::stamp(tenet_server::clock::now());
        let entry = Entry::of(&NewDecision {
            decision_id: &id,
            at: &at,
            policy: "returns",
            policy_version: returns.policy.version(),
            policy_hash: &returns.hash,
            case_id: None,
            event: None,
            facts,
            result: if whole { answer } else { kept },
        });
        log.submit(entry).await.expect("queued");
    }
    log.flush().await.expect("flushed");
    let (wall, cpu) = (t.elapsed(), tenet_server::metrics::process_cpu_time().unwrap_or_default() - cpu);
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await.unwrap();
    let wal = std::fs::metadata(dir.path().join("log.db-wal")).map(|m| m.len()).unwrap_or(0);
    let file = std::fs::metadata(&path).unwrap().len();
    let pages = sqlx::query(
        "SELECT name, COUNT(*) AS pages, SUM(pgsize) AS bytes FROM dbstat \
         WHERE name LIKE '%decision%' GROUP BY name ORDER BY name",
    )
    .fetch_all(&pool)
    .await;
    let (facts_len, result_len) =
        entries.iter().fold((0, 0), |(f, r), e| (f + e.0.len(), r + if whole { e.1.len() } else { e.2.len() }));
    println!(
        "{} {n} entries (facts {} B, result {} B on average): {:.0}/s, {:.1} µs CPU per entry; \
         file + WAL grew {} B: {:.0} B per entry",
        if whole { "whole" } else { "kept" },
        facts_len / entries.len(),
        result_len / entries.len(),
        n as f64 / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / n as f64,
        file + wal - before,
        (file + wal - before) as f64 / n as f64,
    );
    match pages {
        Ok(rows) => {
            for r in rows {
                let (name, pages, bytes): (String, i64, i64) =
                    (r.try_get("name").unwrap(), r.try_get("pages").unwrap(), r.try_get("bytes").unwrap());
                println!("  {name}: {pages} pages, {:.0} B per entry", bytes as f64 / n as f64);
            }
        }
        Err(e) => println!("  (no dbstat in this SQLite: {e})"),
    }
    store.close().await;
}
