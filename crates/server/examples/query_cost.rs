//! What one database round trip costs the service: `N` lookups of a case's version (the
//! query every case read makes to check its cache) one after another on SQLite; prints
//! the wall time and this process's CPU time per query. Most of it is hand-offs between
//! the runtime's thread and the SQLite connection's worker thread.
//! `cargo run --release -p tenet-server --example query_cost [N]`

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring program stops at the first surprise")]

use std::time::{Duration, Instant};

use tenet_server::store::Store;

fn cpu_time() -> Duration {
    tenet_server::metrics::process_cpu_time().unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let n: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&format!("sqlite://{}/q.db", dir.path().display())).await.expect("store");
    let (t, cpu) = (Instant::now(), cpu_time());
    for _ in 0..n {
        assert_eq!(store.case_version("R-1").await.expect("query"), None);
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(n);
    println!("{n} queries: {:.1} µs wall, {:.1} µs CPU per query", per(t.elapsed()), per(cpu_time() - cpu));
}
