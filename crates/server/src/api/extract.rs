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

/// A query read into `T` (a struct of [`super::query`]), refused as a JSON 400 that names
/// the parameter (`limit`, `now`…) and what is wrong with it, as `serde_path_to_error`
/// finds it.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        if encodes_control(query) {
            return Err(control_refused("查询参数", "the query"));
        }
        let reader = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(reader).map(Query).map_err(|e| {
            let name = e.path().to_string();
            // Serde's own words, in English in both places, as for bodies; a parameter
            // whose value is wrong is named with the value, as a client wrote it.
            let what = e.into_inner().to_string();
            let given = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| *k == name.as_str()).map(|(_, v)| v);
            let (zh, en) = match given {
                Some(value) => (format!("查询参数 {name}={value:?} 不对：{what}"), format!("{name}={value:?} {what}")),
                None => (format!("查询参数不对：{what}"), format!("the query is not right: {what}")),
            };
            let d = tenet::diagnostics::Diagnostic::error("bad-request", tenet::diagnostics::Msg::new(&zh, &en))
                .at_path(if given_name(&name) { &name } else { "" });
            ApiError::bad_request(zh, en).with_diagnostics(&[d])
        })
    }
}

/// Whether a path of `serde_path_to_error` names a parameter (`.` is the whole query).
fn given_name(path: &str) -> bool {
    path != "." && !path.is_empty()
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
