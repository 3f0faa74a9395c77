//! `/desk/reports`: the return analysis of the cases in the store, for a period, rendered
//! by the report crate exactly as `tenet report returns sqlite://…` renders it.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::{Value, json};
use tenet_report::reports::returns::{Options, ReturnReport};

use super::auth::Staff;
use super::render;
use crate::app::App;
use crate::error::ApiError;

/// The report's (and the agreement's) own page may carry its inline style and SVG
/// charts; never a script.
pub(super) const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";

fn date(q: &HashMap<String, String>, key: &str) -> Result<Option<NaiveDate>, ApiError> {
    match q.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| {
            ApiError::bad_request(
                format!("{key}={v}：日期写成 YYYY-MM-DD"),
                format!("{key}={v}: write the date as YYYY-MM-DD"),
            )
        }),
    }
}

/// The page: the period form, or with `view=1` the analysis itself.
pub async fn page(app: &App, staff: &Staff, q: &HashMap<String, String>) -> Result<Response, ApiError> {
    let (since, until) = (date(q, "since")?, date(q, "until")?);
    let (policies, _) = super::frame::choices(app)?;
    let chosen = q
        .get("policy")
        .filter(|p| policies.contains(p))
        .cloned()
        .or_else(|| policies.iter().find(|p| *p == "returns").cloned())
        .or_else(|| policies.first().cloned());
    if q.get("view").is_some_and(|v| v == "1")
        && let Some(name) = &chosen
    {
        let html = analysis(app, name, since, until).await?;
        let mut r = Html(html).into_response();
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(REPORT_CSP));
        return Ok(r);
    }
    let mut ctx = super::frame::frame(app, staff, "reports").await?;
    ctx.insert("policies".into(), json!(policies));
    ctx.insert("chosen".into(), json!(chosen));
    ctx.insert("since".into(), json!(since.map(|d| d.to_string())));
    ctx.insert("until".into(), json!(until.map(|d| d.to_string())));
    Ok(render(StatusCode::OK, "reports.html", &Value::Object(ctx)))
}

/// The analysis of every case of policy `name` submitted in the period.
async fn analysis(
    app: &App,
    name: &str,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<String, ApiError> {
    let loaded = app.current_policy(name)?;
    let now = crate::clock::now();
    let mut report = ReturnReport::new(&loaded.policy, Options { since, until, now });
    let mut after = String::new();
    loop {
        let rows = app.store.list_cases(Some(name), None, Some(&after), 500).await?;
        let Some(last) = rows.last() else { break };
        after = last.id.clone();
        for cached in app.cases_listed(&rows).await? {
            if report.add_case(&cached.case).is_err() {
                report.error();
            }
        }
    }
    let facts = report.insight_facts(None);
    let insights = app.registry.read().map_err(ApiError::internal)?.current("return_insights");
    let flags = match insights {
        Some(i) => tenet_report::reports::returns::flags(&i.policy, &facts, now).unwrap_or_default(),
        None => Vec::new(),
    };
    let json = report.to_json(None, flags);
    tenet_report::formats::html::returns(&json).map_err(ApiError::internal)
}
