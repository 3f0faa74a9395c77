//! Case truth: generated return histories replayed through `rules/returns.tenet`, each
//! checked against two independent statements of what the case must say.
//!
//! 1. **A hand-written model of the return policy** (below): its rules as plain Rust over
//!    the facts, and its workflow as a table of transitions with the README's rule for a
//!    case's decision. It shares no code with the engine: it predicts every event's
//!    outcome, the final stage, the decision, the codes and the refund.
//! 2. **`tenet eval`** (`Policy::evaluate`) on the facts the case gathered, at the
//!    instant the README names, with the rules of the stages the case has not reached set
//!    aside: the same decision and codes, and for an approved case the same refund.
//!
//! Layers: the engine's public API only (load, replay, evaluate); nothing of the CLI.
//! `TENET_TRUTH_CASES` (default 5 000) and `TENET_TRUTH_SEED` choose the histories.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value as Json, json};
use tenet::facts::Format;
use tenet::source::SourceFile;
use tenet::workflow::{Case, Outcome};

// ── A seeded generator ─────────────────────────────────────────────────────────

/// splitmix64: small, seeded, the same histories on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `percent` in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const QUALITY: [&str; 4] = ["defective", "not_as_described", "wrong_item", "damaged_in_transit"];
const METHODS: [&str; 4] = ["cash", "bank_transfer", "alipay", "wechat_pay"];
const NON_RETURNABLE: [&str; 4] = ["custom", "perishable", "digital", "intimate"];

fn tz() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

fn stamp(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339()
}

/// One generated history: the starting facts, the events, and `now`.
fn history(rng: &mut Rng) -> Json {
    let delivered = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + Duration::days(rng.below(60) as i64);
    let delivered_at = delivered.and_hms_opt(15, 20, 0).unwrap().and_local_timezone(tz()).unwrap();
    let late = *rng.pick(&[0_i64, 1, 3, 6, 7, 8, 10, 15, 16, 30, 365, 366]);
    let submitted_at = delivered_at + Duration::days(late) + Duration::hours(2);
    let category = *rng.pick(&["electronics", "apparel", "home", "custom", "digital", "perishable", "intimate"]);
    let price = *rng.pick(&["399.00", "19.99", "0.05", "1288.80", "55.55"]);
    let bought = 1 + rng.below(3) as i64;
    let reason: Option<&str> = if rng.chance(8) {
        None
    } else if rng.chance(4) {
        Some("")
    } else if rng.chance(4) {
        Some("changed_mind")
    } else if rng.chance(45) {
        Some("no_reason")
    } else {
        Some(*rng.pick(&QUALITY))
    };
    let desired = *rng.pick(&["refund", "refund", "refund", "exchange", "repair"]);
    let quantity = if rng.chance(8) { *rng.pick(&[0_i64, bought + 1]) } else { 1 + rng.below(bought as u64) as i64 };
    let method: Option<&str> = if rng.chance(8) {
        None
    } else if rng.chance(5) {
        Some("bitcoin")
    } else {
        Some(*rng.pick(&METHODS))
    };
    let mut documents: Vec<&str> = Vec::new();
    for doc in ["receipt", "invoice", "photo"] {
        if rng.chance(45) {
            documents.push(doc);
        }
    }
    let mut item = json!({"sku": "SKU-1", "category": category, "unit_price": price, "quantity": bought});
    if rng.chance(30) {
        item["final_sale"] = json!(rng.chance(50));
    }
    let mut request = json!({
        "submitted_at": stamp(submitted_at), "desired": desired, "quantity": quantity, "documents": documents,
    });
    if let Some(r) = reason {
        request["reason"] = json!(r);
    }
    if let Some(m) = method {
        request["refund_method"] = json!(m);
    }
    let facts = json!({
        "order": {"id": "SO-1", "delivered_at": stamp(delivered_at)},
        "item": item,
        "request": request,
    });

    // The events: the path a return usually takes, with detours, repeats and mistakes.
    let mut events = Events { t: submitted_at, list: Vec::new() };
    let stray = ["ship", "approve", "refund_succeeded", "submit", "resubmit", "cancel", "receive"];
    if rng.chance(3) {
        events.push(rng, "cancel", "customer", Some(json!({"cancellation": {"reason": "changed plans"}})), None);
    }
    events.push(rng, "submit", "customer", None, None);
    if rng.chance(40) {
        let mut docs = documents.clone();
        docs.push("photo");
        events.push(rng, "submit", "customer", Some(json!({"request": {"documents": docs}})), None);
    }
    if rng.chance(25) {
        // Corrected and submitted again: a valid reason and method, within the window.
        let fixed = json!({"request": {
            "reason": *rng.pick(&["no_reason", "defective", "wrong_item"]),
            "refund_method": "alipay",
            "quantity": 1,
            "submitted_at": stamp(delivered_at + Duration::days(2)),
            "documents": ["receipt", "photo"],
        }});
        events.push(rng, "resubmit", "customer", Some(fixed), None);
    }
    if rng.chance(6) {
        events.push(rng, "cancel", "customer", Some(json!({"cancellation": {}})), None);
    }
    if rng.chance(12) {
        let note = *rng.pick(&["照片与商品不符", "not our item"]);
        events.push(rng, "reject", "reviewer", None, Some(note));
        if rng.chance(40) {
            let reason = *rng.pick(&["客户投诉，主管复核", ""]);
            events.push(rng, "reopen", "supervisor", Some(json!({"reopening": {"reason": reason}})), Some("复核"));
        }
    }
    events.push(rng, "approve", "reviewer", None, None);
    if rng.chance(50) {
        let docs: Vec<&str> = documents.iter().copied().chain(["receipt", "photo"]).collect();
        events.push(rng, "approve", "reviewer", Some(json!({"request": {"documents": docs}})), None);
    }
    if rng.chance(5) {
        let name = *rng.pick(&stray);
        events.push(rng, name, "someone", None, None);
    }
    let tracking = if rng.chance(20) { json!("") } else { json!("SF123") };
    events.push(
        rng,
        "ship",
        "customer",
        Some(json!({"shipment": {"tracking_no": tracking, "shipped_at": stamp(events.t)}})),
        None,
    );
    if rng.chance(50) {
        events.push(rng, "ship", "customer", Some(json!({"shipment": {"tracking_no": "SF456"}})), None);
    }
    let received = if rng.chance(8) { 0 } else { 1 + rng.below(quantity.max(1) as u64) as i64 };
    let inspection = json!({"inspection": {
        "inspected_at": stamp(events.t + Duration::hours(20)),
        "quantity_received": received,
        "appearance": *rng.pick(&["intact", "intact", "worn", "damaged"]),
        "packaging": *rng.pick(&["complete", "complete", "opened", "missing"]),
        "quality": *rng.pick(&["ok", "defective"]),
    }});
    events.push(rng, "receive", "warehouse", Some(inspection), None);
    if desired == "refund" {
        events.push(rng, "start_refund", "finance", None, None);
        if rng.chance(40) {
            let status = *rng.pick(&["processing", "abnormal"]);
            events.push(rng, "refund_update", "finance", Some(json!({"refund": {"status": status}})), None);
        }
        let status = if rng.chance(85) { "success" } else { "processing" };
        events.push(
            rng,
            "refund_succeeded",
            "finance",
            Some(json!({"refund": {"status": status, "method": "alipay"}})),
            None,
        );
        if rng.chance(5) {
            events.push(rng, "reopen", "supervisor", Some(json!({"reopening": {"reason": "退款被退回"}})), None);
        }
    } else {
        events.push(rng, "replacement_sent", "warehouse", None, None);
    }
    if rng.chance(10) {
        events.push(rng, "resubmit", "customer", Some(json!({"request": {"reason": "defective"}})), None);
    }
    if rng.chance(5) {
        let name = *rng.pick(&stray);
        events.push(rng, name, "someone", None, None);
    }
    let now = events.t + Duration::hours(rng.below(24 * 20) as i64 + 1);
    json!({"facts": facts, "events": events.list, "now": stamp(now)})
}

/// A history's events as they are made, each some time after the one before.
struct Events {
    t: DateTime<FixedOffset>,
    list: Vec<Json>,
}

impl Events {
    fn push(&mut self, rng: &mut Rng, name: &str, by: &str, data: Option<Json>, note: Option<&str>) {
        self.t += Duration::minutes(30 + rng.below(60 * 30) as i64);
        let mut e = json!({"at": stamp(self.t), "event": name, "by": by});
        if let Some(d) = data {
            e["data"] = d;
        }
        if let Some(n) = note {
            e["note"] = json!(n);
        }
        self.list.push(e);
    }
}

// ── The model: the return policy restated by hand ──────────────────────────────

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Reject,
    Require,
    Flag,
    Deduct,
}

/// `data` merged into `facts`: mappings key by key, anything else replaces.
fn merge(facts: &mut Json, data: &Json) {
    match (facts, data) {
        (Json::Object(f), Json::Object(d)) => {
            for (k, v) in d {
                match f.get_mut(k) {
                    Some(old) if old.is_object() && v.is_object() => merge(old, v),
                    _ => {
                        f.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (f, d) => *f = d.clone(),
    }
}

fn text<'a>(f: &'a Json, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(f, |v, k| v.get(k))?.as_str()
}

fn int(f: &Json, path: &[&str]) -> Option<i64> {
    path.iter().try_fold(f, |v, k| v.get(k))?.as_i64()
}

fn local_day(f: &Json, path: &[&str]) -> NaiveDate {
    DateTime::parse_from_rfc3339(text(f, path).unwrap()).unwrap().with_timezone(&tz()).date_naive()
}

fn money(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The codes the policy's rules of `stage` fire on `f` (reject and require), in the
/// policy's words restated: a rule fires only when its condition is definitely true, so
/// an absent reason is neither a no-reason nor a quality claim.
fn guards_of(stage: &str, f: &Json) -> Vec<(&'static str, Kind)> {
    let reason = text(f, &["request", "reason"]);
    let no_reason = reason == Some("no_reason");
    let quality = reason.is_some_and(|r| QUALITY.contains(&r));
    let desired = text(f, &["request", "desired"]).unwrap();
    let docs: Vec<&str> = f["request"]["documents"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    let mut out = Vec::new();
    let mut fire = |cond: bool, code: &'static str, kind: Kind| {
        if cond {
            out.push((code, kind));
        }
    };
    match stage {
        "application" => {
            let qty = int(f, &["request", "quantity"]).unwrap();
            let bought = int(f, &["item", "quantity"]).unwrap();
            let method = text(f, &["request", "refund_method"]);
            fire(reason.is_none_or(str::is_empty), "REASON_REQUIRED", Kind::Reject);
            fire(
                reason.is_some_and(|r| !r.is_empty() && r != "no_reason" && !QUALITY.contains(&r)),
                "UNKNOWN_REASON",
                Kind::Reject,
            );
            fire(qty < 1 || qty > bought, "INVALID_QUANTITY", Kind::Reject);
            fire(desired == "refund" && method.is_none(), "REFUND_METHOD_REQUIRED", Kind::Reject);
            fire(method.is_some_and(|m| !METHODS.contains(&m)), "REFUND_METHOD_UNSUPPORTED", Kind::Reject);
        }
        "review" => {
            let days =
                (local_day(f, &["request", "submitted_at"]) - local_day(f, &["order", "delivered_at"])).num_days();
            let category = text(f, &["item", "category"]).unwrap();
            let final_sale = f["item"].get("final_sale").and_then(Json::as_bool) == Some(true);
            fire(no_reason && days > 7, "WINDOW_EXPIRED", Kind::Reject);
            fire(quality && desired != "repair" && days > 15, "QUALITY_WINDOW_EXPIRED", Kind::Reject);
            fire(quality && desired == "repair" && days > 365, "WARRANTY_EXPIRED", Kind::Reject);
            fire(no_reason && NON_RETURNABLE.contains(&category), "NOT_RETURNABLE", Kind::Reject);
            fire(final_sale && no_reason, "FINAL_SALE", Kind::Reject);
            fire(no_reason && desired == "repair", "REPAIR_REQUIRES_DEFECT", Kind::Reject);
            fire(quality && !docs.contains(&"photo"), "EVIDENCE_REQUIRED", Kind::Require);
            fire(text(f, &["reopening", "reason"]) == Some(""), "REOPEN_REASON_REQUIRED", Kind::Require);
        }
        "preparation" => {
            fire(!docs.contains(&"invoice") && !docs.contains(&"receipt"), "PROOF_OF_PURCHASE", Kind::Require)
        }
        "transport" => fire(
            f.get("shipment").is_some() && text(f, &["shipment", "tracking_no"]).is_none_or(str::is_empty),
            "TRACKING_REQUIRED",
            Kind::Require,
        ),
        "inspection" if f.get("inspection").is_some() => {
            let got = int(f, &["inspection", "quantity_received"]).unwrap();
            fire(got == 0, "NOTHING_RECEIVED", Kind::Reject);
            fire(
                no_reason && text(f, &["inspection", "appearance"]) == Some("damaged"),
                "DAMAGED_BY_CUSTOMER",
                Kind::Reject,
            );
            fire(
                reason == Some("defective") && text(f, &["inspection", "quality"]) == Some("ok"),
                "DEFECT_NOT_CONFIRMED",
                Kind::Reject,
            );
        }
        "closed" => fire(
            f.get("refund").is_some() && text(f, &["refund", "status"]) != Some("success"),
            "REFUND_NOT_CONFIRMED",
            Kind::Require,
        ),
        _ => {}
    }
    out
}

/// The goods' value, and the deductions with their amounts (they decide nothing, so
/// they count whatever stage the case is in).
fn deductions(f: &Json) -> (Option<Decimal>, Vec<(&'static str, Kind, Decimal)>) {
    let Some(got) = int(f, &["inspection", "quantity_received"]) else { return (None, Vec::new()) };
    let no_reason = text(f, &["request", "reason"]) == Some("no_reason");
    let asked = int(f, &["request", "quantity"]).unwrap();
    let value = money(text(f, &["item", "unit_price"]).unwrap()) * Decimal::from(asked.min(got));
    let mut out = Vec::new();
    if got > 0 && got < asked {
        out.push(("QUANTITY_SHORT", Kind::Flag, Decimal::ZERO));
    }
    let packaging = text(f, &["inspection", "packaging"]);
    if no_reason && packaging == Some("opened") {
        out.push(("RESTOCKING_FEE", Kind::Deduct, cents(value * Decimal::new(10, 2))));
    }
    if no_reason && packaging == Some("missing") {
        out.push(("PACKAGING_MISSING", Kind::Deduct, cents(value * Decimal::new(20, 2))));
    }
    if no_reason && text(f, &["request", "desired"]) == Some("refund") {
        out.push(("RETURN_SHIPPING", Kind::Deduct, money("10.00")));
    }
    (Some(value), out)
}

const STAGES: [&str; 9] =
    ["application", "review", "preparation", "transport", "inspection", "refund", "closed", "rejected", "cancelled"];

fn is_final(stage: &str) -> bool {
    matches!(stage, "closed" | "rejected" | "cancelled")
}

/// The workflow: (from, event) → (to, else, rejects).
fn transition(from: &str, event: &str) -> Option<(&'static str, Option<&'static str>, bool)> {
    Some(match (from, event) {
        ("application", "submit") => ("review", Some("rejected"), false),
        ("review", "approve") => ("preparation", None, false),
        ("review", "reject") => ("rejected", None, true),
        ("preparation", "ship") => ("transport", None, false),
        ("transport", "receive") => ("inspection", Some("rejected"), false),
        ("inspection", "start_refund") => ("refund", None, false),
        ("inspection", "replacement_sent") => ("closed", None, false),
        ("refund", "refund_update") => ("refund", None, false),
        ("refund", "refund_succeeded") => ("closed", None, false),
        ("application" | "review" | "preparation", "cancel") => ("cancelled", None, false),
        ("rejected", "resubmit") => ("review", Some("rejected"), false),
        ("rejected", "reopen") => ("review", None, false),
        ("closed", "reopen") => ("refund", None, false),
        _ => return None,
    })
}

/// The stages whose rules guard a move, as the README says.
fn guard_stages(from: &'static str, to: &'static str) -> Vec<&'static str> {
    if is_final(from) && !is_final(to) {
        let end = STAGES.iter().position(|s| *s == to).unwrap();
        STAGES[..=end].iter().copied().filter(|s| !is_final(s)).collect()
    } else if from == "application" && to != "application" {
        vec!["application", to]
    } else {
        vec![to]
    }
}

/// What the model predicts for a history.
#[derive(Debug)]
struct Predicted {
    outcomes: Vec<&'static str>,
    stage: &'static str,
    decision: &'static str,
    codes: BTreeSet<&'static str>,
    refund: Option<Decimal>,
    /// The stages whose rules decide (for the comparison with `tenet eval`).
    deciding: BTreeSet<&'static str>,
    facts: Json,
    /// When the case's answer is taken.
    at: DateTime<FixedOffset>,
}

fn predict(h: &Json) -> Predicted {
    let mut facts = h["facts"].clone();
    let now = DateTime::parse_from_rfc3339(h["now"].as_str().unwrap()).unwrap();
    let mut stage: &'static str = "application";
    let mut entered: BTreeSet<&'static str> = BTreeSet::new();
    let mut entered_at = None;
    let mut refused: Vec<&'static str> = Vec::new();
    // The stage a `rejects` transition led to, while the case stays there.
    let mut imposed: Option<&'static str> = None;
    let mut outcomes = Vec::new();
    for e in h["events"].as_array().unwrap() {
        let name = e["event"].as_str().unwrap();
        let at = DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap();
        if entered_at.is_none() {
            entered.insert("application");
            entered_at = Some(at);
        }
        let Some((to, otherwise, rejects)) = transition(stage, name) else {
            outcomes.push("illegal");
            continue;
        };
        if let Some(data) = e.get("data") {
            merge(&mut facts, data);
        }
        let guards = guard_stages(stage, to);
        let fired: Vec<_> = guards.iter().flat_map(|g| guards_of(g, &facts)).collect();
        let position = |s: &str| STAGES.iter().position(|x| *x == s).unwrap();
        // Moving on; going back to an earlier stage sets aside the stages after it.
        let mut go = |stage: &mut &'static str, to: &'static str| {
            if to != *stage {
                if position(to) < position(stage) {
                    entered.retain(|s| position(s) <= position(to));
                }
                *stage = to;
                entered.insert(to);
                entered_at = Some(at);
            }
        };
        if fired.is_empty() {
            outcomes.push("accepted");
            go(&mut stage, to);
            refused.clear();
            if rejects {
                imposed = Some(stage);
            }
        } else {
            outcomes.push("refused");
            refused = guards;
            if let Some(other) = otherwise.filter(|_| fired.iter().any(|f| f.1 == Kind::Reject)) {
                go(&mut stage, other);
            }
        }
        if imposed.is_some_and(|s| s != stage) {
            imposed = None;
        }
    }
    let mut deciding = entered.clone();
    deciding.insert("application");
    deciding.extend(refused.iter().copied());
    let mut codes: BTreeSet<&'static str> = BTreeSet::new();
    let mut kinds: Vec<Kind> = Vec::new();
    if imposed.is_some() {
        codes.insert("REJECTED_BY_REVIEWER");
        kinds.push(Kind::Reject);
    }
    for s in &deciding {
        for (code, kind) in guards_of(s, &facts) {
            codes.insert(code);
            kinds.push(kind);
        }
    }
    let (value, lines) = deductions(&facts);
    let total: Decimal = lines.iter().map(|l| l.2).sum();
    codes.extend(lines.iter().map(|l| l.0));
    let decision = if kinds.contains(&Kind::Reject) {
        "rejected"
    } else if kinds.contains(&Kind::Require) {
        "needs_info"
    } else {
        "approved"
    };
    let refund = match value {
        Some(v) if decision == "approved" && text(&facts, &["request", "desired"]) == Some("refund") => {
            Some((v - total).max(Decimal::ZERO))
        }
        _ => None,
    };
    let at = match entered_at {
        Some(t) if is_final(stage) => t,
        _ => now,
    };
    Predicted { outcomes, stage, decision, codes, refund, deciding, facts, at }
}

// ── The check ──────────────────────────────────────────────────────────────────

fn count() -> usize {
    std::env::var("TENET_TRUTH_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(5_000)
}

fn seed() -> u64 {
    std::env::var("TENET_TRUTH_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(20_261_206)
}

#[test]
fn generated_histories_say_what_the_policy_decided() {
    let policy = support::policy("returns");
    let mut rng = Rng(seed());
    let n = count();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut codes_seen: BTreeSet<String> = BTreeSet::new();
    let mut transitions_seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    for i in 0..n {
        let h = history(&mut rng);
        let file = SourceFile::new(format!("history-{i}.json"), h.to_string());
        let case = Case::parse(&file, Format::Json).unwrap_or_else(|d| panic!("history {i}: {d:?}"));
        let now = DateTime::parse_from_rfc3339(h["now"].as_str().unwrap()).unwrap().to_utc();
        let replay = policy.replay(&case, now).unwrap_or_else(|e| panic!("history {i}: {e}"));
        let view = replay.to_json(None, None, None);
        let want = predict(&h);
        // The service resumes a case from the progress of an earlier read: the same view,
        // whichever event it resumes after.
        if i % 10 == 0 && case.events.len() > 1 {
            let cut = 1 + (i / 10) % (case.events.len() - 1);
            let mut prefix = case.clone();
            prefix.events.truncate(cut);
            let (_, progress) = policy.replay_resuming(&prefix, now, None).unwrap();
            let (resumed, _) = policy.replay_resuming(&case, now, progress.as_ref()).unwrap();
            assert_eq!(resumed.resumed_events(), cut, "history {i} resumed after {cut} events");
            assert_eq!(resumed.to_json(None, None, None), view, "history {i}: resumed after {cut} events");
        }
        let ctx =
            || format!("history {i} (seed {}):\n{}\nview: {view:#}", seed(), serde_json::to_string_pretty(&h).unwrap());

        // 1. Against the hand-written model.
        let outcomes: Vec<&str> = replay.trail().iter().map(|s| s.outcome().as_str()).collect();
        assert_eq!(outcomes, want.outcomes, "event outcomes; {}", ctx());
        assert_eq!(view["stage"], want.stage, "stage; {}", ctx());
        assert_eq!(view["decision"], want.decision, "decision; {}", ctx());
        let codes: BTreeSet<&str> = view["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(codes, want.codes, "codes; {}", ctx());
        let refund = view.get("refund").and_then(|r| r["amount"].as_str()).map(money);
        assert_eq!(refund, want.refund, "refund; {}", ctx());
        if want.decision == "rejected" {
            assert!(view.get("refund").is_none(), "a rejected case shows no refund; {}", ctx());
        }
        let pending: BTreeSet<&str> =
            view["pending"].as_array().unwrap().iter().map(|p| p["stage"].as_str().unwrap()).collect();
        assert!(pending.iter().all(|s| !want.deciding.contains(s)), "pending never hides a decision; {}", ctx());
        assert_eq!(view["facts"], want.facts, "the facts gathered; {}", ctx());

        // 2. Against `tenet eval` on the facts the case gathered, at the README's instant,
        //    with the rules of the stages not reached set aside.
        let facts = policy.facts_from_json(&want.facts.to_string()).unwrap();
        let eval = policy.evaluate(&facts, want.at.to_utc()).unwrap();
        let deciding = |f: &tenet::eval::Finding<'_>| {
            !matches!(f.kind(), tenet::eval::Kind::Reject | tenet::eval::Kind::Require)
                || f.stage().is_none_or(|s| want.deciding.contains(s))
        };
        let mut eval_codes: BTreeSet<&str> = eval.findings().iter().filter(|f| deciding(f)).map(|f| f.code()).collect();
        if want.codes.contains("REJECTED_BY_REVIEWER") {
            // Imposed by the workflow, not a rule: `tenet eval` cannot know it.
            eval_codes.insert("REJECTED_BY_REVIEWER");
        }
        assert_eq!(eval_codes, codes, "codes against tenet eval; {}", ctx());
        if eval.decision().as_str() == want.decision && want.decision == "approved" {
            let amount = eval.outputs().find(|o| o.name() == "refund_amount").map(|o| money(&o.text()));
            assert_eq!(amount, refund, "refund against tenet eval; {}", ctx());
        }

        seen.insert((want.stage.to_owned(), want.decision.to_owned()));
        codes_seen.extend(codes.iter().map(|c| (*c).to_owned()));
        for s in replay.trail().iter().filter(|s| s.outcome() == Outcome::Accepted) {
            transitions_seen.insert((s.from().to_owned(), s.event().to_owned(), s.to().unwrap_or(s.from()).to_owned()));
        }
    }
    // The generator reaches every transition and the outcomes that matter, so a pass
    // means something.
    if n >= 5_000 {
        for (from, event) in [
            ("application", "submit"),
            ("review", "approve"),
            ("review", "reject"),
            ("preparation", "ship"),
            ("transport", "receive"),
            ("inspection", "start_refund"),
            ("inspection", "replacement_sent"),
            ("refund", "refund_update"),
            ("refund", "refund_succeeded"),
            ("application", "cancel"),
            ("review", "cancel"),
            ("preparation", "cancel"),
            ("rejected", "resubmit"),
            ("rejected", "reopen"),
            ("closed", "reopen"),
        ] {
            assert!(
                transitions_seen.iter().any(|(f, e, _)| f == from && e == event),
                "no generated history takes {from} --{event}-->"
            );
        }
        for pair in [
            ("rejected", "rejected"),
            ("review", "needs_info"),
            ("application", "needs_info"),
            ("closed", "approved"),
            ("refund", "approved"),
            ("cancelled", "approved"),
            ("preparation", "needs_info"),
            ("rejected", "needs_info"),
        ] {
            assert!(seen.contains(&(pair.0.to_owned(), pair.1.to_owned())), "no history ends {pair:?}; seen {seen:?}");
        }
        for code in [
            "REJECTED_BY_REVIEWER",
            "DAMAGED_BY_CUSTOMER",
            "WINDOW_EXPIRED",
            "PROOF_OF_PURCHASE",
            "REOPEN_REASON_REQUIRED",
        ] {
            assert!(codes_seen.contains(code), "no history ends with {code}");
        }
    }
    eprintln!("{n} generated histories checked (seed {}); {} stage/decision pairs", seed(), seen.len());
}

/// Every history shipped with the project (the examples and `tests/cases/*/histories`):
/// `tenet eval` on the facts the case gathered, at the README's instant, with the rules
/// the view lists as pending set aside, gives the case's decision and codes (a rejection
/// a transition imposed aside, which no rule states).
#[test]
fn every_shipped_history_agrees_with_tenet_eval() {
    let root = support::root();
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["examples/cases", "tests/cases/returns/histories", "tests/cases/signing/histories"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 40, "{} histories", files.len());
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let case = Case::parse(&SourceFile::new(path.display().to_string(), text), Format::Yaml).unwrap();
        let name = if path.starts_with(root.join("tests/cases/signing")) || path.ends_with("agreement-history.yaml") {
            "signing"
        } else {
            "returns"
        };
        let policy = support::policy(name);
        let now = case.now.expect("a history fixes now");
        let replay = policy.replay(&case, now).unwrap();
        let view = replay.to_json(None, None, None);
        let at = if replay.is_final() { replay.entered_at().unwrap() } else { now };
        let facts = policy.facts_from_json(&view["facts"].to_string()).unwrap();
        let eval = policy.evaluate(&facts, at).unwrap();
        let pending: BTreeSet<(&str, &str)> = view["pending"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["code"].as_str().unwrap(), p["stage"].as_str().unwrap()))
            .collect();
        let kept: Vec<&tenet::eval::Finding<'_>> =
            eval.findings().iter().filter(|f| !pending.contains(&(f.code(), f.stage().unwrap_or_default()))).collect();
        let imposed: Vec<&str> = view["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f.get("event").is_some())
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let mut want: BTreeSet<&str> = kept.iter().map(|f| f.code()).collect();
        want.extend(imposed.iter().copied());
        let got: BTreeSet<&str> = view["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(got, want, "{}: codes", path.display());
        let kinds: Vec<&str> = kept.iter().map(|f| f.kind().as_str()).chain(imposed.iter().map(|_| "reject")).collect();
        let decision = if kinds.contains(&"reject") {
            "rejected"
        } else if kinds.contains(&"require") {
            "needs_info"
        } else {
            "approved"
        };
        assert_eq!(view["decision"], decision, "{}: decision", path.display());
    }
}
