//! Webhooks that deliver: a receiver on loopback checks each delivery's Standard Webhooks
//! signature, answers 500 for a while, and de-duplicates by `webhook-id`; every timer's
//! delivery arrives exactly once in effect, with two servers sending from one database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

#[macro_use]
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use support::{Server, open_return, postgres, unique};

/// What the receiver saw: per delivery id, the answers it gave (true: 2xx).
#[derive(Default)]
struct Seen {
    fail_next: usize,
    answers: HashMap<String, Vec<bool>>,
    bodies: HashMap<String, Value>,
    bad_signatures: usize,
}

/// A receiver as a shop would write it: verify, de-duplicate, act once.
async fn receiver(key: Vec<u8>, fail_first: usize) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen { fail_next: fail_first, ..Seen::default() }));
    let state = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (state, key) = (Arc::clone(&state), key.clone());
            async move {
                let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let (id, ts, sig) = (h("webhook-id"), h("webhook-timestamp"), h("webhook-signature"));
                let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
                mac.update(format!("{id}.{ts}.{body}").as_bytes());
                let expected =
                    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
                let fresh = ts.parse::<i64>().is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
                let mut s = state.lock().unwrap();
                if sig != expected || !fresh {
                    s.bad_signatures += 1;
                    return StatusCode::UNAUTHORIZED;
                }
                let fail = s.fail_next > 0;
                if fail {
                    s.fail_next -= 1;
                }
                s.answers.entry(id.clone()).or_default().push(!fail);
                s.bodies.insert(id, serde_json::from_str(&body).unwrap());
                if fail { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn delivered_once_in_effect(db: Option<String>) {
    let u = unique();
    let key: Vec<u8> = (0..24u8).map(|i| i.wrapping_mul(37).wrapping_add(u.len() as u8)).collect();
    let (url, seen) = receiver(key.clone(), 2).await;
    let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&key));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        format!("webhooks:\n  - url: {url}\n    secret: {secret}\n    events: [action.due, case.overdue]\n"),
    )
    .unwrap();
    let hooks = Some(file.path().to_owned());
    let a = Server::start_with(db.as_deref(), None, |o| o.webhooks = hooks.clone()).await;
    let db = db.unwrap_or_else(|| a.app.store.url().to_owned());
    let b = Server::start_with(Some(&db), None, |o| o.webhooks = hooks.clone()).await;
    let (late, rejected) = (format!("W-late-{u}"), format!("W-rej-{u}"));
    open_return(&a, &late, 6, false).await;
    open_return(&b, &rejected, 5, true).await;
    // Both servers fire and send by themselves; wait for this scenario's two deliveries.
    let started = Instant::now();
    let mine = |s: &Seen| -> Vec<(String, Vec<bool>, Value)> {
        let mut v: Vec<_> = s
            .answers
            .iter()
            .filter(|(id, _)| s.bodies[*id]["data"]["case"].as_str().is_some_and(|c| c.ends_with(&u)))
            .map(|(id, answers)| (id.clone(), answers.clone(), s.bodies[id].clone()))
            .collect();
        v.sort_by(|x, y| x.2["type"].as_str().cmp(&y.2["type"].as_str()));
        v
    };
    loop {
        let done = mine(&seen.lock().unwrap()).iter().filter(|(_, answers, _)| answers.contains(&true)).count();
        if done == 2 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the deliveries did not arrive: {:?}",
            mine(&seen.lock().unwrap())
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let got = mine(&seen.lock().unwrap());
    assert_eq!(seen.lock().unwrap().bad_signatures, 0, "every signature verifies");
    let types: Vec<&str> = got.iter().map(|g| g.2["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["action.due", "case.overdue"]);
    assert_eq!(
        (got[0].2["data"]["case"].as_str(), got[0].2["data"]["action"].as_str()),
        (Some(rejected.as_str()), Some("explain_rejection"))
    );
    assert_eq!(
        (got[1].2["data"]["case"].as_str(), got[1].2["data"]["stage"].as_str()),
        (Some(late.as_str()), Some("review"))
    );
    for (id, answers, _) in &got {
        // Refused while the receiver failed, then accepted once: never accepted twice.
        assert_eq!(answers.iter().filter(|a| **a).count(), 1, "{id}: {answers:?}");
    }
    // The outbox shows them delivered; a retry sends the same id again, which the
    // receiver recognises.
    let (s, list) = a.get("/v1/webhooks/deliveries?status=delivered&limit=1000").await;
    assert_eq!(s, reqwest::StatusCode::OK, "{list}");
    let ours: Vec<&Value> =
        list["deliveries"].as_array().unwrap().iter().filter(|d| got.iter().any(|g| g.0 == d["id"])).collect();
    assert_eq!(ours.len(), 2, "{list}");
    let id = got[0].0.clone();
    let (s, r) = a.post(&format!("/v1/webhooks/deliveries/{id}/retry"), &json!({})).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{r}");
    let started = Instant::now();
    while seen.lock().unwrap().answers[&id].len() < got[0].1.len() + 1 {
        assert!(started.elapsed() < Duration::from_secs(30), "the retry was not sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(a.post("/v1/webhooks/deliveries/msg_nothing/retry", &json!({})).await.0, reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_arrive_once_in_effect_sqlite() {
    delivered_once_in_effect(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_arrive_once_in_effect_postgres() {
    if let Some(url) = postgres() {
        delivered_once_in_effect(Some(url)).await;
    }
}

/// A recorded event is delivered as `case.event`, and as `case.stage` when it moved the
/// case: written with the event (on PostgreSQL in its one statement, on SQLite in the
/// writer's transaction), so what a receiver hears is what the case says, once each.
async fn events_delivered_with_the_case(db: Option<String>) {
    let u = unique();
    let key: Vec<u8> = (0..24u8).map(|i| i.wrapping_mul(11).wrapping_add(3)).collect();
    let (url, seen) = receiver(key.clone(), 1).await;
    let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&key));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        format!(
            "webhooks:\n  - url: {url}\n    secret: {secret}\n    events: [case.event, case.stage]\n    policy: returns\n"
        ),
    )
    .unwrap();
    let hooks = Some(file.path().to_owned());
    let server = Server::start_with(db.as_deref(), None, |o| o.webhooks = hooks.clone()).await;
    let id = format!("W-ev-{u}");
    // Submitted (application → review), rejected (review → rejected), then a refund update
    // the rejected stage does not take: recorded as illegal, the stage unchanged.
    open_return(&server, &id, 3, true).await;
    let (s, body) = server
        .post(&format!("/v1/cases/{id}/events"), &json!({"event": "approve", "at": support::ago(1), "by": "reviewer"}))
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{body}");
    // What the case says, stated by hand: (type, version, from, stage or to).
    let expected = [
        ("case.event", 1, "application", "review"),
        ("case.event", 2, "review", "rejected"),
        ("case.event", 3, "rejected", "rejected"),
        ("case.stage", 1, "application", "review"),
        ("case.stage", 2, "review", "rejected"),
    ];
    let started = Instant::now();
    let got = loop {
        let got: Vec<(String, i64, String, String)> = {
            let s = seen.lock().unwrap();
            let mut v: Vec<_> = s
                .bodies
                .iter()
                .filter(|(id_, b)| b["data"]["case"] == id.as_str() && s.answers[*id_].contains(&true))
                .map(|(_, b)| {
                    let d = &b["data"];
                    let to = if b["type"] == "case.stage" { &d["to"] } else { &d["stage"] };
                    (
                        b["type"].as_str().unwrap().to_owned(),
                        d["version"].as_i64().unwrap(),
                        d["from"].as_str().unwrap().to_owned(),
                        to.as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        if got.len() >= expected.len() {
            break got;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the deliveries did not arrive: {got:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let want: Vec<(String, i64, String, String)> =
        expected.iter().map(|(t, v, f, to)| ((*t).to_owned(), *v, (*f).to_owned(), (*to).to_owned())).collect();
    assert_eq!(got, want);
    let s = seen.lock().unwrap();
    assert_eq!(s.bad_signatures, 0);
    for (id_, answers) in s.answers.iter().filter(|(i, _)| s.bodies[*i]["data"]["case"] == id.as_str()) {
        assert_eq!(answers.iter().filter(|a| **a).count(), 1, "{id_}: {answers:?}");
    }
    let third = s.bodies.values().find(|b| b["data"]["case"] == id.as_str() && b["data"]["version"] == 3).unwrap();
    assert_eq!((third["data"]["outcome"].as_str(), third["data"]["by"].as_str()), (Some("illegal"), Some("reviewer")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn case_events_are_delivered_with_the_event_sqlite() {
    events_delivered_with_the_case(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn case_events_are_delivered_with_the_event_postgres() {
    if let Some(url) = postgres() {
        events_delivered_with_the_case(Some(url)).await;
    }
}

#[test]
fn a_webhooks_file_with_mistakes_is_refused_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    for (text, says) in [
        (
            "webhooks:\n  - url: ftp://x\n    secret: whsec_AAAAAAAAAAAAAAAAAAAAAA==\n    events: [action.due]\n",
            "webhooks[0].url",
        ),
        ("webhooks:\n  - url: http://x\n    secret: hunter2\n    events: [action.due]\n", "webhooks[0].secret"),
        (
            "webhooks:\n  - url: http://x\n    secret: whsec_AAAAAAAAAAAAAAAAAAAAAA==\n    events: [action.overdue]\n",
            "there is no action.overdue",
        ),
        ("webhooks:\n  - url: http://x\n    secrets: s\n", "unknown field"),
    ] {
        let path = dir.path().join("hooks.yaml");
        std::fs::write(&path, text).unwrap();
        let e = tenet_server::webhooks::config::read(&path).unwrap_err().to_string();
        assert!(e.contains(says) && e.contains("hooks.yaml"), "{e}");
    }
}

/// The example receiver (`examples/webhooks/receiver.py`, Python's own hmac and base64:
/// another implementation than the server's) verifies what the server sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_example_receiver_verifies_the_deliveries() {
    let Some(python) = tenet_test_support::browser::found("python3") else {
        assert!(std::env::var_os("CI").is_none(), "python3 is missing under CI");
        eprintln!("python3 not found: the example receiver's test did not run");
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let mut child = tokio::process::Command::new(python)
        .arg(support::root().join("examples/webhooks/receiver.py"))
        .args([secret, &port.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        format!("webhooks:\n  - url: http://127.0.0.1:{port}/\n    secret: {secret}\n    events: [case.overdue]\n"),
    )
    .unwrap();
    let hooks = Some(file.path().to_owned());
    let server = Server::start_with(None, None, |o| o.webhooks = hooks).await;
    open_return(&server, "R-py", 6, false).await;
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line =
        tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await.expect("a delivery within a minute");
    let line = line.unwrap().unwrap();
    assert!(line.starts_with("case.overdue {") && line.contains("\"case\": \"R-py\""), "{line}");
    // Recorded as delivered once the answer came back.
    let started = Instant::now();
    loop {
        let (_, list) = server.get("/v1/webhooks/deliveries").await;
        if list["deliveries"][0]["status"] == "delivered" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
