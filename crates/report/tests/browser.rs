//! The HTML return analysis in a real browser: headless Chromium opens the page from a
//! file (no network), takes a screenshot and prints it; the printed text carries the
//! figures, the flags and the charts' labels, and the console stays silent. Needs
//! `sh tests/install-pdf-deps.sh`. `#[ignore]`d, saying why; `.ci/run` installs the tools
//! and runs the ignored tests (`--include-ignored`), where a missing tool fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::process::Command;

use tenet_test_support::browser::{chromium, found};

use tenet_test_support::root;

#[test]
#[ignore = "needs chromium (sh tests/install-pdf-deps.sh); cargo test -- --include-ignored runs it, as .ci/run does"]
fn the_html_report_shows_its_figures_charts_and_flags() {
    let (Some(chrome), Some(pdftotext)) = (found("chromium"), found("pdftotext")) else {
        panic!(
            "chromium or pdftotext is not installed, and this ignored test was asked for: install them with sh tests/install-pdf-deps.sh"
        );
    };
    let policy = tenet::Policy::load(root().join("rules/returns.tenet")).unwrap();
    let insights = tenet::Policy::load(root().join("rules/return_insights.tenet")).unwrap();
    let now = "2026-12-01T00:00:00+08:00".parse().unwrap();
    let options = tenet_report::reports::returns::Options { since: None, until: None, now };
    let mut report = tenet_report::reports::returns::ReturnReport::new(&policy, options);
    tenet_report::reports::input::feed(&mut report, &root().join("examples/returns/corpus.jsonl"), &mut |e| {
        panic!("{e}")
    })
    .unwrap();
    let sales = tenet_report::reports::input::sales(&root().join("examples/returns/sales.csv")).unwrap();
    let flags = tenet_report::reports::returns::flags(&insights, &report.insight_facts(Some(&sales)), now).unwrap();
    let json = report.to_json(Some(&sales), flags);
    let page = tenet_report::formats::html::returns(&json).unwrap();
    // Self-contained: nothing to fetch (the SVG namespace is a name, not a request).
    for outside in ["<script", "<link", "<img", "src=", "@import", "url("] {
        assert!(!page.contains(outside), "the page loads something: {outside}");
    }
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    std::fs::write(&html, &page).unwrap();
    let url = format!("file://{}", html.display());
    let (shot, pdf) = (dir.path().join("report.png"), dir.path().join("report.pdf"));
    let profile = dir.path().join("profile");
    let logged = chromium(
        &chrome,
        &profile,
        &[format!("--screenshot={}", shot.display()), "--enable-logging=stderr".into(), "--v=0".into()],
        &url,
    );
    let png =
        std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&logged.stderr)));
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot ({} bytes)", png.len());
    let log = String::from_utf8_lossy(&logged.stderr);
    assert!(!log.contains("CONSOLE"), "console messages:\n{log}");
    chromium(&chrome, &profile, &[format!("--print-to-pdf={}", pdf.display())], &url);
    let text = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "退货分析",
        "Return analysis",
        "316163.30",
        "RETURN_RATE_HIGH",
        "EL-101",
        "Returns by reason",
        "no_reason",
        "W44",
        "Refund time after inspection",
    ] {
        assert!(text.contains(expected), "the page shows {expected:?}:\n{text}");
    }
    // Four charts, each an inline SVG.
    assert_eq!(page.matches("<svg").count(), 4);
}

#[test]
#[ignore = "needs chromium (sh tests/install-pdf-deps.sh); cargo test -- --include-ignored runs it, as .ci/run does"]
fn the_service_statement_page_shows_tickets_credits_and_charts() {
    let (Some(chrome), Some(pdftotext)) = (found("chromium"), found("pdftotext")) else {
        panic!(
            "chromium or pdftotext is not installed, and this ignored test was asked for: install them with sh tests/install-pdf-deps.sh"
        );
    };
    let policy = tenet::Policy::load(root().join("rules/support_sla.tenet")).unwrap();
    let file = tenet::source::read_source(&root().join("examples/sla/november.yaml")).unwrap();
    let facts = policy.facts(&file, tenet::facts::Format::Yaml).unwrap();
    let statement = tenet_report::reports::sla::statement(&policy, &facts, facts.now().unwrap()).unwrap();
    let page = tenet_report::formats::sla::html(&statement).unwrap();
    assert_eq!(page.matches("<svg").count(), 2);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("sla.html");
    std::fs::write(&html, &page).unwrap();
    let url = format!("file://{}", html.display());
    let (shot, pdf, profile) = (dir.path().join("sla.png"), dir.path().join("sla.pdf"), dir.path().join("profile"));
    let logged = chromium(
        &chrome,
        &profile,
        &[format!("--screenshot={}", shot.display()), "--enable-logging=stderr".into(), "--v=0".into()],
        &url,
    );
    assert!(
        std::fs::read(&shot).is_ok_and(|png| png.starts_with(b"\x89PNG")),
        "{}",
        String::from_utf8_lossy(&logged.stderr)
    );
    assert!(!String::from_utf8_lossy(&logged.stderr).contains("CONSOLE"));
    chromium(&chrome, &profile, &[format!("--print-to-pdf={}", pdf.display())], &url);
    let text = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in
        ["月度服务报告", "41500.00", "INC-1102", "P1_RESOLUTION_LATE", "按月服务费", "Response time as % of target"]
    {
        assert!(text.contains(expected), "the page shows {expected:?}:\n{text}");
    }
}
