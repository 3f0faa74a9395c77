//! Workflow replay: the bundled examples (snapshotted), guards that name their rules,
//! deadlines on business calendars, and events that cannot apply.

mod support;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use tenet::Policy;
use tenet::facts::Format;
use tenet::source::SourceFile;
use tenet::workflow::case::Case;
use tenet::workflow::replay::{DeadlineStatus, Outcome, Replay, ReplayError};
use tenet::workflow::report;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a datetime")
}

/// The case file and the policy it names (relative to the case file).
fn load(path: &Path) -> (Policy, Case) {
    let file = tenet::source::read_source(path).expect("readable case");
    let case = Case::parse(&file, Format::Yaml).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
    let policy_path = path.parent().expect("folder").join(case.policy.as_deref().expect("the case names its policy"));
    let source = tenet::source::read_source(&policy_path).expect("readable policy");
    let policy = Policy::from_source(&source).unwrap_or_else(|d| panic!("{d:?}"));
    (policy, case)
}

fn replayed(path: &Path) -> (Policy, Case, Replay) {
    let (policy, case) = load(path);
    let now = case.now.expect("examples give now");
    let result = policy.replay(&case, now).expect("replays");
    (policy, case, result)
}

fn to_json(policy: &Policy, case: &Case, r: &Replay) -> Json {
    let wf = policy.program().workflow.as_deref().expect("workflow");
    report::to_json(policy.program(), wf, r, case.name.as_deref(), None)
}

fn examples() -> Vec<std::path::PathBuf> {
    support::files(&support::root().join("examples/cases"), "yaml")
}

#[test]
fn example_replays() {
    insta::glob!("../examples/cases", "*.yaml", |path| {
        let (policy, case, r) = replayed(path);
        let text = std::fs::read_to_string(path).expect("readable");
        insta::with_settings!({ description => text, omit_expression => true }, {
            insta::assert_json_snapshot!(to_json(&policy, &case, &r));
        });
    });
}

#[test]
fn every_refused_transition_names_its_rule() {
    let mut refused = 0;
    for path in examples() {
        let (policy, case, r) = replayed(&path);
        let program = policy.program();
        let wf = program.workflow.as_deref().expect("workflow");
        for step in r.trail.iter().filter(|s| s.outcome == Outcome::Refused) {
            refused += 1;
            assert!(!step.findings.is_empty(), "{}: event {} refused without a finding", path.display(), step.index);
            let event = wf.event(&step.event).expect("declared event");
            let target = wf.transition(step.from, event).expect("a transition").to;
            for f in &step.findings {
                let rule = program.rules.iter().find(|r| r.name == f.rule).expect("the finding names a real rule");
                let tag = rule.stage.as_deref().expect("guard rules carry a stage");
                let guarded = [&*wf.stages[target], &*wf.stages[wf.initial]];
                assert!(guarded.contains(&tag), "{}: {} guards {tag}", path.display(), f.rule);
                assert!(f.message.is_some(), "a refusal tells the user why");
            }
        }
        assert_eq!(case.events.len(), r.trail.len(), "every event is in the trail");
    }
    assert!(refused >= 4, "the examples show refusals ({refused})");
}

#[test]
fn a_full_return_ends_refunded_with_its_follow_up() {
    let (policy, case, r) = replayed(&support::root().join("examples/cases/return-refunded.yaml"));
    let v = to_json(&policy, &case, &r);
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["final"], true);
    assert!(r.trail.iter().all(|s| s.outcome == Outcome::Accepted));
    assert_eq!(v["outputs"]["refund_status"], "success", "where is my refund? answered");
    assert_eq!(v["outputs"]["refund_amount"], "349.10");
    assert_eq!(v["actions"][0]["kind"], "follow_up");
    assert_eq!(v["actions"][0]["at"], "2026-11-13T16:00:00+08:00", "3 days after closing");
    let statuses: Vec<&str> = r.deadlines.iter().map(|d| d.status.as_str()).collect();
    assert_eq!(statuses, ["met", "met"]);
    assert_eq!(v["next"], serde_json::json!([]));
}

#[test]
fn a_late_request_is_rejected_at_review() {
    let (policy, case, r) = replayed(&support::root().join("examples/cases/return-rejected-at-review.yaml"));
    let v = to_json(&policy, &case, &r);
    assert_eq!(v["stage"], "rejected");
    assert_eq!(v["trail"][0]["outcome"], "refused");
    assert_eq!(v["trail"][0]["to"], "rejected");
    assert_eq!(v["trail"][0]["findings"][0]["code"], "WINDOW_EXPIRED");
    assert_eq!(v["trail"][0]["findings"][0]["stage"], "review");
    assert_eq!(v["trail"][1]["outcome"], "illegal", "a rejected case takes no more events");
    assert_eq!(v["actions"][0]["kind"], "explain_rejection");
    assert_eq!(v["actions"][0]["at"], "2026-11-10T10:00:00+08:00", "24 hours after the rejection");
}

#[test]
fn a_review_left_waiting_is_overdue_after_two_business_days() {
    let (policy, case, r) = replayed(&support::root().join("examples/cases/return-overdue-review.yaml"));
    let v = to_json(&policy, &case, &r);
    assert_eq!(v["stage"], "review");
    assert_eq!(v["trail"][0]["outcome"], "refused");
    assert_eq!(v["trail"][0]["findings"][0]["code"], "EVIDENCE_REQUIRED");
    assert_eq!(v["trail"][0].get("to"), None, "a require leaves the case where it was");
    assert_eq!(v["trail"][2]["outcome"], "illegal");
    // Entered review Friday 17:45; two business days later is Tuesday 17:45.
    assert_eq!(v["deadlines"][0]["due"], "2026-11-24T17:45:00+08:00");
    assert_eq!(v["deadlines"][0]["overdue"], true);
    let events: Vec<&str> =
        r.next.iter().map(|&(e, _)| &*policy.program().workflow.as_ref().expect("wf").events[e]).collect();
    assert_eq!(events, ["approve", "reject"]);
}

#[test]
fn the_agreement_reaches_performance_after_its_guards_pass() {
    let (policy, case, r) = replayed(&support::root().join("examples/cases/agreement-history.yaml"));
    let v = to_json(&policy, &case, &r);
    assert_eq!(v["stage"], "performing");
    let codes: Vec<&str> = r.trail.iter().flat_map(|s| s.findings.iter().map(|f| &*f.code)).collect();
    assert_eq!(codes, ["NDA_REQUIRED", "PARTY_B_APPROVAL", "SIGNATORIES_REQUIRED", "TERM_NOT_STARTED"]);
    // 2026-01-04 is a make-up working Sunday: the kickoff is two working days later.
    let kickoff = v["actions"].as_array().expect("actions").iter().find(|a| a["kind"] == "kickoff").expect("kickoff");
    assert_eq!(kickoff["at"], "2026-01-06T09:00:00+08:00");
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
    let reasons: Vec<String> = r.trail.iter().filter_map(|s| s.reason.as_ref().map(|m| m.en.clone())).collect();
    assert_eq!(r.trail[0].outcome, Outcome::Accepted);
    assert!(reasons[0].contains("earlier than the one before it"), "{reasons:?}");
    assert!(reasons[1].contains("did you mean `close`?"), "{reasons:?}");
    assert!(reasons[2].contains("amount"), "the bad data names its path: {reasons:?}");
    assert!(reasons[3].contains("after the evaluation instant"), "{reasons:?}");
    assert!(r.trail[1..].iter().all(|s| s.outcome == Outcome::Illegal && s.to.is_none()));
    assert_eq!(r.stage, 0, "still open");
    assert_eq!(r.deadlines[0].status, DeadlineStatus::Overdue, "3 hours after 10:00 is long past");
    assert_eq!(r.deadlines[0].due, at("2026-11-02T13:00:00+08:00"), "staying in a stage does not restart its clock");
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
    let outcomes: Vec<Outcome> = r.trail.iter().map(|s| s.outcome).collect();
    assert_eq!(outcomes, [Outcome::Refused, Outcome::Accepted, Outcome::Accepted]);
    assert_eq!(&*r.trail[0].findings[0].code, "NOTE_REQUIRED");
    assert_eq!(r.stage, 1);
    assert_eq!(r.deadlines[0].status, DeadlineStatus::Met);
}

#[test]
fn replay_is_a_pure_function_of_policy_case_and_now() {
    let path = support::root().join("examples/cases/return-refunded.yaml");
    let (policy, case, first) = replayed(&path);
    let (_, _, second) = replayed(&path);
    assert_eq!(to_json(&policy, &case, &first), to_json(&policy, &case, &second));
    let later = policy.replay(&case, at("2026-12-31T00:00:00+08:00")).expect("replays");
    assert_eq!(first.trail, later.trail, "now only changes how deadlines stand");
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
    assert!(diags[3].help.as_ref().is_some_and(|h| h.en.contains("known keys: at, event, by, data")));
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
    assert!(matches!(plain.replay(&case, at("2026-11-03T00:00:00Z")), Err(ReplayError::NoWorkflow)));
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    let source = tenet::source::read_source(&support::root().join("rules/returns.tenet")).expect("policy");
    let policy = Policy::from_source(&source).expect("valid");
    let wf: &Arc<tenet::workflow::Workflow> = policy.program().workflow.as_ref().expect("workflow");
    let review = wf.deadlines.iter().find(|d| &*wf.stages[d.stage] == "review").expect("review deadline");
    let tz = policy.program().locale.tz;
    // Wednesday 30 September 2026 + 2 business days: 1–7 October are the National Day
    // holiday → Thursday 8 and Friday 9 October.
    let due = review.within.after(at("2026-09-30T10:00:00+08:00"), tz).expect("due");
    assert_eq!(due, at("2026-10-09T10:00:00+08:00"));
    // Thursday 8 October + 2: Friday 9, then Saturday 10, a make-up working day (调休).
    let due = review.within.after(at("2026-10-08T10:00:00+08:00"), tz).expect("due");
    assert_eq!(due, at("2026-10-10T10:00:00+08:00"));
    // Friday + 2 business days is Tuesday.
    let due = review.within.after(at("2026-11-20T17:45:00+08:00"), tz).expect("due");
    assert_eq!(due, at("2026-11-24T17:45:00+08:00"));
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
    let follow_up = r.actions.iter().find(|a| &*a.action == "follow_up").expect("scheduled on closing");
    let message = follow_up.message.as_ref().expect("a text");
    assert!(message.zh.starts_with("结案 5 天后"), "{}", message.zh);
    assert!(message.en.as_deref().is_some_and(|en| en.starts_with("5 days after closing")), "{message:?}");

    // A fact has no single value for the workflow's text: refused, naming the place.
    let bad = MINI
        .replace("deadline open within 3 hours of entering", "deadline open within 3 hours of entering \"{amount}\"");
    let errors = Policy::from_text("mini.tenet", &bad).expect_err("a fact in a workflow text");
    assert!(errors.iter().any(|d| d.code == "workflow-text"), "{errors:?}");
}
