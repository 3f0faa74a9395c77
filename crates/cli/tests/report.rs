//! `tenet report returns` on the bundled corpus: the Markdown report is snapshotted so a
//! policy change's effect on the analysis shows in review; the JSON counts every line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::process::Command;

use tenet_test_support::root;

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

fn tenet(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tenet")).current_dir(root()).args(args).output().unwrap()
}

/// `tenet eval --batch` reads the corpus `tenet report` reads (`{"id", "facts",
/// "events"}` lines), and the two agree by decision; each sampled line agrees with the
/// command that judges it alone — `tenet case` for a history, `tenet eval` for a request
/// without events — so the batch and the report cannot share a mistake unseen.
#[test]
fn batch_and_report_read_the_corpus_alike() {
    let now = "2026-12-01T00:00:00+08:00";
    let out = tenet(&["eval", "rules/returns.tenet", "--batch", "examples/returns/corpus.jsonl", "--now", now]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3000);
    let mut counted = std::collections::BTreeMap::<String, u64>::new();
    for l in &lines {
        assert!(l.get("error").is_none(), "{l}");
        *counted.entry(l["decision"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let r = tenet(&["report", "returns", "examples/returns/corpus.jsonl", "--now", now]);
    let r: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let reported: std::collections::BTreeMap<String, u64> = serde_json::from_value(r["by_decision"].clone()).unwrap();
    assert_eq!(counted, reported);
    let corpus = std::fs::read_to_string(root().join("examples/returns/corpus.jsonl")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut histories, mut requests) = (0, 0);
    for (i, line) in corpus.lines().enumerate().step_by(97) {
        let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
        let has_events = record["events"].as_array().is_some_and(|e| !e.is_empty());
        let alone = if has_events {
            histories += 1;
            record["now"] = now.into();
            let file = dir.path().join(format!("case-{i}.json"));
            std::fs::write(&file, record.to_string()).unwrap();
            let out = tenet(&["case", "rules/returns.tenet", file.to_str().unwrap(), "--format", "json"]);
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        } else {
            requests += 1;
            let file = dir.path().join(format!("facts-{i}.json"));
            std::fs::write(&file, record["facts"].to_string()).unwrap();
            let out = tenet(&["eval", "rules/returns.tenet", file.to_str().unwrap(), "--now", now, "--format", "json"]);
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        };
        assert_eq!(alone["decision"], lines[i]["decision"], "line {}: {line}", i + 1);
        assert_eq!(alone["codes"], lines[i]["codes"], "line {}", i + 1);
    }
    assert!(histories > 5 && requests > 5, "{histories} histories, {requests} requests sampled");
}

/// A folder of facts files (`tenet eval`'s input) is read as requests; reversed dates
/// are refused rather than giving an empty report.
#[test]
fn the_report_reads_facts_files_and_refuses_an_empty_period() {
    let out = tenet(&["report", "returns", "examples/returns", "--now", "2026-12-01T00:00:00+08:00"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = std::fs::read_dir(root().join("examples/returns"))
        .unwrap()
        .filter(|e| {
            let p = e.as_ref().unwrap().path();
            p.extension().is_some_and(|x| x == "yaml" || x == "json")
        })
        .count();
    assert_eq!((r["cases"].as_u64().unwrap(), r["errors"].as_u64().unwrap()), (files as u64, 0), "{r}");
    let out = tenet(&["report", "returns", "examples/returns", "--since", "2026-11-10", "--until", "2026-11-01"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("swap the two dates"));
}

/// `tenet diff` names the files it could not judge, and a folder with no case of the
/// policy is refused instead of reported as "no change".
#[test]
fn diff_says_what_it_skipped() {
    let out = tenet(&["diff", "rules/returns.tenet", "rules/returns.tenet", "--cases", "examples/cases"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("agreement-history.yaml: cannot replay under returns"), "{text}");
    assert!(text.contains("(3 "), "{text}");
    let out = tenet(&["diff", "rules/returns.tenet", "rules/returns.tenet", "--cases", "examples/sla"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no case this policy can judge"));
}

/// The bundled corpus shows every improvement flag the insights policy can raise, as the
/// README promises ("so the report has something to find"), and a flag about the whole
/// corpus prints without an empty subject.
#[test]
fn the_corpus_raises_every_flag() {
    let policy = std::fs::read_to_string(root().join("rules/return_insights.tenet")).unwrap();
    let declared: std::collections::BTreeSet<String> = policy
        .lines()
        .filter_map(|l| l.trim().strip_prefix("flag "))
        .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert!(declared.len() >= 5, "{declared:?}");
    let out = report("json");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let raised: std::collections::BTreeSet<String> =
        r["flags"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(raised, declared, "flags the corpus does not raise");
    let md = String::from_utf8(report("md").stdout).unwrap();
    assert!(md.contains("- **REFUNDS_LATE**: "), "{md}");
    assert!(!md.contains("** :"), "a flag with an empty subject:\n{md}");
}
