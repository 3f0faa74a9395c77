//! The return desk in headless Chromium, driven with the keyboard by playwright-core
//! (`tests/desk-browser/run.mjs`): sign-in, the skip link, `/` to search, a case opened
//! with Enter, the warehouse's inspection form (every input labelled) previewed and
//! posted, no console error (a Content-Security-Policy violation is one). It takes the
//! README's screenshots (`TENET_UPDATE_SCREENSHOTS=1` writes them to docs/src/images/).
//! Needs `sh tests/install-desk-deps.sh`; `#[ignore]`d, saying why, and run by `.ci/run`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use std::process::Command;

use serde_json::json;

mod support;

use tenet_test_support::browser::found;
use tenet_test_support::root;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and tests/desk-browser's npm packages (sh tests/install-desk-deps.sh); .ci/run runs it"]
async fn the_desk_works_with_the_keyboard_in_chromium() {
    let script = root().join("tests/desk-browser/run.mjs");
    let modules = root().join("tests/desk-browser/node_modules/playwright-core");
    let (Some(node), Some(browser), true) = (found("node"), found("chromium"), modules.is_dir()) else {
        panic!(
            "node, chromium or playwright-core is missing and this ignored test was asked for: sh tests/install-desk-deps.sh"
        );
    };
    let server = support::Server::start(None, None).await;
    let hash = tenet_server::desk::auth::hash_password("warehouse-password").unwrap();
    server.app.store.add_user("wang", &hash, &["warehouse".to_owned()], "2026-01-01T00:00:00.000000Z").await.unwrap();
    // A return on its way back to the warehouse.
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let at = |hours: i64| (now - chrono::TimeDelta::hours(hours)).format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let mut facts = support::facts("opened-keyboard.json");
    for k in ["now", "shipment", "inspection"] {
        facts.as_object_mut().unwrap().remove(k);
    }
    facts["order"]["id"] = json!("SO-7788");
    facts["order"]["delivered_at"] = json!(at(30));
    facts["request"]["submitted_at"] = json!(at(6));
    for (i, id) in ["R-7788", "R-7789", "R-7790"].iter().enumerate() {
        let mut f = facts.clone();
        if i > 0 {
            f["order"]["id"] = json!(format!("SO-77{}", 88 + i));
            f["item"]["sku"] = json!(["KB-101", "MS-220", "HD-330"][i]);
        }
        let (s, body) = server.post("/v1/cases", &json!({"policy": "returns", "id": id, "facts": f})).await;
        assert_eq!(s, 201, "{body}");
        let events = [
            json!({"event": "submit", "at": at(6), "by": "customer"}),
            json!({"event": "approve", "at": at(5), "by": "reviewer"}),
            json!({"event": "ship", "at": at(4), "by": "customer",
                "data": {"shipment": {"carrier": "SF", "tracking_no": "SF77", "shipped_at": at(4)}}}),
        ];
        for e in events.iter().take(3 - i) {
            let (s, body) = server.post(&format!("/v1/cases/{id}/events"), e).await;
            assert_eq!(s, 200, "{body}");
        }
    }
    let out = tempfile::tempdir().unwrap();
    let run = tokio::task::spawn_blocking({
        let (base, out) = (server.base.clone(), out.path().to_owned());
        move || {
            Command::new(node)
                .arg(script)
                .args([base.as_str(), "R-7788", "SO-7788"])
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
    assert_eq!(case["stage"], "inspection", "the warehouse's form was posted");
    assert_eq!(case["trail"][3]["by"], "wang");
    for name in ["desk-login", "desk-queue", "desk-preview", "desk-case"] {
        let png = std::fs::read(out.path().join(format!("{name}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}: a real screenshot ({} bytes)", png.len());
        if std::env::var_os("TENET_UPDATE_SCREENSHOTS").is_some() {
            std::fs::write(root().join(format!("docs/src/images/{name}.png")), &png).unwrap();
        }
    }
}
