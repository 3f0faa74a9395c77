//! What a decision log entry costs the database in three table layouts, without the
//! service around it: `rows` (the service's table, its two indexes, 64 rows an INSERT),
//! `bare` (the same rows without the indexes), `packed` (one row a commit holding all
//! 256 entries as JSON lines). Commits of 256 entries, SQLite in WAL with
//! `synchronous = NORMAL` and 8 KB pages as the log's own connection has them; prints
//! the CPU time of this process per entry.
//! `cargo run --release -p tenet-server --example log_layout rows|bare|packed [N]`

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring program stops at the first surprise")]

use std::time::Instant;

use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

const COMMIT: usize = 256;
const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn cpu_seconds() -> f64 {
    tenet_server::metrics::process_cpu_time().unwrap_or_default().as_secs_f64()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    sqlx::any::install_default_drivers();
    let args: Vec<String> = std::env::args().collect();
    let layout = args.get(1).map_or("rows", String::as_str).to_owned();
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/log.db?mode=rwc", dir.path().display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|c, _| {
            Box::pin(async move {
                c.execute("PRAGMA page_size = 8192").await?;
                c.execute("PRAGMA journal_mode = WAL").await?;
                c.execute("PRAGMA synchronous = NORMAL").await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .expect("database");
    let schema: &[&str] = match layout.as_str() {
        "rows" => &[
            "CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, decision_id TEXT NOT NULL UNIQUE, \
             at TEXT NOT NULL, policy TEXT NOT NULL, policy_version TEXT, policy_hash TEXT NOT NULL, case_id TEXT, \
             event TEXT, facts TEXT NOT NULL, result TEXT NOT NULL)",
            "CREATE INDEX decisions_by_time ON decisions (at)",
        ],
        "bare" => &["CREATE TABLE decisions (seq INTEGER PRIMARY KEY, decision_id TEXT NOT NULL, at TEXT NOT NULL, \
             policy TEXT NOT NULL, policy_version TEXT, policy_hash TEXT NOT NULL, case_id TEXT, event TEXT, \
             facts TEXT NOT NULL, result TEXT NOT NULL)"],
        "packed" => {
            &["CREATE TABLE decision_pages (seq INTEGER PRIMARY KEY, first_id TEXT NOT NULL, last_id TEXT NOT NULL, \
             first_at TEXT NOT NULL, last_at TEXT NOT NULL, body TEXT NOT NULL)"]
        }
        other => {
            eprintln!("no layout {other:?}: rows, bare or packed");
            std::process::exit(2);
        }
    };
    for statement in schema {
        pool.execute(*statement).await.expect("schema");
    }
    let facts = include_str!("../../../examples/returns/opened-keyboard.json").trim();
    let result = "{\"policy\":\"returns\",\"message\":\"商品已拆封，扣除商品金额的 10% 作为折旧费。\"}".repeat(16);
    let one = "(?, ?, ?, ?, ?, NULL, NULL, ?, ?)";
    let insert = format!(
        "INSERT INTO decisions (decision_id, at, policy, policy_version, policy_hash, case_id, event, facts, result) \
         VALUES {}",
        vec![one; 64].join(", ")
    );
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let mut done = 0;
    while done < n {
        // Ids and times grow, as the service's do: each index is appended to at its end.
        let keys: Vec<(String, String)> =
            (done..done + COMMIT).map(|k| (format!("D{k:020}"), format!("2026-12-03T02:00:00.{k:09}Z"))).collect();
        let mut tx = pool.begin().await.expect("begin");
        if layout == "packed" {
            let mut body = String::with_capacity(COMMIT * (facts.len() + result.len() + 200));
            for (id, at) in &keys {
                for part in ["{\"decision_id\":\"", id, "\",\"at\":\"", at, "\",\"policy\":\"returns\","] {
                    body.push_str(part);
                }
                for part in ["\"policy_version\":\"2026.1\",\"policy_hash\":\"", HASH, "\",\"facts\":", facts] {
                    body.push_str(part);
                }
                for part in [",\"result\":", result.as_str(), "}\n"] {
                    body.push_str(part);
                }
            }
            let (first, last) = (keys.first().expect("a commit"), keys.last().expect("a commit"));
            sqlx::query(
                "INSERT INTO decision_pages (first_id, last_id, first_at, last_at, body) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(first.0.as_str())
            .bind(last.0.as_str())
            .bind(first.1.as_str())
            .bind(last.1.as_str())
            .bind(body)
            .execute(&mut *tx)
            .await
            .expect("insert");
        } else {
            for chunk in keys.chunks(64) {
                let mut q = sqlx::query(&insert);
                for (id, at) in chunk {
                    q = q.bind(id.as_str()).bind(at.as_str()).bind("returns").bind(Some("2026.1"));
                    q = q.bind(HASH).bind(facts).bind(result.as_str());
                }
                q.execute(&mut *tx).await.expect("insert");
            }
        }
        tx.commit().await.expect("commit");
        done += COMMIT;
    }
    let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    println!("{layout}: {done} entries, {:.0}/s, {:.1} µs CPU per entry", done as f64 / wall, cpu * 1e6 / done as f64);
}
