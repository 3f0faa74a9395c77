//! Every named limit produces a diagnostic when it is hit, never a hang or a panic.
//! (The parser step limit has its own binary, `tests/parser_limit.rs`; template fuel is
//! tested in `crates/agreement`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use tenet::Policy;
use tenet::eval::EvalError;
use tenet::facts::Format;
use tenet::limits;
use tenet::source::SourceFile;

/// The codes of the errors loading `text` gives.
fn codes(text: String) -> Vec<&'static str> {
    let loaded = Policy::from_text("limit.tenet", &text);
    loaded.err().map(|e| e.errors().iter().map(|d| d.code).collect()).unwrap_or_default()
}

#[test]
fn policy_file_size() {
    let text = format!("policy big version \"1\"\n{}", "# padding\n".repeat(limits::MAX_POLICY_BYTES / 10 + 1));
    assert_eq!(codes(text), ["file-too-large"]);
}

#[test]
fn bracket_nesting() {
    let deep = format!(
        "policy p version \"1\"\nconst c = {}1{}\n",
        "(".repeat(limits::MAX_NESTING + 1),
        ")".repeat(limits::MAX_NESTING + 1)
    );
    assert_eq!(codes(deep), ["nesting-too-deep"]);
}

#[test]
fn expression_depth() {
    let chain = vec!["1"; limits::MAX_EXPR_DEPTH + 2].join(" + ");
    assert!(codes(format!("policy p version \"1\"\nconst c = {chain}\n")).contains(&"expression-too-deep"));
}

#[test]
fn facts_size() {
    let policy = support::policy("returns");
    let text = format!("{{\"pad\": \"{}\"}}", "x".repeat(limits::MAX_FACTS_BYTES));
    let diags = policy.facts(&SourceFile::new("big.json", text), Format::Json).expect_err("too large");
    assert_eq!(diags[0].code, "facts-too-large");
}

#[test]
fn list_items() {
    let policy = Policy::from_text(
        "l.tenet",
        "policy l version \"1\"\ntimezone \"UTC\"\ncurrency CNY\ninput { xs: list<int> }\noutput n = count(xs)\n",
    )
    .expect("valid");
    let items = vec!["1"; limits::MAX_LIST_ITEMS + 1].join(",");
    let diags = policy.facts_from_text(&format!("{{\"xs\": [{items}]}}"), Format::Json).expect_err("too long");
    assert_eq!(diags[0].path.as_deref(), Some("xs"));
    assert!(diags[0].message.en.contains("over the limit of 100000"));
    let items = vec!["1"; limits::MAX_LIST_ITEMS].join(",");
    assert!(
        policy.facts_from_text(&format!("{{\"xs\": [{items}]}}"), Format::Json).is_ok(),
        "the limit itself is allowed"
    );
}

#[test]
fn evaluation_fuel() {
    // Every pair of 5 000 items: 25 million steps, past the fuel of 10 million.
    let policy = Policy::from_text(
        "fuel.tenet",
        "policy fuel version \"1\"\ntimezone \"UTC\"\ncurrency CNY\ninput { xs: list<int> }\n\
         output pairs = count(x in xs where count(y in xs where y > x) > 0)\n",
    )
    .expect("valid");
    let items: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
    let facts = policy.facts_from_text(&format!("{{\"xs\": [{}]}}", items.join(",")), Format::Json).expect("facts");
    let now = "2026-11-24T00:00:00Z".parse().expect("now");
    match policy.evaluate(&facts, now) {
        Err(EvalError::Failed(d)) => assert!(d.message.en.contains("more than 10000000 steps"), "{}", d.message.en),
        other => panic!("expected the fuel to run out, got {other:?}"),
    }
}

/// Evaluates `body` (after a header declaring `xs: list<int>`) on `xs = 0..n`.
fn over_list(body: &str, n: usize) -> Result<tenet::eval::Evaluation<'static>, EvalError> {
    let text = format!("policy l version \"1\"\ntimezone \"UTC\"\ncurrency CNY\ninput {{ xs: list<int> }}\n{body}\n");
    let policy: &'static Policy = Box::leak(Box::new(Policy::from_text("l.tenet", &text).expect("valid")));
    let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let facts = policy.facts_from_text(&format!("{{\"xs\": [{}]}}", items.join(",")), Format::Json).expect("facts");
    policy.evaluate(&facts, "2026-11-24T00:00:00Z".parse().expect("now"))
}

/// Every loop is charged: a list builtin, `in` over a list and a list test of the facts
/// inside an aggregate each walk the list once per item, and run out of fuel on long
/// lists, naming the expression and saying what to do.
#[test]
fn every_list_walk_spends_fuel() {
    for body in [
        "output o = count(x in xs where max(y + x for y in xs) > 0)",
        "output o = count(x in xs where x + 1 in xs)",
        "output o = count(x in xs where sum(if x > 0 then xs else xs) > 0)",
    ] {
        match over_list(body, 50_000) {
            Err(EvalError::Failed(d)) => {
                assert!(d.message.en.contains("more than 10000000 steps"), "{body}: {}", d.message.en);
                assert!(d.position().is_some(), "{body}: names where");
                assert!(d.help.as_ref().is_some_and(|h| h.en.contains("each of its items")), "{body}: {:?}", d.help);
            }
            other => panic!("{body}: expected the fuel to run out, got {other:?}"),
        }
    }
}

/// A part of an aggregate that does not depend on its item is computed once per run of
/// the aggregate: the honest policy over the longest list allowed stays fast, and gives
/// the same answers as on a short list.
#[test]
fn what_does_not_depend_on_the_item_is_computed_once() {
    let n = limits::MAX_LIST_ITEMS;
    let e = over_list(
        "output top = count(x in xs where x == max(xs))
output above = count(x in xs where x >= sum(xs) / count(xs))",
        n,
    )
    .expect("within fuel");
    assert_eq!(e.value("top"), Some(&tenet::value::Value::Int(1)));
    assert_eq!(e.value("above"), Some(&tenet::value::Value::Int(i64::try_from(n / 2).expect("small"))));
    // Nested: the inner aggregate reads the outer item, so it runs per item; `max(xs)`
    // reads neither and runs once.
    let e = over_list("output o = sum(count(y in xs where y > x and y <= max(xs)) for x in xs)", 4).expect("evaluates");
    assert_eq!(e.value("o"), Some(&tenet::value::Value::Int(3 + 2 + 1)));
    // Kept lazily: a part the filter never reaches is never computed (here it would
    // divide by zero).
    let e = over_list("output o = count(x in xs where x > 100 and 1 / (count(xs) - count(xs)) > 0)", 10)
        .expect("the division is never reached");
    assert_eq!(e.value("o"), Some(&tenet::value::Value::Int(0)));
}

/// Found by the `facts_eval` fuzzer: a datetime with a multi-byte character where the
/// minutes end panicked while the seconds were added.
#[test]
fn fuzz_regression_datetime_split_inside_a_character() {
    assert!(tenet::facts::parse_datetime("2026-1\u{fffd}\u{fffd}\u{3ab}\u{fffd}20:00+08:00").is_none());
    let policy = support::policy("returns");
    let facts = "now: '2026-1ΫΫΫ20:00+08:00'\n";
    let diags = policy.facts_from_text(facts, Format::Yaml).expect_err("invalid");
    assert!(diags.iter().any(|d| d.path.as_deref() == Some("now")), "{diags:?}");
}
