//! Errors: why a server did not start, and the JSON answer to a request that failed
//! (`{"error", "message", "message_en", "diagnostics"?}`), never a bare status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};
use tenet::diagnostics::{Diagnostic, Lang, to_json};

/// Why `tenet serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A flag or a file given on the command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// A policy failed its check; its diagnostics are printed by the caller.
    #[error("策略有错误 · a policy has errors: {0}")]
    Policy(String, Vec<Diagnostic>),
    /// The database could not be opened or migrated.
    #[error("数据库不可用 · the database is not available: {0}")]
    Database(String),
    /// The database did not answer while the server was `doing` something with it: where
    /// (the URL without its password) and why, the driver's error kept as the source.
    #[error("数据库不可用 · the database is not available: {doing} {target}: {source}")]
    Store {
        /// What the server was doing (`connecting to`, `migrating`).
        doing: &'static str,
        /// The database, its password left out.
        target: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The address could not be bound.
    #[error("无法监听 · cannot listen: {0}")]
    Listen(String),
}

/// A request's failure, answered as JSON with its status (boxed: it travels in every
/// handler's `Result`).
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[cfg(test)]
mod tests {
    #[test]
    fn a_cause_chain_is_written_whole_and_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        let e = sqlx::Error::Io(io);
        let text = super::with_causes(&e);
        assert!(text.contains("connection reset by peer"), "{text}");
        assert_eq!(text.matches("connection reset by peer").count(), 1, "{text}");
    }
}

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    kind: &'static str,
    message: String,
    message_en: String,
    diagnostics: Option<Json>,
}

impl ApiError {
    /// An error of `kind` with its status and its message in both languages.
    pub fn new(status: StatusCode, kind: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError(Box::new(Inner { status, kind, message: zh.into(), message_en: en.into(), diagnostics: None }))
    }

    /// Adds the engine's diagnostics, each naming its path.
    pub fn with_diagnostics(mut self, diags: &[Diagnostic]) -> ApiError {
        self.0.diagnostics = Some(json!(to_json(diags, Lang::Both)));
        self
    }

    /// 400: the request cannot be read.
    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", zh, en)
    }

    /// 404.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("没有找到 {what}"), format!("no such {what}"))
    }

    /// 500 for the server's own trouble (the database); the detail goes to the log.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        eprintln!("tenet serve: {detail}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "服务暂时不可用，请稍后重试",
            "the service is unavailable for a moment; try again",
        )
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The JSON body.
    pub fn body(&self) -> Json {
        let e = &self.0;
        let mut body = json!({"error": e.kind, "message": e.message, "message_en": e.message_en});
        if let (Some(d), Some(obj)) = (&e.diagnostics, body.as_object_mut()) {
            obj.insert("diagnostics".into(), d.clone());
        }
        body
    }
}

/// An error with every cause behind it, `outer: inner: innermost`, as the log shows it.
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        // Drivers often repeat their cause in their own message: say it once.
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        // The log gets the driver's error with the causes behind it (the I/O error under a
        // lost connection), not only its first line.
        ApiError::internal(with_causes(&e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.0.status, axum::Json(self.body())).into_response();
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}
