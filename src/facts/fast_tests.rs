//! The fast JSON path gives exactly what the validator gives: the same facts for valid
//! input, and nothing for input the validator refuses.

use crate::Policy;
use crate::facts::{self, Format, Raw};
use proptest::prelude::*;

fn case_facts(policy: &str) -> Vec<serde_json::Value> {
    crate::test_support::files(&crate::test_support::root().join("tests/cases").join(policy), "yaml")
        .into_iter()
        .map(|p| {
            let case: yaml_serde::Value =
                yaml_serde::from_str(&std::fs::read_to_string(p).expect("case")).expect("yaml");
            serde_json::to_value(&case["facts"]).expect("json")
        })
        .collect()
}

/// Both paths on one JSON text.
fn both(policy: &Policy, text: &str) -> (Option<facts::Facts>, Option<facts::Facts>) {
    let program = policy.program();
    let fast = facts::from_json_fast(text, &program.inputs, program.locale.currency);
    let slow = serde_json::from_str::<Raw>(text).ok().and_then(|raw| policy.facts_from_raw(&raw).ok());
    (fast, slow)
}

#[test]
fn every_case_takes_the_fast_path_to_the_same_facts() {
    for name in ["returns", "support_sla"] {
        let policy = crate::test_support::policy(name);
        let all = case_facts(name);
        assert!(!all.is_empty());
        for facts in all {
            let text = facts.to_string();
            let (fast, slow) = both(&policy, &text);
            assert!(slow.is_some(), "{name}: a case's facts are valid");
            assert_eq!(fast, slow, "{name}: {text}");
        }
    }
}

/// Replaces the value at a random place in the document with another kind of value.
fn mutate(v: &mut serde_json::Value, path: &[usize], replacement: &serde_json::Value) {
    match (v, path.split_first()) {
        (serde_json::Value::Object(map), Some((i, rest))) if !map.is_empty() => {
            let key = map.keys().nth(i % map.len()).cloned().unwrap_or_default();
            if let Some(child) = map.get_mut(&key) {
                if rest.is_empty() { *child = replacement.clone() } else { mutate(child, rest, replacement) }
            }
        }
        (serde_json::Value::Array(items), Some((i, rest))) if !items.is_empty() => {
            let n = items.len();
            let child = &mut items[i % n];
            if rest.is_empty() { *child = replacement.clone() } else { mutate(child, rest, replacement) }
        }
        (slot, _) => *slot = replacement.clone(),
    }
}

static RETURNS: std::sync::LazyLock<(Policy, Vec<serde_json::Value>)> =
    std::sync::LazyLock::new(|| (crate::test_support::policy("returns"), case_facts("returns")));

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_facts_agree(pick in any::<prop::sample::Index>(), path in proptest::collection::vec(0usize..8, 1..4), kind in 0usize..12) {
        let (policy, all) = &*RETURNS;
        let mut doc = all[pick.index(all.len())].clone();
        let replacement = [
            serde_json::json!(null), serde_json::json!(true), serde_json::json!(0), serde_json::json!(-3),
            serde_json::json!(129.99), serde_json::json!(1e30), serde_json::json!("2026-11-10T12:00:00+08:00"),
            serde_json::json!("2026-11-10"), serde_json::json!("10%"), serde_json::json!("refund"),
            serde_json::json!([]), serde_json::json!({"x": 1}),
        ][kind].clone();
        mutate(&mut doc, &path, &replacement);
        let text = doc.to_string();
        let (fast, slow) = both(policy, &text);
        if fast.is_some() {
            prop_assert_eq!(&fast, &slow, "the fast path accepted what the validator gives differently: {}", text);
        }
        if slow.is_none() {
            prop_assert!(fast.is_none(), "the fast path accepted invalid facts: {}", text);
        }
    }
}

#[test]
fn json_files_use_it_and_errors_still_name_the_path() {
    let policy = crate::test_support::policy("returns");
    let text = std::fs::read_to_string(crate::test_support::root().join("examples/returns/opened-keyboard.json"))
        .expect("example");
    let facts = policy.facts_from_text(&text, Format::Json).expect("valid");
    let (fast, _) = both(&policy, &text);
    assert_eq!(Some(facts), fast);
    let bad = text.replacen("\"quantity\": 2", "\"quantity\": \"two\"", 1);
    let diags = policy.facts_from_text(&bad, Format::Json).expect_err("invalid");
    assert_eq!(diags[0].path.as_deref(), Some("item.quantity"));
}
