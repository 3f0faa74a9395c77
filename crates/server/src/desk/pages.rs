//! The desk's handlers: each reads the session (`Staff`), asks the same store and engine
//! as the API, and renders a template.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use tenet::facts::Raw;
use tenet::workflow::Event;

use super::auth::{self, LOGIN_COOKIE, SESSION_COOKIE, SESSION_HOURS, Staff};
use super::forms::{self, FormField};
use super::frame::{choices, frame};
use super::{PAGE_ROWS, render};
use crate::api::cases::{Recorded, record};
use crate::app::App;
use crate::error::ApiError;
use crate::ids::same_secret;
use crate::store::{NO_DEADLINE, QueueFilter};

/// A form's fields, in order, as sent.
type Fields = Vec<(String, String)>;

fn fields_of(body: &Bytes) -> Fields {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `403` for a form without this session's token: nothing is done.
fn forbidden_form() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "表单已过期或来源不明，未执行任何操作；请刷新页面后重试",
        "the form is stale or did not come from this desk; nothing was done — reload the page and try again",
    )
}

fn message(status: StatusCode, zh: &str, en: &str) -> Response {
    render(status, "message.html", &json!({"title": zh, "zh": zh, "en": en}))
}

/// A failure shown as a page with its status, in both languages.
fn error_page(e: &ApiError) -> Response {
    let (zh, en) = e.messages();
    message(e.status(), zh, en)
}

/// `GET /desk/`: the queue (or the sign-in page, through the session check).
pub async fn home(_staff: Staff) -> Redirect {
    Redirect::to("/desk/cases")
}

/// Where to go after signing in: a desk path of this server, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/desk/") && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/desk/cases".to_owned(),
    }
}

/// `GET /desk/login`.
pub async fn login_page(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    login_form(&headers, StatusCode::OK, q.get("next").map(String::as_str), "", None)
}

fn login_form(
    headers: &HeaderMap,
    status: StatusCode,
    next: Option<&str>,
    name: &str,
    error: Option<&str>,
) -> Response {
    let Some(token) = crate::ids::random_hex(16) else { return error_page(&ApiError::internal("no randomness")) };
    let ctx = json!({"csrf": token, "next": safe_next(next), "name": name, "error": error});
    let mut r = render(status, "login.html", &ctx);
    let cookie = auth::set_cookie(LOGIN_COOKIE, &token, 3600, auth::behind_tls(headers));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `POST /desk/login` (`name`, `password`, `csrf`): a session, or the form again after a
/// wait that grows with the failures for that name.
pub async fn login(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let f = fields_of(&body);
    let expected = auth::cookie_value(&headers, LOGIN_COOKIE);
    let given = field(&f, "csrf");
    if !matches!((expected.as_deref(), given), (Some(e), Some(g)) if same_secret(e, g)) {
        return forbidden_form();
    }
    let name = field(&f, "name").unwrap_or("").trim().to_owned();
    let password = field(&f, "password").unwrap_or("").to_owned();
    let next = field(&f, "next");
    let wait = app.desk_failures.turn(&name);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let user = match app.store.user(&name).await {
        Ok(u) => u,
        Err(e) => return error_page(&ApiError::internal(e)),
    };
    // argon2 takes tens of milliseconds of CPU: off the async workers.
    let checked = tokio::task::spawn_blocking({
        let user = user.clone();
        move || auth::check_password(user.as_ref(), &password)
    })
    .await
    .unwrap_or(false);
    if !checked {
        let next_wait = app.desk_failures.failed(&name);
        let mut r = login_form(
            &headers,
            StatusCode::UNAUTHORIZED,
            next,
            &name,
            Some("账号或密码不对，或账号已停用 · the name or password is wrong, or the account is disabled"),
        );
        let secs = next_wait.as_millis().div_ceil(1000);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    app.desk_failures.succeeded(&name);
    let Some((cookie, hash, csrf)) = auth::new_session_secrets() else {
        return error_page(&ApiError::internal("no randomness"));
    };
    let now = crate::clock::now();
    let expires = now + chrono::TimeDelta::hours(SESSION_HOURS);
    let (at, until) = (crate::clock::stamp(now), crate::clock::stamp(expires));
    if let Err(e) = app.store.new_session(&hash, &name, &csrf, &at, &until).await {
        return error_page(&ApiError::internal(e));
    }
    let secure = auth::behind_tls(&headers);
    let mut r = Redirect::to(&safe_next(next)).into_response();
    for c in [
        auth::set_cookie(SESSION_COOKIE, &cookie, SESSION_HOURS * 3600, secure),
        auth::set_cookie(LOGIN_COOKIE, "", 0, secure),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// `POST /desk/logout`: the session ends on the server, the cookie is removed.
pub async fn logout(State(app): State<Arc<App>>, staff: Staff, body: Bytes) -> Response {
    let f = fields_of(&body);
    if !staff.csrf_ok(field(&f, "csrf")) {
        return forbidden_form();
    }
    if let Err(e) = app.store.end_session(&staff.session, &crate::clock::stamp(crate::clock::now())).await {
        return error_page(&ApiError::internal(e));
    }
    let mut r = Redirect::to("/desk/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(SESSION_COOKIE, "", 0, staff.secure)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

fn given(q: &HashMap<String, String>, key: &str) -> Option<String> {
    q.get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `GET /desk/cases`: open cases, overdue first, then by deadline; filters by stage,
/// policy, SKU, overdue; search by case, order or request id; `mine=1` for the cases
/// waiting for one of my roles; pages of 50 (`after=` the last row's due and id).
pub async fn queue(State(app): State<Arc<App>>, staff: Staff, Query(q): Query<HashMap<String, String>>) -> Response {
    match queue_page(&app, &staff, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&e),
    }
}

async fn queue_page(app: &App, staff: &Staff, q: &HashMap<String, String>) -> Result<Response, ApiError> {
    let now = crate::clock::now();
    let mine = given(q, "mine").is_some();
    let overdue = given(q, "overdue").is_some();
    let filter = QueueFilter {
        stage: given(q, "stage"),
        policy: given(q, "policy"),
        sku: given(q, "sku"),
        overdue_at: overdue.then(|| crate::clock::stamp(now)),
        roles: mine.then(|| staff.roles.clone()),
        search: given(q, "q"),
        after: given(q, "after").and_then(|a| a.split_once('|').map(|(d, i)| (d.to_owned(), i.to_owned()))),
        limit: PAGE_ROWS,
    };
    let rows = app.store.queue(&filter).await?;
    let shown: Vec<Value> = rows
        .iter()
        .map(|r| {
            let left = (r.due != NO_DEADLINE).then(|| crate::clock::parse(&r.due)).flatten().map(|due| {
                let (zh, en, late) = super::time_left::left(due, now);
                json!({"zh": zh, "en": en, "late": late})
            });
            let late = left.as_ref().and_then(|l| l.get("late")).and_then(Value::as_bool).unwrap_or(false);
            json!({
                "id": r.case_id, "policy": r.policy, "stage": r.stage, "left": left, "overdue": late,
                "decision": r.decision, "codes": r.codes, "waiting": r.waiting, "sku": r.sku,
                "order_id": r.order_id,
            })
        })
        .collect();
    let next_page = (rows.len() as i64 == PAGE_ROWS).then(|| rows.last()).flatten().map(|last| {
        let mut params: Vec<(String, String)> =
            q.iter().filter(|(k, _)| *k != "after").map(|(k, v)| (k.clone(), v.clone())).collect();
        params.sort();
        params.push(("after".into(), format!("{}|{}", last.due, last.case_id)));
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        format!("/desk/cases?{query}")
    });
    let (policies, stages) = choices(app)?;
    let mut ctx = frame(app, staff, if mine { "mine" } else { "queue" }).await?;
    ctx.insert("rows".into(), json!(shown));
    ctx.insert("mine".into(), json!(mine));
    ctx.insert("next_page".into(), json!(next_page));
    ctx.insert("policies".into(), json!(policies));
    ctx.insert("stages".into(), json!(stages));
    ctx.insert(
        "filter".into(),
        json!({
            "q": given(q, "q").unwrap_or_default(), "stage": given(q, "stage").unwrap_or_default(),
            "policy": given(q, "policy").unwrap_or_default(), "sku": given(q, "sku").unwrap_or_default(),
            "overdue": overdue,
        }),
    );
    Ok(render(StatusCode::OK, "queue.html", &Value::Object(ctx)))
}

/// `GET /desk/cases/{id}`.
pub async fn case_page(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = given(&q, "posted").map(|e| format!("已提交 {e} · posted {e}"));
    let flash = flash.or_else(|| given(&q, "noted").map(|_| "已添加备注 · note added".to_owned()));
    match case_context(&app, &staff, &id, &[]).await {
        Ok(mut ctx) => {
            ctx.insert("flash".into(), json!(flash));
            render(StatusCode::OK, "case.html", &Value::Object(ctx))
        }
        Err(e) => error_page(&e),
    }
}

/// The case page's context; `given` refills the form that was sent (after a preview or a
/// refusal), so nothing typed is lost.
async fn case_context(
    app: &App,
    staff: &Staff,
    id: &str,
    given: &[(String, String)],
) -> Result<Map<String, Value>, ApiError> {
    let cached = app.case(id).await?;
    let loaded = app.policy_for(&cached.stored.policy_hash).await?;
    let view = App::case_view(&loaded, &cached, crate::clock::now(), None)?;
    let stage = view.get("stage").and_then(Value::as_str).unwrap_or("").to_owned();
    let facts = view.get("facts").cloned().unwrap_or(Value::Null);
    let sent_event = field(given, "event");
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for n in view.get("next_events").and_then(Value::as_array).into_iter().flatten() {
        let event = n.get("event").and_then(Value::as_str).unwrap_or("");
        let by: Vec<String> = n
            .get("by")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let allowed = by.is_empty() || by.iter().any(|r| staff.roles.contains(r));
        if !allowed {
            others.push(n.clone());
            continue;
        }
        let carries = loaded.policy.event_carries(&stage, event).unwrap_or_default();
        let mut fields = forms::fields_for(&loaded.policy, &carries, &facts);
        let mut note = String::new();
        if sent_event == Some(event) {
            refill(&mut fields, given);
            note = field(given, "note").unwrap_or("").to_owned();
        }
        let key = crate::ids::random_hex(12).ok_or_else(|| ApiError::internal("no randomness"))?;
        mine.push(json!({"event": event, "to": n.get("to"), "by": by, "fields": fields, "note": note, "key": key}));
    }
    let notes: Vec<Value> = app
        .store
        .notes(id)
        .await?
        .into_iter()
        .map(|n| json!({"by": n.by, "at": crate::clock::for_people(&n.at), "body": n.body}))
        .collect();
    let mut ctx = frame(app, staff, "case").await?;
    if let Some(dir) = &app.agreements {
        let shown =
            super::drafts::draft(dir, &facts, tenet_agreement::DocFormat::Markdown, tenet_agreement::DocLang::Zh);
        if let Some(d) = shown {
            let (text, error) = match d {
                Ok(t) => (Some(t), None),
                Err(e) => (None, Some(e)),
            };
            ctx.insert("draft".into(), json!({"text": text, "error": error}));
        }
    }
    ctx.insert("id".into(), json!(id));
    ctx.insert("facts_text".into(), json!(serde_json::to_string_pretty(&facts).unwrap_or_default()));
    ctx.insert("view".into(), view);
    ctx.insert("forms".into(), json!(mine));
    ctx.insert("others".into(), json!(others));
    ctx.insert("notes".into(), json!(notes));
    Ok(ctx)
}

fn refill(fields: &mut [FormField], given: &[(String, String)]) {
    for f in fields {
        match field(given, &f.name) {
            Some(v) => f.value = v.to_owned(),
            None if f.kind == "checkbox" => f.value = String::new(),
            None => {}
        }
    }
}

/// `POST /desk/cases/{id}/events`: `preview=1` judges the form against the policy and
/// shows what would happen; otherwise the event is recorded with `If-Match` at the
/// version the page showed, by this person, under the form's idempotency key.
pub async fn post_event(State(app): State<Arc<App>>, staff: Staff, Path(id): Path<String>, body: Bytes) -> Response {
    let f = fields_of(&body);
    if !staff.csrf_ok(field(&f, "csrf")) {
        return forbidden_form();
    }
    match event_post(&app, &staff, &id, &f).await {
        Ok(r) => r,
        Err(e) => error_page(&e),
    }
}

async fn event_post(app: &Arc<App>, staff: &Staff, id: &str, f: &Fields) -> Result<Response, ApiError> {
    let event = field(f, "event").unwrap_or("").to_owned();
    let version: Option<i64> = field(f, "version").and_then(|v| v.parse().ok());
    let cached = app.case(id).await?;
    let loaded = app.policy_for(&cached.stored.policy_hash).await?;
    let stage = App::with_replay(&loaded, &cached, crate::clock::now(), |r| r.stage().to_owned())?;
    let carries = loaded.policy.event_carries(&stage, &event).unwrap_or_default();
    let fields = forms::fields_for(&loaded.policy, &carries, &Value::Null);
    let data = forms::data_of(&loaded.policy, &fields, f);
    let now = crate::clock::now();
    let mut body = Map::new();
    body.insert("event".into(), json!(event));
    body.insert("at".into(), json!(now.to_rfc3339()));
    if let Some(note) = field(f, "note").map(str::trim).filter(|n| !n.is_empty()) {
        body.insert("note".into(), json!(note));
    }
    if !data.is_empty() {
        body.insert("data".into(), Value::Object(data));
    }
    if field(f, "preview").is_some() {
        let preview = preview(app, staff, id, &body).await;
        let mut ctx = case_context(app, staff, id, f).await?;
        match preview {
            Ok(p) => ctx.insert("preview".into(), p),
            Err(e) => ctx.insert("error".into(), refusal(&e, None)),
        };
        return Ok(render(StatusCode::OK, "case.html", &Value::Object(ctx)));
    }
    let key = field(f, "key").filter(|k| (1..=200).contains(&k.len())).map(str::to_owned);
    // A form's key is drawn when the page is drawn: the same key again is the same form
    // sent twice (a double click, a reload), whatever second it arrives in — done already.
    if let Some(k) = &key
        && app.store.idempotent(id, k).await?.is_some()
    {
        let e: String = form_urlencoded::byte_serialize(event.as_bytes()).collect();
        return Ok(Redirect::to(&format!("/desk/cases/{id}?posted={e}")).into_response());
    }
    // The page was drawn at another version: whatever this form would do is judged on a
    // case the person has not seen. Say who changed it, record nothing.
    let current = app.case(id).await?.stored.version;
    if let Some(v) = version
        && v != current
    {
        let changes = changes_since(app, id, Some(v)).await;
        let e = ApiError::new(
            StatusCode::CONFLICT,
            "precondition_failed",
            format!("案例已更新：你读到的是版本 {v}，现在是版本 {current}；请看过新的情况后再提交"),
            format!("the case has moved on: you read version {v}, it is at {current}; look at it again before posting"),
        );
        let mut ctx = case_context(app, staff, id, f).await?;
        ctx.insert("error".into(), refusal(&e, changes));
        return Ok(render(StatusCode::CONFLICT, "case.html", &Value::Object(ctx)));
    }
    // The API records an event the workflow cannot take (a history says what was tried);
    // a person at the desk made a mistake instead: it is shown, nothing is recorded.
    let judged = preview(app, staff, id, &body).await;
    let illegal = match &judged {
        Ok(p) if p.get("outcome").and_then(Value::as_str) == Some("illegal") => Some(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "illegal_event",
            p.get("zh").and_then(Value::as_str).unwrap_or(""),
            p.get("en").and_then(Value::as_str).unwrap_or(""),
        )),
        Ok(_) => None,
        Err(e) if e.status() == StatusCode::FORBIDDEN || e.status() == StatusCode::UNPROCESSABLE_ENTITY => judged.err(),
        Err(_) => None,
    };
    if let Some(e) = illegal {
        let mut ctx = case_context(app, staff, id, f).await?;
        ctx.insert("error".into(), refusal(&e, None));
        return Ok(render(e.status(), "case.html", &Value::Object(ctx)));
    }
    match record(app, id, &staff.caller(), version, key, body).await {
        Ok(Recorded::New { .. } | Recorded::Replayed(_)) => {
            let e: String = form_urlencoded::byte_serialize(event.as_bytes()).collect();
            Ok(Redirect::to(&format!("/desk/cases/{id}?posted={e}")).into_response())
        }
        Err(e) => {
            // Who moved the case since the page was read: the events after its version.
            let changes = if e.kind() == "precondition_failed" { changes_since(app, id, version).await } else { None };
            let status = if changes.is_some() { StatusCode::CONFLICT } else { e.status() };
            let mut ctx = case_context(app, staff, id, f).await?;
            ctx.insert("error".into(), refusal(&e, changes));
            Ok(render(status, "case.html", &Value::Object(ctx)))
        }
    }
}

/// A refusal for the page: both messages, the engine's diagnostics with their paths and,
/// for a conflict, who changed the case.
fn refusal(e: &ApiError, changes: Option<Vec<Value>>) -> Value {
    let (zh, en) = e.messages();
    json!({"zh": zh, "en": en, "lines": e.diagnostic_lines(), "changes": changes})
}

async fn changes_since(app: &App, id: &str, version: Option<i64>) -> Option<Vec<Value>> {
    let from = usize::try_from(version?).ok()?;
    let cached = app.case(id).await.ok()?;
    let loaded = app.policy_for(&cached.stored.policy_hash).await.ok()?;
    let view = App::case_view(&loaded, &cached, crate::clock::now(), None).ok()?;
    let trail = view.get("trail")?.as_array()?;
    Some(
        trail
            .iter()
            .filter(|t| {
                t.get("index").and_then(Value::as_u64).and_then(|i| usize::try_from(i).ok()).is_some_and(|i| i >= from)
            })
            .map(
                |t| json!({"by": t.get("by"), "at": t.get("at"), "event": t.get("event"), "outcome": t.get("outcome")}),
            )
            .collect(),
    )
}

/// What posting `body` would do now, without recording it: the outcome, the stage it
/// leads to, the decision and the rules that would fire, in the policy's words.
async fn preview(app: &App, staff: &Staff, id: &str, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let raw = serde_json::from_value::<Raw>(Value::Object(body.clone())).map_err(ApiError::internal)?;
    let event = Event::from_raw("", &raw).map_err(|diags| {
        ApiError::bad_request("事件写得不对", "the event is not well formed").with_diagnostics(&diags)
    })?;
    let cached = app.case(id).await?;
    let loaded = app.policy_for(&cached.stored.policy_hash).await?;
    if !loaded.policy.workflow_events().any(|e| e == event.name) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_event",
            format!("流程中没有事件 `{}`", event.name),
            format!("the workflow has no event `{}`", event.name),
        ));
    }
    let mut case = cached.case.clone();
    case.events.push(event.clone());
    let now = crate::clock::now();
    let (out, _) = App::with_replay_after(&loaded, &cached, &case, now, |r| {
        let last = r.trail().last();
        let from = last.map_or_else(|| r.stage().to_owned(), |s| s.from().to_owned());
        let outcome = last.map_or("illegal", |s| s.outcome().as_str());
        let step = last.map(|s| r.step_json(s)).unwrap_or(Value::Null);
        let decision = r.evaluation().map(|e| e.decision().as_str());
        let codes: Vec<String> =
            r.evaluation().map(|e| e.codes().iter().map(|c| c.to_string()).collect()).unwrap_or_default();
        let findings = match step.get("findings") {
            Some(f) if f.as_array().is_some_and(|a| !a.is_empty()) => f.clone(),
            _ => r.to_json(None, None, None).get("findings").cloned().unwrap_or(json!([])),
        };
        let reasons = (step.get("reason").cloned(), step.get("reason_en").cloned());
        (from, outcome, r.stage().to_owned(), decision, codes, findings, reasons)
    })?;
    let (from, outcome, stage, decision, codes, findings, (reason, reason_en)) = out;
    if let Some(roles) = loaded.policy.event_roles(&from, &event.name)
        && !staff.caller().may_post(&roles)
    {
        return Err(crate::api::cases::role_required(&roles, &event.name, &from, &staff.caller()));
    }
    let codes_text = codes.join(", ");
    let moved = stage != from;
    let (zh, en) = match (outcome, decision) {
        ("accepted" | "refused", Some("rejected")) if moved => {
            (format!("这将拒绝：{codes_text}（进入 {stage}）"), format!("this will reject: {codes_text} (to {stage})"))
        }
        ("accepted", _) => (
            format!("这将进入 {stage}；决定：{}", decision.unwrap_or("—")),
            format!("this moves the case to {stage}; decision: {}", decision.unwrap_or("—")),
        ),
        ("refused", _) => (
            format!("这将被拒绝，案例留在 {stage}：{codes_text}"),
            format!("this will be refused and the case stays in {stage}: {codes_text}"),
        ),
        _ => {
            let why = reason.as_ref().and_then(Value::as_str).unwrap_or("");
            let why_en = reason_en.as_ref().and_then(Value::as_str).unwrap_or(why);
            (format!("现在不能提交这个事件：{why}"), format!("this event cannot be posted now: {why_en}"))
        }
    };
    Ok(json!({"event": event.name, "outcome": outcome, "zh": zh, "en": en, "findings": findings}))
}

/// `POST /desk/cases/{id}/notes`: an internal note, never on the customer's page.
pub async fn add_note(State(app): State<Arc<App>>, staff: Staff, Path(id): Path<String>, body: Bytes) -> Response {
    let f = fields_of(&body);
    if !staff.csrf_ok(field(&f, "csrf")) {
        return forbidden_form();
    }
    let text = field(&f, "body").unwrap_or("").trim();
    if text.is_empty() || text.chars().count() > 4000 {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "备注应为 1 到 4000 个字符",
            "a note is 1 to 4000 characters",
        );
    }
    if let Err(e) = app.case(&id).await {
        return error_page(&e);
    }
    match app.store.add_note(&id, &staff.name, &crate::clock::stamp(crate::clock::now()), text).await {
        Ok(()) => Redirect::to(&format!("/desk/cases/{id}?noted=1")).into_response(),
        Err(e) => error_page(&ApiError::internal(e)),
    }
}

/// `GET /desk/actions`: actions whose time has come, not yet done; the last ones done,
/// with who and when.
pub async fn actions(State(app): State<Arc<App>>, staff: Staff) -> Response {
    let run = async {
        let now = crate::clock::now();
        let due = crate::api::actions::due_actions(&app, now, now).await?;
        let due: Vec<Value> = due
            .into_iter()
            .map(|a| {
                json!({"id": a.id, "case": a.case, "kind": a.action.kind, "due": crate::clock::for_people(&a.action.due),
                       "message": a.action.message, "message_en": a.action.message_en})
            })
            .collect();
        let done: Vec<Value> = app
            .store
            .recent_done(20)
            .await?
            .into_iter()
            .map(|(id, at, by)| json!({"id": id, "at": crate::clock::for_people(&at), "by": by}))
            .collect();
        let mut ctx = frame(&app, &staff, "actions").await?;
        ctx.insert("actions".into(), json!(due));
        ctx.insert("done".into(), json!(done));
        Ok::<_, ApiError>(render(StatusCode::OK, "actions.html", &Value::Object(ctx)))
    };
    run.await.unwrap_or_else(|e| error_page(&e))
}

/// `POST /desk/actions/{id}/done`: marked done by this person, now.
pub async fn action_done(State(app): State<Arc<App>>, staff: Staff, Path(id): Path<String>, body: Bytes) -> Response {
    let f = fields_of(&body);
    if !staff.csrf_ok(field(&f, "csrf")) {
        return forbidden_form();
    }
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return error_page(&ApiError::not_found("action"));
    }
    match app.store.action_done(&id, &crate::clock::stamp(crate::clock::now()), &staff.name).await {
        Ok(_) => Redirect::to("/desk/actions").into_response(),
        Err(e) => error_page(&ApiError::internal(e)),
    }
}

/// `GET /desk/cases/{id}/draft?lang=zh|en`: the signing case's agreement draft as the
/// agreement crate's printable page (its own inline style; never a script).
pub async fn draft_page(
    State(app): State<Arc<App>>,
    _staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = if q.get("lang").is_some_and(|l| l == "en") {
        tenet_agreement::DocLang::En
    } else {
        tenet_agreement::DocLang::Zh
    };
    let run = async {
        let cached = app.case(&id).await?;
        let facts = serde_json::from_str::<Value>(&cached.stored.facts).map_err(ApiError::internal)?;
        let dir = app.agreements.as_deref().ok_or_else(|| ApiError::not_found("agreement"))?;
        match super::drafts::draft(dir, &facts, tenet_agreement::DocFormat::Html, lang) {
            Some(Ok(html)) => Ok(html),
            Some(Err(e)) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "agreement", e.clone(), e)),
            None => Err(ApiError::not_found("agreement")),
        }
    };
    match run.await {
        Ok(html) => {
            let mut r = axum::response::Html(html).into_response();
            r.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(super::reports::REPORT_CSP));
            r
        }
        Err(e) => error_page(&e),
    }
}

/// `GET /desk/reports`: the return analysis of the cases in the store for a period, as
/// `tenet report returns` renders it (`view=1` gives the report's own page).
pub async fn reports(State(app): State<Arc<App>>, staff: Staff, Query(q): Query<HashMap<String, String>>) -> Response {
    match super::reports::page(&app, &staff, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&e),
    }
}
