//! The HTTP API: the router, the checks every request passes (size, type, time) and the
//! reading of JSON bodies into answers a client can act on.

pub mod actions;
pub mod answers;
pub mod cases;
mod decisions;
mod evaluate;
mod extract;
pub mod openapi;
mod ops;
pub mod query;
mod shadow;
pub use ops::reload_policies;
mod track;
mod versions;
mod webhooks;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value as Json;

use crate::app::App;
use crate::error::ApiError;

/// Largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Longest request address (path and query), in bytes: a longer one is answered `414`.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Longest time a request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Every route of the service.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/policies/{policy}/evaluate", post(evaluate::evaluate))
        .route("/v1/policies/reload", post(ops::reload))
        .route("/v1/policies", get(ops::policies))
        .route("/v1/cases", post(cases::open).get(cases::list))
        .route("/v1/cases/{id}", get(cases::show))
        .route("/v1/cases/{id}/events", post(cases::post_event))
        .route("/v1/cases/{id}/policy-version", post(versions::move_case))
        .route("/v1/decisions", get(decisions::list))
        .route("/v1/decisions/{id}", get(decisions::get))
        .route("/v1/shadow", get(shadow::summary))
        .route("/v1/actions", get(actions::due))
        .route("/v1/actions/{id}/done", post(actions::done))
        .route("/v1/webhooks/deliveries", get(webhooks::list))
        .route("/v1/webhooks/deliveries/{id}/retry", post(webhooks::retry))
        .route("/track/{id}", get(track::page))
        .route("/healthz", get(ops::health))
        .route("/readyz", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/v1/openapi.json", get(openapi::document))
        .merge(crate::desk::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(Arc::clone(&app), observe))
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有这个地址", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "这个地址不接受这种请求方法",
        "this endpoint does not take this method",
    )
}

/// Times every request out after [`REQUEST_TIMEOUT`] and counts it for `/metrics`.
async fn observe(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    // The path without its query: the customer's page carries its token in the query.
    let path = app.access_log.then(|| request.uri().path().chars().take(200).collect::<String>());
    // The route's template, never the path a client sent: the metrics' labels stay bounded.
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    if request.uri().path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI_BYTES {
        let response = ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("请求的地址超过 {} KiB", MAX_URI_BYTES / 1024),
            format!("the request's address (its path and query) is over {} KiB", MAX_URI_BYTES / 1024),
        )
        .into_response();
        app.metrics.request(&method, route.as_deref(), response.status().as_u16(), started.elapsed());
        return response;
    }
    let response = match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "请求超时", "the request took too long")
            .into_response(),
    };
    app.metrics.request(&method, route.as_deref(), response.status().as_u16(), started.elapsed());
    if let Some(path) = path {
        // The method as metrics bound it: a client's made-up method is not echoed.
        let shown = crate::metrics::method_label(&method);
        eprintln!(
            "{} {shown} {path} {} {:.1}ms",
            crate::clock::stamp(crate::clock::now()),
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}

/// A request body read into `T` (a `serde` type with `deny_unknown_fields`): 415 unless
/// it says it is JSON, 413 over the limit, 400 for malformed JSON (with its line and
/// column), a field of the wrong type, a missing field or an unknown key — each named by
/// its path, as `serde_path_to_error` finds it.
pub fn typed_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = checked_bytes(headers, body)?;
    let mut reader = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return syntax_error(inner);
        }
        // Serde's own words, in English in both places: they name the types it expected.
        let what = inner.to_string();
        let what = what.split(" at line ").next().unwrap_or(&what).to_owned();
        let path = if path == "." { String::new() } else { path };
        let d = tenet::diagnostics::Diagnostic::error(
            "bad-request",
            tenet::diagnostics::Msg::new(format!("请求体的 `{path}` 不对：{what}"), format!("`{path}`: {what}")),
        )
        .at_path(&path);
        ApiError::bad_request(format!("请求体的 `{path}` 不对"), format!("the body's `{path}` is not right"))
            .with_diagnostics(&[d])
    })
}

/// The JSON object of a request body: 415 unless it says it is JSON, 413 over the
/// limit, 400 when it is not a JSON object, with the line and column.
pub fn json_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<serde_json::Map<String, Json>, ApiError> {
    let bytes = checked_bytes(headers, body)?;
    let value: Json = serde_json::from_slice(&bytes).map_err(syntax_error)?;
    match value {
        Json::Object(map) => Ok(map),
        other => Err(ApiError::bad_request(
            format!("请求体应是一个 JSON 对象，却是 {}", kind_of(&other)),
            format!("the body must be a JSON object, not {}", kind_of(&other)),
        )),
    }
}

fn syntax_error(e: serde_json::Error) -> ApiError {
    ApiError::bad_request(
        format!("请求体不是有效的 JSON（第 {} 行第 {} 列）：{e}", e.line(), e.column()),
        format!("the body is not valid JSON (line {}, column {}): {e}", e.line(), e.column()),
    )
}

/// The body's bytes: 415 unless it says it is JSON, 413 over the limit.
fn checked_bytes(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("请求体应是 JSON（Content-Type: application/json），却是 {content_type:?}"),
            format!("the body must be JSON (Content-Type: application/json), not {content_type:?}"),
        ));
    }
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("请求体超过 {MAX_BODY_BYTES} 字节的上限"),
                format!("the body is over the limit of {MAX_BODY_BYTES} bytes"),
            )
        } else {
            ApiError::bad_request(format!("无法读取请求体：{e}"), format!("cannot read the body: {e}"))
        }
    })
}

/// A request body's text, for a reader that parses it itself (evaluation reads the facts
/// in one pass): 415 and 413 as [`json_body`]; whether it is a JSON object at all is
/// asked only when that reader fails ([`not_a_json_object`]).
pub fn body_text(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<String, ApiError> {
    let bytes = checked_bytes(headers, body)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::bad_request("请求体不是 UTF-8", "the body is not UTF-8"))
}

/// The 400 for a body that is not one JSON object (malformed JSON with its line and
/// column), or `None` when it is one.
pub fn not_a_json_object(text: &str) -> Option<ApiError> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Some(syntax_error(e));
    }
    (text.trim_start().as_bytes().first() != Some(&b'{'))
        .then(|| ApiError::bad_request("请求体应是一个 JSON 对象", "the body must be a JSON object"))
}

/// `a string`, `a number`… for messages.
pub fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// A wrongly typed field of a request body, named by its path.
pub fn wrong_field(path: &str, want: &str, found: &Json) -> ApiError {
    let found = kind_of(found);
    let d = tenet::diagnostics::Diagnostic::error(
        "bad-request",
        tenet::diagnostics::Msg::new(
            format!("`{path}` 应是{want}，却是 {found}"),
            format!("`{path}` must be {want}, not {found}"),
        ),
    )
    .at_path(path);
    ApiError::bad_request(format!("`{path}` 的类型不对"), format!("`{path}` has the wrong type")).with_diagnostics(&[d])
}

/// `now` from a query (`?now=`), or the server's clock with its note.
pub fn now_of(given: Option<query::Instant>) -> (chrono::DateTime<chrono::Utc>, Option<&'static str>) {
    match given {
        Some(t) => (t.0, None),
        None => (crate::clock::now(), Some("system_clock")),
    }
}
