//! `GET /v1/shadow?policy=`: what the candidate policy (`--shadow`) would have decided
//! differently, summed up in money.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::answers::ErrorBody;
use super::extract::Query;
use super::query::ShadowQuery;
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;

/// The differences the candidate of `policy` made, summed up: decisions moved, returns
/// refused more, the refunds (`refund_amount`) it would have made, each entry.
#[utoipa::path(
    get,
    path = "/v1/shadow",
    operation_id = "shadowSummary",
    tag = "decisions",
    params(ShadowQuery),
    responses(
        (status = 200, description = "`{policy, candidate, differences, errors, decisions: [{from, to, count}], refused_more, refund: {live, candidate, change}, message, message_en, entries}`", body = Object),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No candidate shadows this policy", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn summary(
    State(app): State<Arc<App>>,
    Query(query): Query<ShadowQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let Some(candidate) = app.shadow.get(&query.policy) else {
        return Err(ApiError::not_found("candidate (tenet serve --shadow DIR)"));
    };
    let rows = app.store.shadow_diffs(&query.policy, query.since.map(|t| t.0), query.until.map(|t| t.0)).await?;
    Ok(axum::Json(crate::shadow::summary(&query.policy, &candidate.hash, &rows)).into_response())
}
