//! `/v1/openapi.json` against the service it describes: every route of the router is in
//! it (and nothing else), every example request of the book's service page fits its request schema and
//! works against a running server, and the answers the server really sends — the
//! README's, refusals, operations — fit the schemas described for their status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

mod support;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

/// `(method, path)` of every `.route(…)` in the router's source: the list the description
/// is checked against, read from where routes are written rather than from the description.
fn routes_of_router() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(root().join("crates/server/src/api/mod.rs")).unwrap();
    let mut routes = BTreeSet::new();
    for line in source.lines() {
        let Some(rest) = line.trim().strip_prefix(".route(\"") else { continue };
        let (path, handlers) = rest.split_once('"').unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            // `get(` and `.get(`, not `target(`.
            let found = handlers
                .match_indices(&call)
                .any(|(i, _)| i == 0 || !handlers[..i].chars().next_back().unwrap().is_ascii_alphanumeric());
            if found {
                routes.insert((method.to_owned(), path.to_owned()));
            }
        }
    }
    assert!(routes.len() > 10, "the router's routes were not found in its source: {routes:?}");
    routes
}

/// `(method, path)` of every operation the description lists.
fn routes_described(spec: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.insert((method.clone(), path.clone()));
            }
        }
    }
    routes
}

/// Whether `instance` fits `schema`, a schema of the description (its `$ref`s resolved
/// against the description's components); the errors with their paths otherwise.
fn fits(spec: &Value, schema: &Value, instance: &Value) -> Result<(), String> {
    let mut root = schema.clone();
    let obj = root.as_object_mut().unwrap();
    obj.insert("components".into(), spec["components"].clone());
    let validator = jsonschema::draft202012::new(&root).map_err(|e| format!("the schema does not compile: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} (at `{}`)", e, e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
}

/// The description's path template that `path` (without its query) falls under.
fn template_of(spec: &Value, path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    for template in spec["paths"].as_object().unwrap().keys() {
        let t: Vec<&str> = template.split('/').collect();
        if t.len() == parts.len() && t.iter().zip(&parts).all(|(a, b)| a == b || a.starts_with('{')) {
            return template.clone();
        }
    }
    panic!("{path} is under no path of the description");
}

/// The schema of an answer: `method path` answered `status` as JSON.
fn answer_schema(spec: &Value, method: &str, template: &str, status: u16) -> Value {
    let response = &spec["paths"][template][method]["responses"][status.to_string()];
    assert!(response.is_object(), "{method} {template} does not describe a {status} answer");
    response["content"]["application/json"]["schema"].clone()
}

/// Checks a real answer against the description.
fn check_answer(spec: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let template = template_of(spec, path.split('?').next().unwrap());
    let schema = answer_schema(spec, method, &template, status.as_u16());
    assert!(schema.is_object(), "{method} {template} {status} has no JSON schema");
    if let Err(e) = fits(spec, &schema, body) {
        panic!("{method} {path} answered {status} outside its description: {e}\n{body:#}");
    }
}

/// A request of the README: `curl` with its method, address, headers and body.
#[derive(Debug)]
struct Example {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

/// Splits a shell line into words, with single and double quotes (enough for the
/// README's `curl` lines).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// Every `curl` to the service in the service's page of the book (`docs/src/service.md`), in order.
fn readme_examples() -> Vec<Example> {
    let readme = std::fs::read_to_string(root().join("docs/src/service.md")).unwrap();
    let joined = readme.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines().filter(|l| l.trim_start().starts_with("curl ")) {
        let w = words(line);
        let mut e = Example { method: "GET".into(), path: String::new(), headers: Vec::new(), body: None };
        let mut i = 1;
        while i < w.len() {
            match w[i].as_str() {
                "-X" => {
                    e.method = w[i + 1].clone();
                    i += 1;
                }
                "-H" => {
                    let (k, v) = w[i + 1].split_once(':').unwrap();
                    e.headers.push((k.trim().to_owned(), v.trim().to_owned()));
                    i += 1;
                }
                "-d" | "--data" | "--data-binary" => {
                    let data = &w[i + 1];
                    let text = match data.strip_prefix('@') {
                        Some(file) => std::fs::read_to_string(root().join(file)).unwrap(),
                        None => data.clone(),
                    };
                    e.body = Some(serde_json::from_str(&text).unwrap());
                    i += 1;
                }
                word if word.starts_with("localhost:8080/") => e.path = word["localhost:8080".len()..].to_owned(),
                _ => {}
            }
            i += 1;
        }
        if !e.path.is_empty() {
            out.push(e);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_description_is_the_service() {
    let s = Server::start(None, None).await;
    let (status, spec) = s.get("/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "{}", spec["openapi"]);
    assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));

    // Every route, and only the routes.
    assert_eq!(routes_described(&spec), routes_of_router(), "the description and the router differ");
    // Every operation has its own id, says who may call it and how it refuses.
    let mut ids = BTreeSet::new();
    for (method, path) in routes_described(&spec) {
        let op = &spec["paths"][&path][&method];
        assert!(ids.insert(op["operationId"].to_string()), "{method} {path}: operationId {} twice", op["operationId"]);
        assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
        assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{method} {path} has no tag");
        if path.starts_with("/v1/") && path != "/v1/openapi.json" {
            assert!(op["security"].is_array(), "{method} {path} does not name the bearer token");
            assert!(op["responses"]["401"].is_object(), "{method} {path} does not describe its 401");
        }
    }

    // The README's requests fit the description, and work, in order.
    let examples = readme_examples();
    assert!(examples.len() >= 10, "{examples:?}");
    for e in &examples {
        let (path, query) = e.path.split_once('?').unwrap_or((&e.path, ""));
        let method = e.method.to_lowercase();
        let template = template_of(&spec, path);
        let op = &spec["paths"][&template][&method];
        assert!(op.is_object(), "README: {} {} is not described", e.method, e.path);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let name = pair.split('=').next().unwrap();
            let known =
                op["parameters"].as_array().into_iter().flatten().any(|p| p["in"] == "query" && p["name"] == name);
            assert!(known, "README: {} {} uses the query parameter `{name}`, not described", e.method, e.path);
        }
        for (name, _) in &e.headers {
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let known = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "header" && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)));
            assert!(known, "README: {} {} sends the header `{name}`, not described", e.method, e.path);
        }
        if let Some(body) = &e.body {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(schema.is_object(), "README: {} {} sends a body the description does not take", e.method, e.path);
            if let Err(err) = fits(&spec, schema, body) {
                panic!("README: the body of {} {} does not fit its schema: {err}", e.method, e.path);
            }
        }
        let headers: Vec<(&str, &str)> = e.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, answer) =
            s.send(Method::from_bytes(e.method.as_bytes()).unwrap(), &e.path, e.body.as_ref(), &headers).await;
        assert!(status.is_success(), "README: {} {} answered {status}: {answer}", e.method, e.path);
        if template != "/v1/openapi.json" {
            check_answer(&spec, &method, &e.path, status, &answer);
        }
    }

    // Refusals and operations, as sent.
    let refusals: &[(&str, &str, Option<Value>, u16)] = &[
        ("get", "/v1/cases/no-such-case", None, 404),
        ("get", "/v1/cases?overdu=true", None, 400),
        ("get", "/v1/cases?limit=0", None, 400),
        ("get", "/v1/decisions?since=yesterday", None, 400),
        ("post", "/v1/cases", Some(json!({"policy": "returns", "facts": {}, "colour": 1})), 400),
        ("post", "/v1/policies/returns/evaluate", Some(json!({"item": {"unit_price": "-1.00"}})), 422),
        ("post", "/v1/policies/nothing/evaluate", Some(json!({})), 404),
        ("post", "/v1/cases/R-2026-0001/events", Some(json!({"event": "ship", "at": "soon"})), 400),
        ("post", "/v1/cases/R-2026-0001/events", Some(json!({"event": "shp", "at": "2026-11-07T09:00:00+08:00"})), 422),
        (
            "post",
            "/v1/cases",
            Some(serde_json::from_str(include_str!("../../../examples/api/open-case.json")).unwrap()),
            409,
        ),
        ("post", "/v1/actions/0123456789abcdef01234567/done", None, 200),
        ("get", "/healthz", None, 200),
        ("get", "/readyz", None, 200),
    ];
    for (method, path, body, want) in refusals {
        let (status, answer) =
            s.send(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path, body.as_ref(), &[]).await;
        assert_eq!(status.as_u16(), *want, "{method} {path}: {answer}");
        check_answer(&spec, method, path, status, &answer);
    }
    // An If-Match that is not the case's version any more: 412, as described.
    let submit: Value = serde_json::from_str(include_str!("../../../examples/api/submit.json")).unwrap();
    let (status, answer) =
        s.send(Method::POST, "/v1/cases/R-2026-0001/events", Some(&submit), &[("If-Match", "\"1\"")]).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{answer}");
    check_answer(&spec, "post", "/v1/cases/R-2026-0001/events", status, &answer);
}

#[test]
fn shell_words_keep_quoted_json_whole() {
    assert_eq!(
        words(r#"curl -s -X POST localhost:8080/x -H 'If-Match: "2"' -d '{"preview": true}'"#),
        ["curl", "-s", "-X", "POST", "localhost:8080/x", "-H", "If-Match: \"2\"", "-d", "{\"preview\": true}"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checks_can_fail() {
    let s = Server::start(None, None).await;
    let (_, spec) = s.get("/v1/openapi.json").await;
    std::fs::write(std::env::temp_dir().join("tenet-openapi.json"), serde_json::to_string_pretty(&spec).unwrap())
        .unwrap();
    let open = &spec["paths"]["/v1/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert!(fits(&spec, open, &json!({"policy": "returns", "facts": {}})).is_ok());
    // A wrong type, a missing field and an unknown key are each caught.
    for wrong in
        [json!({"policy": 1, "facts": {}}), json!({"facts": {}}), json!({"policy": "r", "facts": {}, "colour": 1})]
    {
        assert!(fits(&spec, open, &wrong).is_err(), "{wrong}");
    }
    let view = answer_schema(&spec, "get", "/v1/cases/{id}", 200);
    assert!(fits(&spec, &view, &json!({"policy": "returns"})).is_err(), "a case view without its stage fits");
    let error = answer_schema(&spec, "get", "/v1/cases/{id}", 404);
    assert!(fits(&spec, &error, &json!({"error": "not_found"})).is_err(), "an error without its messages fits");
}
