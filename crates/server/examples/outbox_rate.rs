//! Deliveries per second through the outbox: `N` deliveries written to `webhook_outbox`
//! (each with a fired timer, as the timer loop writes them), then sent by the server's own
//! sender (`webhooks::deliver_due`: claim a batch, POST each side by side, record each
//! attempt) to a receiver on loopback that answers `204` at once — the outbox's cost, not
//! a receiver's. SQLite always; PostgreSQL too when TENET_TEST_POSTGRES names one
//! (`sh tests/postgres.sh cargo run --release -p tenet-server --example outbox_rate`).
//! `cargo run --release -p tenet-server --example outbox_rate [N]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a measuring program stops at the first surprise"
)]

use std::time::Instant;

use tenet_server::store::NewDelivery;

async fn receiver() -> String {
    let app = axum::Router::new().route("/hook", axum::routing::post(|| async { axum::http::StatusCode::NO_CONTENT }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn measure(label: &str, db: String, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let url = receiver().await;
    let hooks = dir.path().join("hooks.yaml");
    std::fs::write(
        &hooks,
        format!(
            "webhooks:\n  - url: {url}\n    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n    events: [action.due]\n"
        ),
    )
    .unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let options = tenet_server::Options {
        durable_decisions: true,
        webhooks: Some(hooks),
        ..tenet_server::Options::local(root.join("rules"), db)
    };
    let ready = tenet_server::prepare(&options).await.expect("the server starts");
    let app = std::sync::Arc::clone(&ready.app);
    let run = format!("{}-{}", std::process::id(), label);
    let now = tenet_server::clock::stamp(chrono::Utc::now());
    let started = Instant::now();
    for i in 0..n {
        let timer = format!("bench:{run}:{i}");
        let d = NewDelivery {
            id: format!("msg_{run}_{i}"),
            url: url.clone(),
            event_type: "action.due".into(),
            payload: format!(
                r#"{{"type":"action.due","timestamp":"{now}","data":{{"case":"B-{i}","action":"call"}}}}"#
            ),
        };
        assert!(app.store.fire_timer_with([&timer, "action.due", "B", &now, &now], &[d]).await.unwrap());
    }
    let written = started.elapsed();
    let started = Instant::now();
    let mut sent = 0;
    while sent < n {
        sent += tenet_server::webhooks::deliver_due(&app).await.unwrap();
    }
    let sending = started.elapsed();
    println!(
        "{label:<10} {n} deliveries: written one transaction each in {:.2} s ({:.0}/s); sent in {:.2} s ({:.0}/s)",
        written.as_secs_f64(),
        n as f64 / written.as_secs_f64(),
        sending.as_secs_f64(),
        n as f64 / sending.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let dir = tempfile::tempdir().unwrap();
    measure("sqlite", format!("sqlite://{}/tenet.db", dir.path().display()), n).await;
    if let Ok(pg) = std::env::var("TENET_TEST_POSTGRES")
        && !pg.is_empty()
    {
        measure("postgres", pg, n).await;
    }
}
