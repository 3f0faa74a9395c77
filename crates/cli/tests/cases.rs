//! Every case under `tests/cases/<policy>/` runs against `rules/<policy>.tenet`: its
//! expectations must hold, and its explained result (for an event history, its case
//! view) is snapshotted so that a policy change shows up as a reviewable diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use std::collections::BTreeMap;

use tenet::Policy;
use tenet::facts::Format;
use tenet::workflow::Case;
use tenet_cli::review::test_case::{TestCase, compare, is_event_history};
use tenet_cli::review::test_history::{HistoryExpect, mismatches};

/// A case file: facts with their expected result, or an event history.
enum Loaded {
    Facts(TestCase),
    History(Case),
}

fn load(path: &std::path::Path) -> Loaded {
    let text = std::fs::read_to_string(path).expect("case file is readable");
    if is_event_history(&text) {
        let file = tenet::source::SourceFile::new(path.display().to_string(), text);
        return Loaded::History(
            Case::parse(&file, Format::Yaml).unwrap_or_else(|d| panic!("{}: {d:?}", path.display())),
        );
    }
    Loaded::Facts(TestCase::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn expectations_hold() {
    let mut policies: BTreeMap<String, Policy> = BTreeMap::new();
    let cases = support::files(&support::root().join("tests/cases"), "yaml");
    assert!(cases.len() >= 60, "the case corpus shrank to {}", cases.len());
    let mut failures = Vec::new();
    for path in &cases {
        let name = support::policy_name_for(path);
        let policy = policies.entry(name.clone()).or_insert_with(|| support::policy(&name));
        let case = match load(path) {
            Loaded::Facts(case) => case,
            Loaded::History(case) => {
                let now = case.now.expect("every history fixes `now`");
                let replay = policy.replay(&case, now).expect("replays");
                let view = replay.to_json(None, None, None);
                let raw = case.expect.as_ref().expect("every history states what it expects");
                let expect: HistoryExpect = serde_json::from_value(raw.to_json()).expect("a valid `expect`");
                for m in mismatches(&replay, &view, &expect) {
                    failures.push(format!("{}: {}: expected {}, got {}", path.display(), m.what, m.expected, m.actual));
                }
                continue;
            }
        };
        let facts = match policy.facts_from_raw(&case.facts) {
            Ok(f) => f,
            Err(d) => {
                failures.push(format!("{}: invalid facts: {d:?}", path.display()));
                continue;
            }
        };
        let now = facts.now().expect("every case fixes `now`");
        let eval = policy.evaluate(&facts, now).expect("evaluates");
        for mismatch in compare(&eval, &case.expect) {
            failures.push(format!("{}: {mismatch}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{} case expectations failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn explained_results() {
    let mut policies: BTreeMap<String, Policy> = BTreeMap::new();
    insta::glob!("../../../tests/cases", "**/*.yaml", |path| {
        let name = support::policy_name_for(path);
        let policy = policies.entry(name.clone()).or_insert_with(|| support::policy(&name));
        let (name, json) = match load(path) {
            Loaded::Facts(case) => {
                let facts = policy.facts_from_raw(&case.facts).expect("valid facts");
                let eval = policy.explain(&facts, facts.now().expect("now")).expect("evaluates");
                (case.name, eval.to_json(None))
            }
            Loaded::History(case) => {
                let replay = policy.replay(&case, case.now.expect("now")).expect("replays");
                (case.name.clone(), replay.to_json(None, case.name.as_deref(), None))
            }
        };
        insta::with_settings!({ description => name.unwrap_or_default(), omit_expression => true }, {
            insta::assert_json_snapshot!(json);
        });
    });
}
