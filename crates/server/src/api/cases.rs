//! Cases: open one, post its events, read its view, list them.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tenet::facts::Raw;
use tenet::workflow::{Case, Event, Replay};

use super::answers::{CaseItem, CaseList, CaseView, ErrorBody, EventRequest};
use super::query::{CaseListQuery, NowQuery};
use super::{json_body, now_of, wrong_field};
use crate::access::Role;
use crate::app::App;
use crate::error::ApiError;
use crate::store::{Append, Appended, Idem, NewDecision, StoredCase};

/// How many times an event is tried again when another writer got there first.
const RETRIES: usize = 20;

/// `POST /v1/cases`'s body.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    /// The policy's name.
    pub policy: String,
    /// The case's starting facts.
    pub facts: Map<String, Value>,
    /// The case's id (one is made when absent).
    #[serde(default)]
    pub id: Option<String>,
}

fn with_etag(status: StatusCode, version: i64, body: Value) -> Response {
    text_with_etag(status, version, body.to_string())
}

/// A JSON answer already written as text (the one an idempotency key keeps).
fn text_with_etag(status: StatusCode, version: i64, body: String) -> Response {
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// `POST /v1/cases`: opens a case at the workflow's initial stage.
#[utoipa::path(
    post,
    path = "/v1/cases",
    operation_id = "openCase",
    tag = "cases",
    request_body = OpenRequest,
    responses(
        (status = 201, description = "The case, opened at the workflow's initial stage, with its tracking token (given once)", body = CaseView, headers(("Location" = String, description = "The case's address"), ("ETag" = String, description = "The case's version"))),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No such policy", body = ErrorBody),
        (status = 409, description = "A case with this id exists", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "The facts do not fit the policy's schema", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn open(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    app.access.check(&headers, Role::Operator)?;
    let OpenRequest { policy: policy_name, facts, id } = super::typed_body(&headers, body)?;
    let facts = Value::Object(facts);
    let id = match id {
        None => format!("C-{}", crate::ids::random_hex(8).ok_or_else(|| ApiError::internal("no randomness"))?),
        Some(s) if crate::ids::valid_case_id(&s) => s,
        Some(s) => return Err(wrong_field("id", "1 to 64 letters, digits, `.`, `_` or `-`", &Value::String(s))),
    };
    let loaded = app.current_policy(&policy_name)?;
    let facts_text = serde_json::to_string(&facts).map_err(ApiError::internal)?;
    let case = Case {
        id: Some(id.clone()),
        name: None,
        policy: None,
        now: None,
        facts: serde_json::from_value::<Raw>(facts).map_err(ApiError::internal)?,
        events: Vec::new(),
        expect: None,
    };
    let now = crate::clock::now();
    let (view, stage, result, decided, row) = App::with_fresh_replay(&loaded, &case, now, |r| {
        let view = r.to_json(case.id.as_deref(), case.name.as_deref(), Some("system_clock"));
        let row = crate::desk::queue::derive(r, &id, 0, loaded.policy.name(), &loaded.hash);
        (view, r.stage().to_owned(), crate::kept::case_result(r, None), decision_of(r), row)
    })?;
    let result = result.map_err(ApiError::internal)?;
    let token = crate::ids::random_hex(24).ok_or_else(|| ApiError::internal("no randomness"))?;
    let stored = StoredCase {
        id: id.clone(),
        policy: loaded.policy.name().to_owned(),
        policy_hash: loaded.hash.clone(),
        version: 0,
        facts: facts_text.clone(),
        token_hash: crate::ids::sha256_hex(token.as_bytes()),
        events: Vec::new(),
    };
    let decision_id = crate::ids::decision_id().ok_or_else(|| ApiError::internal("no randomness"))?;
    let at = crate::clock::stamp(now);
    let decision = case_decision(&loaded, [&decision_id, &at, &id], None, &facts_text, &result);
    if !app.store.create_case(&stored, &stage, &at, &decision).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("案例 {id} 已经存在"),
            format!("case {id} already exists"),
        ));
    }
    if let Some(d) = decided {
        app.metrics.decision(d);
    }
    shadow_case(&app, &loaded, case, now, [decision_id.clone(), at], 0, result);
    crate::desk::queue::put(&app, &row).await;
    let mut view = view;
    if let Some(obj) = view.as_object_mut() {
        obj.insert("decision_id".into(), json!(decision_id));
        obj.insert("tracking_token".into(), json!(token));
        obj.insert("tracking_url".into(), json!(format!("/track/{id}?t={token}")));
    }
    let mut r = with_etag(StatusCode::CREATED, 0, view);
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/cases/{id}")) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// The decision log entry of a case's opening (no event) or of one of its events:
/// `[decision_id, at, case_id]`, the facts and the result as JSON texts.
fn case_decision<'a>(
    loaded: &'a crate::policies::Loaded,
    [decision_id, at, case_id]: [&'a str; 3],
    event: Option<&'a str>,
    facts: &'a str,
    result: &'a str,
) -> NewDecision<'a> {
    NewDecision {
        decision_id,
        at,
        policy: loaded.policy.name(),
        policy_version: loaded.policy.version(),
        policy_hash: &loaded.hash,
        case_id: Some(case_id),
        event,
        facts,
        result,
    }
}

/// Has the candidate of the case's policy (`--shadow`), if there is one, judge the case
/// again as it stands after its opening or an event — off the request path, in the order
/// of the case's events.
fn shadow_case(
    app: &Arc<App>,
    loaded: &crate::policies::Loaded,
    case: Case,
    now: chrono::DateTime<chrono::Utc>,
    [decision_id, at]: [String; 2],
    version: i64,
    live: String,
) {
    let Some(candidate) = app.shadow.get(loaded.policy.name()) else { return };
    let key = case.id.clone().unwrap_or_default();
    let job = crate::shadow::CaseJudgment { case, now, decision_id, at, version, live };
    app.shadow_order.spawn(&key, crate::shadow::judge_case(Arc::clone(app), Arc::clone(candidate), job));
}

/// The case's decision, when its facts were evaluated.
fn decision_of(r: &Replay<'_>) -> Option<&'static str> {
    r.evaluation().map(|e| e.decision().as_str())
}

/// What an event's append writes and answers, read off the replay after it.
struct AfterEvent {
    /// The stage the event was posted in.
    from: String,
    stage: String,
    outcome: String,
    decision: Option<&'static str>,
    /// The facts after the event (JSON text).
    facts: String,
    /// The decision log's result (JSON text).
    result: String,
    /// The answer: the case view with `posted` and `decision_id` (JSON text).
    answer: String,
    /// The desk's queue row after the event, from the same replay.
    row: crate::store::QueueRow,
}

/// The webhook deliveries of a recorded event: `case.event` always, `case.stage` when the
/// event moved the case to another stage. Each id comes from the case and the version, so
/// an event is never delivered under two ids.
fn event_deliveries(
    hooks: &crate::webhooks::Webhooks,
    [id, policy, decision_id, at]: [&str; 4],
    version: i64,
    event: &Event,
    after: &AfterEvent,
) -> Vec<crate::store::NewDelivery> {
    let mut out = hooks.deliveries(
        &format!("case.event {id} {version}"),
        "case.event",
        policy,
        json!({
            "case": id, "policy": policy, "version": version, "event": event.name, "by": event.by,
            "at": crate::clock::stamp(event.at), "outcome": after.outcome, "from": after.from, "stage": after.stage,
            "decision": after.decision, "decision_id": decision_id,
        }),
        at,
    );
    if after.stage != after.from {
        out.extend(hooks.deliveries(
            &format!("case.stage {id} {version}"),
            "case.stage",
            policy,
            json!({"case": id, "policy": policy, "version": version, "event": event.name, "from": after.from, "to": after.stage}),
            at,
        ));
    }
    out
}

/// `403 role_required`: the policy gives this event in this stage to other roles.
pub(crate) fn role_required(roles: &[&str], event: &str, stage: &str, caller: &crate::access::Caller) -> ApiError {
    let (zh_roles, en_roles) = (roles.join("、"), roles.join(", "));
    let mine = caller.acts_as.as_deref().map(|m| m.join(", ")).unwrap_or_default();
    let who = caller.name.as_deref().unwrap_or("");
    ApiError::new(
        StatusCode::FORBIDDEN,
        "role_required",
        format!("在阶段 {stage} 发出事件 {event} 需要角色 {zh_roles}；令牌 {who} 的角色是 {mine}，未记录"),
        format!(
            "posting {event} in stage {stage} needs the role {en_roles}; the token {who} acts as {mine}; nothing was recorded"
        ),
    )
}

/// `If-Match: "<version>"`, when given.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim();
    let inner = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    inner.parse::<i64>().map(Some).map_err(|_| {
        ApiError::bad_request(
            format!("If-Match 应是案例的版本号，如 \"3\"，却是 {text:?}"),
            format!("If-Match must be the case's version such as \"3\", not {text:?}"),
        )
    })
}

/// `POST /v1/cases/{id}/events`: records an event and answers the case view after it.
#[utoipa::path(
    post,
    path = "/v1/cases/{id}/events",
    operation_id = "postEvent",
    tag = "cases",
    params(("id" = String, Path, description = "The case's id"), ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key gets the first answer"), ("If-Match" = Option<String>, Header, description = "The case's version (`\"3\"`) the event was decided on")),
    request_body = EventRequest,
    responses(
        (status = 200, description = "The case view after the event, with `posted` (accepted, refused or illegal)", body = CaseView, headers(("ETag" = String, description = "The case's version"))),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this, or the policy gives this event to another role (`role_required`)", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 412, description = "`If-Match` names a version the case has moved past", body = ErrorBody),
        (status = 422, description = "The workflow has no such event, the event is dated after the server's clock, or the Idempotency-Key was used for another event; nothing recorded", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn post_event(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = app.access.check(&headers, Role::Operator)?;
    let expected_version = if_match(&headers)?;
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if (1..=200).contains(&k.len()) => Some(k.to_owned()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Idempotency-Key 应是 1 到 200 个可见字符",
                "Idempotency-Key must be 1 to 200 visible characters",
            ));
        }
    };
    let body = json_body(&headers, body)?;
    match record(&app, &id, &caller, expected_version, key, body).await? {
        Recorded::New { version, answer } => Ok(text_with_etag(StatusCode::OK, version, answer)),
        Recorded::Replayed(answer) => Ok(replayed(answer)),
    }
}

/// What [`record`] did.
#[derive(Debug)]
pub enum Recorded {
    /// The event was recorded as `version`; the answer is the case view after it.
    New {
        /// The case's version after the event.
        version: i64,
        /// The answer (JSON text).
        answer: String,
    },
    /// The idempotency key was used for this same event before: its first answer.
    Replayed(Idem),
}

/// Records an event posted by `caller` — through the API or the desk, by the same rules:
/// the workflow must know the event, it may not be dated after the server's clock, the
/// policy's roles decide who may post it, `expected_version` (`If-Match`) must be the
/// case's version. Nothing is recorded when any of it fails.
pub async fn record(
    app: &Arc<App>,
    id: &str,
    caller: &crate::access::Caller,
    expected_version: Option<i64>,
    key: Option<String>,
    mut body: serde_json::Map<String, Value>,
) -> Result<Recorded, ApiError> {
    // A person's token (one that `acts_as` roles) records who posted the event: its name
    // is the event's `by`, whatever the body says. A system's token keeps the body's `by`.
    if caller.acts_as.is_some()
        && let Some(name) = &caller.name
    {
        body.insert("by".to_owned(), Value::String(name.clone()));
    }
    let raw = serde_json::from_value::<Raw>(Value::Object(body.clone())).map_err(ApiError::internal)?;
    let event = Event::from_raw("", &raw).map_err(|diags| {
        ApiError::bad_request("事件写得不对", "the event is not well formed").with_diagnostics(&diags)
    })?;
    if event.name.chars().any(char::is_control) {
        let d = tenet::diagnostics::Diagnostic::error(
            "bad-request",
            tenet::diagnostics::Msg::new(
                "事件名不能含控制字符（如 \\u0000）",
                "an event name cannot contain control characters (such as \\u0000)",
            ),
        )
        .at_path("event");
        return Err(ApiError::bad_request("事件写得不对", "the event is not well formed").with_diagnostics(&[d]));
    }
    if !crate::ids::valid_case_id(id) {
        return Err(ApiError::not_found("case"));
    }
    let body_text = Value::Object(body).to_string();
    if let Some(k) = &key
        && let Some(answer) = app.store.idempotent(id, k).await?
    {
        return replayed_if_same(app, id, answer, &event).await.map(Recorded::Replayed);
    }
    // An event dated later than the server's clock would be illegal now and legal later:
    // the case would change by itself as time passes. Refused, nothing recorded.
    let clock = crate::clock::now();
    if event.at > clock {
        let (at, now) = (crate::clock::stamp(event.at), crate::clock::stamp(clock));
        let d = tenet::diagnostics::Diagnostic::error(
            "event-in-future",
            tenet::diagnostics::Msg::new(
                format!("事件时间 {at} 晚于服务器时间 {now}：请检查发送方的时钟，或在事件发生后再提交"),
                format!("the event's time {at} is after the server's clock {now}: check the sender's clock, or post the event once it has happened"),
            ),
        )
        .at_path("at");
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "event_in_future",
            "事件时间晚于服务器时间，未记录",
            "the event is dated after the server's clock; nothing was recorded",
        )
        .with_diagnostics(&[d]));
    }
    let lock = app.writer(id)?;
    let _writing = lock.lock().await;
    // The append's statement checks the version it expects, so the case as this process
    // last saw it is tried first without asking the database; a case another process
    // moved on is then a conflict, retried at once from the database.
    let mut seen = app.case_seen(id)?.filter(|c| expected_version.is_none_or(|e| e == c.stored.version));
    let guessed = seen.is_some();
    for attempt in 0..RETRIES {
        let cached = match seen.take() {
            Some(guess) => guess,
            None => {
                if attempt > 1 || (attempt == 1 && !guessed) {
                    // Another process won the race: wait a little, differently for each writer.
                    let jitter = crate::ids::random_hex(1).and_then(|h| u64::from_str_radix(&h, 16).ok()).unwrap_or(0);
                    tokio::time::sleep(std::time::Duration::from_millis(5 * attempt as u64 + jitter % 20)).await;
                }
                app.case(id).await?
            }
        };
        let version = cached.stored.version;
        if let Some(expected) = expected_version
            && expected != version
        {
            return Err(stale(expected, version));
        }
        let loaded = app.policy_for(&cached.stored.policy_hash).await?;
        if !loaded.policy.workflow_events().any(|e| e == event.name) {
            return Err(unknown_event(&loaded, &event));
        }
        let mut case = cached.case.clone();
        case.events.push(event.clone());
        let now = crate::clock::now();
        let decision_id = crate::ids::decision_id().ok_or_else(|| ApiError::internal("no randomness"))?;
        let id_json = json!(decision_id);
        let (after, progress) = App::with_replay_after(&loaded, &cached, &case, now, |r| {
            let last = r.trail().last();
            let outcome = last.map_or("illegal", |s| s.outcome().as_str());
            let findings = last.map(|s| r.step_json(s)).and_then(|s| s.get("findings").cloned());
            let posted = json!({
                "version": version + 1,
                "event": event.name,
                "outcome": outcome,
                "findings": findings.unwrap_or_else(|| json!([])),
            });
            let view = r.view(case.id.as_deref(), case.name.as_deref(), Some("system_clock"));
            let answer = serde_json::to_string(&view.with("posted", &posted).with("decision_id", &id_json));
            let from = last.map_or_else(|| r.stage().to_owned(), |s| s.from().to_owned());
            let result = crate::kept::case_result(r, Some(&posted));
            answer.and_then(|answer| Ok((answer, result?))).map(|(answer, result)| AfterEvent {
                from,
                stage: r.stage().to_owned(),
                outcome: outcome.to_owned(),
                decision: decision_of(r),
                facts: r.facts().to_json().to_string(),
                result,
                answer,
                row: crate::desk::queue::derive(r, id, version + 1, &cached.stored.policy, &cached.stored.policy_hash),
            })
        })?;
        let after = after.map_err(ApiError::internal)?;
        // The policy says who posts this event in this stage (`on approve by reviewer`):
        // another role is refused, and nothing is recorded.
        if let Some(roles) = loaded.policy.event_roles(&after.from, &event.name)
            && !caller.may_post(&roles)
        {
            return Err(role_required(&roles, &event.name, &after.from, caller));
        }
        let at = crate::clock::stamp(now);
        let deliveries = app.webhooks.as_ref().map_or_else(Vec::new, |hooks| {
            event_deliveries(hooks, [id, &cached.stored.policy, &decision_id, &at], version + 1, &event, &after)
        });
        let answer = Idem { status: 200, body: after.answer };
        let append = Append {
            case_id: id,
            expected: version,
            body: &body_text,
            stage: &after.stage,
            recorded_at: &at,
            idempotency: key.as_deref().map(|k| (k, &answer)),
            decision: case_decision(&loaded, [&decision_id, &at, id], Some(&event.name), &after.facts, &after.result),
            deliveries: &deliveries,
        };
        match app.store.append(&append).await? {
            Appended::Done => {
                if app.shadow.contains_key(loaded.policy.name()) {
                    let judged = [decision_id.clone(), at.clone()];
                    shadow_case(app, &loaded, case.clone(), now, judged, version + 1, after.result.clone());
                }
                app.remember(&cached, case, progress)?;
                app.metrics.event(&event.name, &after.outcome);
                if let Some(d) = after.decision {
                    app.metrics.decision(d);
                }
                crate::desk::queue::put(app, &after.row).await;
                // The answer kept under the idempotency key, written once.
                return Ok(Recorded::New { version: version + 1, answer: answer.body });
            }
            Appended::Replayed(answer) => {
                return replayed_if_same(app, id, answer, &event).await.map(Recorded::Replayed);
            }
            Appended::Conflict if expected_version.is_some() => {
                let now_at = app.store.case_version(id).await?.unwrap_or(version + 1);
                return Err(stale(version, now_at));
            }
            Appended::Conflict => continue,
        }
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "conflict",
        "这个案例正被频繁更新，请稍后重试",
        "this case is changing too fast; try again",
    ))
}

fn stale(expected: i64, version: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        format!("案例已更新：你读到的是版本 {expected}，现在是版本 {version}；请重新读取后再提交"),
        format!("the case has moved on: you read version {expected}, it is at {version}; read it again and retry"),
    )
}

/// `422`: the workflow has no such event (with a did-you-mean, or the events the case can
/// take now, as `tenet case` says it). Nothing is recorded: a name the workflow does not
/// know is a client's mistake, not part of the case's history.
fn unknown_event(loaded: &crate::policies::Loaded, event: &Event) -> ApiError {
    let names: Vec<&str> = loaded.policy.workflow_events().collect();
    let near = tenet::diagnostics::suggest::closest(&event.name, names.iter().copied());
    let name = &event.name;
    let (zh, en) = match near {
        Some(near) => (
            format!("流程中没有事件 `{name}`；是不是 `{near}`？"),
            format!("the workflow has no event `{name}`; did you mean `{near}`?"),
        ),
        None => (
            format!("流程中没有事件 `{name}`；它的事件有：{}", names.join(", ")),
            format!("the workflow has no event `{name}`; its events are: {}", names.join(", ")),
        ),
    };
    let d =
        tenet::diagnostics::Diagnostic::error("unknown-event", tenet::diagnostics::Msg::new(&zh, &en)).at_path("event");
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_event", zh, en).with_diagnostics(&[d])
}

/// The first answer to an idempotency key, again — when the request is the same event
/// as the one the key recorded; `422` when the key is reused for another event (as the
/// IETF Idempotency-Key draft answers), since returning the first answer would tell the
/// client that an event it never recorded was.
async fn replayed_if_same(app: &App, id: &str, answer: Idem, event: &Event) -> Result<Idem, ApiError> {
    let version = serde_json::from_str::<Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("posted")?.get("version")?.as_i64())
        .and_then(|v| usize::try_from(v).ok());
    let cached = app.case(id).await?;
    let recorded = version.and_then(|v| v.checked_sub(1)).and_then(|i| cached.case.events.get(i));
    if recorded.is_some_and(|r| r != event) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "这个 Idempotency-Key 已用于另一个事件；每个新事件请用新的键",
            "this Idempotency-Key was used for another event; use a new key for each new event",
        ));
    }
    Ok(answer)
}

/// The first answer to an idempotency key, again.
fn replayed(answer: Idem) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let version =
        serde_json::from_str::<Value>(&answer.body).ok().and_then(|v| v.get("version")?.as_i64()).unwrap_or(0);
    let mut r = text_with_etag(status, version, answer.body);
    r.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    r
}

/// `GET /v1/cases/{id}`: the case view (`?now=` judges deadlines at another instant).
#[utoipa::path(
    get,
    path = "/v1/cases/{id}",
    operation_id = "getCase",
    tag = "cases",
    params(("id" = String, Path, description = "The case's id"), NowQuery),
    responses(
        (status = 200, description = "The case view", body = CaseView, headers(("ETag" = String, description = "The case's version"))),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(query): Query<NowQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let (now, note) = now_of(query.now);
    let cached = app.case(&id).await?;
    let loaded = app.policy_for(&cached.stored.policy_hash).await?;
    let case = &cached.case;
    let view = App::with_replay(&loaded, &cached, now, |r| {
        serde_json::to_string(&r.view(case.id.as_deref(), case.name.as_deref(), note))
    })?;
    Ok(text_with_etag(StatusCode::OK, cached.stored.version, view.map_err(ApiError::internal)?))
}

/// `GET /v1/cases`: cases in id order, filtered by stage, policy and (with `overdue=true`)
/// an overdue deadline, `limit` at a time after the id `after`.
#[utoipa::path(
    get,
    path = "/v1/cases",
    operation_id = "listCases",
    tag = "cases",
    params(CaseListQuery),
    responses(
        (status = 200, description = "Cases in id order", body = CaseList),
        (status = 400, description = "The request cannot be read: the diagnostics name each path", body = ErrorBody),
        (status = 401, description = "No token, or one not known", body = ErrorBody),
        (status = 403, description = "The token's role may not do this", body = ErrorBody),
        (status = 503, description = "The database does not answer, or the request took over 30 s", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(app): State<Arc<App>>,
    Query(query): Query<CaseListQuery>,
    headers: HeaderMap,
) -> Result<Json<CaseList>, ApiError> {
    app.access.check(&headers, Role::Reader)?;
    let limit = query.limit.unwrap_or(super::query::Limit::DEFAULT).0;
    let overdue_only = query.overdue.unwrap_or(false);
    let (now, _) = now_of(query.now);
    let after = query.after.clone().unwrap_or_default();
    // One more than a page, to know whether there is a next one.
    let rows = if overdue_only {
        // The desk's queue index: the cases whose earliest deadline not met is past due.
        let at = crate::clock::stamp(now);
        app.store.overdue_cases(query.policy.as_deref(), query.stage.as_deref(), &after, limit + 1, &at).await?
    } else {
        app.store.list_cases(query.policy.as_deref(), query.stage.as_deref(), Some(&after), limit + 1).await?
    };
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    let out: Vec<CaseItem> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|row| CaseItem { id: row.id, policy: row.policy, stage: row.stage, overdue: overdue_only.then_some(true) })
        .collect();
    let next_after = if more { out.last().map(|c| c.id.clone()) } else { None };
    Ok(Json(CaseList { cases: out, next_after }))
}
