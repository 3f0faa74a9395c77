//! The return analysis on cases whose figures are known: counts, exact money, refund
//! times, weeks, return rates, filters, and bad lines counted with their line numbers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tenet::Policy;
use tenet_report::reports::input::{self, InputError};
use tenet_report::reports::returns::{Options, ReturnReport, Sales};

use tenet_test_support::root;

fn example_case() -> Value {
    let text = std::fs::read_to_string(root().join("examples/cases/return-refunded.yaml")).unwrap();
    serde_json::to_value(yaml_serde::from_str::<yaml_serde::Value>(&text).unwrap()).unwrap()
}

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-20T04:00:00Z".parse().unwrap()
}

/// Four lines: a whole refunded return (events), a late no-reason request (evaluated as
/// it stands), a line that is not JSON and one whose facts do not fit the policy.
fn corpus(dir: &Path) -> PathBuf {
    let case = example_case();
    let mut late = case["facts"].clone();
    late["request"]["submitted_at"] = json!("2026-11-12T09:00:00+08:00");
    late["item"]["sku"] = json!("KB-202");
    let mut broken = case["facts"].clone();
    broken["item"]["quantity"] = json!("two");
    let lines = [
        json!({"id": "R-1", "facts": case["facts"], "events": case["events"]}).to_string(),
        json!({"id": "R-2", "facts": late}).to_string(),
        "{not json".to_owned(),
        json!({"id": "R-4", "facts": broken}).to_string(),
    ];
    let path = dir.join("cases.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn run(path: &Path, options: Options, sales: Option<&Sales>) -> (Value, Vec<InputError>) {
    let policy = Policy::load(root().join("rules/returns.tenet")).unwrap();
    let mut report = ReturnReport::new(&policy, options);
    let mut errors = Vec::new();
    input::feed(&mut report, path, &mut |e| errors.push(e)).unwrap();
    (report.to_json(sales, Vec::new()), errors)
}

#[test]
fn the_figures_of_known_cases() {
    let dir = tempfile::tempdir().unwrap();
    let path = corpus(dir.path());
    let sales = Sales::from([("KB-101".to_owned(), 40), ("KB-202".to_owned(), 0)]);
    let (r, errors) = run(&path, Options { since: None, until: None, now: now() }, Some(&sales));
    assert_eq!(r["cases"], 2);
    assert_eq!(r["errors"], 2);
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [Some(3), Some(4)]);
    assert!(errors[1].message.contains("item.quantity"), "{}", errors[1].message);
    assert_eq!(r["by_decision"], json!({"approved": 1, "rejected": 1}));
    assert_eq!(r["by_reason"], json!({"no_reason": 2}));
    assert_eq!(r["by_code"], json!({"RESTOCKING_FEE": 1, "RETURN_SHIPPING": 1, "WINDOW_EXPIRED": 1}));
    // 399.00 − 39.90 restocking − 10.00 shipping, exact to the fen.
    assert_eq!(r["refund_total"], "349.10");
    assert_eq!(r["deductions_total"], "49.90");
    // Inspected 2026-11-08 14:00, refund confirmed 2026-11-10 16:00: 50 hours.
    let times = &r["refund_time_hours"];
    assert_eq!((&times["count"], &times["median"], &times["p90"]), (&json!(1), &json!("50.0"), &json!("50.0")));
    // One refund took 50 hours: the 48–72 h bucket.
    let counts: Vec<u64> = times["buckets"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [0, 0, 1, 0, 0, 0, 0, 0]);
    assert_eq!(times["buckets"][7], json!({"from": 168, "up_to": null, "count": 0}));
    assert_eq!(r["period"], json!({"since": "2026-11-05", "until": "2026-11-12"}));
    assert_eq!(
        r["by_week"],
        json!([
            {"week": "2026-W45", "returns": 1, "approved": 1, "refund_total": "349.10"},
            {"week": "2026-W46", "returns": 1, "approved": 0, "refund_total": "0.00"},
        ])
    );
    // Sorted by returns, then SKU; a rate only where units were sold.
    assert_eq!(r["by_sku"][0]["sku"], "KB-101");
    assert_eq!(r["by_sku"][0]["return_rate"], "0.0250");
    assert_eq!(r["by_sku"][0]["top_reason"], "no_reason");
    assert_eq!(r["by_sku"][1]["sold"], 0);
    assert!(r["by_sku"][1].get("return_rate").is_none());
    assert_eq!(
        r["by_category"],
        json!([{"category": "electronics", "returns": 2, "approved": 1, "refund_total": "349.10"}])
    );
}

#[test]
fn dates_filter_on_the_local_submission_day() {
    let dir = tempfile::tempdir().unwrap();
    let path = corpus(dir.path());
    let day = |s: &str| s.parse().ok();
    let (r, _) = run(&path, Options { since: day("2026-11-06"), until: day("2026-11-12"), now: now() }, None);
    assert_eq!(r["cases"], 1);
    assert_eq!(r["by_decision"], json!({"rejected": 1}));
    assert_eq!(r["period"], json!({"since": "2026-11-06", "until": "2026-11-12"}));
    let (r, _) = run(&path, Options { since: None, until: day("2026-11-05"), now: now() }, None);
    assert_eq!(r["cases"], 1);
    assert_eq!(r["refund_total"], "349.10");
}

#[test]
fn folders_of_case_files_and_sales_files() {
    let (r, errors) = run(&root().join("examples/cases"), Options { since: None, until: None, now: now() }, None);
    // The three return examples count; the agreement's history is another policy's case.
    assert_eq!(r["cases"], 3, "{errors:?}");
    assert_eq!(r["errors"], 1);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("sales.csv");
    std::fs::write(&csv, "sku,units_sold,period\nKB-101,10,2026-10\nKB-101,30,2026-11\n").unwrap();
    assert_eq!(input::sales(&csv).unwrap(), Sales::from([("KB-101".to_owned(), 40)]));
    std::fs::write(&csv, "sku,units\nKB-101,10\n").unwrap();
    assert_eq!(input::sales(&csv).unwrap_err().line, Some(1));
    std::fs::write(&csv, "sku,units_sold\nKB-101,ten\n").unwrap();
    let e = input::sales(&csv).unwrap_err();
    assert_eq!((e.line, e.message.contains("ten")), (Some(2), true));
}

/// Across chunks and workers: every case counted once, bad lines named by their own
/// line number, the same figures as case by case.
#[test]
fn chunks_and_workers_count_every_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let case = example_case();
    let good = json!({"facts": case["facts"], "events": case["events"]}).to_string();
    let mut lines: Vec<String> = (0..5000).map(|_| good.clone()).collect();
    lines[2] = "oops".into();
    lines[4499] = "{}".into();
    let path = dir.path().join("many.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (r, errors) = run(&path, Options { since: None, until: None, now: now() }, None);
    assert_eq!(r["cases"], 4998);
    assert_eq!(r["errors"], 2);
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [Some(3), Some(4500)]);
    assert_eq!(r["refund_total"], "1744801.80", "4998 × 349.10");
    assert_eq!(r["refund_time_hours"]["count"], 4998);
}

#[test]
fn histories_count_as_the_policy_decided() {
    // Three histories, figured by hand: one refunded (349.10), one refused at submit and
    // sent to `rejected` (late), one rejected at inspection (a no-reason return that
    // arrives damaged). The two rejected cases count as rejected, with their codes, and
    // add nothing to the refunds.
    let case = example_case();
    let events = case["events"].as_array().unwrap();
    let mut late = case["facts"].clone();
    late["request"]["submitted_at"] = json!("2026-11-12T09:00:00+08:00");
    let late_events = json!([{"at": "2026-11-12T09:00:00+08:00", "event": "submit", "by": "customer"}]);
    let mut damaged_events: Vec<Value> = events.iter().take(4).cloned().collect();
    damaged_events[3]["data"]["inspection"]["appearance"] = json!("damaged");
    let lines = [
        json!({"id": "R-1", "facts": case["facts"], "events": events}).to_string(),
        json!({"id": "R-2", "facts": late, "events": late_events}).to_string(),
        json!({"id": "R-3", "facts": case["facts"], "events": damaged_events}).to_string(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("histories.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (r, errors) = run(&path, Options { since: None, until: None, now: now() }, None);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(r["by_decision"], json!({"approved": 1, "rejected": 2}));
    assert_eq!(r["refund_total"], "349.10", "only the refunded case is owed money");
    assert_eq!(r["by_code"]["WINDOW_EXPIRED"], 1);
    assert_eq!(r["by_code"]["DAMAGED_BY_CUSTOMER"], 1);
}
