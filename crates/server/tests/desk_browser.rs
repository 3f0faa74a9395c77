//! A whole return worked through the desk in headless Chromium, driven by playwright-core
//! (`tests/desk-browser/run.mjs`) with the keyboard where a person would use it: the
//! reviewer approves, the warehouse's inspection form (every input labelled) refuses a
//! value and then records the inspection, finance's second session gets the conflict
//! message, the refund is confirmed, and the customer's page shows each step; no console
//! error (a Content-Security-Policy violation is one). It takes the README's screenshots
//! (`TENET_UPDATE_SCREENSHOTS=1` writes them to docs/src/images/).
//! Needs `sh tests/install-desk-deps.sh`; `#[ignore]`d, saying why, and run by `.ci/run`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::process::Command;

use serde_json::json;

mod support;

use tenet_test_support::browser::found;
use tenet_test_support::root;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and tests/desk-browser's npm packages (sh tests/install-desk-deps.sh); .ci/run runs it"]
async fn a_return_is_worked_through_the_desk_in_chromium() {
    let script = root().join("tests/desk-browser/run.mjs");
    let modules = root().join("tests/desk-browser/node_modules/playwright-core");
    let (Some(node), Some(browser), true) = (found("node"), found("chromium"), modules.is_dir()) else {
        panic!(
            "node, chromium or playwright-core is missing and this ignored test was asked for: sh tests/install-desk-deps.sh"
        );
    };
    let server = support::Server::start(None, None).await;
    for (name, role) in [("rita", "reviewer"), ("wang", "warehouse"), ("fay", "finance")] {
        let hash = tenet_server::desk::auth::hash_password(&format!("{role}-password")).unwrap();
        server.app.store.add_user(name, &hash, &[role.to_owned()], "2026-01-01T00:00:00.000000Z").await.unwrap();
    }
    // A return submitted this morning, and two others in the queue beside it.
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let at = |hours: i64| (now - chrono::TimeDelta::hours(hours)).format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let mut facts = support::facts("opened-keyboard.json");
    for k in ["now", "shipment", "inspection"] {
        facts.as_object_mut().unwrap().remove(k);
    }
    facts["order"]["delivered_at"] = json!(at(30));
    facts["request"]["submitted_at"] = json!(at(6));
    let mut tracking = String::new();
    for (i, (id, order, sku)) in
        [("R-7788", "SO-7788", "KB-101"), ("R-7789", "SO-7789", "MS-220"), ("R-7790", "SO-7790", "HD-330")]
            .iter()
            .enumerate()
    {
        let mut f = facts.clone();
        f["order"]["id"] = json!(order);
        f["item"]["sku"] = json!(sku);
        let (s, body) = server.post("/v1/cases", &json!({"policy": "returns", "id": id, "facts": f})).await;
        assert_eq!(s, 201, "{body}");
        if i == 0 {
            tracking = body["tracking_url"].as_str().unwrap().to_owned();
        }
        if i < 2 {
            let submit = json!({"event": "submit", "at": at(6 - i as i64), "by": "customer"});
            assert_eq!(server.post(&format!("/v1/cases/{id}/events"), &submit).await.0, 200);
        }
    }
    let out = tempfile::tempdir().unwrap();
    let run = tokio::task::spawn_blocking({
        let (base, out) = (server.base.clone(), out.path().to_owned());
        move || {
            Command::new(node)
                .arg(script)
                .args([base.as_str(), "R-7788", "SO-7788", tracking.as_str()])
                .arg(&out)
                .env("CHROMIUM", browser)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the browser run failed:\n{said}");
    let (s, case) = server.get("/v1/cases/R-7788").await;
    assert_eq!(s, 200);
    assert_eq!(case["stage"], "closed", "worked to the end: {case}");
    let by: Vec<&str> = case["trail"].as_array().unwrap().iter().map(|t| t["by"].as_str().unwrap_or("")).collect();
    assert_eq!(
        by,
        ["customer", "rita", "customer", "wang", "fay", "fay"],
        "each step by its person, the refused value never recorded"
    );
    for name in ["desk-login", "desk-queue", "desk-preview", "desk-conflict", "desk-case", "desk-customer"] {
        let png = std::fs::read(out.path().join(format!("{name}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}: a real screenshot ({} bytes)", png.len());
        if std::env::var_os("TENET_UPDATE_SCREENSHOTS").is_some() {
            std::fs::write(root().join(format!("docs/src/images/{name}.png")), &png).unwrap();
        }
    }
}
