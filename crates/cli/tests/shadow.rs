//! The shadow's summary (`GET /v1/shadow`, the server judging as evaluations arrive) says
//! the same as `tenet diff --decisions` (the command line judging the logged facts
//! afterwards) over the same log: how many evaluations changed, how many the candidate
//! refuses more, the refund moved; `tenet report shadow` reads the same summary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tenet_test_support::root;

#[test]
fn the_shadow_summary_equals_tenet_diff_on_the_same_log() {
    let dir = tempfile::tempdir().unwrap();
    // The candidate: the return policy with a 20 % restocking fee and a 3-day window.
    let cand = dir.path().join("candidates");
    std::fs::create_dir_all(cand.join("calendars")).unwrap();
    for entry in std::fs::read_dir(root().join("rules/calendars")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, cand.join("calendars").join(p.file_name().unwrap())).unwrap();
    }
    let text = std::fs::read_to_string(root().join("rules/returns.tenet")).unwrap();
    let edited = text.replacen("const restocking_rate = 10%", "const restocking_rate = 20%", 1).replacen(
        "const no_reason_window = 7 days",
        "const no_reason_window = 3 days",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(cand.join("returns.tenet"), edited).unwrap();
    let db = format!("sqlite://{}/tenet.db", dir.path().display());
    let server = tenet_test_support::served::Served::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_tenet")),
        &db,
        &[std::ffi::OsStr::new("--shadow"), cand.as_os_str()],
        Stdio::null(),
    );
    let base = server.base.clone();
    let client = reqwest::blocking::Client::new();
    let n = 40;
    for i in 0..n {
        let mut f = tenet_test_support::workloads::varied_return(i);
        f["request"]["reason"] = json!("no_reason");
        let r = client.post(format!("{base}/v1/policies/returns/evaluate")).json(&f).send().unwrap();
        assert!(r.status().is_success(), "{}", r.text().unwrap());
    }
    // Cases too: each opened, submitted, and every other one taken through inspection;
    // every opening and event is judged again.
    let mut judgments = n;
    let cases = 10;
    for i in 0..cases {
        let mut f = tenet_test_support::workloads::varied_return(n + i);
        f["request"]["reason"] = json!("no_reason");
        let o = f.as_object_mut().unwrap();
        let (inspection, shipment) = (o.remove("inspection").unwrap(), o.remove("shipment").unwrap());
        o.remove("now");
        let id = format!("C-shadow-{i}");
        let r =
            client.post(format!("{base}/v1/cases")).json(&json!({"policy": "returns", "facts": f, "id": id})).send();
        assert!(r.unwrap().status().is_success());
        let mut events = vec![json!({"event": "submit", "by": "customer"})];
        if i % 2 == 0 {
            events.push(json!({"event": "approve", "by": "reviewer"}));
            events.push(json!({"event": "ship", "by": "customer", "data": {"shipment": shipment}}));
            events.push(json!({"event": "receive", "by": "warehouse", "data": {"inspection": inspection}}));
        }
        judgments += 1 + events.len();
        for (k, mut e) in events.into_iter().enumerate() {
            e["at"] = json!(format!("2026-11-20T10:{k:02}:00+08:00"));
            let r = client.post(format!("{base}/v1/cases/{id}/events")).json(&e).send().unwrap();
            assert!(r.status().is_success(), "{}", r.text().unwrap());
        }
    }
    // Every evaluation, opening and event judged again by the candidate.
    let started = Instant::now();
    loop {
        let metrics = client.get(format!("{base}/metrics")).send().unwrap().text().unwrap();
        let judged: u64 = metrics
            .lines()
            .filter(|l| l.starts_with("tenet_shadow_evaluations_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum();
        if judged == judgments as u64 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{metrics}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let summary: Value = client.get(format!("{base}/v1/shadow?policy=returns")).send().unwrap().json().unwrap();
    server.stop();
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .arg("diff")
        .arg(root().join("rules/returns.tenet"))
        .arg(cand.join("returns.tenet"))
        .args(["--decisions", &db, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(diff["cases"], n + cases, "{diff}");
    let case_changes = diff["groups"].as_array().unwrap().iter().flat_map(|g| g["cases"].as_array().unwrap());
    assert!(case_changes.filter(|c| c["case"].as_str().unwrap().starts_with("case ")).count() > 0, "{diff}");
    assert!(summary["differences"].as_u64().unwrap() > 0, "the candidate changes something: {summary}");
    assert_eq!(summary["errors"], 0);
    assert_eq!(diff["changed"], summary["differences"], "{diff}\n{summary}");
    // Evaluations whose decision moved, by (from, to).
    let mut moved = std::collections::BTreeMap::new();
    for g in diff["groups"].as_array().unwrap() {
        for c in g["cases"].as_array().unwrap() {
            let key =
                (c["old"]["decision"].as_str().unwrap().to_owned(), c["new"]["decision"].as_str().unwrap().to_owned());
            *moved.entry(key).or_insert(0u64) += 1;
        }
    }
    let shadow_moved: std::collections::BTreeMap<(String, String), u64> = summary["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                (m["from"].as_str().unwrap().to_owned(), m["to"].as_str().unwrap().to_owned()),
                m["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(moved, shadow_moved);
    let refund =
        diff["money"].as_array().unwrap().iter().find(|m| m["what"].as_str().unwrap().contains("refund_amount"));
    let refund: rust_decimal::Decimal = refund.map_or("0", |m| m["delta"].as_str().unwrap()).parse().unwrap();
    let shadow_change: rust_decimal::Decimal = summary["refund"]["change"].as_str().unwrap().parse().unwrap();
    assert_eq!(refund, shadow_change, "{diff}\n{summary}");
    // `tenet report shadow` reads the same summary from the database.
    let report = Command::new(env!("CARGO_BIN_EXE_tenet")).args(["report", "shadow", "--db", &db]).output().unwrap();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    assert_eq!(serde_json::from_slice::<Value>(&report.stdout).unwrap(), summary);
    let md = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["report", "shadow", "--db", &db, "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains(summary["message_en"].as_str().unwrap()) && md.contains("| approved |"), "{md}");
}
