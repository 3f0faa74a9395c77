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
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(e) => Err(ApiError::bad_request(
                format!("查询参数无法读取（须是 UTF-8 的 name=value，以 & 分隔）：{}", e.body_text()),
                format!("the query cannot be read (it must be UTF-8 name=value pairs joined by &): {}", e.body_text()),
            )),
        }
    }
}
