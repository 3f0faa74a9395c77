//! Decision tables at DMN level, each feature asserted at both sides of its boundaries:
//! range and `or`/`not` cells, `-`, the hit policies `any`, `priority`, `rule order` and
//! `output order`, `otherwise`, enumerations as results and arguments.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use tenet::Policy;
use tenet::diagnostics::Diagnostic;
use tenet::facts::Format;
use tenet::value::Value;

const HEADER: &str = "policy t version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n";

fn policy(body: &str) -> Policy {
    let text = format!("{HEADER}{body}");
    Policy::from_text("t.tenet", &text).unwrap_or_else(|e| panic!("invalid test policy: {:#?}", e.diagnostics()))
}

/// The diagnostics of a policy that must be refused or warned about.
fn diagnostics(body: &str) -> Vec<Diagnostic> {
    let text = format!("{HEADER}{body}");
    match Policy::from_text("t.tenet", &text) {
        Ok(p) => p.warnings().to_vec(),
        Err(e) => e.diagnostics(),
    }
}

/// The output `name` for facts `x = n` (JSON text for `n`).
fn out(p: &Policy, x: &str, name: &str) -> Option<Value> {
    let facts = p.facts_from_text(&format!(r#"{{"x": {x}}}"#), Format::Json).expect("facts");
    let e = p.explain(&facts, "2026-11-10T12:00:00+08:00".parse().expect("now")).expect("evaluates");
    e.value(name).cloned()
}

fn text(s: &str) -> Option<Value> {
    Some(Value::text(s))
}

#[test]
fn ranges_include_and_exclude_their_ends() {
    let p = policy(
        r#"input { x: int }
           table band(age: int) -> text hit unique { [0..15) => "child", [15..30) => "young", [30..150] => "adult" }
           output o = band(x)"#,
    );
    for (x, want) in
        [("0", "child"), ("14", "child"), ("15", "young"), ("29", "young"), ("30", "adult"), ("150", "adult")]
    {
        assert_eq!(out(&p, x, "o"), text(want), "x = {x}");
    }
    assert_eq!(out(&p, "151", "o"), None, "past the last range: no row");
    assert_eq!(out(&p, "-1", "o"), None);
    let p = policy(
        r#"input { x: decimal }
           table part(r: decimal) -> text hit first { (0..1] => "fraction", _ => "other" }
           output o = part(x)"#,
    );
    assert_eq!(out(&p, r#""0""#, "o"), text("other"), "( excludes its end");
    assert_eq!(out(&p, r#""0.0001""#, "o"), text("fraction"));
    assert_eq!(out(&p, r#""1""#, "o"), text("fraction"), "] includes its end");
    assert_eq!(out(&p, r#""1.0001""#, "o"), text("other"));
}

#[test]
fn tests_joined_by_or_and_negated_by_not() {
    let p = policy(
        r#"input { x: int }
           table fare(age: int) -> text hit unique { < 18 or >= 60 => "reduced", not(< 18 or >= 60) => "full" }
           table any_cell(age: int, kind: text) -> text hit first { -, "vip" => "vip", - , - => "plain" }
           output o = fare(x)
           output a = any_cell(x, "vip")
           output b = any_cell(x, "guest")"#,
    );
    for (x, want) in [("17", "reduced"), ("18", "full"), ("59", "full"), ("60", "reduced")] {
        assert_eq!(out(&p, x, "o"), text(want), "x = {x}");
    }
    assert_eq!(out(&p, "1", "a"), text("vip"), "`-` accepts anything");
    assert_eq!(out(&p, "1", "b"), text("plain"));
}

#[test]
fn an_any_table_gives_the_common_result_or_names_the_rows_that_disagree() {
    let p = policy(
        r#"input { x: int }
           table t(v: int) -> text hit any { > 0 => "pos", > 10 => "pos", > 100 => "big" }
           output o = t(x)"#,
    );
    assert_eq!(out(&p, "50", "o"), text("pos"), "two rows agree");
    let facts = p.facts_from_text(r#"{"x": 500}"#, Format::Json).expect("facts");
    let err = p.evaluate(&facts, "2026-11-10T12:00:00+08:00".parse().expect("now")).expect_err("rows disagree");
    let message = &err.diagnostics()[0].message.en;
    assert!(message.contains("rows 1 and 3") && message.contains("different results"), "{message}");
}

#[test]
fn priority_and_output_order_follow_the_result_enumeration() {
    let p = policy(
        r#"input { x: int }
           table risk(score: int) -> "Declined" | "Referred" | "Approved" hit priority {
             >= 0 => "Approved",
             >= 50 => "Referred",
             >= 90 => "Declined",
           }
           table ranked(score: int) -> "Declined" | "Referred" | "Approved" hit output order {
             >= 0 => "Approved",
             >= 50 => "Referred",
             >= 90 => "Declined",
           }
           table rows(score: int) -> "Declined" | "Referred" | "Approved" hit rule order {
             >= 0 => "Approved",
             >= 50 => "Referred",
           }
           output p = risk(x)
           output o = ranked(x)
           output r = rows(x)"#,
    );
    assert_eq!(out(&p, "49", "p"), text("Approved"));
    assert_eq!(out(&p, "50", "p"), text("Referred"), "Referred comes before Approved");
    assert_eq!(out(&p, "95", "p"), text("Declined"));
    let list = |items: &[&str]| Some(Value::List(items.iter().map(|s| Value::text(s)).collect::<Vec<_>>().into()));
    assert_eq!(out(&p, "95", "o"), list(&["Declined", "Referred", "Approved"]));
    assert_eq!(out(&p, "95", "r"), list(&["Approved", "Referred"]), "rule order keeps the rows' order");
    let errors = diagnostics(r#"table t(v: int) -> text hit priority { _ => "a" }"#);
    assert!(errors.iter().any(|d| d.code == "bad-hit-policy"), "{errors:?}");
}

#[test]
fn otherwise_is_the_result_when_no_row_matches() {
    let p = policy(
        r#"input { x: int }
           table fee(v: int) -> money hit unique { > 100 => 0, otherwise => 15 }
           table extra(v: int) -> money hit collect sum { > 10 => 1, > 20 => 2, otherwise => 0.50 }
           table tags(v: int) -> text hit collect { > 10 => "big", otherwise => "none" }
           table tally(v: int) -> text hit collect count { > 10 => "x" }
           table found(v: int) -> text hit collect { > 10 => "big" }
           output f = fee(x)
           output e = extra(x)
           output t = tags(x)
           output n = tally(x)
           output l = found(x)"#,
    );
    let money = |s: &str| Some(Value::Money(s.parse().expect("decimal")));
    assert_eq!(out(&p, "101", "f"), money("0.00"));
    assert_eq!(out(&p, "100", "f"), money("15.00"));
    assert_eq!(out(&p, "25", "e"), money("3.00"));
    assert_eq!(out(&p, "5", "e"), money("0.50"), "a sum over no rows is the default");
    assert_eq!(out(&p, "5", "t"), Some(Value::List(vec![Value::text("none")].into())));
    assert_eq!(out(&p, "5", "n"), Some(Value::Int(0)));
    assert_eq!(out(&p, "5", "l"), Some(Value::List(Vec::new().into())), "an empty list, not a missing value");
}

#[test]
fn enumerations_are_results_and_literal_arguments() {
    let p = policy(
        r#"input { x: int }
           table decide(v: int) -> "Approved" | "Declined" hit first { >= 10 => "Approved", otherwise => "Declined" }
           table label(d: "Approved" | "Declined") -> text hit unique { "Approved" => "ok", "Declined" => "no" }
           output d = decide(x)
           output l = label("Declined")"#,
    );
    assert_eq!(out(&p, "10", "d"), text("Approved"));
    assert_eq!(out(&p, "9", "d"), text("Declined"));
    assert_eq!(out(&p, "9", "l"), text("no"), "a text literal passes as an enumeration value");
    let errors = diagnostics(
        r#"table label(d: "Approved" | "Declined") -> text hit first { _ => "x" }
           output l = label("Aproved")"#,
    );
    let e = errors.iter().find(|d| d.code == "not-in-enum").expect("refused");
    assert!(e.help.as_ref().is_some_and(|h| h.en.contains("\"Approved\"")), "{e:?}");
    let errors = diagnostics(r#"table t(v: int) -> "A" | "B" hit first { _ => "C" }"#);
    assert!(errors.iter().any(|d| d.code == "not-in-enum"), "{errors:?}");
}

#[test]
fn overlap_lints_read_ranges_and_name_every_pair() {
    // Rows 1-2, 1-3 and 2-3 all meet: row 3 names both earlier rows.
    let warnings = diagnostics(
        r#"table t(v: int) -> int hit unique { > 0 => 1, > 5 => 2, > 10 => 3 }
           output o = t(1)"#,
    );
    let overlaps: Vec<&str> =
        warnings.iter().filter(|d| d.code == "table-overlap").map(|d| d.message.en.as_str()).collect();
    assert_eq!(overlaps.len(), 2, "{overlaps:?}");
    assert!(overlaps[1].contains("row 3") && overlaps[1].contains("1, 2"), "{overlaps:?}");
    // Half-open ranges that touch do not overlap; closed ones sharing an end do.
    let clean = diagnostics(
        r#"table t(v: int) -> int hit unique { [0..10) => 1, [10..20) => 2, < 0 or >= 20 => 3 }
           output o = t(1)"#,
    );
    assert!(!clean.iter().any(|d| d.code == "table-overlap" || d.code == "table-gap"), "{clean:?}");
    let touching = diagnostics(
        r#"table t(v: int) -> int hit unique { [0..10] => 1, [10..20) => 2 }
           output o = t(1)"#,
    );
    let w = touching.iter().find(|d| d.code == "table-overlap").expect("[0..10] and [10..20) share 10");
    assert!(w.message.en.contains("v = 10"), "{w:?}");
    // `not(…)` is the complement: with its negation it covers everything, without overlap.
    let whole = diagnostics(
        r#"table t(v: int) -> int hit unique { [18..60) => 1, not([18..60)) => 2 }
           output o = t(1)"#,
    );
    assert!(!whole.iter().any(|d| d.code == "table-overlap"), "{whole:?}");
}

#[test]
fn gaps_are_found_for_bool_and_enumerated_inputs() {
    let warnings = diagnostics(
        r#"table t(member: bool, tier: "gold" | "silver") -> int hit unique {
             true, "gold" => 1,
             true, "silver" => 2,
             false, "gold" => 3,
           }
           output o = t(true, "gold")"#,
    );
    let gap = warnings.iter().find(|d| d.code == "table-gap").expect("one combination is missing");
    assert!(gap.message.en.contains("(false, \"silver\")"), "{gap:?}");
    let covered = diagnostics(
        r#"table t(member: bool, tier: "gold" | "silver") -> int hit unique {
             true, - => 1,
             false, "gold" => 3,
             otherwise => 0,
           }
           output o = t(true, "gold")"#,
    );
    assert!(!covered.iter().any(|d| d.code == "table-gap"), "otherwise closes every gap: {covered:?}");
}

#[test]
fn one_table_lists_at_most_fifty_overlapping_rows_and_counts_the_rest() {
    // 61 rows that all accept x = 1: rows 2 to 61 each overlap the rows before them.
    let rows: Vec<String> = (0..61).map(|i| format!("  1 => {i}")).collect();
    let body = format!(
        "input {{ x: int }}\ntable t(x: int) -> int hit unique {{\n{}\n}}\noutput y = t(x)\n",
        rows.join(",\n")
    );
    let d = diagnostics(&body);
    let overlaps: Vec<&Diagnostic> = d.iter().filter(|d| d.code == "table-overlap").collect();
    assert_eq!(overlaps.len(), 51, "50 rows listed, then one count");
    let en: Vec<String> = overlaps.iter().map(|d| d.message.get(tenet::diagnostics::Lang::En).to_string()).collect();
    assert!(en.iter().any(|m| m.starts_with("10 more rows of the table have the same problem")), "{en:#?}");
    assert!(en.iter().any(|m| m == "rows 1 and 2 can both match (e.g. x = 1)"), "{en:#?}");
    // A row that meets many names the first ten and how many in all.
    assert!(
        en.iter().any(|m| m == "row 51 can match together with rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 … (50) (e.g. x = 1)"),
        "{en:#?}"
    );
}
