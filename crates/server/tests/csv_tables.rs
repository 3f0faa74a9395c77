//! A table's CSV file is part of the policy version the service keeps: an edited CSV
//! is a new version after a reload, a logged decision is rebuilt with the CSV it was
//! made with, and a server started where the CSV is gone still rebuilds it from the
//! database alone. On SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

const POLICY: &str = "policy csv_rates version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n\
input { region: text, kg: decimal }\n\
table rate(region: text, kg: decimal) -> money hit unique from \"rates.csv\"\n\
output price = rate(region, kg)\n";

const NOW: &str = "now=2026-11-25T12:00:00%2B08:00";

fn hash(v: &Value) -> String {
    v["policies"].as_array().unwrap().iter().find(|p| p["name"] == "csv_rates").unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn price(s: &Server, region: &str, kg: &str) -> (String, String) {
    let (status, v) =
        s.post(&format!("/v1/policies/csv_rates/evaluate?{NOW}"), &json!({"region": region, "kg": kg})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    (v["outputs"]["price"].as_str().unwrap().to_owned(), v["decision_id"].as_str().unwrap().to_owned())
}

async fn the_csv_is_part_of_the_version(db: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("rules");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("rates.tenet"), POLICY).unwrap();
    std::fs::write(folder.join("rates.csv"), "region,kg,rate\nnorth,[0..1),12.00\nnorth,[1..5),18.50\n").unwrap();
    let db = db.unwrap_or_else(|| format!("sqlite://{}/tenet.db", dir.path().display()));
    let s1 = Server::start_with(Some(&db), None, |o| o.policies = folder.clone()).await;
    let first = hash(&s1.get("/v1/policies").await.1);
    let (p, before) = price(&s1, "north", "0.5").await;
    assert_eq!(p, "12.00");

    // The CSV edited on disk and reloaded: a new version, which new decisions use.
    std::fs::write(folder.join("rates.csv"), "region,kg,rate\nnorth,[0..1),15.00\nnorth,[1..5),18.50\n").unwrap();
    let (status, v) = s1.post("/v1/policies/reload", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let second = hash(&s1.get("/v1/policies").await.1);
    assert_ne!(first, second, "an edited CSV is a new version");
    assert_eq!(price(&s1, "north", "0.5").await.0, "15.00");
    // The decision made before is rebuilt with the CSV it was made with.
    let (status, v) = s1.get(&format!("/v1/decisions/{before}")).await;
    assert_eq!((status, v["outputs"]["price"].as_str()), (StatusCode::OK, Some("12.00")), "{v}");

    // A CSV that does not read is refused at reload, and the version served stays.
    std::fs::write(folder.join("rates.csv"), "region,weight,rate\n").unwrap();
    let (status, v) = s1.post("/v1/policies/reload", &json!({})).await;
    assert_ne!(status, StatusCode::OK, "{v}");
    assert!(v.to_string().contains("rates.csv"), "the refusal names the CSV: {v}");
    assert_eq!(hash(&s1.get("/v1/policies").await.1), second);

    // Another server, whose folder holds the policy without its old CSV, rebuilds the
    // first decision from the database alone.
    let elsewhere = dir.path().join("release-2");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("rates.tenet"), POLICY).unwrap();
    std::fs::write(elsewhere.join("rates.csv"), "region,kg,rate\nnorth,_,1\n").unwrap();
    let s2 = Server::start_with(Some(&db), None, |o| o.policies = elsewhere.clone()).await;
    let (status, v) = s2.get(&format!("/v1/decisions/{before}")).await;
    assert_eq!((status, v["outputs"]["price"].as_str()), (StatusCode::OK, Some("12.00")), "{v}");
    assert_eq!(price(&s2, "north", "0.5").await.0, "1.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite() {
    the_csv_is_part_of_the_version(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres() {
    if let Some(url) = support::postgres() {
        the_csv_is_part_of_the_version(Some(url)).await;
    }
}
