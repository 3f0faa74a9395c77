//! Workflow replay: the bundled examples (snapshotted), guards that name their rules,
//! deadlines on business calendars, and events that cannot apply.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use tenet::Policy;
use tenet::facts::Format;
use tenet::source::SourceFile;
use tenet::workflow::{Case, DeadlineStatus, Outcome, Replay, ReplayError};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a datetime")
}

/// The case file and the policy it names (relative to the case file).
fn load(path: &Path) -> (Policy, Case) {
    let file = tenet::source::read_source(path).expect("readable case");
    let case = Case::parse(&file, Format::Yaml).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
    let policy_path = path.parent().expect("folder").join(case.policy.as_deref().expect("the case names its policy"));
    let policy = Policy::load(&policy_path).unwrap_or_else(|e| panic!("{e}"));
    (policy, case)
}

fn to_json(case: &Case, r: &Replay<'_>) -> Json {
    r.to_json(case.id.as_deref(), case.name.as_deref(), None)
}

/// Loads the example at `path` and replays it at its `now` into `$r`.
macro_rules! replayed {
    ($path:expr => $policy:ident, $case:ident, $r:ident) => {
        let ($policy, $case) = load(&$path);
        let now = $case.now.expect("examples give now");
        let $r = $policy.replay(&$case, now).expect("replays");
    };
}

#[test]
fn example_replays() {
    insta::glob!("../examples/cases", "*.yaml", |path| {
        replayed!(path => policy, case, r);
        let text = std::fs::read_to_string(path).expect("readable");
        insta::with_settings!({ description => text, omit_expression => true }, {
            insta::assert_json_snapshot!(to_json(&case, &r));
        });
    });
}

#[test]
fn a_full_return_ends_refunded_with_its_follow_up() {
    replayed!(support::root().join("examples/cases/return-refunded.yaml") => policy, case, r);
    let v = to_json(&case, &r);
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["final"], true);
    assert!(r.trail().iter().all(|s| s.outcome() == Outcome::Accepted));
    assert_eq!(v["outputs"]["refund_status"], "success", "where is my refund? answered");
    assert_eq!(v["outputs"]["refund_amount"], "349.10");
    assert_eq!(v["actions"][0]["kind"], "follow_up");
    assert_eq!(v["actions"][0]["due"], "2026-11-13T16:00:00+08:00", "3 days after closing");
    let statuses: Vec<&str> = r.deadlines().iter().map(|d| d.status().as_str()).collect();
    assert_eq!(statuses, ["met", "met"]);
    // Closed rests the case; only a supervisor's reopening leaves it.
    assert_eq!(v["next_events"], serde_json::json!([{"event": "reopen", "to": "refund", "by": ["supervisor"]}]));
    assert_eq!(v["decision"], "approved");
    assert_eq!(v["refund"]["amount"], "349.10");
}

#[test]
fn a_late_request_is_rejected_at_review() {
    replayed!(support::root().join("examples/cases/return-rejected-at-review.yaml") => policy, case, r);
    let v = to_json(&case, &r);
    assert_eq!(v["stage"], "rejected");
    assert_eq!(v["trail"][0]["outcome"], "refused");
    assert_eq!(v["trail"][0]["to"], "rejected");
    assert_eq!(v["trail"][0]["findings"][0]["code"], "WINDOW_EXPIRED");
    assert_eq!(v["trail"][0]["findings"][0]["stage"], "review");
    assert_eq!(v["trail"][1]["outcome"], "illegal", "a rejected case takes no more events");
    assert_eq!(v["actions"][0]["kind"], "explain_rejection");
    assert_eq!(v["actions"][0]["due"], "2026-11-10T10:00:00+08:00", "24 hours after the rejection");
    // The case says what the policy decided: rejected, for the reason that refused it.
    assert_eq!(v["decision"], "rejected");
    assert_eq!(v["codes"], serde_json::json!(["WINDOW_EXPIRED"]));
    assert_eq!(v["pending"], serde_json::json!([]), "a reason that decided is never only pending");
    assert_eq!(v.get("refund"), None, "a rejected case is owed no refund");
}

#[test]
fn a_review_left_waiting_is_overdue_after_two_business_days() {
    replayed!(support::root().join("examples/cases/return-overdue-review.yaml") => policy, case, r);
    let v = to_json(&case, &r);
    assert_eq!(v["stage"], "review");
    assert_eq!(v["trail"][0]["outcome"], "refused");
    assert_eq!(v["trail"][0]["findings"][0]["code"], "EVIDENCE_REQUIRED");
    assert_eq!(v["trail"][0].get("to"), None, "a require leaves the case where it was");
    assert_eq!(v["trail"][2]["outcome"], "illegal");
    // Entered review Friday 17:45; two business days later is Tuesday 17:45.
    assert_eq!(v["deadlines"][0]["due"], "2026-11-24T17:45:00+08:00");
    assert_eq!(v["deadlines"][0]["overdue"], true);
    let events: Vec<&str> = r.next().map(|(event, _)| event).collect();
    assert_eq!(events, ["approve", "reject", "cancel"]);
}

#[test]
fn the_agreement_reaches_performance_after_its_guards_pass() {
    replayed!(support::root().join("examples/cases/agreement-history.yaml") => policy, case, r);
    let v = to_json(&case, &r);
    assert_eq!(v["stage"], "performing");
    let codes: Vec<&str> = r.trail().iter().flat_map(|s| s.findings().iter().map(|f| f.code())).collect();
    assert_eq!(codes, ["NDA_REQUIRED", "PARTY_B_APPROVAL", "SEALS_REQUIRED", "TERM_NOT_STARTED"]);
    // 2026-01-04 is a make-up working Sunday: the kickoff is two working days later.
    let kickoff = v["actions"].as_array().expect("actions").iter().find(|a| a["kind"] == "kickoff").expect("kickoff");
    assert_eq!(kickoff["due"], "2026-01-06T09:00:00+08:00");
}

const MINI: &str = r#"
policy mini version "1"
timezone "Asia/Shanghai"
currency CNY
input { amount: money, note: text? }
rule "须有备注" at done when note is missing require NOTE_REQUIRED "请写备注。" en "Add a note."
workflow w {
  stages open, done
  initial open
  final done
  events close, poke
  open -> done on close
  open -> open on poke
  deadline open within 3 hours of entering
}
"#;

fn mini_case(events: &[&str]) -> Case {
    let text = format!("facts: {{ amount: '10.00' }}\nevents:\n  - {}\n", events.join("\n  - "));
    Case::parse(&SourceFile::new("mini.yaml", text), Format::Yaml).expect("a valid case")
}

fn mini() -> Policy {
    Policy::from_text("mini.tenet", MINI).expect("valid")
}

#[test]
fn illegal_events_are_reported_and_change_nothing() {
    let policy = mini();
    let case = mini_case(&[
        "{ at: '2026-11-02T10:00:00+08:00', event: poke }",
        "{ at: '2026-11-02T09:00:00+08:00', event: close, data: { note: early } }",
        "{ at: '2026-11-02T11:00:00+08:00', event: clsoe }",
        "{ at: '2026-11-02T11:30:00+08:00', event: close, data: { amount: lots } }",
        "{ at: '2026-11-09T11:00:00+08:00', event: close }",
    ]);
    let r = policy.replay(&case, at("2026-11-03T00:00:00+08:00")).expect("replays");
    let reasons: Vec<String> = r.trail().iter().filter_map(|s| s.reason().map(|m| m.en.clone())).collect();
    assert_eq!(r.trail()[0].outcome(), Outcome::Accepted);
    assert!(reasons[0].contains("earlier than the one before it"), "{reasons:?}");
    assert!(reasons[1].contains("did you mean `close`?"), "{reasons:?}");
    assert!(reasons[2].contains("amount"), "the bad data names its path: {reasons:?}");
    assert!(reasons[3].contains("after the evaluation instant"), "{reasons:?}");
    assert!(r.trail()[1..].iter().all(|s| s.outcome() == Outcome::Illegal && s.to().is_none()));
    assert_eq!(r.stage(), "open", "still open");
    assert_eq!(r.deadlines()[0].status(), DeadlineStatus::Overdue, "3 hours after 10:00 is long past");
    assert_eq!(
        r.deadlines()[0].due(),
        at("2026-11-02T13:00:00+08:00"),
        "staying in a stage does not restart its clock"
    );
}

#[test]
fn a_refused_event_keeps_its_data_and_the_next_one_can_pass() {
    let policy = mini();
    let case = mini_case(&[
        "{ at: '2026-11-02T10:00:00+08:00', event: close }",
        "{ at: '2026-11-02T10:05:00+08:00', event: poke, data: { note: done } }",
        "{ at: '2026-11-02T10:10:00+08:00', event: close }",
    ]);
    let r = policy.replay(&case, at("2026-11-03T00:00:00+08:00")).expect("replays");
    let outcomes: Vec<Outcome> = r.trail().iter().map(|s| s.outcome()).collect();
    assert_eq!(outcomes, [Outcome::Refused, Outcome::Accepted, Outcome::Accepted]);
    assert_eq!(r.trail()[0].findings()[0].code(), "NOTE_REQUIRED");
    assert_eq!(r.stage(), "done");
    assert_eq!(r.deadlines()[0].status(), DeadlineStatus::Met);
}

#[test]
fn replay_is_a_pure_function_of_policy_case_and_now() {
    let path = support::root().join("examples/cases/return-refunded.yaml");
    replayed!(path => policy, case, first);
    replayed!(path => other, other_case, second);
    assert_eq!(to_json(&case, &first), to_json(&other_case, &second));
    let later = policy.replay(&case, at("2026-12-31T00:00:00+08:00")).expect("replays");
    assert_eq!(first.trail(), later.trail(), "now only changes how deadlines stand");
    drop(other);
}

#[test]
fn bad_case_files_name_the_path() {
    let file = SourceFile::new(
        "bad.yaml",
        "facts: {}\nevnts: []\nevents:\n  - { event: close }\n  - { at: yesterday, event: close, bye: me }\n",
    );
    let diags = Case::parse(&file, Format::Yaml).expect_err("invalid");
    let paths: Vec<&str> = diags.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(paths, ["evnts", "events[0].at", "events[1].at", "events[1].bye"]);
    assert!(diags[0].help.as_ref().is_some_and(|h| h.en.contains("did you mean `events`?")));
    assert!(diags[3].help.as_ref().is_some_and(|h| h.en.contains("known keys: at, event, by, note, data")));
}

#[test]
fn invalid_starting_facts_replay_nothing_and_a_policy_without_workflow_is_refused() {
    let policy = mini();
    let case =
        Case::parse(&SourceFile::new("c.yaml", "facts: { amount: two }\nevents: []\n"), Format::Yaml).expect("case");
    assert!(matches!(policy.replay(&case, at("2026-11-03T00:00:00Z")), Err(ReplayError::InvalidFacts(_))));
    let plain = Policy::from_text(
        "p.tenet",
        "policy p version \"1\"\ntimezone \"UTC\"\ncurrency CNY\ninput { amount: money }\n",
    )
    .expect("valid");
    let case = Case::parse(&SourceFile::new("c.yaml", "facts: { amount: '1.00' }\n"), Format::Yaml).expect("case");
    assert!(matches!(plain.replay(&case, at("2026-11-03T00:00:00Z")), Err(ReplayError::NoWorkflow(_))));
}

#[test]
fn workflow_texts_say_the_numbers_of_their_consts() {
    let path = support::root().join("examples/cases/return-refunded.yaml");
    let (_, case) = load(&path);
    let text = std::fs::read_to_string(support::root().join("rules/returns.tenet")).expect("policy");
    let edited = text.replace("const follow_up_delay = 3 days", "const follow_up_delay = 5 days");
    assert_ne!(edited, text, "the const is in the policy");
    let name = support::root().join("rules/returns-edited.tenet");
    let policy = Policy::from_source(&SourceFile::new(name.display().to_string(), edited)).expect("valid");
    let r = policy.replay(&case, case.now.expect("now")).expect("replays");
    let follow_up = r.actions().iter().find(|a| a.action() == "follow_up").expect("scheduled on closing");
    let message = follow_up.message().expect("a text");
    assert!(message.zh().starts_with("结案 5 天后"), "{}", message.zh());
    assert!(message.en().is_some_and(|en| en.starts_with("5 days after closing")), "{message:?}");

    // A fact has no single value for the workflow's text: refused, naming the place.
    let bad = MINI
        .replace("deadline open within 3 hours of entering", "deadline open within 3 hours of entering \"{amount}\"");
    let errors = Policy::from_text("mini.tenet", &bad).expect_err("a fact in a workflow text").diagnostics();
    assert!(errors.iter().any(|d| d.code == "workflow-text"), "{errors:?}");
}

/// One meaning per phrase: `N days` and `N cal days` after an instant give the same due
/// time in an expression as in a deadline, across a daylight-saving change too.
#[test]
fn a_duration_means_the_same_in_an_expression_and_in_a_deadline() {
    let text = r#"
policy dst version "1"
timezone "Europe/Berlin"
currency EUR
calendar office { monday..friday 09:00-17:00 }
input { opened: datetime }
output plus_one_day = opened + 1 days
output plus_24_hours = opened + 24 hours
output plus_25_hours = opened + 25 hours
output plus_three_office_days = opened + 3 office days
output plus_three_office_hours = opened + 3 office hours
workflow w {
  stages open, done
  initial open
  final done
  events close, poke
  open -> done on close
  open -> open on poke
  deadline open within 1 days of entering
  deadline open within 3 office days of entering
  deadline open within 3 office hours of entering
}
"#;
    let policy = Policy::from_text("dst.tenet", text).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics()));
    // Saturday 28 March 2026, 12:00 in Berlin; the clocks go forward that night.
    let opened = "2026-03-28T12:00:00+01:00";
    let facts = policy.facts_from_text(&format!(r#"{{"opened": "{opened}"}}"#), Format::Json).expect("facts");
    let now = at("2026-03-28T13:00:00+01:00");
    let eval = policy.explain(&facts, now).expect("evaluates");
    let out = eval.to_json(None)["outputs"].clone();
    // A day is the same wall-clock time the next day: 23 hours here, not 24.
    assert_eq!(out["plus_one_day"], "2026-03-29T12:00:00+02:00");
    assert_eq!(out["plus_24_hours"], "2026-03-29T12:00:00+02:00", "24 hours is a whole day too");
    assert_eq!(out["plus_25_hours"], "2026-03-29T14:00:00+02:00", "anything else is exact");
    // Three working days: Monday, Tuesday, Wednesday, at the same local time.
    assert_eq!(out["plus_three_office_days"], "2026-04-01T12:00:00+02:00");
    assert_eq!(out["plus_three_office_hours"], "2026-03-30T12:00:00+02:00");
    // The case opens with a poke at the same instant and stays open.
    let case = Case::parse(
        &SourceFile::new(
            "dst.yaml",
            format!("facts: {{ opened: '{opened}' }}\nevents:\n  - {{ at: '{opened}', event: poke }}\n"),
        ),
        Format::Yaml,
    )
    .expect("a valid case");
    let r = policy.replay(&case, now).expect("replays");
    let dues: Vec<String> = r.deadlines().iter().map(|d| d.due().to_rfc3339()).collect();
    let same = |name: &str| at(out[name].as_str().expect("a datetime")).to_rfc3339();
    assert_eq!(dues, [same("plus_one_day"), same("plus_three_office_days"), same("plus_three_office_hours")]);
}

/// While the refund runs, the closing guard (`at closed`) is pending, not the decision:
/// the amount and its due time stay on the view, and an update says what it changed.
#[test]
fn during_the_refund_the_amount_stays_and_updates_say_what_changed() {
    let (policy, mut case) = load(&support::root().join("examples/cases/return-refunded.yaml"));
    case.events.truncate(5); // up to start_refund
    let update = tenet::workflow::Event::from_raw(
        "",
        &serde_json::from_str(
            r#"{"at": "2026-11-09T15:00:00+08:00", "event": "refund_update", "by": "finance",
                "data": {"refund": {"status": "abnormal", "note": "账户信息有误"}}}"#,
        )
        .unwrap(),
    )
    .unwrap();
    case.events.push(update);
    let r = policy.replay(&case, at("2026-11-09T08:00:00Z")).unwrap();
    assert_eq!(r.stage(), "refund");
    let e = r.evaluation().expect("evaluated");
    assert_eq!(e.decision().as_str(), "approved", "the closing guard does not decide a case still in refund");
    let pending: Vec<&str> = e.pending().iter().map(|f| f.code()).collect();
    assert_eq!(pending, ["REFUND_NOT_CONFIRMED"]);
    assert!(!e.codes().contains(&"REFUND_NOT_CONFIRMED"));
    let refund = r.refund_json().expect("a refund");
    assert_eq!(refund["amount"], "349.10");
    assert_eq!(refund["due"], "2026-11-15T14:00:00+08:00");
    assert_eq!(refund["status"], "abnormal");
    assert_eq!(refund["method"], "alipay");
    assert_eq!(refund["note"], "账户信息有误");
    let changes: Vec<String> = r.trail()[5]
        .changes()
        .iter()
        .map(|c| format!("{}: {:?} -> {:?}", c.path, c.from.as_ref().map(|f| f.to_json()), c.to.to_json()))
        .collect();
    assert_eq!(
        changes,
        [
            r#"refund.status: Some(String("processing")) -> String("abnormal")"#,
            r#"refund.note: None -> String("账户信息有误")"#
        ]
    );
    // Once closed, nothing is pending: the guard was passed on the way in.
    let (policy, case) = load(&support::root().join("examples/cases/return-refunded.yaml"));
    let r = policy.replay(&case, case.now.unwrap()).unwrap();
    assert!(r.evaluation().unwrap().pending().is_empty());
    assert_eq!(r.evaluation().unwrap().decision().as_str(), "approved");
}

/// In review, the proof of purchase that approval will ask for is pending — listed,
/// not the decision; once the case is past the guard, a failing guard of a reached
/// stage decides again.
#[test]
fn guards_of_stages_ahead_are_pending_and_reached_ones_decide() {
    let (policy, mut case) = load(&support::root().join("examples/cases/return-refunded.yaml"));
    case.events.truncate(1); // submitted: in review
    case.facts =
        tenet::workflow::merge(&case.facts, &serde_json::from_str(r#"{"request": {"documents": []}}"#).unwrap());
    let r = policy.replay(&case, at("2026-11-05T02:00:00Z")).unwrap();
    assert_eq!(r.stage(), "review");
    let e = r.evaluation().unwrap();
    assert_eq!(e.pending().iter().map(|f| f.code()).collect::<Vec<_>>(), ["PROOF_OF_PURCHASE"]);
    assert_eq!(e.decision().as_str(), "approved");
    // Approval is refused by that guard; the case stays in review with it pending.
    let approve = tenet::workflow::Event::from_raw(
        "",
        &serde_json::from_str(r#"{"at": "2026-11-05T15:30:00+08:00", "event": "approve"}"#).unwrap(),
    )
    .unwrap();
    case.events.push(approve);
    let r = policy.replay(&case, at("2026-11-06T00:00:00Z")).unwrap();
    assert_eq!(r.trail()[1].outcome(), Outcome::Refused);
    assert_eq!(r.stage(), "review");
    // In refund, a guard of a stage already reached (inspection) that fails decides.
    let (policy, mut case) = load(&support::root().join("examples/cases/return-refunded.yaml"));
    case.events.truncate(5);
    let update = tenet::workflow::Event::from_raw(
        "",
        &serde_json::from_str(
            r#"{"at": "2026-11-09T15:00:00+08:00", "event": "refund_update", "data": {"inspection": {"quantity_received": 0}}}"#,
        )
        .unwrap(),
    )
    .unwrap();
    case.events.push(update);
    let r = policy.replay(&case, at("2026-11-09T08:00:00Z")).unwrap();
    let e = r.evaluation().unwrap();
    assert_eq!(e.decision().as_str(), "rejected");
    assert!(e.codes().contains(&"NOTHING_RECEIVED"));
    assert!(e.pending().iter().all(|f| f.code() != "NOTHING_RECEIVED"));
}

/// Resuming from a checkpoint gives exactly the full replay, for every example and every
/// split of its events; a checkpoint that does not continue the case is not used.
#[test]
fn resuming_from_a_checkpoint_is_the_full_replay() {
    for name in [
        "return-refunded.yaml",
        "return-overdue-review.yaml",
        "return-rejected-at-review.yaml",
        "agreement-history.yaml",
    ] {
        let (policy, case) = load(&support::root().join("examples/cases").join(name));
        let now = case.now.unwrap();
        let full = to_json(&case, &policy.replay(&case, now).unwrap());
        for k in 0..=case.events.len() {
            let mut prefix = case.clone();
            prefix.events.truncate(k);
            let (_, checkpoint) = policy.replay_resuming(&prefix, now, None).unwrap();
            let checkpoint = checkpoint.expect("no event after now");
            assert_eq!(checkpoint.events(), k);
            let (resumed, next) = policy.replay_resuming(&case, now, Some(&checkpoint)).unwrap();
            assert_eq!(resumed.resumed_events(), k, "{name}: resumed after {k}");
            assert_eq!(to_json(&case, &resumed), full, "{name}: resumed after {k} events");
            let next = next.unwrap();
            assert_eq!(next.events(), case.events.len());
            // The progress handed back serves the next read just as well.
            let (again, _) = policy.replay_resuming(&case, now, Some(&next)).unwrap();
            assert_eq!(again.resumed_events(), case.events.len());
            assert_eq!(to_json(&case, &again), full, "{name}: read again after {k} events");
        }
    }
    let (policy, case) = load(&support::root().join("examples/cases/return-refunded.yaml"));
    let now = case.now.unwrap();
    let (_, checkpoint) = policy.replay_resuming(&case, now, None).unwrap();
    let checkpoint = checkpoint.unwrap();
    // Other starting facts, other events, an earlier `now`, another policy: from the start.
    let mut other = case.clone();
    other.facts =
        tenet::workflow::merge(&other.facts, &serde_json::from_str(r#"{"request": {"quantity": 2}}"#).unwrap());
    assert_eq!(policy.replay_resuming(&other, now, Some(&checkpoint)).unwrap().0.resumed_events(), 0);
    let mut fewer = case.clone();
    fewer.events.pop();
    assert_eq!(policy.replay_resuming(&fewer, now, Some(&checkpoint)).unwrap().0.resumed_events(), 0);
    let early = at("2026-11-09T00:00:00Z");
    let (r, kept) = policy.replay_resuming(&case, early, Some(&checkpoint)).unwrap();
    assert_eq!(r.resumed_events(), 0);
    assert!(kept.is_none(), "events after now: no checkpoint");
    assert_eq!(to_json(&case, &r), to_json(&case, &policy.replay(&case, early).unwrap()));
    let twin = Policy::load(support::root().join("rules/returns.tenet")).unwrap();
    assert_eq!(twin.replay_resuming(&case, now, Some(&checkpoint)).unwrap().0.resumed_events(), 0);
}

/// `deadline refund by refund_due`: the deadline and the output are one instant, even
/// when the warehouse records the receipt later than the inspection it reports.
#[test]
fn a_deadline_by_a_value_is_that_value() {
    let (policy, mut case) = load(&support::root().join("examples/cases/return-refunded.yaml"));
    case.events.truncate(4); // received and inspected
    // Recorded a day after the inspection it reports.
    case.events[3].at = at("2026-11-09T06:00:00Z");
    let r = policy.replay(&case, at("2026-11-10T00:00:00Z")).unwrap();
    assert_eq!(r.stage(), "inspection");
    let refund_due = r.evaluation().unwrap().value("refund_due").cloned();
    let deadline = r.deadlines().iter().find(|d| d.stage() == "refund").expect("the refund deadline shows");
    assert_eq!(refund_due, Some(tenet::value::Value::DateTime(deadline.due())));
    assert_eq!(deadline.due(), at("2026-11-15T06:00:00Z"), "7 days after inspected_at, not after the event");
    assert_eq!(deadline.within().en, "by refund_due");
    // Before the value is known (not inspected yet), there is no refund deadline.
    case.events.truncate(3);
    let r = policy.replay(&case, at("2026-11-07T00:00:00Z")).unwrap();
    assert!(r.deadlines().iter().all(|d| d.stage() != "refund"));
}
