//! A case's policy version is everything the policy reads, kept in the database: its
//! text and its calendars, hashed together. An edited calendar is a new version for new
//! cases while an open case keeps its deadlines; a policy folder moved elsewhere changes
//! nothing for the cases, which compile from the database alone. On SQLite and on
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

/// The review deadline of a case view.
fn review_due(view: &Value) -> Value {
    view["deadlines"].as_array().unwrap().iter().find(|d| d["stage"] == "review").unwrap()["due"].clone()
}

async fn open_overdue_review(s: &Server, id: &str) -> Value {
    let case = case_file("return-overdue-review.yaml");
    let (status, v) = s.post("/v1/cases", &json!({"policy": "returns", "facts": case["facts"], "id": id})).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    for e in case["events"].as_array().unwrap().iter().take(2) {
        let (status, v) = s.post(&format!("/v1/cases/{id}/events"), e).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    s.get(&format!("/v1/cases/{id}?now=2026-11-25T12:00:00%2B08:00")).await.1
}

async fn versions_are_self_contained(db: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let first = policies_copy(dir.path());
    let db = db.unwrap_or_else(|| format!("sqlite://{}/tenet.db", dir.path().display()));
    let s1 = Server::start_with(Some(&db), None, |o| o.policies = first.clone()).await;
    let (kept, moved) = (format!("V-{}", unique()), format!("W-{}", unique()));
    let before = open_overdue_review(&s1, &kept).await;
    // Entered review Friday 2026-11-20 17:45: two business days later is Tuesday 17:45.
    assert_eq!(review_due(&before), "2026-11-24T17:45:00+08:00");

    // Two holidays added on disk, then a reload: a new version for new cases only.
    let calendar = first.join("calendars/cn-2026.yaml");
    let text = std::fs::read_to_string(&calendar).unwrap();
    let edited = text.replacen("holidays:\n", "holidays:\n  - 2026-11-23\n  - 2026-11-24\n", 1);
    assert_ne!(edited, text);
    std::fs::write(&calendar, edited).unwrap();
    let (status, v) = s1.post("/v1/policies/reload", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let after = s1.get(&format!("/v1/cases/{kept}?now=2026-11-25T12:00:00%2B08:00")).await.1;
    assert_eq!(review_due(&after), "2026-11-24T17:45:00+08:00", "an open case keeps its calendar");
    let fresh = open_overdue_review(&s1, &moved).await;
    assert_eq!(review_due(&fresh), "2026-11-26T17:45:00+08:00", "a new case gets the new calendar");

    // The folder moves; a server started from the new place reads both cases.
    let second = dir.path().join("release-2");
    std::fs::rename(&first, &second).unwrap();
    let s2 = Server::start_with(Some(&db), None, |o| o.policies = second.clone()).await;
    for (id, due) in [(&kept, "2026-11-24T17:45:00+08:00"), (&moved, "2026-11-26T17:45:00+08:00")] {
        let (status, v) = s2.get(&format!("/v1/cases/{id}?now=2026-11-25T12:00:00%2B08:00")).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(review_due(&v), due, "{id}");
        let ship = json!({"event": "approve", "at": "2026-11-25T09:00:00+08:00", "by": "reviewer"});
        let (status, v) = s2.post(&format!("/v1/cases/{id}/events"), &ship).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    for path in ["/v1/actions?due_before=2027-01-01T00:00:00Z", "/v1/cases?overdue=true&limit=1000"] {
        let (status, v) = s2.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {v}");
    }
    // Versions are named by what they hold, not where they were read: both servers'
    // current version of the edited policy is the same.
    let hash = |v: &Value| -> String {
        v["policies"].as_array().unwrap().iter().find(|p| p["name"] == "returns").unwrap()["hash"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(hash(&s1.get("/v1/policies").await.1), hash(&s2.get("/v1/policies").await.1));

    // The first server reads the case at its latest version (and caches it)...
    let cached = s1.get(&format!("/v1/cases/{kept}?now=2026-11-25T12:00:00%2B08:00")).await.1;
    assert_eq!(review_due(&cached), "2026-11-24T17:45:00+08:00");
    // ...and a supervisor moves it to the current version on the second: previewed, then done.
    let path = format!("/v1/cases/{kept}/policy-version");
    let (status, preview) = s2.post(&path, &json!({"preview": true})).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["moved"], false);
    assert_ne!(preview["from"]["hash"], preview["to"]["hash"]);
    let change = preview["changes"].as_array().unwrap().iter().find(|c| c["what"] == "deadlines").expect("{preview}");
    assert!(change["from"].as_str().unwrap().contains("2026-11-24T17:45:00+08:00"), "{change}");
    assert!(change["to"].as_str().unwrap().contains("2026-11-26T17:45:00+08:00"), "{change}");
    let unmoved = s2.get(&format!("/v1/cases/{kept}?now=2026-11-25T12:00:00%2B08:00")).await.1;
    assert_eq!(review_due(&unmoved), "2026-11-24T17:45:00+08:00", "a preview moves nothing");
    let (status, v) = s2.post(&path, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a move needs a reason: {v}");
    let (status, v) = s2.post(&path, &json!({"reason": "节假日调整后统一期限", "by": "主管 王敏"})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["moved"], true);
    let moved_view = s2.get(&format!("/v1/cases/{kept}?now=2026-11-25T12:00:00%2B08:00")).await.1;
    assert_eq!(review_due(&moved_view), "2026-11-26T17:45:00+08:00", "moved: the current calendar");
    let logged = s2.logged("", |d| d["decision_id"] == v["decision_id"]).await;
    let entry = logged.first().unwrap_or_else(|| panic!("the move is logged: {v}"));
    assert_eq!(entry["case_id"], kept.as_str());
    assert_eq!(entry["result"]["moved"]["reason"], "节假日调整后统一期限");
    // The other server had the case cached under its old version: an event posted there
    // is judged under the new one (its append's check fails on the stale copy and it is
    // judged again from the database), and a read shows the move.
    let ship = json!({"event": "ship", "at": "2026-11-25T10:00:00+08:00", "by": "customer",
        "data": {"shipment": {"tracking_no": "SF1", "shipped_at": "2026-11-25T10:00:00+08:00"}}});
    let (status, v) = s1.post(&format!("/v1/cases/{kept}/events"), &ship).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(review_due(&v), "2026-11-26T17:45:00+08:00", "judged under the version moved to: {v}");
    let elsewhere = s1.get(&format!("/v1/cases/{kept}?now=2026-11-25T12:00:00%2B08:00")).await.1;
    assert_eq!(review_due(&elsewhere), "2026-11-26T17:45:00+08:00", "another server sees the move");
    let (status, v) = s2.post(&path, &json!({"reason": "again"})).await;
    assert_eq!((status, &v["same"], &v["moved"]), (StatusCode::OK, &json!(true), &json!(false)), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite() {
    versions_are_self_contained(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres() {
    if let Some(url) = support::postgres() {
        versions_are_self_contained(Some(url)).await;
    }
}
