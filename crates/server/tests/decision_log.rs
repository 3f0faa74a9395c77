//! The compact decision log: what it keeps reproduces every answer exactly. 10 000
//! evaluations of varied facts (approved, rejected, `now` from the facts, from `?now=` and
//! from the clock) are answered, logged (compressed, a dictionary trained on the way) and
//! rebuilt from the log by `GET /v1/decisions/{id}`; each rebuilt answer is compared byte
//! for byte with the answer the client received — not with another view of the log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

#[macro_use]
mod support;

use std::sync::Arc;

use serde_json::{Value, json};
use support::Server;

/// Varied facts (see `varied_return`); where `now` comes from varies with `i % 3`: the
/// facts, `?now=`, the server's clock (the answer then says `now_source: system_clock`).
fn varied(i: usize) -> (Value, Option<String>) {
    let mut f = tenet_test_support::workloads::varied_return(i);
    let now = f["now"].as_str().unwrap().to_owned();
    match i % 3 {
        0 => (f, None),
        1 => {
            f.as_object_mut().unwrap().remove("now");
            (f, Some(now))
        }
        _ => {
            f.as_object_mut().unwrap().remove("now");
            (f, None)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_answers_rebuilt_byte_for_byte() {
    const N: usize = 10_000;
    let s = Arc::new(Server::start_with(None, None, |o| o.durable_decisions = false).await);
    let mut answers: Vec<(String, String)> = Vec::with_capacity(N);
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in (worker..N).step_by(8) {
                let (body, now) = varied(i);
                let path = match now {
                    Some(n) => format!("/v1/policies/returns/evaluate?now={}", n.replace('+', "%2B")),
                    None => "/v1/policies/returns/evaluate".to_owned(),
                };
                let r = s
                    .client
                    .post(format!("{}{path}", s.base))
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), reqwest::StatusCode::OK, "{i}");
                let text = r.text().await.unwrap();
                let v: Value = serde_json::from_str(&text).unwrap();
                out.push((v["decision_id"].as_str().unwrap().to_owned(), text));
            }
            out
        }));
    }
    for t in tasks {
        answers.extend(t.await.unwrap());
    }
    s.app.log.flush().await.unwrap();
    // The variation reached both decisions and every source of `now`.
    let decisions: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|(_, a)| serde_json::from_str::<Value>(a).unwrap()["decision"].as_str().unwrap().to_owned())
        .collect();
    assert!(decisions.contains("approved") && decisions.contains("rejected"), "{decisions:?}");
    assert!(answers.iter().any(|(_, a)| a.contains("\"now_source\":\"system_clock\"")));
    let mut differs = Vec::new();
    for chunk in answers.chunks(500) {
        let gets = chunk.iter().map(|(id, _)| {
            let (client, url) = (s.client.clone(), format!("{}/v1/decisions/{id}", s.base));
            async move {
                let r = client.get(url).send().await.unwrap();
                (r.headers().get("tenet-rebuilt").is_some(), r.text().await.unwrap())
            }
        });
        let rebuilt = futures_join_all(gets).await;
        for ((id, answer), (flagged, again)) in chunk.iter().zip(rebuilt) {
            if &again != answer || flagged {
                differs.push(id.clone());
            }
        }
    }
    assert!(differs.is_empty(), "{} of {N} answers rebuilt differently, first {:?}", differs.len(), differs.first());
    // A dictionary was trained on the way, and entries from before and after it read back.
    let all = tenet_server::store::DecisionFilter { limit: 20_000, ..Default::default() };
    assert_eq!(s.app.store.decisions(&all).await.unwrap().len(), N);
    assert!(s.app.store.codec().dict().is_some(), "a dictionary is trained after enough entries");
    // With `explain`, the same answer and every rule's trace.
    let (id, answer) = &answers[17];
    let (status, explained) = s.get(&format!("/v1/decisions/{id}?explain=true")).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(!explained["trace"].as_array().unwrap().is_empty());
    let mut without = explained.clone();
    without["trace"] = json!([]);
    assert_eq!(without, serde_json::from_str::<Value>(answer).unwrap());
    assert_eq!(s.get("/v1/decisions/no-such-id").await.0, reqwest::StatusCode::NOT_FOUND);
}

/// Runs the futures side by side.
async fn futures_join_all<F: std::future::Future + Send + 'static>(fs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// A damaged entry is listed as unreadable, not a failed page; the readers that need its
/// contents (the rebuilt answer, `read_decisions` under `tenet diff`) refuse it by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_entry_is_named_not_a_failed_page() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/damaged.db", dir.path().display());
    let s = Server::start_with(Some(&url), None, |_| {}).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let (body, _) = varied(3 * i);
        let (status, v) = s.post("/v1/policies/returns/evaluate", &body).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{v}");
        ids.push(v["decision_id"].as_str().unwrap().to_owned());
    }
    // Damage the middle entry's body from outside, as a disk fault would.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let changed = sqlx::query("UPDATE decision_log SET body = $1 WHERE decision_id = $2")
        .bind(vec![0u8, 1, 2, 3])
        .bind(&ids[1])
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    let (status, list) = s.get("/v1/decisions?limit=10").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{list}");
    let entries = list["decisions"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{list}");
    assert!(entries[0].get("unreadable").is_none() && entries[2].get("unreadable").is_none(), "{list}");
    assert!(entries[1]["unreadable"].is_string() && entries[1]["facts"].is_null(), "{list}");
    let (status, v) = s.get(&format!("/v1/decisions/{}", ids[1])).await;
    assert_eq!(status, reqwest::StatusCode::INTERNAL_SERVER_ERROR, "{v}");
    assert_eq!(v["error"], "entry_unreadable", "{v}");
    assert!(v["message_en"].as_str().unwrap().contains(&ids[1]), "{v}");
    assert_eq!(s.get(&format!("/v1/decisions/{}", ids[2])).await.0, reqwest::StatusCode::OK);
    let read = tokio::task::spawn_blocking(move || tenet_server::read_decisions(&url, |_| {})).await.unwrap();
    let err = read.expect_err("a reader that needs every entry refuses").to_string();
    assert!(err.contains(&ids[1]), "{err}");
}
