//! `tenet report returns` on the bundled corpus: the Markdown report is snapshotted so a
//! policy change's effect on the analysis shows in review; the JSON counts every line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn report(format: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tenet"))
        .current_dir(root())
        .args([
            "report",
            "returns",
            "examples/returns/corpus.jsonl",
            "--sales",
            "examples/returns/sales.csv",
            "--now",
            "2026-12-01T00:00:00+08:00",
            "--format",
            format,
        ])
        .output()
        .unwrap()
}

#[test]
fn the_corpus_report() {
    let out = report("json");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["cases"], 3000);
    assert_eq!(r["errors"], 0);
    let by_decision: u64 = r["by_decision"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(by_decision, 3000, "every case has one decision");
    let per_category: rust_decimal::Decimal = r["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["refund_total"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(per_category.to_string(), r["refund_total"].as_str().unwrap(), "categories add up to the total");
    // The improvement flags come from rules/return_insights.tenet: the generator's weak
    // product in electronics and the transit damage of `home` are found.
    let flags = r["flags"].as_array().unwrap();
    assert!(flags.iter().any(|f| f["code"] == "RETURN_RATE_HIGH" && f["sku"] == "EL-101"), "{flags:?}");
    assert!(flags.iter().any(|f| f["code"] == "PACKAGING_REVIEW" && f["category"] == "home"), "{flags:?}");
    assert!(flags.iter().all(|f| f["message"].as_str().is_some_and(|m| !m.is_empty()) && f["message_en"].is_string()));
    let md = report("md");
    assert!(md.status.success());
    insta::assert_snapshot!(String::from_utf8(md.stdout).unwrap());
}

#[test]
fn a_missing_input_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .current_dir(root())
        .args(["report", "returns", "no-such-file.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.jsonl"));
}

/// The monthly statement of the November ticket log: every ticket measured, every credit
/// line with the contract wording it comes from, and the payable amount that follows.
#[test]
fn the_monthly_service_statement() {
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_tenet"))
            .current_dir(root())
            .args(["report", "sla", "examples/sla/november.yaml", "--format", format])
            .output()
            .unwrap()
    };
    let out = run("json");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["tickets"].as_array().unwrap().len(), 9);
    assert_eq!(s["tickets"][1]["response"], "breached");
    let lines = s["credit_lines"].as_array().unwrap();
    assert_eq!(
        lines.iter().map(|l| l["code"].as_str().unwrap()).collect::<Vec<_>>(),
        ["P1_RESPONSE_LATE", "P1_RESOLUTION_LATE", "RESOLUTION_RATE_LOW"]
    );
    assert!(lines.iter().all(|l| l["terms"]["zh"].is_string() && l["terms"]["en"].is_string()), "{lines:?}");
    let credits: rust_decimal::Decimal =
        lines.iter().map(|l| l["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap()).sum();
    assert_eq!(credits.to_string(), s["ledgers"]["credits"]["total"].as_str().unwrap());
    assert_eq!(s["outputs"]["payable"], "41500.00");
    let md = run("md");
    insta::assert_snapshot!(String::from_utf8(md.stdout).unwrap());
    let csv = run("csv");
    assert_eq!(csv.status.code(), Some(3), "csv is for the return analysis");
}
