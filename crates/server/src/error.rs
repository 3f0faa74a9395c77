//! Errors: why a server did not start, and the JSON answer to a request that failed
//! (`{"error", "message", "message_en", "diagnostics"?}`), never a bare status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value as Json;
use tenet::diagnostics::{Diagnostic, to_json};
use utoipa::ToSchema;

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
    diagnostics: Option<Vec<tenet::diagnostics::JsonDiagnostic>>,
}

impl ApiError {
    /// An error of `kind` with its status and its message in both languages.
    pub fn new(status: StatusCode, kind: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError(Box::new(Inner { status, kind, message: zh.into(), message_en: en.into(), diagnostics: None }))
    }

    /// Adds the engine's diagnostics, each naming its path.
    pub fn with_diagnostics(mut self, diags: &[Diagnostic]) -> ApiError {
        self.0.diagnostics = Some(to_json(diags));
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

    /// The kind (`not_found`, `role_required`…), as the JSON answer's `error`.
    pub fn kind(&self) -> &'static str {
        self.0.kind
    }

    /// The message in Chinese and in English.
    pub fn messages(&self) -> (&str, &str) {
        (&self.0.message, &self.0.message_en)
    }

    /// The diagnostics' messages, each with the path it names.
    pub fn diagnostic_lines(&self) -> Vec<String> {
        self.0
            .diagnostics
            .iter()
            .flatten()
            .map(|d| serde_json::to_value(d).unwrap_or(Json::Null))
            .map(|d| {
                let text = |k: &str| d.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
                let path = text("path");
                let message = format!("{} · {}", text("message"), text("message_en"));
                if path.is_empty() { message } else { format!("{path}: {message}") }
            })
            .collect()
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The JSON body.
    pub fn body(&self) -> Json {
        serde_json::to_value(self.answer()).unwrap_or(Json::Null)
    }

    /// The answer, typed as `/v1/openapi.json` describes it.
    fn answer(&self) -> ErrorBody {
        let e = &self.0;
        ErrorBody {
            error: e.kind.to_owned(),
            message: e.message.clone(),
            message_en: e.message_en.clone(),
            diagnostics: e.diagnostics.clone(),
        }
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
        let mut r = (self.0.status, axum::Json(self.answer())).into_response();
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

/// The refusal every route answers: `{"error", "message", "message_en", "diagnostics"?}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What kind of refusal (`bad_request`, `not_found`, `invalid_facts`, `conflict`…).
    pub error: String,
    /// The message, in Chinese.
    pub message: String,
    /// The message, in English.
    pub message_en: String,
    /// The engine's diagnostics, each naming its path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<ApiDiagnostic>>)]
    pub diagnostics: Option<Vec<tenet::diagnostics::JsonDiagnostic>>,
}

/// One diagnostic: a code, where, and what to do, in both languages (the shape of
/// `tenet check --format json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiDiagnostic {
    /// `error` or `warning`.
    pub severity: String,
    /// The diagnostic's code (`tenet explain CODE` tells more).
    pub code: String,
    /// The message, in Chinese.
    pub message: String,
    /// The message, in English.
    pub message_en: String,
    /// The policy file it is about, when it is about one.
    pub file: Option<String>,
    /// Its first line (1-based).
    pub line: Option<u64>,
    /// Its first column (1-based).
    pub column: Option<u64>,
    /// Its last line.
    pub end_line: Option<u64>,
    /// Its last column.
    pub end_column: Option<u64>,
    /// How to fix it, in Chinese.
    pub help: Option<String>,
    /// How to fix it, in English.
    pub help_en: Option<String>,
    /// The data path it is about (`request.quantity`), when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}
