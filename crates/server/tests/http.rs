//! The service over real HTTP on loopback, against SQLite and — when
//! `TENET_TEST_POSTGRES` names a database, as `.ci/run` arranges — PostgreSQL. Each
//! scenario runs on both; under CI a missing PostgreSQL is a failure, not a skip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

#[macro_use]
mod support;

use support::*;

async fn evaluate_is_logged(s: Server) {
    let (status, v) = s.post("/v1/policies/returns/evaluate", &facts("opened-keyboard.json")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["decision"], "approved");
    assert_eq!(v["ledgers"]["deductions"]["total"], "49.90");
    let id = v["decision_id"].as_str().expect("a decision id").to_owned();
    let logged = s.logged("policy=returns", |d| d["decision_id"] == id.as_str()).await;
    let entry = logged.first().expect("logged");
    assert_eq!(entry["result"]["decision"], "approved");
    assert_eq!(entry["policy_version"], "2026.1");
    assert_eq!(entry["facts"]["item"]["sku"], "KB-101");
    assert_eq!(entry["policy_hash"].as_str().unwrap().len(), 64);
    // The same log as JSON lines.
    let text = s
        .client
        // From the entry's own instant: the JSON-lines page holds it whatever came before.
        .get(format!("{}/v1/decisions?policy=returns&limit=1000&since={}", s.base, entry["at"].as_str().unwrap()))
        .header("accept", "application/x-ndjson")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|l| l["decision_id"] == id.as_str()));
    // Paging: `after` the entry, that entry is not repeated.
    let (_, page) = s.get(&format!("/v1/decisions?after={id}")).await;
    assert!(page["decisions"].as_array().unwrap().iter().all(|d| d["decision_id"] != id.as_str()));
    // An unknown policy is a 404 naming what is served.
    let (status, v) = s.post("/v1/policies/retruns/evaluate", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["message_en"].as_str().unwrap().contains("returns"), "{v}");
}
on_both!(evaluate, evaluate_is_logged);

async fn a_case_from_opening_to_refund(s: Server) {
    let case = case_file("return-refunded.yaml");
    let id = format!("R-{}", unique());
    let (status, v) = s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["stage"], "application");
    assert_eq!(v["version"], 0);
    let token = v["tracking_token"].as_str().unwrap().to_owned();
    // The same id again is a conflict.
    let (status, _) = s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let events = case["events"].as_array().unwrap();
    for (i, e) in events.iter().enumerate() {
        let (status, v) = s.post(&format!("/v1/cases/{id}/events"), e).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["version"], i + 1);
        assert_eq!(v["posted"]["outcome"], "accepted");
    }
    let (status, v) = s.get(&format!("/v1/cases/{id}?now=2026-11-20T12:00:00%2B08:00")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["version"], events.len());
    assert_eq!(v["refund"]["amount"], "349.10");
    assert_eq!(v["refund"]["status"], "success");
    assert_eq!(v["refund"]["method"], "alipay");
    assert_eq!(v["refund"]["reference"], "AP-20261110-0042");
    // An event the workflow does not allow here is recorded as illegal.
    let (status, v) = s
        .post(&format!("/v1/cases/{id}/events"), &json!({"event": "approve", "at": "2026-11-12T09:00:00+08:00"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["posted"]["outcome"], "illegal");
    assert_eq!(v["version"], events.len() + 1);
    // The answer is the case view a read gives, then what was posted and the decision id.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys[keys.len() - 2..], ["posted", "decision_id"]);
    let last = &v["trail"][events.len()];
    assert_eq!(v["posted"]["findings"], last.get("findings").cloned().unwrap_or(json!([])));
    assert!(last["reason"].is_string(), "an illegal event says why: {last}");
    let (_, read) = s.get(&format!("/v1/cases/{id}")).await;
    let without = |mut v: Value, keys: &[&str]| {
        for k in keys {
            v.as_object_mut().unwrap().shift_remove(*k);
        }
        v
    };
    assert_eq!(without(v.clone(), &["now", "posted", "decision_id"]), without(read, &["now"]));
    // Listing finds it by stage; the customer's page answers with the right token only.
    let (_, list) = s.get("/v1/cases?stage=closed&limit=1000").await;
    assert!(list["cases"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()));
    let page = s.client.get(format!("{}/track/{id}?t={token}", s.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("已完成") && html.contains("349.10") && html.contains("AP-20261110-0042"), "{html}");
    assert!(html.contains("支付宝") && html.contains("无理由退货的运费"), "the deductions explain the amount");
    // A token one character off (never the token itself, whatever it starts with).
    let first = if token.starts_with('0') { "1" } else { "0" };
    let wrong = s.client.get(format!("{}/track/{id}?t={first}{}", s.base, &token[1..])).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
}
on_both!(case_lifecycle, a_case_from_opening_to_refund);

async fn bad_input_gets_its_status(s: Server) {
    let send_raw = |path: &str, ct: &str, body: Vec<u8>| {
        let req = s.client.post(format!("{}{path}", s.base)).header("content-type", ct.to_owned()).body(body);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (status, v) = send_raw("/v1/policies/returns/evaluate", "application/json", b"{\"order\": ".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "bad_request");
    assert!(v["message_en"].as_str().unwrap().contains("line 1"), "{v}");
    let (status, v) = send_raw("/v1/policies/returns/evaluate", "text/plain", b"{}".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(v["error"], "unsupported_media_type");
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    // On a connection of its own: the server answers 413 and closes it, so a pooled
    // connection would be reused half-closed by the next request.
    let lone = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let r = lone
        .post(format!("{}/v1/policies/returns/evaluate", s.base))
        .header("content-type", "application/json")
        .body(huge.into_bytes())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["error"], "payload_too_large");
    // Facts that fail the schema: 422, each problem with its path.
    let mut f = facts("opened-keyboard.json");
    f["item"]["quantity"] = json!("two");
    let (status, v) = s.post("/v1/policies/returns/evaluate", &f).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["diagnostics"][0]["path"], "item.quantity", "{v}");
    // Nonsense the types allow is refused by the schema's checks: a negative price, a
    // price with spaces around it. Neither is evaluated (it used to be approved).
    for (price, why) in [(json!("-399.00"), "money >= 0"), (json!(" 399.00 "), "no spaces")] {
        let mut f = facts("opened-keyboard.json");
        f["item"]["unit_price"] = price;
        let (status, v) = s.post("/v1/policies/returns/evaluate", &f).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"], "invalid_facts", "{v}");
        assert_eq!(v["diagnostics"][0]["path"], "item.unit_price", "{v}");
        assert!(v.to_string().contains(why), "{v}");
    }
    // Opening: wrong types name their field.
    let (status, v) = s.post("/v1/cases", &json!({"policy": 7, "facts": {}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["diagnostics"][0]["path"], "policy");
    // The body is a typed request: an unknown key and a missing field are named too.
    let (status, v) = s.post("/v1/cases", &json!({"policy": "returns", "facts": {}, "ide": "X"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["diagnostics"][0]["message_en"].as_str().unwrap().contains("unknown field `ide`"), "{v}");
    let (status, v) = s.post("/v1/cases", &json!({"policy": "returns"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["diagnostics"][0]["message_en"].as_str().unwrap().contains("missing field `facts`"), "{v}");
    let (status, v) = s.post("/v1/cases", &json!({"policy": "returns", "facts": {}, "color": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["diagnostics"][0]["path"], "color");
    let (status, _) = s.get("/v1/cases/no-such-case").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        s.post("/v1/cases/no-such-case/events", &json!({"event": "submit", "at": "2026-11-05T09:00:00+08:00"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = s.get("/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"], "not_found");
    let (status, v) = s.get("/v1/cases?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let (status, _) = s.get("/v1/cases/x?now=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An event with bad data: 422 and nothing recorded.
    let case = case_file("return-refunded.yaml");
    let id = format!("B-{}", unique());
    s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    let (status, v) = s
        .post(
            &format!("/v1/cases/{id}/events"),
            &json!({"event": "submit", "at": "2026-11-05T09:00:00+08:00", "data": {"request": {"quantity": "many"}}}),
        )
        .await;
    // As `tenet case` does, the event is recorded as illegal, with the reason.
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["posted"]["outcome"], "illegal");
    assert!(v["trail"][0]["reason_en"].as_str().unwrap().contains("request.quantity"), "{v}");
    let (status, v) = s.post(&format!("/v1/cases/{id}/events"), &json!({"event": "submit", "at": "soon"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["diagnostics"][0]["path"], "at");
    let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
    assert_eq!(v["version"], 1, "the malformed event was not recorded");
    // A stale version: 412, nothing recorded.
    let e = json!({"event": "submit", "at": "2026-11-05T09:00:00+08:00"});
    let (status, v) =
        s.send(reqwest::Method::POST, &format!("/v1/cases/{id}/events"), Some(&e), &[("if-match", "\"3\"")]).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{v}");
    let (status, _) =
        s.send(reqwest::Method::POST, &format!("/v1/cases/{id}/events"), Some(&e), &[("if-match", "\"1\"")]).await;
    assert_eq!(status, StatusCode::OK);
}
on_both!(bad_input, bad_input_gets_its_status);

async fn idempotency_keys_record_once(s: Server) {
    let case = case_file("return-refunded.yaml");
    let id = format!("I-{}", unique());
    s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    let e = &case["events"][0];
    let path = format!("/v1/cases/{id}/events");
    let (s1, first) = s.send(reqwest::Method::POST, &path, Some(e), &[("idempotency-key", "k-1")]).await;
    let (s2, second) = s.send(reqwest::Method::POST, &path, Some(e), &[("idempotency-key", "k-1")]).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(first, second, "the first answer, again");
    let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
    assert_eq!(v["version"], 1, "recorded once");
    // The same event written another way (keys in another order) is the same request.
    let reordered: Value =
        serde_json::from_str(&format!(r#"{{"by": {}, "at": {}, "event": {}}}"#, e["by"], e["at"], e["event"])).unwrap();
    let (s3, third) = s.send(reqwest::Method::POST, &path, Some(&reordered), &[("idempotency-key", "k-1")]).await;
    assert_eq!((s3, &third), (StatusCode::OK, &first));
    // The key reused for another event: refused, and the other event is not recorded.
    let other = &case["events"][1];
    let (status, v) = s.send(reqwest::Method::POST, &path, Some(other), &[("idempotency-key", "k-1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"], "idempotency_key_reused");
    let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
    assert_eq!(v["version"], 1, "nothing recorded");
}
on_both!(idempotency, idempotency_keys_record_once);

/// What a client cannot mean is refused with `422` and leaves no trace in the case: an
/// event the workflow does not have (with a did-you-mean), and an event dated after the
/// server's clock (it would be illegal now and legal later, changing the case by itself).
async fn events_that_cannot_be_are_refused(s: Server) {
    let case = case_file("return-refunded.yaml");
    let id = format!("U-{}", unique());
    s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    let path = format!("/v1/cases/{id}/events");
    let (status, v) = s.post(&path, &json!({"event": "sumbit", "at": "2026-11-05T09:00:00+08:00"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"], "unknown_event");
    assert!(v["message_en"].as_str().unwrap().contains("did you mean `submit`"), "{v}");
    assert_eq!(v["diagnostics"][0]["path"], "event");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (status, v) = s.post(&path, &json!({"event": "submit", "at": tomorrow})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"], "event_in_future");
    assert_eq!(v["diagnostics"][0]["path"], "at");
    let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
    assert_eq!(v["version"], 0, "nothing recorded: {v}");
    // A legal event still goes in.
    let (status, v) = s.post(&path, &case["events"][0]).await;
    assert_eq!((status, &v["posted"]["outcome"]), (StatusCode::OK, &json!("accepted")), "{v}");
}
on_both!(refused_events, events_that_cannot_be_are_refused);

/// Many clients post to one case at once: no event lost or doubled, versions one by one.
async fn concurrent_posts_lose_nothing(s: Server) {
    let case = case_file("return-refunded.yaml");
    let id = format!("K-{}", unique());
    s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    let s = std::sync::Arc::new(s);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let s = std::sync::Arc::clone(&s);
        let path = format!("/v1/cases/{id}/events");
        tasks.push(tokio::spawn(async move {
            let e = json!({"event": "refund_update", "at": "2026-11-09T10:00:00+08:00", "by": format!("client-{i}")});
            s.post(&path, &e).await
        }));
    }
    let mut versions = Vec::new();
    for t in tasks {
        let (status, v) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{v}");
        versions.push(v["posted"]["version"].as_i64().unwrap());
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=24).collect::<Vec<i64>>(), "each version once");
    let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
    let mut by: Vec<String> =
        v["trail"].as_array().unwrap().iter().map(|t| t["by"].as_str().unwrap().to_owned()).collect();
    by.sort();
    by.dedup();
    assert_eq!(by.len(), 24, "every client's event is there once");
    // With If-Match, a client that lost the race is told so, and nothing is doubled.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = std::sync::Arc::clone(&s);
        let path = format!("/v1/cases/{id}/events");
        tasks.push(tokio::spawn(async move {
            let e = json!({"event": "refund_update", "at": "2026-11-09T10:00:00+08:00", "by": format!("m-{i}")});
            s.send(reqwest::Method::POST, &path, Some(&e), &[("if-match", "\"24\"")]).await.0
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::PRECONDITION_FAILED => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(ok, 1, "exactly one writer wins version 25");
    let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
    assert_eq!(v["version"], 25);
}
on_both!(concurrency, concurrent_posts_lose_nothing);

/// Many clients open the same id at once: one case, one `201`, every other a `409`.
async fn concurrent_openings_make_one_case(s: Server) {
    let case = case_file("return-refunded.yaml");
    let id = format!("O-{}", unique());
    let s = std::sync::Arc::new(s);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = std::sync::Arc::clone(&s);
            let body = json!({"policy": "returns", "facts": case["facts"], "id": id});
            tokio::spawn(async move { s.post("/v1/cases", &body).await })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut tokens = Vec::new();
    for t in tasks {
        let (status, v) = t.await.unwrap();
        statuses.push(status.as_u16());
        if status == StatusCode::CREATED {
            tokens.push(v["tracking_token"].as_str().unwrap().to_owned());
        } else {
            assert_eq!(v["error"], "conflict", "{v}");
        }
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    // The token answered is the case's: its page opens.
    let page = s.client.get(format!("{}/track/{id}?t={}", s.base, tokens[0])).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}
on_both!(openings, concurrent_openings_make_one_case);

/// Two servers on one database: each posts from the case as it last saw it, which the
/// other may have moved on since. A stale guess is never written and never wins over
/// `If-Match`: the versions grow by one and each answer names the version in the database.
async fn stale_cases_are_never_trusted_on(db: String) {
    let (a, b) = (Server::start(Some(&db), None).await, Server::start(Some(&db), None).await);
    let case = case_file("return-refunded.yaml");
    let id = format!("S-{}", unique());
    let (status, _) = a.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!("/v1/cases/{id}/events");
    let update = |by: &str| json!({"event": "refund_update", "at": "2026-11-09T10:00:00+08:00", "by": by});
    let version = |v: &Value| v["posted"]["version"].as_i64();
    let (_, v) = a.post(&path, &update("a-1")).await;
    assert_eq!(version(&v), Some(1), "{v}");
    let (_, v) = b.post(&path, &update("b-1")).await;
    assert_eq!(version(&v), Some(2), "{v}");
    // A last saw version 1: its If-Match "1" is stale, told with the version now.
    let (status, v) = a.send(reqwest::Method::POST, &path, Some(&update("a-stale")), &[("if-match", "\"1\"")]).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{v}");
    assert!(v["message_en"].as_str().unwrap_or_default().contains("it is at 2"), "{v}");
    // If-Match "2" is current although A's own copy is older.
    let (status, v) = a.send(reqwest::Method::POST, &path, Some(&update("a-2")), &[("if-match", "\"2\"")]).await;
    assert_eq!((status, version(&v)), (StatusCode::OK, Some(3)), "{v}");
    // B last saw version 2; without If-Match its guess loses, and it retries.
    let (status, v) = b.post(&path, &update("b-2")).await;
    assert_eq!((status, version(&v)), (StatusCode::OK, Some(4)), "{v}");
    for s in [&a, &b] {
        let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
        let by: Vec<&str> = v["trail"].as_array().unwrap().iter().map(|t| t["by"].as_str().unwrap()).collect();
        assert_eq!((v["version"].as_i64(), by), (Some(4), vec!["a-1", "b-1", "a-2", "b-2"]));
    }
    // Scans see the case as it is whatever each server held: A's copy is one event
    // behind, B's is current, a server just started (C) reads it with its page.
    let submit = case["events"][0].clone();
    let (status, v) = b.post(&path, &submit).await;
    assert_eq!((status, version(&v)), (StatusCode::OK, Some(5)), "{v}");
    let (a_overdue, a_actions) = scans(&a, &id).await;
    let c = Server::start(Some(&db), None).await;
    for s in [&b, &c] {
        assert_eq!(scans(s, &id).await, (a_overdue.clone(), a_actions.clone()));
    }
    assert!(!a_overdue.is_empty(), "the case is late by 2030");
}

/// What the overdue listing and the due actions of 2030 say of case `id`.
async fn scans(s: &Server, id: &str) -> (Vec<Value>, Vec<Value>) {
    let (_, v) = s.get("/v1/cases?overdue=true&now=2030-01-01T00:00:00Z&limit=1000").await;
    let overdue = v["cases"].as_array().unwrap().iter().filter(|c| c["id"] == id).cloned().collect();
    let (_, v) = s.get("/v1/actions?due_before=2030-01-01T00:00:00Z").await;
    let actions = v["actions"].as_array().unwrap().iter().filter(|a| a["case"] == id).cloned().collect();
    (overdue, actions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_cases_are_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    stale_cases_are_never_trusted_on(format!("sqlite://{}/shared.db", dir.path().display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_cases_are_never_trusted_on_postgres() {
    if let Some(url) = postgres() {
        stale_cases_are_never_trusted_on(url).await;
    }
}

async fn health_metrics_and_actions(s: Server) {
    let (status, v) = s.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    let bundled = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "tenet"))
        .count();
    assert_eq!(v["policies"], bundled);
    let case = case_file("return-rejected-at-review.yaml");
    let id = format!("A-{}", unique());
    s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    for e in case["events"].as_array().unwrap() {
        s.post(&format!("/v1/cases/{id}/events"), e).await;
    }
    let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
    assert_eq!(v["stage"], "rejected");
    // The case, its log entries and the metrics say what the policy decided.
    assert_eq!(v["decision"], "rejected");
    assert_eq!(v["codes"], json!(["WINDOW_EXPIRED"]));
    assert_eq!(v.get("refund"), None, "a rejected case is owed no refund: {v}");
    let mine = s.logged("since=2000-01-01T00:00:00Z", |d| d["case_id"] == id.as_str()).await;
    assert!(mine.len() >= 2, "the opening and each event are logged: {mine:?}");
    let last = mine.last().unwrap();
    assert_eq!(last["result"]["decision"], "rejected", "{last}");
    assert_eq!(last["result"]["codes"], json!(["WINDOW_EXPIRED"]), "{last}");
    let (_, due) = s.get("/v1/actions?due_before=2027-01-01T00:00:00Z").await;
    let mine: Vec<&Value> = due["actions"].as_array().unwrap().iter().filter(|a| a["case"] == id.as_str()).collect();
    assert_eq!(mine.len(), 1, "{due}");
    assert_eq!(mine[0]["kind"], "explain_rejection");
    assert_eq!(mine[0]["past_due"], true, "due 2026-11-10, and the clock is later");
    // `past_due` is judged at `now`, not at the cut-off: at 2026-11-10T09:00+08:00 the
    // explanation (due at 10:00) is listed before a later cut-off but not yet past due.
    let (_, early) = s.get("/v1/actions?due_before=2027-01-01T00:00:00Z&now=2026-11-10T09:00:00%2B08:00").await;
    let mine_early: Vec<&Value> =
        early["actions"].as_array().unwrap().iter().filter(|a| a["case"] == id.as_str()).collect();
    assert_eq!(mine_early.len(), 1, "{early}");
    assert_eq!(mine_early[0]["past_due"], false, "{early}");
    // A parameter that cannot be read is named.
    for (query, name) in [("due_before=soon", "due_before"), ("now=later", "now")] {
        let (status, v) = s.get(&format!("/v1/actions?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(v["message_en"].as_str().unwrap_or_default().starts_with(&format!("{name}=")), "{v}");
    }
    // A parameter the route does not take is refused, named (a misspelt filter never
    // silently lists everything), as is a value of the wrong type.
    for (query, said) in
        [("overdu=true", "unknown field `overdu`"), ("overdue=yes", "overdue=\"yes\""), ("limit=0", "limit=\"0\"")]
    {
        let (status, v) = s.get(&format!("/v1/cases?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(v["message_en"].as_str().unwrap_or_default().contains(said), "{query}: {v}");
    }
    let (status, v) = s.get("/v1/decisions?since=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["message_en"].as_str().unwrap_or_default().starts_with("since="), "{v}");
    let action = mine[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = s.post(&format!("/v1/actions/{action}/done"), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, due) = s.get("/v1/actions?due_before=2027-01-01T00:00:00Z").await;
    assert!(due["actions"].as_array().unwrap().iter().all(|a| a["id"] != action.as_str()), "delivered once");
    let text = s.client.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(
        text.contains("tenet_http_requests_total{method=\"POST\",route=\"/v1/cases/{id}/events\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("tenet_events_total{event=\"submit\",outcome=\"refused\"}"), "{text}");
    assert!(text.contains("tenet_decisions_total{decision=\"rejected\"}"), "{text}");
    assert!(text.contains("tenet_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert!(text.contains("# TYPE tenet_cases_overdue gauge"), "{text}");
    let cpu = text.lines().find_map(|l| l.strip_prefix("process_cpu_seconds_total ")).expect("CPU time");
    assert!(cpu.parse::<f64>().unwrap() > 0.0, "a server that answered requests used some CPU: {cpu}");
}
on_both!(operations, health_metrics_and_actions);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_policy_never_replaces_a_working_one() {
    let s = Server::start(None, None).await;
    let case = case_file("return-refunded.yaml");
    s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": "OLD-1"})).await;
    let path = s.policies.join("returns.tenet");
    let good = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, good.replace("rule \"退款须已到账\"", "rule \"退款须已到账\" oops")).unwrap();
    let (status, v) = s.post("/v1/policies/reload", &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["diagnostics"].as_array().is_some_and(|d| !d.is_empty()));
    let (status, _) = s.post("/v1/policies/returns/evaluate", &facts("opened-keyboard.json")).await;
    assert_eq!(status, StatusCode::OK, "the old version keeps serving");
    // A valid new version serves new cases; the old case keeps its version.
    std::fs::write(&path, good.replace("version \"2026.1\"", "version \"2026.2\"")).unwrap();
    let (status, _) = s.post("/v1/policies/reload", &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, v) = s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": "NEW-1"})).await;
    assert_eq!(v["policy_version"], "2026.2");
    let (_, v) = s.post("/v1/cases/OLD-1/events", &case["events"][0]).await;
    assert_eq!(v["policy_version"], "2026.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_roles() {
    let digest = |t: &str| tenet_server::ids::sha256_hex(t.as_bytes());
    let tokens = format!(
        "tokens:\n  - {{name: desk, sha256: {}, role: operator}}\n  - {{name: audit, sha256: {}, role: reader}}\n",
        digest("desk-secret"),
        digest("audit-secret")
    );
    let s = Server::start(None, Some(&tokens)).await;
    let f = facts("opened-keyboard.json");
    let path = "/v1/policies/returns/evaluate";
    let (status, v) = s.post(path, &f).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"], "unauthorized");
    let (status, _) = s.send(reqwest::Method::POST, path, Some(&f), &[("authorization", "Bearer wrong")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s.send(reqwest::Method::POST, path, Some(&f), &[("authorization", "Bearer audit-secret")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a reader may not evaluate");
    let (status, _) = s.send(reqwest::Method::POST, path, Some(&f), &[("authorization", "Bearer desk-secret")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        s.send(reqwest::Method::GET, "/v1/decisions", None, &[("authorization", "Bearer audit-secret")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s
        .send(
            reqwest::Method::POST,
            "/v1/policies/reload",
            Some(&json!({})),
            &[("authorization", "Bearer desk-secret")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only an admin reloads");
}

#[tokio::test]
async fn without_tokens_only_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let options = tenet_server::Options {
        listen: "0.0.0.0:0".into(),
        ..tenet_server::Options::local(policies_copy(dir.path()), format!("sqlite://{}/t.db", dir.path().display()))
    };
    let err = tenet_server::prepare(&options).await.expect_err("refused");
    assert!(err.to_string().contains("loopback"), "{err}");
}

/// By default an evaluation's log entry is queued, not waited for: it reaches the log
/// within moments, and a clean shutdown flushes what is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_decisions_reach_the_log() {
    queued_decisions_on(None).await;
}

/// The same on PostgreSQL, where the log's connection commits without waiting for the
/// disk (`synchronous_commit = off`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_decisions_reach_the_log_on_postgres() {
    if let Some(url) = postgres() {
        queued_decisions_on(Some(url)).await;
    }
}

/// 200 evaluations at once, so commits hold more rows than one INSERT takes (64): every
/// answer is in the log, once, with the result that was answered.
async fn queued_decisions_on(db: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let options = tenet_server::Options::local(
        policies_copy(dir.path()),
        db.unwrap_or_else(|| format!("sqlite://{}/t.db", dir.path().display())),
    );
    let ready = tenet_server::prepare(&options).await.unwrap();
    let base = format!("http://{}", ready.addr().unwrap());
    let app = std::sync::Arc::clone(&ready.app);
    tokio::spawn(tenet_server::serve(ready));
    let client = Client::new();
    let started = chrono::Utc::now() - chrono::Duration::seconds(1);
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                let text = client
                    .post(format!("{base}/v1/policies/returns/evaluate"))
                    .json(&facts("opened-keyboard.json"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let v: Value = serde_json::from_str(&text).unwrap();
                (v["decision_id"].as_str().unwrap().to_owned(), text)
            })
        })
        .collect();
    let mut answers = std::collections::BTreeMap::new();
    for t in tasks {
        let (id, v) = t.await.unwrap();
        answers.insert(id, v);
    }
    app.log.flush().await.unwrap();
    // A shared PostgreSQL may hold other tests' entries: only this server's policy hash
    // and time window are compared.
    let since = started.format("%Y-%m-%dT%H:%M:%S%.6fZ");
    let log: Value = client
        .get(format!("{base}/v1/decisions?policy=returns&limit=1000&since={since}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logged: std::collections::BTreeMap<String, Value> = log["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| answers.contains_key(d["decision_id"].as_str().unwrap()))
        .map(|d| (d["decision_id"].as_str().unwrap().to_owned(), d["result"].clone()))
        .collect();
    assert_eq!(logged.len(), 200, "every decision, once");
    for (id, result) in &logged {
        let answer: Value = serde_json::from_str(&answers[id]).unwrap();
        for key in ["decision", "codes", "outputs"] {
            assert_eq!(result[key], answer[key], "the log keeps what was decided: {id}");
        }
        assert_eq!(result["ledgers"]["deductions"], answer["ledgers"]["deductions"]["total"]);
        // The whole answer, rebuilt from what the log kept, byte for byte.
        let again = client.get(format!("{base}/v1/decisions/{id}")).send().await.unwrap();
        assert_eq!(again.headers().get("tenet-rebuilt"), None);
        assert_eq!(again.text().await.unwrap(), answers[id], "{id}");
    }
}

/// The overdue gauge counts the cases whose deadline has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overdue_gauge_counts_late_cases() {
    let s = Server::start(None, None).await;
    let case = case_file("return-overdue-review.yaml");
    for id in ["LATE-1", "LATE-2"] {
        s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
        for e in case["events"].as_array().unwrap() {
            s.post(&format!("/v1/cases/{id}/events"), e).await;
        }
    }
    let fresh = case_file("return-refunded.yaml");
    s.post("/v1/cases", &json!({"policy": "returns", "facts": fresh["facts"], "id": "ON-TIME"})).await;
    let text = s.client.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("\ntenet_cases_overdue 2\n"), "{text}");
}

/// `/metrics` is written by a real exposition library and parsed back by a real parser,
/// whatever names clients send; its series stay bounded however many junk requests come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_and_stay_bounded_whatever_clients_send() {
    let s = Server::start(None, None).await;
    let case = case_file("return-refunded.yaml");
    s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": "M-1"})).await;
    // Event names that broke the hand-written exposition: a backslash, a quote and brace.
    // The workflow knows neither: each is refused (422), and nothing of it is kept.
    for name in ["probe\\", "probe\"} 1 #", "submit"] {
        let (status, v) =
            s.post("/v1/cases/M-1/events", &json!({"event": name, "at": "2026-11-05T09:00:00+08:00"})).await;
        let want = if name == "submit" { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        assert_eq!(status, want, "{v}");
    }
    let scrape = |text: &str| {
        prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
            .unwrap_or_else(|e| panic!("the exposition does not parse ({e}):\n{text}"))
    };
    let metrics = || async {
        let r = s.client.get(format!("{}/metrics", s.base)).send().await.unwrap();
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
        r.text().await.unwrap()
    };
    let before = metrics().await;
    let parsed = scrape(&before);
    let labels: Vec<String> =
        parsed.samples.iter().flat_map(|x| x.labels.values().cloned().collect::<Vec<_>>()).collect();
    assert!(labels.iter().all(|v| !v.contains("probe")), "no client text in a label: {labels:?}");
    assert!(
        parsed.samples.iter().any(|x| x.metric == "tenet_events_total" && x.labels.get("event") == Some("submit")),
        "events are counted by name:\n{before}"
    );
    // 300 junk requests: made-up methods and paths, none of them a route.
    for i in 0..300 {
        let method = reqwest::Method::from_bytes(format!("JUNK{i}").as_bytes()).unwrap();
        let r = s.client.request(method, format!("{}/junk/{i}?x={i}", s.base)).send().await.unwrap();
        assert!(r.status().is_client_error());
        let _ = s.client.get(format!("{}/v1/nothing-{i}", s.base)).send().await.unwrap();
    }
    let after = metrics().await;
    let series =
        |text: &str| scrape(text).samples.into_iter().filter(|x| x.metric.starts_with("tenet_http_requests")).count();
    let grown = series(&after) - series(&before);
    assert!(grown <= 4, "300 junk requests added {grown} request series:\n{after}");
    assert!(after.contains("method=\"OTHER\",route=\"unmatched\""), "{after}");
    assert!(!after.contains("JUNK") && !after.contains("/junk/"), "{after}");
}

/// The policy says who posts each event (`on approve by reviewer`): a token that acts as
/// another role is refused with `403 role_required`, naming the role, and nothing is
/// recorded; the right role may post it, and the event records the token's holder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_decides_who_posts_each_event() {
    let digest = |t: &str| tenet_server::ids::sha256_hex(t.as_bytes());
    let tokens = format!(
        "tokens:\n  - {{name: dock, sha256: {}, role: operator, acts_as: [warehouse]}}\n  \
         - {{name: ann, sha256: {}, role: operator, acts_as: [customer]}}\n  \
         - {{name: rita, sha256: {}, role: operator, acts_as: [reviewer]}}\n",
        digest("dock-secret"),
        digest("ann-secret"),
        digest("rita-secret"),
    );
    let s = Server::start(None, Some(&tokens)).await;
    let case = case_file("return-refunded.yaml");
    let as_ = |who: &'static str| vec![("authorization", who)];
    let post = |path: String, body: Value, who: &'static str| {
        let s = &s;
        async move { s.send(reqwest::Method::POST, &path, Some(&body), &as_(who)).await }
    };
    let (status, v) = post(
        "/v1/cases".into(),
        json!({"policy": "returns", "facts": case["facts"], "id": "ROLE-1"}),
        "Bearer ann-secret",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let events = case["events"].as_array().unwrap();
    let submit = events.iter().find(|e| e["event"] == "submit").unwrap().clone();
    let approve = events.iter().find(|e| e["event"] == "approve").unwrap().clone();
    // The warehouse may not submit for the customer; the customer may.
    let (status, v) = post("/v1/cases/ROLE-1/events".into(), submit.clone(), "Bearer dock-secret").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"], "role_required");
    assert!(v["message_en"].as_str().unwrap_or("").contains("needs the role customer"), "{v}");
    let (status, v) = post("/v1/cases/ROLE-1/events".into(), submit, "Bearer ann-secret").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["version"], 1, "the refused submit was not recorded: {v}");
    // Approving is the reviewer's: the customer is refused, the reviewer is not.
    let (status, v) = post("/v1/cases/ROLE-1/events".into(), approve.clone(), "Bearer ann-secret").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert!(v["message"].as_str().unwrap_or("").contains("reviewer"), "{v}");
    let (status, v) = post("/v1/cases/ROLE-1/events".into(), approve, "Bearer rita-secret").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["stage"], "preparation", "{v}");
    // Who posted each event is the token's holder, whatever the body claimed (the
    // history's `by: reviewer` became `rita`).
    let by: Vec<&str> = v["trail"].as_array().unwrap().iter().map(|s| s["by"].as_str().unwrap_or("")).collect();
    assert_eq!(by, ["ann", "rita"], "{v}");
}
