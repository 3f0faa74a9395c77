//! What the desk's queue costs on 100 000 cases: the first page, each filter, "my work",
//! a search and a page deep in the listing, p50 and p99 over repeated requests — the
//! query alone (`Store::queue`) and the whole page through HTTP (session check, overdue
//! count, rendering). The cases are written straight into the tables (a case row and its
//! queue row, as a server leaves them), spread over stages, deadlines from five days ago
//! to five days ahead, 2 000 SKUs. SQLite always; PostgreSQL too when TENET_TEST_POSTGRES
//! names one (`sh tests/postgres.sh cargo run …`).
//! `cargo run --release -p tenet-server --example queue_cost [N]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a measuring program stops at the first surprise"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::Connection;
use tenet_server::store::QueueFilter;

const STAGES: [(&str, u32, &str); 6] = [
    ("review", 30, "reviewer"),
    ("preparation", 20, "customer"),
    ("transport", 15, "warehouse"),
    ("inspection", 10, "finance"),
    ("refund", 10, "finance"),
    ("closed", 15, ""),
];

fn stage_of(i: usize) -> (&'static str, &'static str) {
    let mut at = (i * 7919 % 100) as u32;
    for (s, share, role) in STAGES {
        if at < share {
            return (s, role);
        }
        at -= share;
    }
    ("closed", "")
}

/// Writes `n` cases and their queue rows in transactions of 5 000.
async fn fill(url: &str, n: usize, now: chrono::DateTime<chrono::Utc>) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let stamp = tenet_server::clock::stamp(now);
    for chunk in (0..n).collect::<Vec<_>>().chunks(5000) {
        let mut tx = conn.begin().await.unwrap();
        for &i in chunk {
            let id = format!("Q-{i:07}");
            let (stage, role) = stage_of(i);
            let with_deadline = matches!(stage, "review" | "refund");
            let due = if with_deadline {
                // From five days ago to five days ahead, by the minute.
                let minutes = (i as i64 * 104_729) % (10 * 24 * 60) - 5 * 24 * 60;
                tenet_server::clock::stamp(now + chrono::TimeDelta::minutes(minutes))
            } else {
                tenet_server::store::NO_DEADLINE.to_owned()
            };
            sqlx::query(
                "INSERT INTO cases (id, policy, policy_hash, version, stage, facts, token_hash, created_at, updated_at) \
                 VALUES ($1, 'returns', 'bench', 0, $2, '{}', '', $3, $3)",
            )
            .bind(&id)
            .bind(stage)
            .bind(&stamp)
            .execute(&mut *tx)
            .await
            .unwrap();
            let open = i64::from(stage != "closed");
            sqlx::query(
                "INSERT INTO desk_queue (case_id, version, policy_hash, policy, stage, open, due, decision, codes, sku, \
                 order_id, request_id, waiting) VALUES ($1, 0, 'bench', 'returns', $2, $3, $4, 'approved', ' ', $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(stage)
            .bind(open)
            .bind(&due)
            // 50 cases a SKU, in every stage.
            .bind(format!("SKU-{:04}", (i / 50) % 2000))
            .bind(format!("SO-{i}"))
            .bind(format!("RR-{i}"))
            .bind(format!(" {role} "))
            .execute(&mut *tx)
            .await
            .unwrap();
            if stage == "closed" {
                // A follow-up call scheduled after closing, not yet due.
                let due = tenet_server::clock::stamp(now + chrono::TimeDelta::hours(1 + (i as i64 % 700)));
                sqlx::query("INSERT INTO case_actions (action_id, case_id, policy, kind, due) VALUES ($1, $2, 'returns', 'follow_up', $3)")
                    .bind(tenet_server::ids::action_id(&id, "follow_up", &due))
                    .bind(&id)
                    .bind(&due)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            if open == 1 && !role.is_empty() {
                sqlx::query("INSERT INTO desk_waiting (role, due, case_id) VALUES ($1, $2, $3)")
                    .bind(role)
                    .bind(&due)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        }
        tx.commit().await.unwrap();
    }
    // The planner's statistics, as a database in use has them.
    // The planner's statistics and (PostgreSQL) the visibility map, as autovacuum keeps
    // them on a database in use.
    let tidy = if url.starts_with("sqlite") { "ANALYZE" } else { "VACUUM ANALYZE" };
    sqlx::query(tidy).execute(&mut conn).await.unwrap();
}

fn percentiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

async fn measure(label: &str, url: &str, n: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Migrated by a store first, then filled, then served.
    let store = tenet_server::store::Store::open(url).await.unwrap();
    store.close().await;
    let now = chrono::Utc::now();
    let filling = Instant::now();
    fill(url, n, now).await;
    println!("{label}: {n} cases written in {:.1} s", filling.elapsed().as_secs_f64());
    let options = tenet_server::Options::local(root.join("rules"), url.to_owned());
    let ready = tenet_server::prepare(&options).await.unwrap();
    let base = format!("http://{}", ready.addr().unwrap());
    let app = std::sync::Arc::clone(&ready.app);
    tokio::spawn(tenet_server::serve(ready));
    let hash = tenet_server::desk::auth::hash_password("bench-password-1").unwrap();
    let name = format!("bench{}", tenet_server::ids::random_hex(3).unwrap());
    app.store.add_user(&name, &hash, &["reviewer".to_owned()], "2026-01-01T00:00:00.000000Z").await.unwrap();
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = client.get(format!("{base}/desk/login")).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let at = login.find(marker).unwrap() + marker.len();
    let csrf = login[at..].split('"').next().unwrap().to_owned();
    let r = client
        .post(format!("{base}/desk/login"))
        .form(&[("csrf", csrf.as_str()), ("name", name.as_str()), ("password", "bench-password-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // A page deep in the listing: after the 40 000th open case.
    let deep = store_for(url).await.queue(&QueueFilter { limit: 40_000, ..Default::default() }).await;
    let deep_after = deep.ok().and_then(|rows| rows.last().map(|r| (r.due.clone(), r.case_id.clone())));
    let stamp = tenet_server::clock::stamp(now);
    let shapes: Vec<(&str, QueueFilter, String)> = vec![
        ("first page", QueueFilter::default(), String::new()),
        ("stage=review", QueueFilter { stage: Some("review".into()), ..Default::default() }, "stage=review".into()),
        ("overdue", QueueFilter { overdue_at: Some(stamp.clone()), ..Default::default() }, "overdue=1".into()),
        ("sku=SKU-0042", QueueFilter { sku: Some("SKU-0042".into()), ..Default::default() }, "sku=SKU-0042".into()),
        (
            "my work (reviewer)",
            QueueFilter { roles: Some(vec!["reviewer".into()]), ..Default::default() },
            "mine=1".into(),
        ),
        ("search order id", QueueFilter { search: Some("SO-77777".into()), ..Default::default() }, "q=SO-77777".into()),
        (
            "page after 40 000",
            QueueFilter { after: deep_after.clone(), ..Default::default() },
            deep_after.map(|(d, i)| format!("after={d}%7C{i}")).unwrap_or_default(),
        ),
    ];
    let store = store_for(url).await;
    println!("{label}: {:22} {:>9} {:>9} {:>12} {:>12}", "", "query p50", "query p99", "page p50", "page p99");
    for (name, filter, query) in shapes {
        let filter = QueueFilter { limit: 50, ..filter };
        let mut q = Vec::new();
        let mut rows = 0;
        for _ in 0..200 {
            let t = Instant::now();
            rows = store.queue(&filter).await.unwrap().len();
            q.push(t.elapsed());
        }
        let mut p = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let r = client.get(format!("{base}/desk/cases?{query}")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let _ = r.text().await.unwrap();
            p.push(t.elapsed());
        }
        let ((q50, q99), (p50, p99)) = (percentiles(q), percentiles(p));
        println!("{label}: {name:22} {q50:7.2} ms {q99:7.2} ms {p50:10.2} ms {p99:10.2} ms   ({rows} rows)");
    }
    // The routes that used to replay every case: the overdue gauge, the overdue listing
    // (a page of 100), the due actions (none due among these: the index range is empty).
    println!("{label}: {:38} {:>10} {:>10}", "", "p50", "p99");
    for path in ["/metrics", "/v1/cases?overdue=true&limit=100", "/v1/actions"] {
        let mut t = Vec::new();
        for _ in 0..100 {
            let started = Instant::now();
            let r = client.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let _ = r.text().await.unwrap();
            t.push(started.elapsed());
        }
        let (p50, p99) = percentiles(t);
        println!("{label}: {path:38} {p50:7.2} ms {p99:7.2} ms");
    }
    store.close().await;
}

async fn store_for(url: &str) -> tenet_server::store::Store {
    tenet_server::store::Store::open(url).await.unwrap()
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    measure(&format!("sqlite {n}"), &format!("sqlite://{}/queue.db", dir.path().display()), n).await;
    if let Some(url) = std::env::var("TENET_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) {
        // A database of its own on the test cluster, so earlier runs do not count.
        let db = format!("queue_{}", tenet_server::ids::random_hex(4).unwrap());
        let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {db}")).execute(&mut admin).await.unwrap();
        let own = match url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{db}"),
            None => url.clone(),
        };
        measure(&format!("postgres {n}"), &own, n).await;
    }
}
