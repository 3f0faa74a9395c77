//! `GET /track/{id}?t=TOKEN`: the customer's page — the decision in plain words with
//! the policy's own message for each reason, what the customer can do next, the steps
//! so far with their times, where the return is and by when the next step is due, and
//! the refund (only when there is one) with the deductions that explain it.
//! Server-rendered from the case view; nothing internal (who did what, staff notes,
//! attempts the workflow did not take) is shown.

use std::sync::{Arc, LazyLock};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde_json::{Value, json};

use super::query::TrackQuery;
use crate::app::App;
use crate::ids::{same_secret, sha256_hex};

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    if let Err(e) = env.add_template("track.html", include_str!("../../templates/track.html")) {
        eprintln!("tenet serve: the tracking page template does not parse: {e}");
    }
    env
});

/// Names of the return workflow's stages for a customer, (Chinese, English).
fn stage_label(stage: &str) -> (&str, &str) {
    match stage {
        "application" => ("已提交申请", "Request submitted"),
        "review" => ("审核中", "Under review"),
        "preparation" => ("待寄回商品", "Waiting for you to send the item"),
        "transport" => ("商品寄回途中", "Item on its way back"),
        "inspection" => ("验货中", "Being inspected"),
        "refund" => ("退款中", "Refund in progress"),
        "closed" => ("已完成", "Completed"),
        "rejected" => ("申请未通过", "Declined"),
        "cancelled" => ("申请已撤回", "Withdrawn"),
        other => (other, other),
    }
}

/// A step of the timeline for a customer, (Chinese, English).
fn event_label(event: &str) -> (&str, &str) {
    match event {
        "submit" => ("提交申请", "Request submitted"),
        "approve" => ("审核通过", "Request approved"),
        "reject" => ("审核未通过", "Request declined at review"),
        "ship" => ("商品寄回", "Item sent back"),
        "receive" => ("仓库收货验货", "Item received and inspected"),
        "start_refund" => ("开始退款", "Refund started"),
        "refund_update" => ("退款状态更新", "Refund status updated"),
        "refund_succeeded" => ("退款到账", "Refund received"),
        "replacement_sent" => ("换货商品已寄出", "Replacement sent"),
        "cancel" => ("撤回申请", "Request withdrawn"),
        "resubmit" => ("重新提交申请", "Request submitted again"),
        "reopen" => ("重新处理", "Case reopened"),
        other => (other, other),
    }
}

/// The decision in plain words, (Chinese, English).
fn decision_label(decision: &str, stage: &str) -> (&'static str, &'static str) {
    match (decision, stage) {
        ("rejected", _) => ("申请未通过", "Your request was declined"),
        ("needs_info", _) => ("需要您补充信息", "We need something from you"),
        (_, "cancelled") => ("您已撤回申请", "You withdrew the request"),
        (_, "closed") => ("退货已完成", "Your return is complete"),
        _ => ("申请处理中", "Your request is being handled"),
    }
}

/// What happens next in a stage, (Chinese, English).
fn next_step(stage: &str) -> Option<(&'static str, &'static str)> {
    match stage {
        "application" => Some(("提交申请", "Submit the request")),
        "review" => Some(("我们审核您的申请", "We review your request")),
        "preparation" => Some(("请按说明寄回商品", "Send the item back as instructed")),
        "transport" => Some(("仓库收货并验货", "The warehouse receives and inspects the item")),
        "inspection" => Some(("验货完成后开始退款或换货", "After inspection we start the refund or exchange")),
        "refund" => Some(("退款到账", "The refund reaches your account")),
        _ => None,
    }
}

fn status_label(status: Option<&str>) -> Value {
    match status {
        Some("success") => json!({"zh": "已到账", "en": "Received"}),
        Some("processing") => json!({"zh": "处理中", "en": "Processing",
            "help": {"zh": "退款已发起，到账时间取决于支付渠道，通常 1–3 个工作日。", "en": "The refund has been sent; it usually arrives within 1–3 working days, depending on the payment channel."}}),
        Some("abnormal") => json!({"zh": "异常", "en": "Problem",
            "help": {"zh": "退款未能完成，常见原因是收款账户信息有误。请核对账户信息后联系客服，我们会重新发起退款。", "en": "The refund could not be completed, often because of wrong account details. Check them and contact customer service; we will send it again."}}),
        Some(other) => json!({"zh": other, "en": other}),
        None => json!({"zh": "待处理", "en": "Pending"}),
    }
}

fn method_label(method: Option<&str>) -> Value {
    let (zh, en) = match method {
        Some("alipay") => ("支付宝", "Alipay"),
        Some("wechat_pay") => ("微信支付", "WeChat Pay"),
        Some("bank_transfer") => ("银行转账", "Bank transfer"),
        Some("cash") => ("现金", "Cash"),
        Some(other) => (other, other),
        None => ("", ""),
    };
    json!({"zh": zh, "en": en})
}

fn html_page(status: StatusCode, html: String) -> Response {
    let mut r = (status, Html(html)).into_response();
    let headers = r.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    r
}

fn not_found() -> Response {
    html_page(
        StatusCode::NOT_FOUND,
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>未找到 · Not found</title>\
         <p>没有找到这个退货案例，请检查链接是否完整。</p><p>No return was found for this link; check that it is complete.</p></html>"
            .into(),
    )
}

/// The context of the page, from a case view.
pub fn context(id: &str, view: &Value) -> Value {
    let stage = view.get("stage").and_then(Value::as_str).unwrap_or_default();
    let (zh, en) = stage_label(stage);
    let deadline = view.get("deadlines").and_then(Value::as_array).and_then(|d| {
        d.iter().find(|d| d.get("stage").and_then(Value::as_str) == Some(stage) && d.get("closed_at").is_none())
    });
    let next = next_step(stage).map(|(nzh, nen)| {
        json!({
            "zh": nzh, "en": nen,
            "due": deadline.and_then(|d| d.get("due")).and_then(Value::as_str).map(crate::clock::for_people),
            "overdue": deadline.and_then(|d| d.get("overdue")).cloned().unwrap_or(json!(false)),
        })
    });
    let findings: Vec<&Value> =
        view.get("findings").and_then(Value::as_array).map(|f| f.iter().collect()).unwrap_or_default();
    let by_kind = |kind: &str| -> Vec<Value> {
        findings
            .iter()
            .filter(|f| f.get("kind").and_then(Value::as_str) == Some(kind))
            .map(|f| json!({"zh": f.get("message"), "en": f.get("message_en"), "amount": f.get("amount")}))
            .collect()
    };
    let decision = view.get("decision").and_then(Value::as_str).unwrap_or_default();
    let rejected = decision == "rejected";
    // A rejected case is owed nothing: the engine gives it no refund, and neither does the page.
    let refund = view.get("refund").filter(|_| !rejected).cloned().map(|mut r| {
        if let Some(due) = r.get("due").and_then(Value::as_str).map(crate::clock::for_people)
            && let Some(obj) = r.as_object_mut()
        {
            obj.insert("due".into(), json!(due));
        }
        r
    });
    let refund = refund
        .as_ref()
        .filter(|r| r.get("amount").is_some_and(|a| !a.is_null()) || r.get("status").is_some_and(|s| !s.is_null()));
    let refund_status = refund.and_then(|r| r.get("status")).and_then(Value::as_str);
    let refund_method = refund.and_then(|r| r.get("method")).and_then(Value::as_str);
    let reasons = match decision {
        "rejected" => by_kind("reject"),
        "needs_info" => by_kind("require"),
        _ => Vec::new(),
    };
    let allowed: Vec<&str> = view
        .get("next_events")
        .and_then(Value::as_array)
        .map(|n| n.iter().filter_map(|e| e.get("event").and_then(Value::as_str)).collect())
        .unwrap_or_default();
    // What the customer can do: the reasons' own texts say how; this says where.
    let todo = match decision {
        "rejected" if allowed.contains(&"resubmit") => Some(json!({
            "zh": "按上面的说明修改申请后，可以重新提交；如有异议，请联系客服。",
            "en": "Correct the request as described above and submit it again; if you disagree, contact customer service.",
        })),
        "rejected" => Some(json!({"zh": "如有异议，请联系客服。", "en": "If you disagree, contact customer service."})),
        "needs_info" => Some(json!({
            "zh": "请按上面的说明补充信息，我们收到后会继续处理。",
            "en": "Send what is asked for above; we continue as soon as we have it.",
        })),
        _ => None,
    };
    // The steps so far: what moved the case or was refused, never an illegal attempt.
    let trail: Vec<&Value> =
        view.get("trail").and_then(Value::as_array).map(|t| t.iter().collect()).unwrap_or_default();
    let timeline: Vec<Value> = trail
        .iter()
        .filter(|s| s.get("outcome").and_then(Value::as_str) != Some("illegal"))
        .map(|s| {
            let (zh, en) = event_label(s.get("event").and_then(Value::as_str).unwrap_or_default());
            json!({
                "zh": zh, "en": en,
                "at": s.get("at").and_then(Value::as_str).map(crate::clock::for_people),
                "refused": s.get("outcome").and_then(Value::as_str) == Some("refused"),
            })
        })
        .collect();
    let updated = trail.last().and_then(|s| s.get("at")).and_then(Value::as_str).map(crate::clock::for_people);
    let (dzh, den) = decision_label(decision, stage);
    json!({
        "id": id,
        "updated": updated,
        "stage": {"zh": zh, "en": en},
        "decision": {"code": decision, "zh": dzh, "en": den},
        "next": if rejected || stage == "cancelled" { None } else { next },
        "refund": refund,
        "currency": "¥",
        "deductions": if refund.is_some() { by_kind("deduct") } else { Vec::new() },
        "status": status_label(refund_status),
        "method": method_label(refund_method),
        "rejected": rejected,
        "reasons": reasons,
        "todo": todo,
        "timeline": timeline,
    })
}

/// The page, for the holder of the case's tracking token.
pub async fn page_for(app: &App, id: &str, token: Option<&String>) -> Response {
    let Some(token) = token else { return not_found() };
    let Ok(cached) = app.case(id).await else { return not_found() };
    if !same_secret(&cached.stored.token_hash, &sha256_hex(token.as_bytes())) {
        return not_found();
    }
    let Ok(loaded) = app.policy_for(&cached.stored.policy_hash).await else { return not_found() };
    let Ok(view) = App::case_view(&loaded, &cached, crate::clock::now(), None) else { return not_found() };
    let rendered = TEMPLATES.get_template("track.html").and_then(|t| t.render(context(id, &view)));
    match rendered {
        Ok(html) => html_page(StatusCode::OK, html),
        Err(e) => {
            eprintln!("tenet serve: the tracking page of {id} did not render: {e}");
            html_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "<!doctype html><meta charset=\"utf-8\"><p>页面暂时不可用 · The page is unavailable for a moment.</p>"
                    .into(),
            )
        }
    }
}

/// `GET /track/{id}?t=TOKEN`.
#[utoipa::path(
    get,
    path = "/track/{id}",
    operation_id = "trackingPage",
    tag = "customers",
    params(("id" = String, Path, description = "The case's id"), TrackQuery),
    responses(
        (status = 200, description = "The customer's page", content_type = "text/html"),
        (status = 404, description = "No such case, or a wrong token (the same page)", content_type = "text/html"),
    ),
)]
pub async fn page(
    State(app): State<Arc<App>>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<TrackQuery>, QueryRejection>,
) -> Response {
    // A link that cannot be read (not UTF-8) finds no case: the customer gets the same
    // page as for a wrong link, never axum's plain-text refusal.
    match (id, query) {
        (Ok(Path(id)), Ok(Query(query))) => page_for(&app, &id, query.t.as_ref()).await,
        _ => not_found(),
    }
}
