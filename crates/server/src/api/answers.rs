//! The API's answers as typed `serde` structs, from which `/v1/openapi.json` describes
//! them. The service's own answers (lists, readiness, a move…) are written from these
//! types; the engine's documents (an evaluation, a case view) are written by the engine
//! and described here by their shape — `tests/openapi.rs` checks real answers of a
//! running server against every schema, so a description cannot drift from what is sent.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub use crate::error::{ApiDiagnostic, ErrorBody};

/// `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// `GET /readyz`: `200` when ready, `503` otherwise, with the same body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// The database answers, policies are loaded and the decision log is being written.
    pub ready: bool,
    /// The database answers.
    pub database: bool,
    /// How many policies are served.
    pub policies: usize,
    /// The decision log's state.
    pub decision_log: LogState,
}

/// Whether the decision log can be written, and what waits for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogState {
    /// The last commit succeeded.
    pub writing: bool,
    /// Entries answered and waiting to be committed.
    pub queued: usize,
}

/// A policy served.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyInfo {
    /// Its name (`policy returns`).
    pub name: String,
    /// Its declared version (`version "2026.1"`).
    pub version: Option<String>,
    /// The content hash of its version (its text and every file it reads).
    pub hash: String,
    /// The file it was read from (for people; absent after a reload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `GET /v1/policies`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    /// Every policy served, by name.
    pub policies: Vec<PolicyInfo>,
}

/// `POST /v1/policies/reload`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reloaded {
    /// Always `true` (a failed reload is a `422`).
    pub reloaded: bool,
    /// The policies now served.
    pub policies: Vec<PolicyInfo>,
}

/// A case in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseItem {
    /// The case's id.
    pub id: String,
    /// Its policy's name.
    pub policy: String,
    /// The stage it is at.
    pub stage: String,
    /// Present (and `true`) when the list was asked for overdue cases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
}

/// `GET /v1/cases`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    /// Cases in id order.
    pub cases: Vec<CaseItem>,
    /// The id to pass as `after` for the next page; `null` on the last page.
    pub next_after: Option<String>,
}

/// A decision log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionEntry {
    /// The entry's id (an evaluation answers it as `decision_id`).
    pub decision_id: String,
    /// When it was decided (RFC 3339, UTC).
    pub at: String,
    /// The policy's name.
    pub policy: String,
    /// The policy's declared version.
    pub policy_version: Option<String>,
    /// The policy version's content hash.
    pub policy_hash: String,
    /// The case, for an event's entry.
    pub case_id: Option<String>,
    /// The event, for an event's entry (`(policy version)` for a move).
    pub event: Option<String>,
    /// The facts as evaluated.
    pub facts: Value,
    /// What was decided.
    pub result: Value,
    /// Why the entry cannot be read, when it is damaged (`facts` and `result` are then
    /// `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

/// `GET /v1/decisions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionList {
    /// Entries, oldest first.
    pub decisions: Vec<DecisionEntry>,
    /// The id to pass as `after` for the next page; `null` on the last page.
    pub next_after: Option<String>,
}

/// An action due, across cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionItem {
    /// The action's id, for `POST /v1/actions/{id}/done`.
    pub id: String,
    /// The case it belongs to.
    pub case: String,
    /// The case's policy.
    pub policy: String,
    /// The action as the case view lists it (`kind`, `due`, `past_due`, `stage`,
    /// `message`, `message_en`).
    #[serde(flatten)]
    #[schema(inline)]
    pub action: ViewAction,
}

/// `GET /v1/actions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    /// Actions by due time.
    pub actions: Vec<ActionItem>,
}

/// `POST /v1/actions/{id}/done`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDone {
    /// The action's id.
    pub id: String,
    /// Always `true`.
    pub done: bool,
    /// It had been marked done before.
    pub already: bool,
}

/// A policy version, as a move names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionRef {
    /// The version's content hash.
    pub hash: String,
    /// Its declared version.
    pub version: Option<String>,
}

/// One thing a move changes for a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    /// What changes: `stage`, `decision`, `codes`, `refund`, `deadlines`, `actions`,
    /// `next_events`.
    pub what: &'static str,
    /// It, under the case's version.
    pub from: String,
    /// It, under the version served now.
    pub to: String,
}

/// An event a case can take next.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextEvent {
    /// The event's name.
    pub event: String,
    /// The stage it leads to.
    pub to: String,
    /// The roles that may post it (`on EVENT by ROLE`); absent when anyone may.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<String>,
}

/// `POST /v1/cases/{id}/policy-version`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Moved {
    /// The case.
    pub case: String,
    /// The version it has.
    pub from: VersionRef,
    /// The version served now.
    pub to: VersionRef,
    /// Both are the same version (nothing to move).
    pub same: bool,
    /// What changes for the case.
    pub changes: Vec<Change>,
    /// The case was moved (not a preview).
    pub moved: bool,
    /// The move's decision log entry, when it moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<String>,
    /// The case view under the version served now.
    #[schema(value_type = CaseView)]
    pub view: Value,
}

// The engine's documents, described by their shape (written by the engine).

/// A rule that fired: what it decided and why, in the policy's words.
#[derive(Debug, Serialize, ToSchema)]
pub struct Finding {
    /// The rule's name.
    pub rule: String,
    /// Its code.
    pub code: String,
    /// `reject`, `require`, `deduct`, `flag`…
    pub kind: String,
    /// The workflow stage the rule guards, when it guards one.
    pub stage: Option<String>,
    /// The message, in Chinese.
    pub message: String,
    /// The message, in English.
    pub message_en: Option<String>,
    /// A deduction's amount (a decimal as text).
    pub amount: Option<String>,
    /// A deduction's ledger.
    pub ledger: Option<String>,
}

/// `POST /v1/policies/{policy}/evaluate`: what `tenet eval --format json` prints, with the
/// decision log's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Evaluation {
    /// The policy's name.
    pub policy: String,
    /// Its declared version.
    pub version: Option<String>,
    /// The instant the facts were judged at.
    pub now: String,
    /// `approved`, `rejected` or `needs_info`.
    pub decision: String,
    /// The codes of the rules that fired, sorted.
    pub codes: Vec<String>,
    /// The rules that fired.
    pub findings: Vec<Finding>,
    /// Ledgers by name: lines and total.
    pub ledgers: Map<String, Value>,
    /// The policy's outputs that have a value.
    pub outputs: Map<String, Value>,
    /// Actions the policy schedules.
    pub actions: Vec<Value>,
    /// The explanation, when asked for.
    pub trace: Vec<Value>,
    /// `system_clock` when `now` was the server's clock.
    pub now_source: Option<String>,
    /// The decision log entry it is kept under.
    pub decision_id: String,
}

/// An action a case schedules.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ViewAction {
    /// The action's kind (`follow_up`).
    pub kind: String,
    /// When it is due.
    pub due: String,
    /// Whether it is due at the view's `now`.
    pub past_due: bool,
    /// The stage whose entry scheduled it.
    pub stage: Option<String>,
    /// The message, in Chinese.
    pub message: Option<String>,
    /// The message, in English.
    pub message_en: Option<String>,
}

/// A deadline of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deadline {
    /// The stage that must be left in time.
    pub stage: String,
    /// When it is due.
    pub due: Option<String>,
    /// `open`, `overdue`, `met` or `missed`.
    pub status: String,
    /// Past due at the view's `now` and not met.
    pub overdue: bool,
}

/// An event of a case's trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrailEntry {
    /// Its position among the case's events.
    pub index: u64,
    /// When it happened.
    pub at: String,
    /// The event's name.
    pub event: String,
    /// Who posted it.
    pub by: Option<String>,
    /// The stage it was posted at.
    pub from: Option<String>,
    /// The stage it led to, when accepted.
    pub to: Option<String>,
    /// `accepted`, `refused` or `illegal`.
    pub outcome: String,
    /// The rules that refused it.
    pub findings: Option<Vec<Finding>>,
    /// Why it was illegal.
    pub reason: Option<String>,
}

/// The case view: what `tenet case --format json` prints for the case's policy version,
/// facts and events.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// The case's id.
    pub id: Option<String>,
    /// The policy's name.
    pub policy: String,
    /// The case's policy version (declared).
    pub policy_version: Option<String>,
    /// Recorded events, whatever their outcome (the `ETag`).
    pub version: u64,
    /// The workflow's name.
    pub workflow: String,
    /// The instant the case is judged at.
    pub now: String,
    /// The stage it is at.
    pub stage: String,
    /// When it entered it.
    pub entered_at: Option<String>,
    /// The stage is final.
    pub r#final: bool,
    /// The facts after every event's data.
    pub facts: Map<String, Value>,
    /// The case's decision.
    pub decision: Option<String>,
    /// Its codes.
    pub codes: Vec<String>,
    /// The rules that decide it.
    pub findings: Vec<Finding>,
    /// Guards of stages not reached yet.
    pub pending: Vec<Finding>,
    /// Ledgers by name.
    pub ledgers: Map<String, Value>,
    /// The policy's outputs.
    pub outputs: Map<String, Value>,
    /// The refund, when the policy declares one and the case is not rejected.
    pub refund: Option<Map<String, Value>>,
    /// Deadlines.
    pub deadlines: Vec<Deadline>,
    /// Events the case can take next.
    pub next_events: Vec<NextEvent>,
    /// Actions scheduled.
    pub actions: Vec<ViewAction>,
    /// Every event recorded.
    pub trail: Vec<TrailEntry>,
    /// What the event just posted did (after `POST …/events`).
    pub posted: Option<Map<String, Value>>,
    /// The decision log entry (after opening a case or posting an event).
    pub decision_id: Option<String>,
    /// The customer's tracking token (once, when the case is opened).
    pub tracking_token: Option<String>,
    /// The customer's page (once, when the case is opened).
    pub tracking_url: Option<String>,
}

// Requests whose reader is the engine's (described here by their shape).

/// Facts, as the policy's schema declares them (`POST …/evaluate`'s body).
#[derive(Debug, Serialize, ToSchema)]
pub struct Facts(pub Map<String, Value>);

/// `POST /v1/cases/{id}/events`'s body, read by the same reader as a case file's events
/// (so the API and `tenet case` cannot disagree about what an event is).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    /// The event's name, as the workflow declares it.
    pub event: String,
    /// When it happened (RFC 3339 with its offset).
    #[schema(format = DateTime)]
    pub at: String,
    /// Who posted it.
    pub by: Option<String>,
    /// A note (a reviewer's reason).
    pub note: Option<String>,
    /// Facts the event brings, merged into the case's facts.
    pub data: Option<Map<String, Value>>,
}
