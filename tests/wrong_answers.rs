//! The four wrong answers of issue 35, each held to the right one: `matches` on constant
//! texts, dates read leniently, durations tenet prints but could not read, and years
//! outside 1–9999 on some paths. Plus the property that made the first one invisible
//! impossible: a rule that is not applicable always names what is missing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first surprise, and says where"
)]

use proptest::prelude::*;
use tenet::Policy;
use tenet::eval::Status;
use tenet::facts::Format;

use tenet_test_support::{HEADER, policy_of};

fn policy(body: &str) -> Policy {
    policy_of(body)
}

fn outputs(policy: &Policy, facts: &str) -> serde_json::Value {
    let facts = policy.facts_from_text(facts, Format::Json).unwrap_or_else(|d| panic!("invalid facts: {d:#?}"));
    let now = "2026-11-10T12:00:00+08:00".parse().expect("datetime");
    policy.explain(&facts, now).expect("evaluates").to_json(None)["outputs"].clone()
}

#[test]
fn matches_on_constant_texts_is_computed_at_load() {
    let p = policy(
        "const fruit = \"banana\"
         output m1 = matches(\"banana\", \"an\")
         output m2 = matches(fruit, \"an\")
         output m3 = matches(upper(\"banana\"), \"AN\")
         output m4 = matches(fruit, \"^an\")
         rule \"constant\" when matches(fruit, \"an\") reject FOUND \"找到\" en \"found\"",
    );
    let facts = p.facts_from_text("{}", Format::Json).unwrap();
    let now = "2026-11-10T12:00:00+08:00".parse().unwrap();
    let e = p.explain(&facts, now).unwrap();
    let out = e.to_json(None);
    assert_eq!(out["outputs"], serde_json::json!({"m1": true, "m2": true, "m3": true, "m4": false}));
    assert_eq!(out["codes"], serde_json::json!(["FOUND"]));
}

#[test]
fn dates_are_read_in_one_form_only() {
    let p = policy(
        "output d1 = date(\"998-12-31\")
         output d2 = date(\"+2012-12-02\")
         output d3 = date(\"-2017-12-31\")
         output d4 = date(\"2017-1-5\")
         output d5 = date(\" 2017-01-05\")
         output d6 = date(\"2017-01-05\")
         output t1 = datetime(\" 2017-01-05T10:00:00Z\")
         output t2 = datetime(\"0000-01-05T10:00:00Z\")",
    );
    // Only the one well-written date has a value.
    assert_eq!(outputs(&p, "{}"), serde_json::json!({"d6": "2017-01-05"}));
    let facts = policy("input { d: date }\noutput y = d");
    for bad in ["17-01-01", "2017-1-5", " 2017-01-05", "2017-01-05 ", "+2017-01-05", "0000-01-01", "998-12-31"] {
        let text = serde_json::json!({ "d": bad }).to_string();
        let Err(d) = facts.facts_from_text(&text, Format::Json) else { panic!("{bad:?} is read as a date") };
        assert_eq!(d[0].path.as_deref(), Some("d"), "{bad:?}: {d:#?}");
    }
}

#[test]
fn durations_tenet_prints_read_back() {
    let p = policy(
        "input { d: duration, t: datetime }
         output half = duration(\"PT0.5S\")
         output given = d
         output diff = t - datetime(\"2026-11-10T12:00:00+08:00\")",
    );
    let out = outputs(&p, r#"{"d": "PT0.5S", "t": "2026-11-10T12:00:00.5+08:00"}"#);
    assert_eq!(out["half"], "PT0.5S");
    assert_eq!(out["given"], "PT0.5S");
    assert_eq!(out["diff"], "PT0.5S");
}

#[test]
fn one_year_range_on_every_path() {
    let p = policy(
        "output a = date(0, 1, 1)
         output b = date(\"0-01-01\")
         output c = date(\"0000-01-01\")
         output d = date(1, 1, 1)
         output e = date(9999, 12, 31)",
    );
    assert_eq!(outputs(&p, "{}"), serde_json::json!({"d": "0001-01-01", "e": "9999-12-31"}));
    // Arithmetic that leaves the range is said, not computed into year 0.
    for text in ["output x = date(\"0001-01-01\") - 1 days", "output x = date(\"9999-12-31\") + 1 days"] {
        let Err(e) = Policy::from_text("t.tenet", &format!("{HEADER}{text}")) else { panic!("{text} loads") };
        assert!(format!("{:?}", e.diagnostics()).contains("out of range"), "{text}: {:#?}", e.diagnostics());
    }
}

/// Conditions whose value may be absent for many reasons: an absent fact, an unreadable
/// text, a computation with no answer, a constant.
const CONDITIONS: [&str; 10] = [
    "a > 1",
    "date(s) > date(\"2026-01-01\")",
    "matches(s, \"an\")",
    "matches(\"banana\", \"an\") and a > 1",
    "duration(s) > 1 hours",
    "date(a, 1, 1) > date(\"2026-01-01\")",
    "length(s) > a",
    "s == \"x\" or a < 0",
    "a / b > 1",
    "upper(s) == \"AN\"",
];

proptest! {
    /// Every rule that is not applicable names at least one cause, whatever is absent.
    #[test]
    fn a_rule_not_applicable_always_names_its_cause(
        which in 0usize..CONDITIONS.len(),
        a in proptest::option::of(-3i64..10_000),
        b in proptest::option::of(-2i64..3),
        s in proptest::option::of(prop_oneof![
            Just("banana".to_owned()), Just("2026-13-01".to_owned()), Just("2027-01-01".to_owned()),
            Just("PT2H".to_owned()), Just("".to_owned()), "\\PC{0,6}",
        ]),
    ) {
        let p = policy(&format!(
            "input {{ a: int?, b: int?, s: text? }}\nrule \"r\" when {} reject R \"r\" en \"r\"",
            CONDITIONS[which]
        ));
        let mut facts = serde_json::Map::new();
        if let Some(a) = a { facts.insert("a".into(), a.into()); }
        if let Some(b) = b { facts.insert("b".into(), b.into()); }
        if let Some(s) = s { facts.insert("s".into(), s.into()); }
        let facts = p.facts_from_text(&serde_json::Value::Object(facts).to_string(), Format::Json).unwrap();
        let now = "2026-11-10T12:00:00+08:00".parse().unwrap();
        let Ok(e) = p.explain(&facts, now) else { return Ok(()) };
        for t in e.trace().unwrap() {
            if t.status() == Status::NotApplicable {
                prop_assert!(!t.missing().is_empty(), "{} is not applicable for no stated cause", CONDITIONS[which]);
            }
        }
    }
}
