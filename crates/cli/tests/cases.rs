//! Every case under `tests/cases/<policy>/` runs against `rules/<policy>.tenet`: its
//! expectations must hold, and its explained result is snapshotted so that a policy
//! change shows up as a reviewable diff.

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
use tenet_cli::review::test_case::{TestCase, compare};

fn load(path: &std::path::Path) -> TestCase {
    let text = std::fs::read_to_string(path).expect("case file is readable");
    TestCase::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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
        let case = load(path);
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
        let case = load(path);
        let facts = policy.facts_from_raw(&case.facts).expect("valid facts");
        let eval = policy.explain(&facts, facts.now().expect("now")).expect("evaluates");
        let json = eval.to_json(None);
        insta::with_settings!({ description => case.name.clone().unwrap_or_default(), omit_expression => true }, {
            insta::assert_json_snapshot!(json);
        });
    });
}
