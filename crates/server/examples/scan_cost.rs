//! What the routes that look at every case cost: `GET /metrics` (the overdue gauge),
//! `GET /v1/actions` and `GET /v1/cases?overdue=true`, on `N` return cases in every stage
//! (the refunded example's facts, each case carrying the first `i % 7` of its events),
//! served from SQLite. Prints the wall and CPU time of each, three times on the server
//! that recorded the cases (its cache warm), then once on a second server just started
//! on the same database (cold).
//! `cargo run --release -p tenet-server --example scan_cost [N]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a measuring program stops at the first surprise"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn cpu_time() -> Duration {
    tenet_server::metrics::process_cpu_time().unwrap_or_default()
}

async fn start(db: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let options = tenet_server::Options::local(root.join("rules"), db.to_owned());
    let ready = tenet_server::prepare(&options).await.expect("the server starts");
    let base = format!("http://{}", ready.addr().expect("address"));
    tokio::spawn(tenet_server::serve(ready));
    base
}

/// Fetches `path` (following `next_after` for case listings) and says how many items came.
async fn scan(client: &reqwest::Client, base: &str, path: &str) -> usize {
    if path == "/metrics" {
        let text = client.get(format!("{base}{path}")).send().await.unwrap().text().await.unwrap();
        let line = text.lines().find(|l| l.starts_with("tenet_cases_overdue ")).expect("the overdue gauge");
        return line.rsplit(' ').next().and_then(|n| n.parse().ok()).expect("a count");
    }
    let mut count = 0;
    let mut after = String::new();
    loop {
        let url = format!("{base}{path}{after}");
        let v: Value = client.get(url).send().await.unwrap().json().await.unwrap();
        let key = if path.starts_with("/v1/actions") { "actions" } else { "cases" };
        count += v[key].as_array().map_or(0, Vec::len);
        match v.get("next_after").and_then(Value::as_str) {
            Some(next) => after = format!("&after={next}"),
            None => return count,
        }
    }
}

async fn measure(client: &reqwest::Client, base: &str, label: &str) {
    for path in ["/metrics", "/v1/actions", "/v1/cases?overdue=true&limit=1000"] {
        let (t, cpu) = (Instant::now(), cpu_time());
        let n = scan(client, base, path).await;
        let (wall, cpu) = (t.elapsed(), cpu_time() - cpu);
        println!(
            "{label:6} {path:38} {n:6} items  {:8.1} ms wall  {:8.1} ms CPU",
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3
        );
    }
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}/scan.db", dir.path().display());
    let base = start(&db).await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("examples/cases/return-refunded.yaml")).unwrap();
    let case: Value = serde_json::to_value(yaml_serde::from_str::<yaml_serde::Value>(&text).unwrap()).unwrap();
    let events = case["events"].as_array().unwrap().clone();
    let client = reqwest::Client::new();
    let opening = Instant::now();
    for i in 0..n {
        let id = format!("SC-{i:06}");
        let r = client
            .post(format!("{base}/v1/cases"))
            .json(&json!({"policy": "returns", "facts": case["facts"], "id": id}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        for e in events.iter().take(i % 7) {
            let r = client.post(format!("{base}/v1/cases/{id}/events")).json(e).send().await.unwrap();
            assert_eq!(r.status(), 200);
        }
    }
    println!("{n} cases recorded in {:.1} s", opening.elapsed().as_secs_f64());
    for _ in 0..3 {
        measure(&client, &base, "warm").await;
    }
    let cold = start(&db).await;
    measure(&client, &cold, "cold").await;
}
