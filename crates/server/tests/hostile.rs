//! Hostile input over real HTTP: the examples' valid requests bent at random — a value of
//! another type, a key dropped or added, extreme numbers and instants, deep nesting,
//! broken bytes, odd headers and query strings — sent to every route that reads client
//! input. Whatever comes in, no answer is a 5xx, every client mistake is a JSON error
//! with its Chinese and English message, and the server still answers a valid request
//! afterwards. Seeded: a failure names the seed and the request, and runs again the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

use reqwest::StatusCode;
use serde_json::{Value, json};

#[macro_use]
mod support;

use support::*;

/// Requests per run and database.
const REQUESTS: usize = 600;

/// A small, fixed generator (SplitMix64): the same seed bends the same requests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Values that have broken parsers, arithmetic and calendars elsewhere.
fn extremes() -> Vec<Value> {
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!([deep]);
    }
    let mut deep_object = json!("x");
    for _ in 0..60 {
        deep_object = json!({"a": deep_object});
    }
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1e308),
        json!(-1e308),
        json!(5e-324),
        json!(0.1),
        json!(1e29),
        json!(79228162514264337593543950336.0),
        json!(""),
        json!(" "),
        json!("x".repeat(5000)),
        json!("2026-02-30T10:00:00+08:00"),
        json!("2026-11-05T24:00:00+08:00"),
        json!("9999-12-31T23:59:59+14:00"),
        json!("0000-01-01T00:00:00Z"),
        json!("+275760-09-13T00:00:00Z"),
        json!("-0001-01-01T00:00:00Z"),
        json!("2026-11-05"),
        json!("2026-11-05T10:00:00"),
        json!("NaN"),
        json!("Infinity"),
        json!("-0"),
        json!("99999999999999999999999999999999"),
        json!("0.00000000000000000000000000001"),
        json!("１２３"),
        json!("\u{202e}退货\u{0}"),
        json!("P9999999D"),
        json!([]),
        json!({}),
        json!((0..2000).collect::<Vec<i32>>()),
        deep,
        deep_object,
    ]
}

/// Every place in `v`, as a path of keys and indexes.
fn places(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                places(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate().take(50) {
                at.push(Step::Index(i));
                places(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// One bend somewhere in `v`.
fn bend(v: &mut Value, rng: &mut Rng, extremes: &[Value]) {
    let mut all = Vec::new();
    places(v, &mut Vec::new(), &mut all);
    let path = rng.pick(&all).clone();
    match rng.below(5) {
        0 | 1 => *at_mut(v, &path) = rng.pick(extremes).clone(),
        2 => {
            // Drop it from its parent.
            if let Some((last, parent)) = path.split_last() {
                match (at_mut(v, parent), last) {
                    (Value::Object(m), Step::Key(k)) => {
                        m.remove(k);
                    }
                    (Value::Array(items), Step::Index(i)) => {
                        items.remove(*i);
                    }
                    _ => {}
                }
            }
        }
        3 => {
            if let Value::Object(m) = at_mut(v, &path) {
                m.insert(rng.pick(&["colour", "至", "", "events", "facts", "__proto__"]).to_string(), json!(1));
            }
        }
        _ => {
            let target = at_mut(v, &path);
            let inner = target.take();
            *target = if rng.chance(50) { json!([inner]) } else { json!({"value": inner}) };
        }
    }
}

/// The body as bytes, now and then broken below the JSON level.
fn bytes_of(v: &Value, rng: &mut Rng) -> Vec<u8> {
    let mut b = v.to_string().into_bytes();
    if rng.chance(15) && !b.is_empty() {
        match rng.below(4) {
            0 => b.truncate(rng.below(b.len())),
            1 => {
                let i = rng.below(b.len());
                b[i] = 0xFF;
            }
            2 => b = b"{\"a\": 1, \"a\": 2}".to_vec(),
            _ => b.splice(0..0, [0xEF, 0xBB, 0xBF]).for_each(drop),
        }
    }
    b
}

/// A query-string value that is rarely right.
fn query_value(rng: &mut Rng) -> String {
    let raw = rng.pick(&[
        "",
        "0",
        "-1",
        "1",
        "100000000000000000000",
        "abc",
        "2026-11-05T10:00:00+08:00",
        "2026-11-05T10:00:00Z",
        "9999-12-31T23:59:59+14:00",
        "0000-01-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "true",
        "returns",
        "review",
        "%FF%FE",
        "%00",
        "a%00b",
        "%1F",
        "退货",
    ]);
    raw.replace('+', "%2B")
}

/// Examples of each route's valid body.
struct Seeds {
    facts: Vec<(&'static str, Value)>,
    cases: Vec<(&'static str, Value)>,
}

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    serde_json::to_value(yaml_serde::from_str::<yaml_serde::Value>(&text).unwrap()).unwrap()
}

fn seeds() -> Seeds {
    let mut facts = vec![("returns", facts("opened-keyboard.json"))];
    for f in ["too-late", "defect-without-photo", "wrong-item-exchange"] {
        facts.push(("returns", yaml(&format!("examples/returns/{f}.yaml"))));
    }
    for f in ["november", "worked-example"] {
        facts.push(("support_sla", yaml(&format!("examples/sla/{f}.yaml"))));
    }
    facts.push(("signing", case_file("agreement-history.yaml")["facts"].clone()));
    let cases = vec![
        ("returns", case_file("return-refunded.yaml")),
        ("returns", case_file("return-overdue-review.yaml")),
        ("returns", case_file("return-rejected-at-review.yaml")),
        ("signing", case_file("agreement-history.yaml")),
    ];
    Seeds { facts, cases }
}

/// What one request was, to name it when its answer is wrong.
struct Sent {
    method: reqwest::Method,
    path: String,
    body: Option<Vec<u8>>,
}

async fn hostile_requests_get_client_errors(s: Server) {
    let seed: u64 = std::env::var("TENET_HOSTILE_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20261202);
    let mut rng = Rng(seed);
    let extremes = extremes();
    let seeds = seeds();
    // Cases to post events to, one per example, opened as the examples are.
    let mut open = Vec::new();
    for (policy, case) in &seeds.cases {
        let id = format!("H-{}", unique());
        let (status, v) = s.post("/v1/cases", &json!({"policy": policy, "facts": case["facts"], "id": id})).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        open.push((id, v["tracking_token"].as_str().unwrap_or_default().to_owned(), case.clone()));
    }
    let mut answered = [0usize; 6];
    for n in 0..REQUESTS {
        let (id, token, case) = rng.pick(&open).clone();
        let sent = match rng.below(8) {
            0 | 1 => {
                let (policy, facts) = rng.pick(&seeds.facts);
                let mut facts = facts.clone();
                for _ in 0..1 + rng.below(3) {
                    bend(&mut facts, &mut rng, &extremes);
                }
                let policy = if rng.chance(5) { "no-such-policy" } else { policy };
                let query = if rng.chance(20) { format!("?now={}", query_value(&mut rng)) } else { String::new() };
                let body = bytes_of(&facts, &mut rng);
                Sent {
                    method: reqwest::Method::POST,
                    path: format!("/v1/policies/{policy}/evaluate{query}"),
                    body: Some(body),
                }
            }
            2 => {
                let (policy, c) = rng.pick(&seeds.cases);
                let mut body = json!({"policy": policy, "facts": c["facts"], "id": format!("HO-{}", unique())});
                for _ in 0..1 + rng.below(3) {
                    bend(&mut body, &mut rng, &extremes);
                }
                let body = bytes_of(&body, &mut rng);
                Sent { method: reqwest::Method::POST, path: "/v1/cases".into(), body: Some(body) }
            }
            3 | 4 => {
                let events = case["events"].as_array().unwrap();
                let mut event = rng.pick(events).clone();
                if rng.chance(80) {
                    bend(&mut event, &mut rng, &extremes);
                }
                let target = match rng.below(20) {
                    0 => "no-such-case".to_owned(),
                    1 => format!("{id}%00"),
                    _ => id.clone(),
                };
                let body = bytes_of(&event, &mut rng);
                Sent { method: reqwest::Method::POST, path: format!("/v1/cases/{target}/events"), body: Some(body) }
            }
            5 => {
                let path = match rng.below(4) {
                    0 => format!("/v1/cases/{id}?now={}", query_value(&mut rng)),
                    3 => format!("/v1/cases/{id}{}", rng.pick(&["%00", "%2F..", "%20", ".."])),
                    1 => format!(
                        "/v1/cases?stage={}&policy={}&limit={}&after={}&overdue={}",
                        query_value(&mut rng),
                        query_value(&mut rng),
                        query_value(&mut rng),
                        query_value(&mut rng),
                        query_value(&mut rng)
                    ),
                    _ => format!("/v1/actions?due_before={}", query_value(&mut rng)),
                };
                Sent { method: reqwest::Method::GET, path, body: None }
            }
            6 => {
                let path = format!(
                    "/v1/decisions?policy={}&since={}&until={}&limit={}&after={}",
                    query_value(&mut rng),
                    query_value(&mut rng),
                    query_value(&mut rng),
                    query_value(&mut rng),
                    query_value(&mut rng)
                );
                Sent { method: reqwest::Method::GET, path, body: None }
            }
            _ => {
                let path = match rng.below(3) {
                    0 => {
                        format!("/track/{id}?t={}", if rng.chance(30) { token.clone() } else { query_value(&mut rng) })
                    }
                    1 => format!("/track/{id}"),
                    _ => format!("/v1/actions/{}/done", query_value(&mut rng)),
                };
                let method = if path.ends_with("/done") { reqwest::Method::POST } else { reqwest::Method::GET };
                Sent { method, path, body: None }
            }
        };
        let mut r = s.client.request(sent.method.clone(), format!("{}{}", s.base, sent.path));
        if let Some(b) = &sent.body {
            r = r.header("content-type", "application/json").body(b.clone());
        }
        if rng.chance(10) {
            r = r.header("if-match", query_value(&mut rng));
        }
        if rng.chance(10) {
            r = r.header("idempotency-key", if rng.chance(50) { "k".repeat(300) } else { query_value(&mut rng) });
        }
        if rng.chance(5) {
            r = r.header("accept", "application/x-ndjson");
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let text = resp.text().await.unwrap();
        let shown = || {
            let body = sent.body.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            let body: String = body.chars().take(600).collect();
            format!("seed {seed}, request {n}: {} {} {body}\n→ {status} {text}", sent.method, sent.path)
        };
        assert!(!status.is_server_error(), "a server error for client input: {}", shown());
        if sent.path.starts_with("/track/") {
            // The customer's page answers a browser: HTML, in both languages, even when refused.
            assert!(ctype.starts_with("text/html"), "not a page: {}", shown());
            if status.is_client_error() {
                assert!(text.contains("没有找到") && text.contains("No return was found"), "{}", shown());
            }
        } else if status.is_client_error() {
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {}", shown()));
            for key in ["error", "message", "message_en"] {
                assert!(v[key].as_str().is_some_and(|m| !m.is_empty()), "no `{key}`: {}", shown());
            }
        } else if ctype.starts_with("application/json") {
            assert!(serde_json::from_str::<Value>(&text).is_ok(), "broken JSON: {}", shown());
        }
        answered[(status.as_u16() / 100) as usize] += 1;
    }
    eprintln!("seed {seed}: answers by class (1xx…5xx) {answered:?}");
    // Bent requests are mostly refused, and some still pass: the bends reach past parsing.
    assert!(answered[4] > REQUESTS / 4, "client errors: {answered:?}");
    assert!(answered[2] > REQUESTS / 20, "successes: {answered:?}");
    // The server is still whole.
    let (status, v) = s.post("/v1/policies/returns/evaluate", &facts("opened-keyboard.json")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, _) = s.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
}
on_both!(hostile, hostile_requests_get_client_errors);
