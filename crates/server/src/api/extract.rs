//! The path and query extractors of the API: axum's, with their refusals answered as the
//! API's JSON errors (axum's own are plain text, such as `Invalid URL: Invalid UTF-8 in
//! `id``, which a client cannot read as the API's other errors).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// [`axum::extract::Path`], refused as a JSON 400.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if encodes_control(parts.uri.path()) {
            return Err(control_refused("地址", "the address"));
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(e) => Err(ApiError::bad_request(
                format!("地址无法读取（路径中的名称须是 UTF-8 文本）：{}", e.body_text()),
                format!("the address cannot be read (names in the path must be UTF-8 text): {}", e.body_text()),
            )),
        }
    }
}

/// [`axum::extract::Query`], refused as a JSON 400.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(encodes_control) {
            return Err(control_refused("查询参数", "the query"));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(e) => Err(ApiError::bad_request(
                format!("查询参数无法读取（须是 UTF-8 的 name=value，以 & 分隔）：{}", e.body_text()),
                format!("the query cannot be read (it must be UTF-8 name=value pairs joined by &): {}", e.body_text()),
            )),
        }
    }
}

/// Whether a part of a URI percent-encodes a control character (`%00`–`%1F`, `%7F`): no
/// id, name or instant contains one, and PostgreSQL cannot keep a NUL in text.
fn encodes_control(part: &str) -> bool {
    let digit = |c: u8| char::from(c).to_digit(16);
    part.as_bytes().windows(3).any(|w| match w {
        [b'%', high, low] => match (digit(*high), digit(*low)) {
            (Some(h), Some(l)) => {
                let byte = h * 16 + l;
                byte < 0x20 || byte == 0x7f
            }
            _ => false,
        },
        _ => false,
    })
}

fn control_refused(zh: &str, en: &str) -> ApiError {
    ApiError::bad_request(
        format!("{zh}含有编码的控制字符（%00–%1F 或 %7F）"),
        format!("{en} encodes a control character (%00–%1F or %7F)"),
    )
}

#[cfg(test)]
mod tests {
    use super::encodes_control;

    #[test]
    fn control_characters_are_found_encoded() {
        for part in ["/v1/cases/a%00b", "t=%1f", "x=%7F", "%0a"] {
            assert!(encodes_control(part), "{part}");
        }
        for part in ["/v1/cases/R-1", "t=%20x", "now=2026-11-05T10:00:00%2B08:00", "%FF%FE", "%", "%0", "%g0"] {
            assert!(!encodes_control(part), "{part}");
        }
    }
}
