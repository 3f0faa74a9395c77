//! The command line as users and scripts see it: output, exit codes, bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::io::Write;
use std::process::Stdio;

use insta_cmd::{Command, assert_cmd_snapshot, get_cargo_bin};

fn tenet() -> Command {
    let mut cmd = Command::new(get_cargo_bin("tenet"));
    cmd.current_dir(support::root());
    cmd.env_remove("NO_COLOR");
    cmd
}

fn run(args: &[&str]) -> std::process::Output {
    tenet().args(args).output().expect("tenet runs")
}

fn run_with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = tenet()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tenet runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("writes stdin");
    child.wait_with_output().expect("tenet finishes")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn check_bundled_policies_is_clean() {
    assert_cmd_snapshot!(tenet().args(["check", "rules/"]));
}

#[test]
fn check_without_paths_reads_rules() {
    let out = run(&["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 errors"));
}

#[test]
fn three_mistakes_three_diagnostics() {
    let path = "tests/check-inputs/err_three_mistakes.tenet";
    assert_cmd_snapshot!(tenet().args(["check", path]));
    let diags = json(&["check", "--format", "json", path]);
    let diags = diags.as_array().expect("an array");
    assert_eq!(diags.len(), 3, "{diags:#?}");
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap_or_default()).collect();
    assert_eq!(codes, ["unknown-name", "not-in-enum", "type-mismatch"]);
    let lines: Vec<u64> = diags.iter().map(|d| d["line"].as_u64().unwrap_or_default()).collect();
    assert_eq!(lines, [11, 15, 19]);
    for key in ["severity", "code", "message", "file", "line", "column", "end_line", "end_column", "help"] {
        assert!(diags[0].get(key).is_some(), "missing key {key}");
    }
}

/// JSON keeps each language under its own key whatever `--lang` says (`message` and
/// `help` Chinese, `message_en` and `help_en` English): a program reading it does not
/// depend on how a person ran the command.
#[test]
fn check_json_keeps_both_languages_whatever_lang() {
    for lang in ["en", "zh", "both"] {
        let diags = json(&["check", "--format", "json", "--lang", lang, "tests/check-inputs/err_three_mistakes.tenet"]);
        assert_eq!(diags[0]["message_en"], "unknown name `reqest`", "{lang}");
        assert_eq!(diags[0]["help_en"], "did you mean `request`?", "{lang}");
        assert!(diags[0]["message"].as_str().unwrap().contains("未知"), "{lang}: {}", diags[0]);
    }
}

/// In English, a finding shows its code and English message, not the rule's Chinese
/// name; a report's refusal is in the language asked for.
#[test]
fn english_output_is_english() {
    let out = run(&["eval", "--lang", "en", "rules/returns.tenet", "examples/returns/opened-keyboard.yaml"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let findings: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with('●')).collect();
    assert!(!findings.is_empty(), "{text}");
    for line in findings {
        assert!(line.chars().all(|c| c.is_ascii() || c == '●'), "{line}");
    }
    let out = run(&["report", "returns", "--lang", "zh", "--format", "parquet", "examples/returns/corpus.jsonl"]);
    assert_eq!(out.status.code(), Some(3));
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("请给出 --out") && !said.contains("give --out"), "{said}");
}

#[test]
fn eval_explains_the_decision() {
    assert_cmd_snapshot!(tenet().args(["eval", "rules/returns.tenet", "examples/returns/opened-keyboard.yaml"]));
}

#[test]
fn eval_human_in_english_with_every_rule() {
    assert_cmd_snapshot!(tenet().args([
        "eval",
        "--lang",
        "en",
        "--explain",
        "rules/returns.tenet",
        "examples/returns/defect-without-photo.yaml"
    ]));
}

#[test]
fn eval_json_follows_the_contract() {
    assert_cmd_snapshot!(tenet().args([
        "eval",
        "rules/returns.tenet",
        "examples/returns/opened-keyboard.json",
        "--format",
        "json"
    ]));
    let v = json(&["eval", "rules/returns.tenet", "examples/returns/opened-keyboard.json", "--format", "json"]);
    assert_eq!(v["decision"], "approved");
    assert_eq!(v["codes"], serde_json::json!(["RESTOCKING_FEE", "RETURN_SHIPPING"]));
    assert_eq!(v["ledgers"]["deductions"]["total"], "49.90");
    assert_eq!(v["outputs"]["refund_amount"], "349.10");
    assert_eq!(v["outputs"]["refund_due"], "2026-11-15T14:00:00+08:00");
    assert_eq!(v["actions"][0]["at"], "2026-11-18T14:00:00+08:00");
    assert_eq!(v["trace"], serde_json::json!([]), "the trace is empty without --explain");
}

#[test]
fn eval_json_explain_has_a_trace_per_rule() {
    let v = json(&["eval", "rules/returns.tenet", "examples/returns/too-late.yaml", "--format", "json", "--explain"]);
    let trace = v["trace"].as_array().expect("trace");
    assert_eq!(trace.len(), 26, "one entry per rule");
    let window = trace.iter().find(|t| t["rule"] == "七天无理由退货期限").expect("window rule");
    assert_eq!(window["status"], "fired");
    let values = &window["conditions"][1]["values"];
    assert_eq!(values[0], serde_json::json!({"expr": "submit_day", "value": "2026-11-09"}));
    assert_eq!(values[1], serde_json::json!({"expr": "delivery_day + no_reason_window", "value": "2026-11-08"}));
    let final_sale = trace.iter().find(|t| t["rule"] == "清仓商品不支持无理由退货").expect("final sale rule");
    assert_eq!(final_sale["status"], "not_applicable");
    assert_eq!(final_sale["missing"], serde_json::json!(["item.final_sale"]));
}

#[test]
fn now_flag_overrides_the_facts() {
    let v = json(&[
        "eval",
        "rules/returns.tenet",
        "examples/returns/too-late.yaml",
        "--format",
        "json",
        "--now",
        "2026-12-01T00:00:00Z",
    ]);
    assert_eq!(v["now"], "2026-12-01T08:00:00+08:00", "shown in the policy's offset");
    assert_eq!(v["actions"][0]["at"], "2026-12-02T08:00:00+08:00");
}

#[test]
fn without_now_the_system_clock_is_used_and_said() {
    let out = run_with_stdin(
        &["eval", "tests/cli-inputs/overflow.tenet", "-", "--format", "json"],
        "n: 1\nprice: \"1.00\"\n",
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["now_source"], "system_clock");
    assert_eq!(v["codes"], serde_json::json!(["BIG", "PRICEY"]));
}

#[test]
fn stdin_json_is_recognised() {
    let facts =
        std::fs::read_to_string(support::root().join("examples/returns/opened-keyboard.json")).expect("example");
    let out = run_with_stdin(&["eval", "rules/returns.tenet", "-", "--format", "json"], &facts);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["outputs"]["refund_amount"], "349.10");
}

#[test]
fn invalid_facts_name_every_bad_path() {
    assert_cmd_snapshot!(tenet().args(["eval", "rules/returns.tenet", "tests/cli-inputs/bad-facts.yaml"]));
    let v =
        json(&["eval", "rules/returns.tenet", "tests/cli-inputs/bad-facts.yaml", "--format", "json", "--lang", "en"]);
    assert_eq!(v["error"], "invalid_facts");
    let paths: Vec<&str> =
        v["diagnostics"].as_array().expect("diagnostics").iter().map(|d| d["path"].as_str().unwrap_or("")).collect();
    for want in [
        "order.delivered_at",
        "item.unit_price",
        "item.quantity",
        "item.colour",
        "request.desired",
        "request.documents",
        "request.refund_methd",
        "inspecton",
    ] {
        assert!(paths.contains(&want), "no diagnostic for {want}: {paths:?}");
    }
    let quantity =
        v["diagnostics"].as_array().and_then(|d| d.iter().find(|d| d["path"] == "item.quantity")).expect("quantity");
    assert_eq!(quantity["message_en"], "expected int, found \"two\"");
    let typo = v["diagnostics"].as_array().and_then(|d| d.iter().find(|d| d["path"] == "inspecton")).expect("typo");
    assert_eq!(typo["help_en"], "did you mean `inspection`?");
}

#[test]
fn exit_codes() {
    let code = |args: &[&str]| run(args).status.code();
    assert_eq!(code(&["eval", "rules/returns.tenet", "examples/returns/opened-keyboard.yaml"]), Some(0));
    assert_eq!(code(&["eval", "tests/check-inputs/err_types.tenet", "examples/returns/opened-keyboard.yaml"]), Some(1));
    assert_eq!(code(&["eval", "rules/returns.tenet", "tests/cli-inputs/bad-facts.yaml"]), Some(2));
    assert_eq!(code(&["eval", "rules/no-such-policy.tenet", "examples/returns/opened-keyboard.yaml"]), Some(3));
    assert_eq!(code(&["eval", "rules/returns.tenet", "examples/returns/no-such-facts.yaml"]), Some(3));
    assert_eq!(
        code(&["eval", "rules/returns.tenet", "examples/returns/opened-keyboard.yaml", "--now", "yesterday"]),
        Some(3)
    );
    assert_eq!(code(&["evaluate"]), Some(3));
    assert_eq!(code(&["eval"]), Some(3));
    assert_eq!(code(&["--help"]), Some(0));
    assert_eq!(code(&["check", "tests/check-inputs/err_three_mistakes.tenet"]), Some(1));
    assert_eq!(code(&["check", "tests/check-inputs/warn_unused.tenet"]), Some(0));
    assert_eq!(code(&["check", "no/such/dir"]), Some(3));
}

#[test]
fn absent_file_is_named() {
    assert_cmd_snapshot!(tenet().args(["eval", "rules/no-such-policy.tenet", "examples/returns/opened-keyboard.yaml"]));
}

#[test]
fn policy_that_is_not_utf8() {
    assert_cmd_snapshot!(tenet().args(["check", "tests/cli-inputs/not-utf8.tenet"]));
}

#[test]
fn facts_that_are_not_utf8() {
    assert_cmd_snapshot!(tenet().args(["eval", "rules/returns.tenet", "tests/cli-inputs/not-utf8.yaml"]));
}

#[test]
fn facts_with_broken_syntax_point_at_the_line() {
    assert_cmd_snapshot!(tenet().args(["eval", "rules/returns.tenet", "tests/cli-inputs/broken.yaml"]));
    assert_cmd_snapshot!(tenet().args(["eval", "rules/returns.tenet", "tests/cli-inputs/broken.json"]));
}

#[test]
fn deeply_nested_policy() {
    assert_cmd_snapshot!(tenet().args(["check", "tests/cli-inputs/deep.tenet"]));
}

#[test]
fn huge_plain_number_must_be_quoted() {
    assert_cmd_snapshot!(tenet().args(["eval", "rules/returns.tenet", "tests/cli-inputs/huge-number.yaml"]));
}

#[test]
fn overflow_during_evaluation_is_a_diagnostic() {
    let now = "--now=2026-11-10T12:00:00+08:00";
    assert_cmd_snapshot!(tenet().args([
        "eval",
        "tests/cli-inputs/overflow.tenet",
        "tests/cli-inputs/overflow-int.yaml",
        now
    ]));
    assert_cmd_snapshot!(tenet().args([
        "eval",
        "tests/cli-inputs/overflow.tenet",
        "tests/cli-inputs/overflow-money.yaml",
        now
    ]));
}

#[test]
fn no_input_panics() {
    // Every input file of the test suite, as policy and as facts: whatever it is, tenet
    // answers with one of the contract's exit codes and never panics.
    let root = support::root();
    let mut inputs = Vec::new();
    for dir in ["tests/parser-inputs", "tests/check-inputs", "tests/cli-inputs", "tests/cases", "examples", "rules"] {
        for ext in ["tenet", "yaml", "json"] {
            inputs.extend(support::files(&root.join(dir), ext));
        }
    }
    assert!(inputs.len() > 50);
    for input in &inputs {
        let path = input.to_string_lossy();
        for args in [
            vec!["check", &*path],
            vec!["eval", &*path, "examples/returns/opened-keyboard.yaml"],
            vec!["eval", "rules/returns.tenet", &*path],
        ] {
            let out = run(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
            assert!(matches!(out.status.code(), Some(0..=3)), "{args:?} exited with {:?}", out.status.code());
        }
    }
}

#[test]
fn sla_facts_that_make_no_sense_name_their_path() {
    assert_cmd_snapshot!(tenet().args(["eval", "rules/support_sla.tenet", "tests/cli-inputs/sla-bad-facts.yaml"]));
    let v = json(&[
        "eval",
        "rules/support_sla.tenet",
        "tests/cli-inputs/sla-bad-facts.yaml",
        "--format",
        "json",
        "--lang",
        "en",
    ]);
    assert_eq!(v["error"], "invalid_facts");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    let found: Vec<(&str, &str)> =
        diags.iter().map(|d| (d["path"].as_str().unwrap_or(""), d["message_en"].as_str().unwrap_or(""))).collect();
    assert_eq!(
        found,
        [
            ("tickets[0].resolved_at", "Ticket T-1 was resolved before it was opened."),
            ("tickets[1].paused[1].to", "Ticket T-2 has a pause that ends before it starts."),
        ]
    );
}

#[test]
fn a_clock_through_a_year_without_holidays_is_said() {
    // December's tickets run into January 2027; the bundled holiday file is 2026's.
    assert_cmd_snapshot!(tenet().args([
        "--lang",
        "en",
        "eval",
        "rules/support_sla.tenet",
        "tests/cli-inputs/sla-into-2027.yaml"
    ]));
    let v = json(&["eval", "rules/support_sla.tenet", "tests/cli-inputs/sla-into-2027.yaml", "--format", "json"]);
    let warnings = v["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "calendar-coverage");
    assert!(warnings[0]["message_en"].as_str().is_some_and(|m| m.contains("business") && m.contains("2027")));
    // A month inside 2026 has nothing to say, and its result keeps the usual keys.
    let v = json(&["eval", "rules/support_sla.tenet", "examples/sla/november.yaml", "--format", "json"]);
    assert!(v.get("warnings").is_none());
}

#[test]
fn sla_unknown_priority_is_invalid_facts() {
    let v = json(&[
        "eval",
        "rules/support_sla.tenet",
        "tests/cli-inputs/sla-unknown-priority.yaml",
        "--format",
        "json",
        "--lang",
        "en",
    ]);
    assert_eq!(v["error"], "invalid_facts");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags[0]["path"], "tickets[0].priority");
    assert_eq!(diags[1]["path"], "tickets[1].priority");
    assert_eq!(diags[1]["help_en"], "did you mean \"P1\"? Allowed: \"P1\", \"P2\", \"P3\"");
}

#[test]
fn sla_month_explained() {
    assert_cmd_snapshot!(tenet().args([
        "eval",
        "rules/support_sla.tenet",
        "examples/sla/november.yaml",
        "--lang",
        "en"
    ]));
}

#[test]
fn case_human_shows_stage_trail_deadlines_and_next_events() {
    assert_cmd_snapshot!(tenet().args(["case", "rules/returns.tenet", "examples/cases/return-overdue-review.yaml"]));
}

#[test]
fn case_json_answers_where_the_refund_is() {
    let v = json(&["case", "rules/returns.tenet", "examples/cases/return-refunded.yaml", "--format", "json"]);
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["outputs"]["refund_status"], "success");
    assert_eq!(v["trail"].as_array().map(Vec::len), Some(6));
}

#[test]
fn case_now_overrides_the_file() {
    let v = json(&[
        "case",
        "rules/returns.tenet",
        "examples/cases/return-overdue-review.yaml",
        "--format",
        "json",
        "--now",
        "2026-11-24T12:00:00+08:00",
    ]);
    assert_eq!(v["deadlines"][0]["status"], "open", "due at 17:45 that day");
}

#[test]
fn case_exit_codes() {
    // A policy without a workflow.
    let out = run(&["case", "rules/support_sla.tenet", "examples/cases/return-refunded.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-workflow"));
    // Starting facts that do not fit the policy: the path is named under `facts`.
    let out = run(&["case", "rules/signing.tenet", "examples/cases/return-refunded.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"], "invalid_facts");
    // An absent case file.
    let out = run(&["case", "rules/returns.tenet", "examples/cases/nothing.yaml"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn render_final_refuses_a_draft() {
    assert_cmd_snapshot!(tenet().args(["render", "examples/agreements/ts-2026-0042.yaml", "--final"]));
}

#[test]
fn render_writes_atomically_and_keeps_a_good_file_on_failure() {
    let dir = std::env::temp_dir().join(format!("tenet-cli-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out_file = dir.join("agreement.html");
    let out = run(&[
        "render",
        "examples/agreements/ts-2026-0042.yaml",
        "--format",
        "html",
        "--out",
        &out_file.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let good = std::fs::read_to_string(&out_file).expect("written");
    assert!(good.contains("<h2>第四条 服务质量保证</h2>"));
    // A failed render (--final on a draft) leaves the good file as it was, and no temp file.
    let out =
        run(&["render", "examples/agreements/ts-2026-0042.yaml", "--final", "--out", &out_file.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out_file).expect("still there"), good);
    let leftovers: Vec<_> = std::fs::read_dir(&dir).expect("dir").filter_map(Result::ok).collect();
    assert_eq!(leftovers.len(), 1, "only the output file");
    // A folder that does not exist: exit 3, nothing written.
    let missing = dir.join("no/such/folder/a.md");
    let out = run(&["render", "examples/agreements/ts-2026-0042.yaml", "--out", &missing.display().to_string()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(!missing.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn render_language_comes_from_lang_or_the_data() {
    let out = run(&["render", "examples/agreements/ts-2026-0042.yaml"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# 技术支持协议"));
    let out = run(&["--lang", "en", "render", "examples/agreements/ts-2026-0042.yaml"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# Technical Support Agreement"));
}

#[test]
fn test_shows_each_failure_as_expected_against_actual() {
    assert_cmd_snapshot!(tenet().args(["--lang", "en", "test", "tests/cli-inputs/failing-cases"]));
}

#[test]
fn test_runs_the_corpus_with_full_rule_coverage() {
    let out = run(&["test", "--min-coverage", "100"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}

#[test]
fn test_coverage_names_rules_no_case_fires() {
    let out = run(&["--lang", "en", "test", "tests/cases/returns/public", "--min-coverage", "100"]);
    assert_eq!(out.status.code(), Some(1), "the public cases alone do not fire every rule");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("fired by no case: "), "{stdout}");
    assert!(stdout.contains("coverage too low: rules/returns.tenet"), "{stdout}");
    let v = json(&["test", "tests/cases/returns/public", "--format", "json"]);
    assert_eq!(v["failed"], 0);
    let rules = v["coverage"][0]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["cases"] == 0));
}

/// A copy of the return policy with `edit` applied, in a temporary `rules/` folder.
fn edited_returns(tag: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tenet-diff-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("calendars")).expect("mkdir");
    let root = support::root().join("rules");
    std::fs::copy(root.join("calendars/cn-2026.yaml"), dir.join("calendars/cn-2026.yaml")).expect("copy");
    let text = std::fs::read_to_string(root.join("returns.tenet")).expect("policy");
    let path = dir.join("returns.tenet");
    std::fs::write(&path, edit(text)).expect("write");
    path
}

#[test]
fn diff_groups_what_a_change_does() {
    let edited =
        edited_returns("window", |s| s.replace("const no_reason_window = 7 days ", "const no_reason_window = 3 days "));
    let edited = edited.display().to_string();
    // The edited copy lives in a temporary folder: snapshot the output, not the arguments.
    let out = run(&["--lang", "en", "diff", "rules/returns.tenet", &edited, "--cases", "tests/cases/returns/public"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
    let v = json(&["diff", "rules/returns.tenet", &edited, "--cases", "tests/cases/returns", "--format", "json"]);
    let first = &v["groups"][0];
    assert_eq!(first["kind"], "approved → rejected (+WINDOW_EXPIRED)");
    assert!(first["count"].as_u64().is_some_and(|n| n > 5));
    assert_eq!(first["cases"][0]["old"]["decision"], "approved");
    assert_eq!(first["cases"][0]["new"]["decision"], "rejected");
}

#[test]
fn diff_of_an_unchanged_policy_reports_nothing() {
    let same = edited_returns("same", |s| s);
    let out = run(&[
        "--lang",
        "en",
        "diff",
        "rules/returns.tenet",
        &same.display().to_string(),
        "--cases",
        "tests/cases/returns",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("no case changed"));
}

#[test]
fn diff_reports_amount_changes() {
    let edited = edited_returns("rate", |s| s.replace("const restocking_rate = 10%", "const restocking_rate = 15%"));
    let v = json(&[
        "diff",
        "rules/returns.tenet",
        &edited.display().to_string(),
        "--cases",
        "tests/cases/returns/public",
        "--format",
        "json",
    ]);
    let amounts = &v["groups"][0];
    assert_eq!(amounts["kind"], "amounts");
    let lines: Vec<String> = amounts["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .flat_map(|c| c["amounts"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    assert!(lines.contains(&"output refund_amount: 349.10 → 329.15".to_owned()), "{lines:?}");
}

#[test]
fn check_deny_warnings_fails_on_lints() {
    let out = run(&["check", "tests/check-inputs/warn_lints.tenet"]);
    assert_eq!(out.status.code(), Some(0), "warnings alone pass");
    let out = run(&["check", "--deny-warnings", "tests/check-inputs/warn_lints.tenet", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> = v.as_array().expect("diagnostics").iter().filter_map(|d| d["code"].as_str()).collect();
    for code in ["never-fires", "same-situation", "table-gap", "unused-input"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let out = run(&["check", "--deny-warnings", "rules/"]);
    assert_eq!(out.status.code(), Some(0), "the bundled policies are lint-clean");
}

#[test]
fn fmt_check_and_write() {
    assert_eq!(run(&["fmt", "--check"]).status.code(), Some(0), "rules/ is formatted");
    let out = run(&["--lang", "en", "fmt", "--check", "tests/format-inputs/messy.tenet"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "would reformat tests/format-inputs/messy.tenet\n");
    let dir = std::env::temp_dir().join(format!("tenet-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let copy = dir.join("messy.tenet");
    std::fs::copy(support::root().join("tests/format-inputs/messy.tenet"), &copy).expect("copy");
    let copy_arg = copy.display().to_string();
    assert_eq!(run(&["fmt", &copy_arg]).status.code(), Some(0));
    assert_eq!(run(&["fmt", "--check", &copy_arg]).status.code(), Some(0), "formatted once, clean after");
    // A file with a syntax error is reported and left alone.
    let broken = dir.join("broken.tenet");
    std::fs::write(&broken, "policy p version \"1\"\nrule \"x\" when = 1\n").expect("write");
    let out = run(&["fmt", &broken.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&broken).expect("still there"), "policy p version \"1\"\nrule \"x\" when = 1\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_check_output() {
    assert_cmd_snapshot!(tenet().args(["--lang", "en", "fmt", "--check", "tests/format-inputs/messy.tenet"]));
}

#[test]
fn test_coverage_output() {
    assert_cmd_snapshot!(tenet().args(["--lang", "en", "test", "tests/cases/support_sla/public", "--coverage"]));
}

#[test]
fn check_lint_output() {
    assert_cmd_snapshot!(tenet().args([
        "--lang",
        "en",
        "check",
        "--deny-warnings",
        "tests/check-inputs/warn_lints.tenet"
    ]));
}

#[test]
fn batch_keeps_order_reports_bad_lines_and_summarises() {
    let out = run(&["--lang", "en", "eval", "rules/returns.tenet", "--batch", "tests/cli-inputs/batch.jsonl"]);
    assert_eq!(out.status.code(), Some(2), "two lines could not be evaluated");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 12, "one result per non-blank line");
    let numbers: Vec<u64> = lines.iter().filter_map(|l| l["line"].as_u64()).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13], "input order, blank line 8 skipped");
    assert_eq!(lines[5]["error"], "invalid_facts");
    assert!(lines[5]["diagnostics"].as_array().is_some_and(|d| d.iter().any(|x| x["path"] == "item")));
    assert_eq!(lines[9]["error"], "invalid_facts", "line 11 is not JSON");
    assert_eq!(lines[1]["decision"], "approved");
    assert_eq!(lines[1]["outputs"]["refund_amount"], "349.10");
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

#[test]
fn batch_writes_its_output_atomically() {
    let dir = std::env::temp_dir().join(format!("tenet-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out_file = dir.join("results.jsonl");
    let out = run(&[
        "eval",
        "rules/returns.tenet",
        "--batch",
        "tests/cli-inputs/batch.jsonl",
        "--out",
        &out_file.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "results go to the file");
    let written = std::fs::read_to_string(&out_file).expect("written");
    assert_eq!(written.lines().count(), 12);
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 1, "no temporary file left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batch_and_single_evaluation_agree() {
    let single = json(&["eval", "rules/returns.tenet", "examples/returns/opened-keyboard.json", "--format", "json"]);
    let dir = std::env::temp_dir().join(format!("tenet-batch-one-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let input = dir.join("one.jsonl");
    let text = std::fs::read_to_string(support::root().join("examples/returns/opened-keyboard.json")).expect("example");
    let one_line: serde_json::Value = serde_json::from_str(&text).expect("json");
    std::fs::write(&input, format!("{one_line}\n")).expect("write");
    let out = run(&["eval", "rules/returns.tenet", "--batch", &input.display().to_string()]);
    assert_eq!(out.status.code(), Some(0));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(line["decision"], single["decision"]);
    assert_eq!(line["codes"], single["codes"]);
    assert_eq!(line["outputs"], single["outputs"]);
    assert_eq!(line["ledgers"]["deductions"], single["ledgers"]["deductions"]["total"]);
    let _ = std::fs::remove_dir_all(&dir);
}

// ── Conventions every command keeps: `-` for standard input, JSON failures under
// `--format json`, `--color`, `--fail-on`, `now` to the second.

fn code(args: &[&str]) -> Option<i32> {
    run(args).status.code()
}

#[test]
fn dash_reads_standard_input_for_every_file() {
    // A policy on standard input reads the files it names relative to the current
    // folder; this one names none.
    let policy = std::fs::read_to_string(support::root().join("tests/check-inputs/clean.tenet")).expect("policy");
    let checked = run_with_stdin(&["check", "-"], &policy);
    assert_eq!(checked.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&checked.stdout).contains("0 errors"));

    let messy = "policy p version \"1\"\n   timezone \"UTC\"\ncurrency CNY\n\n\n\ninput { a: int }\n    output o = a\n";
    let formatted = run_with_stdin(&["fmt", "-"], messy);
    assert_eq!(formatted.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&formatted.stdout),
        "policy p version \"1\"\ntimezone \"UTC\"\ncurrency CNY\n\ninput { a: int }\noutput o = a\n",
        "formatted to standard output, nothing else said there"
    );
    assert_eq!(run_with_stdin(&["fmt", "--check", "-"], messy).status.code(), Some(1));

    let case = std::fs::read_to_string(support::root().join("examples/cases/return-refunded.yaml")).expect("case");
    let replayed = run_with_stdin(&["case", "rules/returns.tenet", "-", "--format", "json"], &case);
    assert_eq!(replayed.status.code(), Some(0), "{}", String::from_utf8_lossy(&replayed.stderr));
    let v: serde_json::Value = serde_json::from_slice(&replayed.stdout).expect("json");
    assert_eq!(v["stage"], "closed");

    let lines = std::fs::read_to_string(support::root().join("tests/cli-inputs/batch.jsonl")).expect("batch");
    let batch =
        run_with_stdin(&["eval", "rules/returns.tenet", "--batch", "-", "--now", "2026-11-10T12:00:00+08:00"], &lines);
    let from_file = run(&[
        "eval",
        "rules/returns.tenet",
        "--batch",
        "tests/cli-inputs/batch.jsonl",
        "--now",
        "2026-11-10T12:00:00+08:00",
    ]);
    assert_eq!(batch.stdout, from_file.stdout, "a batch from standard input is the batch from the file");
    assert!(!batch.stdout.is_empty());
}

#[test]
fn a_case_that_names_its_policy_needs_no_policy_argument() {
    let both = run(&["case", "rules/returns.tenet", "examples/cases/return-refunded.yaml", "--format", "json"]);
    let named = run(&["case", "examples/cases/return-refunded.yaml", "--format", "json"]);
    assert_eq!(named.status.code(), Some(0), "{}", String::from_utf8_lossy(&named.stderr));
    assert_eq!(named.stdout, both.stdout);
    let unnamed = run_with_stdin(&["case", "-"], "facts: {}\nevents: []\n");
    assert_eq!(unnamed.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&unnamed.stderr).contains("no `policy:`"));
}

#[test]
fn under_format_json_every_failure_is_json() {
    for args in [
        vec!["eval", "rules/returns.tenet", "no-such-facts.yaml", "--format", "json"],
        vec!["eval", "rules/no-such-policy.tenet", "examples/returns/too-late.yaml", "--format", "json"],
        vec!["check", "no-such-folder", "--format", "json"],
        vec!["test", "no-such-folder", "--format", "json"],
        vec!["eval", "rules/returns.tenet", "examples/returns/too-late.yaml", "--now", "yesterday", "--format", "json"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
        assert!(matches!(v["error"].as_str(), Some("unreadable" | "usage")), "{args:?}: {v}");
        assert!(v["diagnostics"][0]["message"].is_string(), "{args:?}: {v}");
    }
}

#[test]
fn fail_on_gives_exit_4_for_the_decisions_it_names() {
    let eval = |facts: &str, threshold: Option<&str>| {
        let mut args = vec!["eval", "rules/returns.tenet", facts, "--format", "json"];
        if let Some(t) = threshold {
            args.extend(["--fail-on", t]);
        }
        code(&args)
    };
    assert_eq!(eval("examples/returns/too-late.yaml", None), Some(0), "opt-in: without it a rejection is a result");
    assert_eq!(eval("examples/returns/too-late.yaml", Some("rejected")), Some(4));
    assert_eq!(eval("examples/returns/defect-without-photo.yaml", Some("rejected")), Some(0));
    assert_eq!(eval("examples/returns/defect-without-photo.yaml", Some("needs_info")), Some(4));
    assert_eq!(
        eval("examples/returns/too-late.yaml", Some("needs_info")),
        Some(4),
        "rejected is worse than needs_info"
    );
    assert_eq!(eval("examples/returns/opened-keyboard.yaml", Some("needs_info")), Some(0));
}

#[test]
fn color_is_chosen_by_flag() {
    let args = |color: &str| run(&["check", "tests/check-inputs/err_three_mistakes.tenet", "--color", color]);
    assert!(String::from_utf8_lossy(&args("always").stdout).contains("\x1b["), "always paints");
    assert!(!String::from_utf8_lossy(&args("never").stdout).contains("\x1b["), "never does not");
    assert!(!String::from_utf8_lossy(&args("auto").stdout).contains("\x1b["), "auto does not paint a pipe");
}

#[test]
fn the_system_clock_is_shown_to_the_second() {
    let out = run_with_stdin(
        &["eval", "tests/cli-inputs/overflow.tenet", "-", "--format", "json"],
        "n: 1\nprice: \"1.00\"\n",
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let now = v["now"].as_str().expect("now");
    // 2026-12-02T05:12:34+00:00: no fraction of a second.
    assert_eq!(now.len(), "2026-12-02T05:12:34+00:00".len(), "{now}");
    assert!(!now.contains('.'), "{now}");
}

#[test]
fn an_agreement_is_rendered_in_one_language() {
    let out = run(&["render", "examples/agreements/ts-2026-0042.yaml", "--lang", "both"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lang zh or --lang en"));
    assert!(out.stdout.is_empty(), "nothing half-rendered");
}

#[test]
fn explain_prints_a_code_with_its_example() {
    let out = run(&["explain", "unknown-name", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("error[unknown-name]\nNo input, const, value or table has this name."), "{text}");
    assert!(text.contains("output o = b"), "the example policy: {text}");
    assert!(text.contains("error[unknown-name]: unknown name `b`"), "what check says about it: {text}");
    let typo = run(&["explain", "unknown-nam", "--lang", "en"]);
    assert_eq!(typo.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean `unknown-name`?"));
    let list = String::from_utf8_lossy(&run(&["explain", "--lang", "en"]).stdout).into_owned();
    assert!(list.lines().count() > 90, "every code, one per line");
}

#[test]
fn test_replays_the_example_histories() {
    let out = run(&["test", "examples/cases", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.ends_with("4 passed, 0 failed\n"), "{text}");
}

/// The account manager's path: a draft, then the final copy from the signing history, in
/// Word; the PDF refused with the install script named when no browser is found.
#[test]
fn render_final_from_the_signing_history_in_every_format() {
    let dir = std::env::temp_dir().join(format!("tenet-cli-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let data = "examples/agreements/ts-2026-0042.yaml";
    let history = "examples/cases/agreement-history.yaml";
    let md = run(&["render", data, "--case", history, "--final"]);
    assert_eq!(md.status.code(), Some(0), "{}", String::from_utf8_lossy(&md.stderr));
    let text = String::from_utf8_lossy(&md.stdout);
    assert!(text.contains("| 日期 | 2025年12月8日 |") && !text.contains("草案"));
    let docx = dir.join("agreement.docx");
    let out = run(&["render", data, "--case", history, "--final", "--format", "docx", "--out", docx.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&docx).expect("written").starts_with(b"PK"));
    // Piped, the bytes go to standard output.
    let piped = run(&["render", data, "--format", "docx"]);
    assert!(piped.status.success() && piped.stdout.starts_with(b"PK"));
    let pdf = dir.join("agreement.pdf");
    let no_browser = tenet()
        .args(["render", data, "--format", "pdf", "--out", pdf.to_str().unwrap()])
        .env("PATH", "/nonexistent")
        .env_remove("TENET_CHROMIUM")
        .output()
        .expect("runs");
    assert_eq!(no_browser.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&no_browser.stderr);
    assert!(
        stderr.contains("error[pdf]")
            && stderr.contains("TENET_CHROMIUM")
            && !stderr.contains("tests/install-pdf-deps.sh"),
        "{stderr}"
    );
    assert!(!pdf.exists(), "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--init-templates` copies the bundled set out (never over existing files); `--templates`
/// reads it back; `--context-reference` prints what templates can read.
#[test]
fn render_templates_can_be_copied_out_and_used() {
    let dir = std::env::temp_dir().join(format!("tenet-cli-templates-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let shown = dir.to_str().unwrap();
    let out = run(&["render", "--init-templates", shown]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("zh/quality.md.j2").is_file() && dir.join("CONTEXT.md").is_file());
    let again = run(&["render", "--init-templates", shown]);
    assert_eq!(again.status.code(), Some(3), "an existing file is never overwritten");
    let fees = dir.join("en/fees.md.j2");
    let text = std::fs::read_to_string(&fees).unwrap().replace("Fees and Payment", "Fees, Invoices and Payment");
    std::fs::write(&fees, text).unwrap();
    let out = run(&["--lang", "en", "render", "examples/agreements/ts-2026-0042.yaml", "--templates", shown]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("## Article 5 Fees, Invoices and Payment"));
    let reference = run(&["render", "--context-reference"]);
    assert_eq!(String::from_utf8_lossy(&reference.stdout), std::fs::read_to_string(dir.join("CONTEXT.md")).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `tenet lsp` speaks JSON-RPC with LSP framing over standard input and output: the
/// handshake, a document opened with a mistake (its diagnostic published), a message that
/// is not JSON (answered with a JSON-RPC parse error, the server going on), shutdown, exit.
#[test]
fn lsp_over_a_pipe() {
    fn frame(body: &serde_json::Value) -> String {
        let text = body.to_string();
        format!("Content-Length: {}\r\n\r\n{text}", text.len())
    }
    let policy = support::root().join("rules/lsp-pipe.tenet");
    let messages = [
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": format!("file://{}", policy.display()), "languageId": "tenet", "version": 1,
            "text": "policy p version \"1\"\ninput { a: int }\noutput o = b\n"}}}),
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
        serde_json::json!({"jsonrpc": "2.0", "method": "exit"}),
    ];
    let mut input: String = messages.iter().map(frame).collect();
    let garbage = "not json {";
    let at = 10 + input[10..].find("Content-Length").unwrap();
    input.insert_str(at, &format!("Content-Length: {}\r\n\r\n{garbage}", garbage.len()));
    let out = run_with_stdin(&["lsp"], &input);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"hoverProvider\":true"), "the capabilities: {stdout}");
    assert!(stdout.contains("textDocument/publishDiagnostics") && stdout.contains("unknown-name"), "{stdout}");
    assert!(stdout.contains("\"id\":2"), "shutdown answered");
    assert!(stdout.contains("\"code\":-32700") && stdout.contains("\"id\":null"), "the parse error: {stdout}");
}

#[test]
fn test_runs_histories_and_update_writes_their_expectation() {
    // A project of its own: rules/ beside cases/returns/, so the folder convention finds
    // the policy.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("a project's root");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("calendars")).expect("mkdir");
    let root = support::root().join("rules");
    std::fs::copy(root.join("returns.tenet"), rules.join("returns.tenet")).expect("copy");
    std::fs::copy(root.join("calendars/cn-2026.yaml"), rules.join("calendars/cn-2026.yaml")).expect("copy");
    let cases = dir.path().join("cases/returns");
    std::fs::create_dir_all(&cases).expect("mkdir");
    let history = cases.join("late.yaml");
    let original =
        std::fs::read_to_string(support::root().join("tests/cases/returns/histories/02-submit-refused-late.yaml"))
            .expect("history");
    let without = original.split("expect:").next().expect("head").to_owned();
    std::fs::write(&history, &without).expect("write");
    let folder = cases.display().to_string();

    // Without an expectation it is not a test yet, and says how to make it one.
    let out = run(&["--lang", "en", "test", &folder]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("tenet test --update"), "{stdout}");
    assert!(stdout.ends_with("0 passed, 0 failed, 1 skipped\n"), "{stdout}");

    // --update writes what the replay gives, keeping the rest of the file as written.
    let out = run(&["--lang", "en", "test", "--update", &folder]);
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(&history).expect("updated");
    assert!(written.starts_with(&without), "the file above `expect:` is kept");
    assert!(written.contains("  decision: rejected\n  codes: [WINDOW_EXPIRED]\n"), "{written}");
    assert_eq!(written, original, "the same expectation as the one reviewed in tests/cases");
    let out = run(&["test", &folder]);
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("1 passed, 0 failed\n"));

    // A wrong expectation fails with expected against actual.
    std::fs::write(&history, written.replace("decision: rejected", "decision: approved")).expect("write");
    let out = run(&["--lang", "en", "test", &folder]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("decision\n      - expected  approved\n      + actual    rejected"), "{stdout}");
}

/// `tenet table export` writes the bundled rate card back as the CSV it was read from;
/// a table written in the policy comes out in the form a CSV-backed table reads back;
/// a name no policy declares, and a table whose rows are computed, are refused by name.
#[test]
fn table_export_writes_what_a_csv_backed_table_reads() {
    let out = run(&["table", "export", "freight"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(support::root().join("rules/return-freight.csv")).expect("the rate card");
    assert_eq!(String::from_utf8_lossy(&out.stdout), csv);

    let dir = tempfile::tempdir().expect("temp dir");
    let to = dir.path().join("credit.csv");
    let out = run(&["table", "export", "rate_credit", "rules/support_sla.tenet", "-o", to.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(&to).expect("written");
    assert!(written.starts_with("rate,rate_credit\n< 80%,"), "{written}");

    let out = run(&["table", "export", "no_such_table"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no policy of the project declares a table `no_such_table`"));
    let out = run(&["table", "export", "targets", "rules/support_sla.tenet"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 1 of table `targets`"));
}
