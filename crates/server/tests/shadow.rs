//! Shadow evaluation (`--shadow DIR`): a candidate of the return policy with a 20 %
//! restocking fee (live: 10 %) and a 3-day no-reason window (live: 7) judges every
//! evaluation again; `/v1/shadow` sums up only the differences, in money. The expected
//! figures are worked out by hand from the policy's rules below, not read off the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Server, facts, policies_copy};

/// A candidate folder: the bundled return policy with `edit` applied, alone.
fn candidate(dir: &std::path::Path, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let rules = policies_copy(dir);
    for entry in std::fs::read_dir(&rules).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "tenet") && p.file_name().unwrap() != "returns.tenet" {
            std::fs::remove_file(p).unwrap();
        }
    }
    let path = rules.join("returns.tenet");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
    rules
}

/// Waits until the candidate has judged `n` decisions (the metric counts a judgment once
/// it is kept); how many were the same, different, errors.
async fn judged(s: &Server, n: u64) -> (u64, u64, u64) {
    let started = Instant::now();
    loop {
        let metrics = s.client.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
        let count = |outcome: &str| {
            metrics
                .lines()
                .find(|l| l.starts_with(&format!("tenet_shadow_evaluations_total{{outcome=\"{outcome}\"}}")))
                .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let counts = (count("same"), count("differs"), count("error"));
        if counts.0 + counts.1 + counts.2 >= n {
            return counts;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{metrics}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn stricter(text: String) -> String {
    let edited = text.replacen("const restocking_rate = 10%", "const restocking_rate = 20%", 1).replacen(
        "const no_reason_window = 7 days",
        "const no_reason_window = 3 days",
        1,
    );
    assert_ne!(edited, text);
    edited
}

/// The opened keyboard (399.00, no reason, delivered 11-01 15:20), submitted on `day`,
/// its packaging as given.
fn keyboard(n: usize, submitted: &str, packaging: &str) -> Value {
    let mut f = facts("opened-keyboard.json");
    f["order"]["id"] = json!(format!("SO-shadow-{n}"));
    f["request"]["submitted_at"] = json!(format!("2026-11-{submitted}T09:00:00+08:00"));
    f["inspection"]["packaging"] = json!(packaging);
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_candidate_s_differences_in_money() {
    let dir = tempfile::tempdir().unwrap();
    let shadow = Some(candidate(dir.path(), stricter));
    // A receiver that asked for the differences (none listens there: the outbox keeps them).
    let hooks = dir.path().join("hooks.yaml");
    std::fs::write(
        &hooks,
        "webhooks:\n  - url: http://127.0.0.1:9/\n    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n    events: [decision.shadow_diff]\n",
    )
    .unwrap();
    let s = Server::start_with(None, None, |o| {
        o.shadow = shadow;
        o.webhooks = Some(hooks);
    })
    .await;
    // A: opened, submitted after 2 days: both approve; the candidate keeps 20 % (79.80)
    //    instead of 10 % (39.90), so it refunds 399.00 - 79.80 - 10.00 = 309.20, not 349.10.
    // B: opened, submitted after 4 days: the candidate's 3-day window refuses it (no refund).
    // C: complete packaging, after 2 days: no fee either way, 389.00 both: no difference.
    let inputs = [
        keyboard(1, "03", "opened"),
        keyboard(2, "03", "opened"),
        keyboard(3, "05", "opened"),
        keyboard(4, "03", "complete"),
        keyboard(5, "03", "complete"),
    ];
    let mut live = Vec::new();
    for f in &inputs {
        let (status, v) = s.post("/v1/policies/returns/evaluate", f).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{v}");
        assert_eq!(v["decision"], "approved", "the live policy approves all five: {v}");
        live.push(v);
    }
    assert_eq!(live[0]["outputs"]["refund_amount"], "349.10");
    assert_eq!(live[3]["outputs"]["refund_amount"], "389.00");
    // The candidate judges off the request path: wait for all five.
    assert_eq!(judged(&s, 5).await, (2, 3, 0));
    let (status, sum) = s.get("/v1/shadow?policy=returns").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{sum}");
    assert_eq!(sum["differences"], 3);
    assert_eq!(sum["errors"], 0);
    assert_eq!(
        sum["decisions"],
        json!([{"from": "approved", "to": "approved", "count": 2}, {"from": "approved", "to": "rejected", "count": 1}])
    );
    assert_eq!(sum["refused_more"], 1);
    // Live 3 × 349.10; candidate 2 × 309.20 + 0.
    assert_eq!(sum["refund"], json!({"live": "1047.30", "candidate": "618.40", "change": "-428.90"}));
    assert_eq!(sum["message_en"], "the candidate would have refused 1 more returns, ¥428.90 less refunded");
    let ids: Vec<&str> =
        sum["entries"].as_array().unwrap().iter().map(|e| e["decision_id"].as_str().unwrap()).collect();
    let mut expected: Vec<&str> = live[..3].iter().map(|v| v["decision_id"].as_str().unwrap()).collect();
    let mut got = ids.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    // Each difference was written with its delivery.
    let (_, list) = s.get("/v1/webhooks/deliveries?limit=1000").await;
    let mut delivered: Vec<&str> = list["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["event_type"] == "decision.shadow_diff")
        .map(|d| d["payload"]["data"]["decision_id"].as_str().unwrap())
        .collect();
    delivered.sort_unstable();
    assert_eq!(delivered, expected, "{list}");
    // The answers were the live policy's alone.
    assert!(live.iter().all(|v| v["codes"].as_array().unwrap().iter().all(|c| c != "WINDOW_EXPIRED")));
    assert_eq!(s.get("/v1/shadow?policy=support_sla").await.0, reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_candidate_that_fails_its_check_or_shadows_nothing_is_refused_at_start() {
    for (edit, says) in [
        (
            Box::new(|t: String| t.replacen("const restocking_rate = 10%", "const restocking_rate = ", 1))
                as Box<dyn Fn(String) -> String>,
            "--shadow",
        ),
        (Box::new(|t: String| t.replacen("policy returns", "policy returns_next", 1)), "shadows no live policy"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let shadow = candidate(dir.path(), edit);
        let policies = policies_copy(&dir.path().join("live"));
        let options = tenet_server::Options {
            shadow: Some(shadow),
            ..tenet_server::Options::local(policies, format!("sqlite://{}/t.db", dir.path().display()))
        };
        let Err(e) = tenet_server::prepare(&options).await else { panic!("the candidate is refused") };
        assert!(e.to_string().contains(says), "{e}");
    }
}

/// Case events are judged again too, each case by its latest judgment — on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_events_are_judged_again_each_case_by_its_latest_judgment() {
    case_events_on(None).await;
}

/// The same on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_events_are_judged_again_on_postgres() {
    if let Some(url) = support::postgres() {
        case_events_on(Some(&url)).await;
    }
}

/// Three cases of the opened keyboard (live window 7 days and 10 % fee, the candidate's
/// 3 days and 20 %). The figures are worked out by hand:
/// - P, asked for after 4 days, submitted: the candidate refuses it (`else rejected`,
///   WINDOW_EXPIRED) where the live policy approves; then resubmitted with the date
///   corrected to day 2 — illegal in the live policy's review stage, accepted by the
///   candidate: both approve again. P does not count.
/// - Q, after 2 days, goes through to inspection with opened packaging: both approve;
///   the refund is 399.00 - 39.90 - 10.00 = 349.10 live, 399.00 - 79.80 - 10.00 = 309.20
///   for the candidate. Q counts: approved → approved, -39.90.
/// - R, after 4 days, submitted: approved → rejected. R counts, with no refund either way
///   (nothing inspected yet).
async fn case_events_on(db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let shadow = Some(candidate(dir.path(), stricter));
    let s = Server::start_with(db, None, |o| o.shadow = shadow).await;
    let started_at = chrono::Utc::now() - chrono::Duration::seconds(1);
    let since = started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let run = support::unique();
    let opening = |n: usize, submitted: &str| {
        let mut f = keyboard(n, submitted, "opened");
        let o = f.as_object_mut().unwrap();
        let inspection = o.remove("inspection").unwrap();
        let shipment = o.remove("shipment").unwrap();
        o.remove("now");
        (f, shipment, inspection)
    };
    let event = |name: &str, by: &str, minute: u32, data: Option<Value>| {
        let mut e = json!({"event": name, "by": by, "at": format!("2026-11-20T10:{minute:02}:00+08:00")});
        if let Some(d) = data {
            e["data"] = d;
        }
        e
    };
    let post_case = async |name: &str, facts: &Value, events: Vec<Value>| {
        let id = format!("{name}-{run}");
        let (status, v) = s.post("/v1/cases", &json!({"policy": "returns", "facts": facts, "id": id})).await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{v}");
        for e in events {
            let (status, v) = s.post(&format!("/v1/cases/{id}/events"), &e).await;
            assert_eq!(status, reqwest::StatusCode::OK, "{v}");
        }
        let (_, v) = s.get(&format!("/v1/cases/{id}")).await;
        (id, v)
    };
    let (p, _, _) = opening(11, "05");
    let corrected = json!({"request": {"submitted_at": "2026-11-03T09:00:00+08:00"}});
    let (p_id, p_view) = post_case(
        "P",
        &p,
        vec![event("submit", "customer", 0, None), event("resubmit", "customer", 1, Some(corrected))],
    )
    .await;
    assert_eq!((p_view["stage"].as_str(), p_view["decision"].as_str()), (Some("review"), Some("approved")));
    let (q, shipment, inspection) = opening(12, "03");
    let (q_id, q_view) = post_case(
        "Q",
        &q,
        vec![
            event("submit", "customer", 0, None),
            event("approve", "reviewer", 1, None),
            event("ship", "customer", 2, Some(json!({"shipment": shipment}))),
            event("receive", "warehouse", 3, Some(json!({"inspection": inspection}))),
        ],
    )
    .await;
    assert_eq!(q_view["stage"], "inspection", "{q_view}");
    assert_eq!(q_view["outputs"]["refund_amount"], "349.10", "{q_view}");
    let (r, _, _) = opening(13, "05");
    let (r_id, _) = post_case("R", &r, vec![event("submit", "customer", 0, None)]).await;
    // Judged: P at versions 0–2, Q at 0–4, R at 0–1; different: P 1, Q 4, R 1.
    assert_eq!(judged(&s, 10).await, (7, 3, 0));
    // A judgment is counted once kept.
    let (status, sum) = s.get(&format!("/v1/shadow?policy=returns&since={since}")).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{sum}");
    assert_eq!(sum["differences"], 2, "{sum}");
    assert_eq!(sum["errors"], 0);
    assert_eq!(
        sum["decisions"],
        json!([{"from": "approved", "to": "approved", "count": 1}, {"from": "approved", "to": "rejected", "count": 1}])
    );
    assert_eq!(sum["refused_more"], 1);
    assert_eq!(sum["refund"], json!({"live": "349.10", "candidate": "309.20", "change": "-39.90"}));
    let cases: Vec<&str> = sum["entries"].as_array().unwrap().iter().map(|e| e["case"].as_str().unwrap()).collect();
    assert_eq!(cases, [q_id.as_str(), r_id.as_str()], "{sum}");
    assert!(!cases.contains(&p_id.as_str()));
    // P's difference and its agreeing again are both kept.
    let rows = s.app.store.shadow_diffs("returns", Some(started_at), None).await.unwrap();
    let p_rows: Vec<Option<i64>> =
        rows.iter().filter(|r| r.case_id.as_deref() == Some(p_id.as_str())).map(|r| r.case_version).collect();
    assert_eq!(p_rows, [Some(1), Some(2)]);
    assert_eq!(rows.len(), 4, "P twice, Q once, R once: {rows:?}");
}
