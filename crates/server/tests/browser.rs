//! The customer's page in a real browser: headless Chromium loads `/track/{id}?t=…` from
//! a running server, takes a screenshot and prints the page to PDF, whose text (read back
//! with pdftotext) answers "where is my refund?" in Chinese with English beside it. Needs
//! `sh tests/install-pdf-deps.sh`. `#[ignore]`d, saying why; `.ci/run` installs the tools
//! and runs the ignored tests (`--include-ignored`), where a missing tool fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

mod support;

use tenet_test_support::browser::{chromium, found};

use tenet_test_support::root;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium (sh tests/install-pdf-deps.sh); cargo test -- --include-ignored runs it, as .ci/run does"]
async fn the_tracking_page_answers_where_the_refund_is() {
    let (browser, pdftotext) = tools();
    let dir = tempfile::tempdir().unwrap();
    let server = support::Server::start_with(None, None, |o| o.durable_decisions = false).await;
    let base = server.base.clone();
    let text = std::fs::read_to_string(root().join("examples/cases/return-refunded.yaml")).unwrap();
    let case: Value = serde_json::to_value(yaml_serde::from_str::<yaml_serde::Value>(&text).unwrap()).unwrap();
    let client = reqwest::Client::new();
    let opened: Value = client
        .post(format!("{base}/v1/cases"))
        .json(&json!({"policy": "returns", "facts": case["facts"], "id": "R-2001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Up to the start of the refund, then the payment channel reports a problem.
    for e in case["events"].as_array().unwrap().iter().take(5) {
        client.post(format!("{base}/v1/cases/R-2001/events")).json(e).send().await.unwrap();
    }
    let problem = json!({"event": "refund_update", "at": "2026-11-09T15:00:00+08:00", "by": "finance",
        "data": {"refund": {"status": "abnormal", "note": "内部：支付宝退回，账户名不符"}}});
    client.post(format!("{base}/v1/cases/R-2001/events")).json(&problem).send().await.unwrap();
    let url = format!("{base}{}", opened["tracking_url"].as_str().unwrap());
    let (png, text) = look(&browser, &pdftotext, dir.path(), "refunding", &url).await;
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a real screenshot ({} bytes)", png.len());
    for expected in
        ["退货进度", "退款中", "349.10", "异常", "收款账户", "支付宝", "无理由退货的运费", "Refund in progress"]
    {
        assert!(text.contains(expected), "the page shows {expected:?}:\n{text}");
    }
    // The steps so far, and "updated" is the time of the last event, not the clock.
    for expected in ["办理经过", "提交申请", "审核通过", "开始退款", "退款状态更新", "更新于", "2026-11-09 15:00"]
    {
        assert!(text.contains(expected), "the page shows {expected:?}:\n{text}");
    }
    assert!(!text.contains("账户名不符") && !text.contains("finance"), "no internal notes:\n{text}");
}

/// Chromium and pdftotext (asked for with `--include-ignored`, they must be there).
fn tools() -> (PathBuf, PathBuf) {
    let (Some(browser), Some(pdftotext)) = (found("chromium"), found("pdftotext")) else {
        panic!(
            "chromium or pdftotext is not installed, and this ignored test was asked for: install them with sh tests/install-pdf-deps.sh"
        );
    };
    (browser, pdftotext)
}

/// Screenshots and prints the page at `url`; the PNG's bytes and the PDF's text.
async fn look(browser: &Path, pdftotext: &Path, dir: &Path, name: &str, url: &str) -> (Vec<u8>, String) {
    let (shot, pdf, profile) =
        (dir.join(format!("{name}.png")), dir.join(format!("{name}.pdf")), dir.join(format!("profile-{name}")));
    let out = tokio::task::spawn_blocking({
        let (browser, url, shot, pdf, profile) =
            (browser.to_path_buf(), url.to_owned(), shot.clone(), pdf.clone(), profile.clone());
        move || {
            let a = chromium(&browser, &profile, &[format!("--screenshot={}", shot.display())], &url);
            let b = chromium(&browser, &profile, &[format!("--print-to-pdf={}", pdf.display())], &url);
            (a, b)
        }
    })
    .await
    .unwrap();
    let png =
        std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.0.stderr)));
    assert!(pdf.is_file(), "no PDF: {}", String::from_utf8_lossy(&out.1.stderr));
    let text = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
    (png, String::from_utf8_lossy(&text.stdout).into_owned())
}

/// Opens a return case from `facts`, posts `events`, and gives the page's URL.
async fn opened_with(client: &reqwest::Client, base: &str, id: &str, facts: &Value, events: &[Value]) -> String {
    let opened: Value = client
        .post(format!("{base}/v1/cases"))
        .json(&json!({"policy": "returns", "facts": facts, "id": id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for e in events {
        let status = client.post(format!("{base}/v1/cases/{id}/events")).json(e).send().await.unwrap().status();
        assert!(status.is_success(), "{e}: {status}");
    }
    format!("{base}{}", opened["tracking_url"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium (sh tests/install-pdf-deps.sh); cargo test -- --include-ignored runs it, as .ci/run does"]
async fn the_tracking_page_tells_a_declined_and_a_waiting_customer_why() {
    let (browser, pdftotext) = tools();
    let dir = tempfile::tempdir().unwrap();
    let server = support::Server::start_with(None, None, |o| o.durable_decisions = false).await;
    let base = server.base.clone();
    let client = reqwest::Client::new();

    // Declined at review: the policy's reason, what to do, and no refund anywhere.
    let text = std::fs::read_to_string(root().join("examples/cases/return-rejected-at-review.yaml")).unwrap();
    let late: Value = serde_json::to_value(yaml_serde::from_str::<yaml_serde::Value>(&text).unwrap()).unwrap();
    let submit = late["events"][0].clone();
    let url = opened_with(&client, &base, "R-3001", &late["facts"], &[submit]).await;
    let (_, text) = look(&browser, &pdftotext, dir.path(), "declined", &url).await;
    for expected in
        ["申请未通过", "Your request was declined", "无理由退货期限", "2026-11-08", "重新提交", "submit it again"]
    {
        assert!(text.contains(expected), "the declined page shows {expected:?}:\n{text}");
    }
    for absent in ["退款金额", "Amount", "最晚退款时间", "待处理", "¥"] {
        assert!(!text.contains(absent), "a declined return promises no refund ({absent:?}):\n{text}");
    }

    // Waiting: approval refused for want of a receipt; the page says what to send.
    let mut facts = late["facts"].clone();
    facts["request"]["submitted_at"] = json!("2026-11-04T10:00:00+08:00");
    facts["request"]["documents"] = json!([]);
    let events = [
        json!({"event": "submit", "at": "2026-11-04T10:00:00+08:00", "by": "customer"}),
        json!({"event": "approve", "at": "2026-11-04T15:00:00+08:00", "by": "reviewer"}),
    ];
    let url = opened_with(&client, &base, "R-3002", &facts, &events).await;
    let (_, text) = look(&browser, &pdftotext, dir.path(), "waiting", &url).await;
    for expected in ["需要您补充信息", "We need something from you", "发票", "invoice", "补充", "未通过", "审核中"]
    {
        assert!(text.contains(expected), "the waiting page shows {expected:?}:\n{text}");
    }
    assert!(!text.contains("退款金额"), "no refund yet:\n{text}");
}
