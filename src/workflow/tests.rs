//! Replay against the compiled workflow: refusals name rules that really guard the
//! transition tried, and working-day deadlines skip weekends and holidays.

use chrono::{DateTime, Utc};

use super::{Case, Outcome};
use crate::document::Format;
use crate::test_support;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a datetime")
}

#[test]
fn every_refused_transition_names_a_rule_that_guards_it() {
    let mut refused = 0;
    for path in test_support::files(&test_support::root().join("examples/cases"), "yaml") {
        let file = crate::source::read_source(&path).expect("readable case");
        let case = Case::parse(&file, Format::Yaml).expect("a valid case");
        let policy_path = path.parent().expect("folder").join(case.policy.as_deref().expect("names its policy"));
        let policy = crate::Policy::load(&policy_path).expect("a valid policy");
        let r = policy.replay(&case, case.now.expect("examples give now")).expect("replays");
        let program = policy.program();
        let wf = program.workflow.as_deref().expect("workflow");
        let index = |name: &str| wf.stages.iter().position(|s| &**s == name).expect("a declared stage");
        for step in r.trail().iter().filter(|s| s.outcome() == Outcome::Refused) {
            refused += 1;
            assert!(
                !step.findings().is_empty(),
                "{}: event {} refused without a finding",
                path.display(),
                step.index()
            );
            let event = wf.events.iter().position(|e| &**e == step.event()).expect("declared event");
            let target = wf.transition(index(step.from()), event).expect("a transition").to;
            for f in step.findings() {
                let rule = program.rules.iter().find(|r| &*r.name == f.rule()).expect("the finding names a real rule");
                let tag = rule.stage.as_deref().expect("guard rules carry a stage");
                let guarded = [wf.stage_name(target), wf.stage_name(wf.initial)];
                assert!(guarded.contains(&tag), "{}: {} guards {tag}", path.display(), f.rule());
                assert!(f.message().is_some(), "a refusal tells the user why");
            }
        }
        assert_eq!(case.events.len(), r.trail().len(), "every event is in the trail");
    }
    assert!(refused >= 4, "the examples show refusals ({refused})");
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    let policy = test_support::policy("returns");
    let wf = policy.program().workflow.as_deref().expect("workflow");
    let review = wf.deadlines.iter().find(|d| wf.stage_name(d.stage) == "review").expect("review deadline");
    let crate::ir::Due::Within(within) = &review.due else { panic!("the review deadline is `within`") };
    let tz = policy.locale().tz;
    // Wednesday 30 September 2026 + 2 business days: 1–7 October are the National Day
    // holiday → Thursday 8 and Friday 9 October.
    let due = within.after(at("2026-09-30T10:00:00+08:00"), tz).expect("due");
    assert_eq!(due, at("2026-10-09T10:00:00+08:00"));
    // Thursday 8 October + 2: Friday 9, then Saturday 10, a make-up working day (调休).
    let due = within.after(at("2026-10-08T10:00:00+08:00"), tz).expect("due");
    assert_eq!(due, at("2026-10-10T10:00:00+08:00"));
    // Friday + 2 business days is Tuesday.
    let due = within.after(at("2026-11-20T17:45:00+08:00"), tz).expect("due");
    assert_eq!(due, at("2026-11-24T17:45:00+08:00"));
}
