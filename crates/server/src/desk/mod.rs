//! The return desk: pages for the people who run the process, under `/desk` — sign-in,
//! the queue, a case with a form for each event the person's roles may post, internal
//! notes, due actions and the analysis. Server-rendered HTML (minijinja, escaped), no
//! inline script or style (the Content-Security-Policy forbids them), every `POST` with the
//! session's CSRF token. The events a form posts go through the same recording as the API
//! (`api::cases::record`): one set of rules for both.

pub mod accounts;
pub mod auth;
pub mod drafts;
pub mod failures;
pub mod forms;
pub mod frame;
pub mod pages;
pub mod queue;
pub mod reports;
pub mod time_left;

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Environment;
use serde_json::Value;

use crate::app::App;

/// What the desk's pages may load: their own script and style, nothing inline, no frames.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Rows on a page of the queue.
pub const PAGE_ROWS: i64 = 50;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    let templates = [
        ("base.html", include_str!("../../templates/desk/base.html")),
        ("login.html", include_str!("../../templates/desk/login.html")),
        ("queue.html", include_str!("../../templates/desk/queue.html")),
        ("case.html", include_str!("../../templates/desk/case.html")),
        ("actions.html", include_str!("../../templates/desk/actions.html")),
        ("reports.html", include_str!("../../templates/desk/reports.html")),
        ("message.html", include_str!("../../templates/desk/message.html")),
    ];
    for (name, text) in templates {
        if let Err(e) = env.add_template(name, text) {
            eprintln!("tenet serve: the desk's template {name} does not parse: {e}");
        }
    }
    env
});

/// The desk's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/desk", get(pages::home))
        .route("/desk/", get(pages::home))
        .route("/desk/login", get(pages::login_page).post(pages::login))
        .route("/desk/logout", post(pages::logout))
        .route("/desk/cases", get(pages::queue))
        .route("/desk/cases/{id}", get(pages::case_page))
        .route("/desk/cases/{id}/events", post(pages::post_event))
        .route("/desk/cases/{id}/notes", post(pages::add_note))
        .route("/desk/cases/{id}/draft", get(pages::draft_page))
        .route("/desk/actions", get(pages::actions))
        .route("/desk/actions/{id}/done", post(pages::action_done))
        .route("/desk/reports", get(pages::reports))
        .route("/desk/static/desk.css", get(stylesheet))
        .route("/desk/static/desk.js", get(script))
        .layer(axum::middleware::map_response(guarded))
}

/// Every desk answer: the Content-Security-Policy (the desk's, unless the page set a
/// stricter one of its own: the report and the agreement carry inline style but no script
/// at all), no caching, no framing, no sniffing.
async fn guarded(mut r: Response) -> Response {
    let h = r.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("../../static/desk.css"))
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("../../static/desk.js"))
}

fn asset(kind: &'static str, text: &'static str) -> Response {
    let mut r = text.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=300"));
    r
}

/// A page from its template and context; a template that fails says so on standard
/// error and the person gets a plain apology, never a half page.
pub fn render(status: StatusCode, name: &str, ctx: &Value) -> Response {
    match TEMPLATES.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            eprintln!("tenet serve: the desk page {name} did not render: {e:#}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<!doctype html><meta charset=\"utf-8\"><p>页面暂时不可用 · The page is unavailable for a moment.</p>"),
            )
                .into_response()
        }
    }
}
