//! `GET /v1/webhooks/deliveries` and `POST /v1/webhooks/deliveries/{id}/retry`: what the
//! outbox holds — pending, delivered, dead with its last error — and sending one again.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;

use super::answers::ErrorBody;
use super::extract::{Path, Query};
use super::query::DeliveryQuery;
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;

/// A webhook delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryItem {
    /// Its id, sent as `webhook-id` (receivers de-duplicate by it).
    pub id: String,
    /// The receiver.
    pub url: String,
    /// `action.due`, `case.overdue`…
    pub event_type: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// When the next attempt may be made.
    pub next_attempt_at: String,
    /// The last failure (an HTTP status or the connection's error).
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<String>,
    /// When it was written.
    pub created_at: String,
    /// The JSON body sent.
    pub payload: serde_json::Value,
}

/// `GET /v1/webhooks/deliveries`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub deliveries: Vec<DeliveryItem>,
}

/// `POST /v1/webhooks/deliveries/{id}/retry`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Retried {
    /// The delivery.
    pub id: String,
    /// It is pending again, from now.
    pub pending: bool,
}

/// The outbox's deliveries, newest first.
#[utoipa::path(
    get,
    path = "/v1/webhooks/deliveries",
    operation_id = "listDeliveries",
    tag = "webhooks",
    params(DeliveryQuery),
    responses(
        (status = 200, description = "Deliveries, newest first", body = DeliveryList),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(app): State<Arc<App>>,
    Query(query): Query<DeliveryQuery>,
    headers: HeaderMap,
) -> Result<Json<DeliveryList>, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let limit = query.limit.unwrap_or(super::query::Limit::DEFAULT).0;
    let rows = app.store.deliveries(query.status.map(|s| s.as_str()), limit).await?;
    let deliveries = rows
        .into_iter()
        .map(|d| DeliveryItem {
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            id: d.id,
            url: d.url,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        })
        .collect();
    Ok(Json(DeliveryList { deliveries }))
}

/// Sends a delivery again from now (a dead one too).
#[utoipa::path(
    post,
    path = "/v1/webhooks/deliveries/{id}/retry",
    operation_id = "retryDelivery",
    tag = "webhooks",
    params(("id" = String, Path, description = "The delivery's id")),
    responses(
        (status = 200, description = "Pending again", body = Retried),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No such delivery", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn retry(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Retried>, ApiError> {
    app.access.check(&headers, Role::Operator)?;
    if !app.store.retry_delivery(&id, &crate::clock::stamp(crate::clock::now())).await? {
        return Err(ApiError::not_found("delivery"));
    }
    Ok(Json(Retried { id, pending: true }))
}
