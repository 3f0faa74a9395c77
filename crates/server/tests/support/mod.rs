//! What the service's integration tests share: a server on loopback with a database and
//! a policies folder of its own, requests, the repository's examples, and PostgreSQL when
//! `TENET_TEST_POSTGRES` names one.
#![allow(dead_code, unused_macros)]

use std::path::{Path, PathBuf};

use reqwest::{Client, StatusCode};
use serde_json::Value;

pub use tenet_test_support::root;

/// A unique suffix, so scenarios sharing one PostgreSQL database never collide.
pub fn unique() -> String {
    tenet_server::ids::random_hex(6).unwrap()
}

/// A policies folder of its own: the bundled policies and their calendars, copied.
pub fn policies_copy(dir: &Path) -> PathBuf {
    let to = dir.join("rules");
    std::fs::create_dir_all(to.join("calendars")).unwrap();
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    for entry in std::fs::read_dir(root().join("rules/calendars")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, to.join("calendars").join(p.file_name().unwrap())).unwrap();
    }
    to
}

pub struct Server {
    pub base: String,
    /// The server's state: its store, for what a test sets up around the HTTP API.
    pub app: std::sync::Arc<tenet_server::app::App>,
    pub client: Client,
    pub policies: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    pub async fn start(db: Option<&str>, tokens: Option<&str>) -> Server {
        Server::start_with(db, tokens, |_| {}).await
    }

    /// [`Server::start`] with the options changed by `edit` first.
    pub async fn start_with(
        db: Option<&str>,
        tokens: Option<&str>,
        edit: impl FnOnce(&mut tenet_server::Options),
    ) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let policies = policies_copy(dir.path());
        let db = db.map_or_else(|| format!("sqlite://{}/data/tenet.db", dir.path().display()), str::to_owned);
        let tokens = tokens.map(|text| {
            let path = dir.path().join("tokens.yaml");
            std::fs::write(&path, text).unwrap();
            path
        });
        let mut options = tenet_server::Options {
            tokens,
            durable_decisions: true,
            ..tenet_server::Options::local(policies.clone(), db)
        };
        edit(&mut options);
        let ready = tenet_server::prepare(&options).await.expect("the server starts");
        let base = format!("http://{}", ready.addr().unwrap());
        let app = std::sync::Arc::clone(&ready.app);
        tokio::spawn(tenet_server::serve(ready));
        Server { base, app, client: Client::new(), policies, _dir: dir }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            r = r.header("content-type", "application/json").body(b.to_string());
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body), &[]).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }

    /// The decision-log entries (`GET /v1/decisions?{query}`, every page, following
    /// `next_after`) that `keep` keeps, oldest first. A shared PostgreSQL holds other
    /// tests' entries too: a first page of 1 000 need not reach this test's.
    pub async fn logged(&self, query: &str, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut found = Vec::new();
        let mut after = String::new();
        loop {
            let path = format!("/v1/decisions?{query}&limit=1000{after}");
            let (status, page) = self.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            found.extend(page["decisions"].as_array().unwrap().iter().filter(|d| keep(d)).cloned());
            match page["next_after"].as_str() {
                Some(next) => after = format!("&after={next}"),
                None => return found,
            }
        }
    }
}

pub fn postgres() -> Option<String> {
    let url = std::env::var("TENET_TEST_POSTGRES").ok().filter(|u| !u.is_empty());
    if url.is_none() && std::env::var_os("CI").is_some_and(|v| v == "true") {
        panic!("TENET_TEST_POSTGRES is not set under CI: .ci/run starts a PostgreSQL for these tests");
    }
    if url.is_none() {
        eprintln!(
            "TENET_TEST_POSTGRES not set: the PostgreSQL half of this test did not run (tests/postgres.sh starts one)"
        );
    }
    url
}

/// Runs `scenario` against SQLite, then against PostgreSQL when there is one.
macro_rules! on_both {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$scenario(super::Server::start(None, None).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(url) = super::postgres() {
                    super::$scenario(super::Server::start(Some(&url), None).await).await;
                }
            }
        }
    };
}

pub fn facts(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("examples/returns").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn case_file(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("examples/cases").join(name)).unwrap();
    let yaml: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
    serde_json::to_value(yaml).unwrap()
}

/// An instant `days` ago, as RFC 3339 in Shanghai time.
pub fn ago(days: i64) -> String {
    let t = chrono::Utc::now() - chrono::TimeDelta::days(days);
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Opens a return delivered `days + 1` and submitted `days` ago, through the API; with
/// `reject`, the reviewer rejects it the day after. Late in review from the third
/// business day on; a rejection owes its explanation within a day.
pub async fn open_return(server: &Server, id: &str, days: i64, reject: bool) {
    let mut f = facts("opened-keyboard.json");
    for k in ["now", "shipment", "inspection"] {
        f.as_object_mut().unwrap().remove(k);
    }
    f["order"]["delivered_at"] = serde_json::json!(ago(days + 1));
    f["request"]["submitted_at"] = serde_json::json!(ago(days));
    let (s, body) = server.post("/v1/cases", &serde_json::json!({"policy": "returns", "id": id, "facts": f})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let mut events = vec![serde_json::json!({"event": "submit", "at": ago(days), "by": "customer"})];
    if reject {
        events.push(serde_json::json!({"event": "reject", "at": ago(days - 1), "by": "reviewer", "note": "no photo"}));
    }
    for e in events {
        let (s, body) = server.post(&format!("/v1/cases/{id}/events"), &e).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
}
