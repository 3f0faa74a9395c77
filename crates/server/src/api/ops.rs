//! Operating the service: liveness, readiness, metrics, the policies served and their
//! reload.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::answers::{ErrorBody, Health, LogState, PolicyInfo, PolicyList, Ready, Reloaded};

use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;
use crate::policies::{self, Broken};

/// Alive.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    tag = "operations",
    responses(
        (status = 200, description = "Alive", body = Health),
    ),
)]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Ready: the database answers and policies are loaded.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "ready",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Ready),
        (status = 503, description = "Not ready: the database does not answer, no policy is loaded, or the decision log cannot be written", body = Ready),
    ),
)]
pub async fn ready(State(app): State<Arc<App>>) -> Response {
    let database = app.store.ping().await;
    let policies = app.registry.read().map(|r| r.names().count()).unwrap_or(0);
    // Unready while the decision log cannot be written: its entries wait in the queue.
    let log_failing = app.log.failing();
    let ready = database && policies > 0 && !log_failing;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let decision_log = LogState { writing: !log_failing, queued: app.log.queued() };
    (status, Json(Ready { ready, database, policies, decision_log })).into_response()
}

/// The cases with a deadline past due now, counted on the desk's queue index (the same
/// cost at 100 000 cases as at 1 000); `None` when the database does not answer: the
/// gauge is left out rather than wrong.
async fn overdue_cases(app: &App) -> Option<u64> {
    let now = crate::clock::stamp(crate::clock::now());
    app.store.overdue_count(&now).await.ok().and_then(|n| u64::try_from(n).ok())
}

/// Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    responses(
        (status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text"),
    ),
)]
pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    let overdue = overdue_cases(&app).await;
    let now = crate::metrics::AtScrapeValues {
        overdue,
        log_queued: u64::try_from(app.log.queued()).unwrap_or(u64::MAX),
        log_retried: app.log.retried(),
        log_refused: app.log.refused(),
    };
    let mut r = app.metrics.render(now).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(crate::metrics::CONTENT_TYPE));
    r
}

/// The policies served: name, version, content hash.
#[utoipa::path(
    get,
    path = "/v1/policies",
    operation_id = "listPolicies",
    tag = "operations",
    responses(
        (status = 200, description = "The policies served", body = PolicyList),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn policies(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Json<PolicyList>, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let registry = app.registry.read().map_err(ApiError::internal)?;
    let policies = registry.all().map(|l| PolicyInfo { path: Some(l.path.clone()), ..info(l) }).collect();
    Ok(Json(PolicyList { policies }))
}

/// A policy served, as the API names it.
fn info(l: &crate::policies::Loaded) -> PolicyInfo {
    PolicyInfo {
        name: l.policy.name().to_owned(),
        version: l.policy.version().map(str::to_owned),
        hash: l.hash.clone(),
        path: None,
    }
}

/// `POST /v1/policies/reload` (admin).
#[utoipa::path(
    post,
    path = "/v1/policies/reload",
    operation_id = "reloadPolicies",
    tag = "operations",
    responses(
        (status = 200, description = "Every policy of the folder passed its check and is served", body = Reloaded),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 422, description = "A policy failed its check; the old ones keep serving", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn reload(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Json<Reloaded>, ApiError> {
    app.access.check(&headers, Role::Admin)?;
    match reload_policies(&app).await {
        Ok(policies) => Ok(Json(Reloaded { reloaded: true, policies })),
        Err(broken) => {
            let diags: Vec<_> = broken.into_iter().flat_map(|b| b.diagnostics).collect();
            Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_policy",
                "新的策略没有通过检查，仍在使用原来的策略",
                "the new policies failed their check; the old ones keep serving",
            )
            .with_diagnostics(&diags))
        }
    }
}

/// Loads the policy folder again and serves it when every file passes its check;
/// otherwise nothing changes. The versions are kept in the database first, so a case
/// opened with one can be read after a restart.
pub async fn reload_policies(app: &App) -> Result<Vec<PolicyInfo>, Vec<Broken>> {
    let loaded = policies::load_folder(&app.policies_dir)?;
    let at = crate::clock::stamp(crate::clock::now());
    for l in &loaded {
        if let Err(e) = app.store.keep_version(l, &at).await {
            let d = tenet::diagnostics::Diagnostic::error(
                "database",
                tenet::diagnostics::Msg::new(format!("无法保存策略：{e}"), format!("cannot store the policy: {e}")),
            );
            return Err(vec![Broken { path: l.path.clone().into(), diagnostics: vec![d] }]);
        }
    }
    let list = loaded.iter().map(info).collect();
    if let Ok(mut registry) = app.registry.write() {
        registry.install(loaded);
    }
    Ok(list)
}
