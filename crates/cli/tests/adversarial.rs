//! tenet tried as an attacker and as a careless user would: each case is an input (a
//! file, or one generated here), the command, and what must hold. Every command run here
//! must end — a hang fails the case after a minute — and must not panic; the classes
//! follow issue 13. (The language-level members of the classes — operators x types,
//! sums, fuel, rounding, one meaning of `N days` — are asserted in the engine's tests:
//! src/check/tests.rs, tests/limits.rs, tests/language.rs, tests/workflow.rs.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::adversary::{binary, return_facts, run_in, sandbox, write};

const HEADER: &str = "policy t version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n";

// ---- 1. Crashes and internal errors --------------------------------------------------

#[test]
fn a_mistake_past_column_65535_is_reported_on_a_window_of_its_line() {
    let dir = sandbox();
    let long = format!("{HEADER}const c = count([{}]) + nope\n", vec!["1"; 40_000].join(", "));
    write(dir.path(), "long.tenet", &long);
    let ran = run_in(dir.path(), &["check", "long.tenet"], None);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(ran.both().contains("nope"), "{}", ran.both());
    assert!(ran.both().lines().all(|l| l.chars().count() < 400), "the line is shown in a window");
}

#[test]
fn minified_facts_over_64_kib_with_a_syntax_error_at_the_end() {
    let dir = sandbox();
    let items: Vec<String> = (0..8000).map(|i| format!("\"receipt-{i}\"")).collect();
    let facts = return_facts().replace("[\"receipt\"]", &format!("[{}]", items.join(",")));
    assert!(facts.len() > 65_536, "minified and over 64 KiB");
    // One stray byte at the very end of the one line.
    write(dir.path(), "facts.json", format!("{facts}x"));
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "facts.json"], None);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(ran.stderr.contains("facts.json:1:"), "the error has its line and column: {}", ran.stderr);
}

#[test]
fn twenty_thousand_warnings_are_rendered_for_people() {
    let dir = sandbox();
    let mut policy = format!("{HEADER}input {{ a: int }}\n");
    for i in 0..20_000 {
        policy.push_str(&format!("const unused_{i} = 1\n"));
    }
    write(dir.path(), "many.tenet", &policy);
    let ran = run_in(dir.path(), &["check", "many.tenet"], None);
    assert_eq!(ran.code, Some(0), "warnings only: {}", &ran.both()[..2000.min(ran.both().len())]);
    assert!(ran.both().matches("warning[").count() >= 20_000, "each warning is shown");
}

#[test]
fn what_the_checker_accepts_evaluates() {
    let dir = sandbox();
    let policy = format!(
        "{HEADER}input {{ p: percent, n: int, ts: list<{{ d: duration }}> }}
         const c = 1 - 10%
         output a = p + n
         output b = n - p
         output s = sum(t.d for t in ts)
         output k = c\n"
    );
    write(dir.path(), "ops.tenet", policy);
    write(dir.path(), "facts.json", r#"{"p": "10%", "n": 2, "ts": [{"d": "PT1H"}, {"d": "PT30M"}]}"#);
    let ran = run_in(
        dir.path(),
        &["eval", "ops.tenet", "facts.json", "--format", "json", "--now", "2026-11-10T12:00:00+08:00"],
        None,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(!ran.both().contains("bug"), "{}", ran.both());
}

#[test]
fn fmt_reads_texts_as_the_parser_does() {
    let dir = sandbox();
    let text = format!("{HEADER}output o = \"{{\"#\"}}\"\noutput q = \"a # not a comment\" # a comment\n");
    write(dir.path(), "texts.tenet", &text);
    let ran = run_in(dir.path(), &["fmt", "texts.tenet"], None);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = run_in(dir.path(), &["check", "texts.tenet"], None);
    assert_eq!(ran.code, Some(0), "still valid after formatting: {}", ran.both());
}

// ---- 2. Unbounded work ---------------------------------------------------------------

#[test]
fn a_scan_inside_an_aggregate_over_100_000_items_finishes() {
    let dir = sandbox();
    write(
        dir.path(),
        "scan.tenet",
        format!("{HEADER}input {{ l: list<int> }}\noutput n = count(x in l where x == max(l))\n"),
    );
    let items: Vec<String> = (0..100_000).map(|i| (i % 977).to_string()).collect();
    write(dir.path(), "facts.json", format!("{{\"l\": [{}]}}", items.join(",")));
    let ran = run_in(
        dir.path(),
        &["eval", "scan.tenet", "facts.json", "--format", "json", "--now", "2026-11-10T12:00:00+08:00"],
        None,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let v: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(v["outputs"]["n"], 102, "976 appears 102 times in 0..100 000 mod 977");
}

#[test]
fn work_beyond_the_fuel_is_a_diagnostic_not_a_hang() {
    let dir = sandbox();
    write(
        dir.path(),
        "heavy.tenet",
        format!("{HEADER}input {{ l: list<int> }}\noutput n = count(x in l where count(y in l where y == x) > 1)\n"),
    );
    let items: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    write(dir.path(), "facts.json", format!("{{\"l\": [{}]}}", items.join(",")));
    let ran = run_in(dir.path(), &["eval", "heavy.tenet", "facts.json", "--now", "2026-11-10T12:00:00+08:00"], None);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.both().contains("steps and was stopped"), "{}", ran.both());
    assert!(ran.both().contains("heavy.tenet:5:"), "it names the expression: {}", ran.both());
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_neither_hangs_nor_counts_twice() {
    let dir = sandbox();
    std::os::unix::fs::symlink("..", dir.path().join("rules/up")).expect("symlink");
    std::os::unix::fs::symlink("rules", dir.path().join("again")).expect("symlink");
    let ran = run_in(dir.path(), &["--lang", "en", "check", "."], None);
    let policies = std::fs::read_dir(dir.path().join("rules"))
        .expect("lists")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "tenet")))
        .count();
    assert!(ran.both().contains(&format!("checked {policies} files")), "each policy once: {}", ran.both());
    assert!(ran.both().contains("symlink loop"), "the loop is noted: {}", ran.both());
    let ran = run_in(dir.path(), &["fmt", "--check", "."], None);
    assert!(ran.code.is_some(), "fmt ends");
}

// ---- 3. Size limits: in tests/memory.rs, whose commands' peak memory is measured ---

// ---- 4. Lost or wrong work -----------------------------------------------------------

#[test]
fn one_bad_byte_is_one_error_line_and_the_batch_goes_on() {
    let dir = sandbox();
    let good = return_facts();
    let mut input = format!("{good}\n").into_bytes();
    input.extend_from_slice(b"{\"now\": \"\xff\"}\n");
    input.extend_from_slice(format!("{good}\n").as_bytes());
    write(dir.path(), "in.jsonl", &input);
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "--batch", "in.jsonl"], None);
    assert_eq!(ran.code, Some(2), "a bad line makes the batch exit 2: {}", ran.stderr);
    let lines: Vec<serde_json::Value> = ran.stdout.lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["decision"], "approved");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["diagnostics"][0]["code"], "not-utf8");
    assert_eq!(lines[2]["decision"], "approved");
}

#[test]
fn out_never_overwrites_the_input() {
    let dir = sandbox();
    let input = format!("{}\n", return_facts());
    write(dir.path(), "in.jsonl", &input);
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "--batch", "in.jsonl", "--out", "./in.jsonl"], None);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(ran.stderr.contains("input"), "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("in.jsonl")).expect("reads"), input, "the input is intact");
    let agreement = support::root().join("examples/agreements/ts-2026-0042.yaml");
    let data = std::fs::read_to_string(&agreement).expect("reads");
    write(dir.path(), "a.yaml", &data);
    let ran = run_in(dir.path(), &["render", "a.yaml", "--out", "a.yaml"], None);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("a.yaml")).expect("reads"), data);
}

#[cfg(unix)]
#[test]
fn out_writes_through_a_symlink_keeps_the_mode_and_names_a_failing_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = sandbox();
    write(dir.path(), "in.jsonl", format!("{}\n", return_facts()));
    let real = write(dir.path(), "results/real.jsonl", "old");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("results/real.jsonl", dir.path().join("link.jsonl")).expect("symlink");
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "--batch", "in.jsonl", "--out", "link.jsonl"], None);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(std::fs::symlink_metadata(dir.path().join("link.jsonl")).expect("meta").file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).expect("reads").contains("approved"));
    assert_eq!(std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777, 0o640);
    let ran =
        run_in(dir.path(), &["eval", "rules/returns.tenet", "--batch", "in.jsonl", "--out", "no/such/out.jsonl"], None);
    assert_eq!(ran.code, Some(3));
    assert!(ran.stderr.contains("no/such/out.jsonl"), "the error names the output: {}", ran.stderr);
}

#[cfg(unix)]
#[test]
fn an_interrupted_batch_leaves_no_temporary_file() {
    let dir = sandbox();
    let mut child = Command::new(binary())
        .args(["eval", "rules/returns.tenet", "--batch", "-", "--out", "out.jsonl"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(format!("{}\n", return_facts()).as_bytes()).expect("writes");
    stdin.flush().expect("flushes");
    // Wait until the temporary file exists, then interrupt.
    let start = Instant::now();
    while !std::fs::read_dir(dir.path())
        .expect("lists")
        .any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tenet.tmp")))
    {
        assert!(start.elapsed() < Duration::from_secs(60), "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("signals");
    let status = child.wait().expect("waits");
    drop(stdin);
    assert_eq!(status.code(), Some(130), "exits as interrupted");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("lists")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.contains("tmp") || n.starts_with("out"))
        .collect();
    assert!(left.is_empty(), "nothing is left behind: {left:?}");
}

// ---- 5. Numbers and dates, exact or refused ------------------------------------------

#[test]
fn long_unquoted_numbers_are_refused_where_they_stand() {
    let dir = sandbox();
    let facts = return_facts().replace("\"399.00\"", "100.000000000000001");
    write(dir.path(), "f.json", &facts);
    for args in
        [vec!["eval", "rules/returns.tenet", "f.json"], vec!["eval", "rules/returns.tenet", "--batch", "f.json"]]
    {
        let ran = run_in(dir.path(), &args, None);
        assert_eq!(ran.code, Some(2), "{args:?}: {}", ran.both());
        assert!(ran.both().contains("inexact-number"), "{args:?}: {}", ran.both());
    }
    let yaml = "now: '2026-11-10T12:00:00+08:00'\norder: {id: SO-1, delivered_at: '2026-11-01T15:20:00+08:00'}\nitem: {sku: KB, category: electronics, unit_price: 100.000000000000001, quantity: 1}\nrequest: {submitted_at: '2026-11-05T09:00:00+08:00', desired: refund, quantity: 1, documents: []}\n";
    write(dir.path(), "f.yaml", yaml);
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "f.yaml"], None);
    assert_eq!(ran.code, Some(2));
    assert!(ran.stderr.contains("f.yaml:3:"), "{}", ran.stderr);
    // Quoted, a long number is read exactly — and the money check then speaks.
    write(dir.path(), "q.yaml", yaml.replace("100.000000000000001", "'100.000000000000001'"));
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "q.yaml"], None);
    assert!(ran.stderr.contains("more decimal places"), "{}", ran.stderr);
}

#[test]
fn a_decimal_past_28_places_is_refused_not_zeroed() {
    let dir = sandbox();
    write(dir.path(), "d.tenet", format!("{HEADER}input {{ x: decimal }}\noutput y = x\n"));
    write(dir.path(), "f.json", r#"{"x": "0.00000000000000000000000000001"}"#);
    let ran = run_in(dir.path(), &["eval", "d.tenet", "f.json", "--now", "2026-11-10T12:00:00+08:00"], None);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    write(dir.path(), "c.tenet", format!("{HEADER}const tiny = 0.00000000000000000000000000001\n"));
    let ran = run_in(dir.path(), &["check", "c.tenet"], None);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
}

#[test]
fn second_60_huge_years_and_nan_options_are_refused() {
    let dir = sandbox();
    let facts = return_facts().replace("2026-11-05T09:00:00+08:00", "2026-11-05T10:30:60Z");
    write(dir.path(), "f.json", facts);
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "f.json"], None);
    assert_eq!(ran.code, Some(2));
    assert!(ran.stderr.contains("leap second"), "{}", ran.stderr);
    write(dir.path(), "cal/h.yaml", "year: 4294969322\nholidays: [2026-10-01]\n");
    write(
        dir.path(),
        "h.tenet",
        format!("{HEADER}calendar biz {{ monday..friday 09:00-18:00\n holidays \"cal/h.yaml\" }}\n"),
    );
    let ran = run_in(dir.path(), &["check", "h.tenet"], None);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(ran.both().contains("4294969322"), "{}", ran.both());
    let ran = run_in(dir.path(), &["test", "--min-coverage", "NaN", "rules"], None);
    assert_eq!(ran.code, Some(3), "{}", ran.both());
}

// ---- 6. Paths and files --------------------------------------------------------------

#[test]
fn relative_and_absolute_spellings_find_the_same_files() {
    let root = support::root();
    let folder = root.join("examples/agreements");
    let relative = run_in(&folder, &["render", "ts-2026-0042.yaml"], None);
    assert_eq!(relative.code, Some(0), "{}", relative.stderr);
    let absolute = run_in(&root, &["render", &folder.join("ts-2026-0042.yaml").display().to_string()], None);
    assert_eq!(relative.stdout, absolute.stdout);
    let cases = root.join("tests/cases/returns/public");
    let case = support::files(&cases, "yaml").into_iter().next().expect("a case");
    let name = case.file_name().expect("a name").to_string_lossy().into_owned();
    let ran = run_in(case.parent().expect("a folder"), &["test", &name], None);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn a_data_file_cannot_name_a_file_outside_the_project() {
    let dir = sandbox();
    let data = std::fs::read_to_string(support::root().join("examples/agreements/ts-2026-0042.yaml")).expect("reads");
    let secret = tempfile::NamedTempFile::new().expect("a file");
    std::fs::write(secret.path(), "root:x:0:0:secret-line\n").expect("writes");
    for named in [secret.path().display().to_string(), "../../../../../../../../etc/passwd".to_owned()] {
        write(dir.path(), "a/a.yaml", data.replace("sla: rules/support_sla.tenet", &format!("sla: {named}")));
        let ran = run_in(dir.path(), &["render", "a/a.yaml"], None);
        assert_eq!(ran.code, Some(2), "{}", ran.both());
        assert!(ran.stderr.contains("outside the project"), "{}", ran.stderr);
        assert!(!ran.both().contains("root:x") && !ran.both().contains("secret-line"), "no content is echoed");
    }
    // A case file's `policy:` is a data file's path too.
    write(dir.path(), "c.yaml", format!("policy: {}\nevents: []\n", secret.path().display()));
    let ran = run_in(dir.path(), &["case", "c.yaml"], None);
    assert_ne!(ran.code, Some(0));
    assert!(!ran.both().contains("secret-line"), "{}", ran.both());
}

#[test]
fn escape_sequences_in_facts_do_not_reach_the_terminal() {
    let dir = sandbox();
    let facts = return_facts().replace("\"no_reason\"", r#""\u001b]0;pwned\u0007\u001b[2J\r\u202e""#);
    write(dir.path(), "f.json", facts);
    let ran = run_in(dir.path(), &["eval", "rules/returns.tenet", "f.json"], None);
    assert!(ran.stdout.contains("\\u001b]0;pwned"), "shown escaped: {}", ran.stdout);
    for raw in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        assert!(!ran.both().contains(raw), "{raw:?} reached the terminal");
    }
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_text() {
    let dir = sandbox();
    let bom = "\u{feff}";
    write(dir.path(), "f.json", format!("{bom}{}", return_facts()));
    write(dir.path(), "in.jsonl", format!("{bom}{}\n{}\n", return_facts(), return_facts()));
    let yaml = std::fs::read_to_string(
        support::root()
            .join("examples/returns")
            .read_dir()
            .expect("lists")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "yaml"))
            .expect("an example"),
    )
    .expect("reads");
    write(dir.path(), "f.yaml", format!("{bom}{yaml}"));
    for args in [
        vec!["eval", "rules/returns.tenet", "f.json"],
        vec!["eval", "rules/returns.tenet", "f.yaml"],
        vec!["eval", "rules/returns.tenet", "--batch", "in.jsonl"],
    ] {
        let ran = run_in(dir.path(), &args, None);
        assert!(matches!(ran.code, Some(0) | Some(4)), "{args:?}: {}", ran.both());
    }
    let policy = std::fs::read_to_string(dir.path().join("rules/returns.tenet")).expect("reads");
    write(dir.path(), "rules/returns.tenet", format!("{bom}{policy}"));
    let ran = run_in(dir.path(), &["check", "rules/returns.tenet"], None);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}
