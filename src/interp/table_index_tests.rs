//! The index of a large table answers exactly what a scan of its rows answers: random
//! tables (equality, comparisons, ranges, `in`, `not in`, `or`, `not(…)`, `_`, an
//! `otherwise` or not) under every hit policy, called with random arguments (some
//! missing), evaluated with the index and again scanning every row.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;

use crate::Policy;
use crate::facts::Format;

const HITS: [&str; 10] = [
    "unique",
    "first",
    "any",
    "priority",
    "collect",
    "output order",
    "collect sum",
    "collect min",
    "collect max",
    "collect count",
];

/// A cell over the int column.
fn int_cell() -> impl Strategy<Value = String> {
    let n = || 0i64..40;
    prop_oneof![
        Just("_".to_owned()),
        n().prop_map(|v| v.to_string()),
        (prop_oneof![Just("<"), Just("<="), Just(">"), Just(">="), Just("!=")], n())
            .prop_map(|(op, v)| format!("{op} {v}")),
        (n(), 0i64..10, any::<bool>(), any::<bool>()).prop_map(|(lo, w, a, b)| format!(
            "{}{lo}..{}{}",
            if a { "[" } else { "(" },
            lo + w,
            if b { "]" } else { ")" }
        )),
        (n(), n()).prop_map(|(a, b)| format!("in [{a}, {b}]")),
        (n(), n()).prop_map(|(a, b)| format!("not in [{a}, {b}]")),
        (n(), n()).prop_map(|(a, b)| format!("< {a} or >= {b}")),
        (n(), n()).prop_map(|(a, b)| format!("{a} or {b}")),
        n().prop_map(|v| format!("not({v})")),
    ]
}

/// A cell over the text column.
fn text_cell() -> impl Strategy<Value = String> {
    let t = || prop_oneof![Just("a"), Just("b"), Just("c"), Just("d")];
    prop_oneof![
        Just("_".to_owned()),
        t().prop_map(|v| format!("\"{v}\"")),
        (t(), t()).prop_map(|(a, b)| format!("\"{a}\" or \"{b}\"")),
        (t(), t()).prop_map(|(a, b)| format!("in [\"{a}\", \"{b}\"]")),
        t().prop_map(|v| format!("not(\"{v}\")")),
        t().prop_map(|v| format!("!= \"{v}\"")),
    ]
}

/// A cell over the decimal column.
fn decimal_cell() -> impl Strategy<Value = String> {
    let d = || (0i64..200).prop_map(|v| format!("{}.{}", v / 10, v % 10));
    prop_oneof![
        Just("_".to_owned()),
        d(),
        (prop_oneof![Just("<"), Just("<="), Just(">"), Just(">=")], d()).prop_map(|(op, v)| format!("{op} {v}")),
        (d(), d()).prop_map(|(a, b)| format!("[{a}..{b}]")),
    ]
}

/// A table of `rows` over (int, text, decimal), its hit policy, whether it has an
/// `otherwise`.
fn table() -> impl Strategy<Value = (String, usize)> {
    (prop::collection::vec((int_cell(), text_cell(), decimal_cell(), 0usize..3), 16..70), 0..HITS.len(), any::<bool>())
        .prop_map(|(rows, hit, otherwise)| {
            let priority = HITS[hit] == "priority" || HITS[hit] == "output order";
            let result = if priority { "\"low\" | \"mid\" | \"high\"" } else { "int" };
            let mut text = format!("table t(a: int, s: text, d: decimal) -> {result} hit {} {{\n", HITS[hit]);
            for (i, (a, s, d, level)) in rows.iter().enumerate() {
                let value = if priority { format!("\"{}\"", ["low", "mid", "high"][*level]) } else { i.to_string() };
                text.push_str(&format!("  {a}, {s}, {d} => {value},\n"));
            }
            if otherwise {
                text.push_str(if priority { "  otherwise => \"low\"\n" } else { "  otherwise => 1000\n" });
            }
            text.push_str("}\n");
            (text, hit)
        })
}

fn facts() -> impl Strategy<Value = serde_json::Value> {
    (
        proptest::option::of(-2i64..45),
        proptest::option::of(prop_oneof![Just("a"), Just("b"), Just("c"), Just("d"), Just("e")]),
        proptest::option::of(0i64..220),
    )
        .prop_map(|(a, s, d)| {
            let mut m = serde_json::Map::new();
            if let Some(a) = a {
                m.insert("a".into(), a.into());
            }
            if let Some(s) = s {
                m.insert("s".into(), s.into());
            }
            if let Some(d) = d {
                m.insert("d".into(), format!("{}.{}", d / 10, d % 10).into());
            }
            serde_json::Value::Object(m)
        })
}

/// The output `x` (or the evaluation's error), with or without the index.
fn run(policy: &Policy, facts: &serde_json::Value, scan: bool) -> String {
    let facts = policy.facts_from_text(&facts.to_string(), Format::Json).unwrap();
    let now = "2026-11-10T12:00:00+08:00".parse().unwrap();
    super::tables::SCAN_TABLES.with(|s| s.set(scan));
    let out = match policy.evaluate(&facts, now) {
        Ok(e) => e.to_json(None)["outputs"].to_string(),
        Err(e) => format!("error: {:?}", e.diagnostics().first().map(|d| d.message.clone())),
    };
    super::tables::SCAN_TABLES.with(|s| s.set(false));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_index_answers_what_the_scan_answers((table, _hit) in table(), calls in prop::collection::vec(facts(), 1..8)) {
        let text = format!(
            "policy p version \"1\"\ntimezone \"UTC\"\ncurrency CNY\ninput {{ a: int?, s: text?, d: decimal? }}\n{table}output x = t(a, s, d)\n"
        );
        let Ok(policy) = Policy::from_text("p.tenet", &text) else {
            // A table the checker refuses (its rows overlap in a unique table, …) has no
            // evaluation to compare.
            return Ok(());
        };
        prop_assert!(policy.program().tables.iter().any(|t| t.index.is_some()), "the table is indexed:\n{}", text);
        for f in &calls {
            prop_assert_eq!(run(&policy, f, false), run(&policy, f, true), "{}\nfacts {}", text, f);
        }
    }
}
