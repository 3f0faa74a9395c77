//! The language's semantics, each asserted on a small policy: Kleene logic, missing
//! values, hit policies, exact money, time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use tenet::Policy;
use tenet::eval::{Evaluation, Status};
use tenet::facts::Format;
use tenet::value::Value;

const HEADER: &str = "policy t version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n";

fn policy(body: &str) -> Policy {
    let text = format!("{HEADER}{body}");
    Policy::from_text("t.tenet", &text).unwrap_or_else(|e| panic!("invalid test policy: {:#?}", e.diagnostics()))
}

fn run<'p>(policy: &'p Policy, facts: &str) -> Evaluation<'p> {
    let facts = policy.facts_from_text(facts, Format::Json).unwrap_or_else(|d| panic!("invalid facts: {d:#?}"));
    let now = "2026-11-10T12:00:00+08:00".parse().expect("datetime");
    policy.explain(&facts, now).expect("evaluates")
}

fn value(_policy: &Policy, eval: &Evaluation<'_>, name: &str) -> Option<Value> {
    eval.value(name).cloned()
}

#[test]
fn kleene_logic() {
    let p = policy(
        "input { a: bool?, b: bool? }
         output a_or_true = a or true
         output a_and_false = a and false
         output a_or_false = a or false
         output not_a = not a
         output a_missing = a is missing
         output b_present = b is present",
    );
    let e = run(&p, r#"{"b": true}"#);
    assert_eq!(value(&p, &e, "a_or_true"), Some(Value::Bool(true)));
    assert_eq!(value(&p, &e, "a_and_false"), Some(Value::Bool(false)));
    assert_eq!(value(&p, &e, "a_or_false"), None, "missing or false is missing, so the output is absent");
    assert_eq!(value(&p, &e, "not_a"), None);
    assert_eq!(value(&p, &e, "a_missing"), Some(Value::Bool(true)));
    assert_eq!(value(&p, &e, "b_present"), Some(Value::Bool(true)));
}

#[test]
fn missing_propagates_and_rules_are_not_applicable() {
    let p = policy(
        "input { n: int?, m: int }
         output plus_one = n + 1
         output kept = m + 1
         rule \"big n\" when n > 10 and m > 0 flag BIG",
    );
    let e = run(&p, r#"{"m": 5}"#);
    assert_eq!(value(&p, &e, "plus_one"), None);
    assert_eq!(value(&p, &e, "kept"), Some(Value::Int(6)));
    assert!(e.codes().is_empty());
    let trace = e.trace().expect("explained");
    assert_eq!(trace[0].status(), Status::NotApplicable);
    assert_eq!(trace[0].missing(), ["n"]);
}

#[test]
fn guards_and_coalesce() {
    let p = policy(
        "input { n: int?, ok: bool }
         output guarded = 42 when ok
         output fallback = coalesce(n, 7)",
    );
    let e = run(&p, r#"{"ok": false}"#);
    assert_eq!(value(&p, &e, "guarded"), None);
    assert_eq!(value(&p, &e, "fallback"), Some(Value::Int(7)));
}

#[test]
fn unique_table_matching_twice_is_an_error_naming_the_rows() {
    let p = policy(
        "input { x: int }
         table t(v: int) -> int hit unique { > 0 => 1, > x => 2 }
         output r = t(5)",
    );
    let facts = p.facts_from_text(r#"{"x": 1}"#, Format::Json).expect("facts");
    let err = p.evaluate(&facts, "2026-11-10T12:00:00+08:00".parse().expect("dt")).expect_err("two rows match");
    assert!(err.diagnostics()[0].message.en.contains("rows 1 and 2"), "{err:?}");
    let e = run(&p, r#"{"x": 10}"#);
    assert_eq!(value(&p, &e, "r"), Some(Value::Int(1)));
}

#[test]
fn hit_policies() {
    let p = policy(
        r#"input { x: int }
           table first(v: int) -> text hit first { < 10 => "small", < 100 => "medium", _ => "large" }
           table labels(v: int) -> text hit collect { > 0 => "positive", < 100 => "small", == 5 => "five" }
           table fees(v: int) -> money hit collect sum { > 0 => 1.50, > 3 => 2.25, > 100 => 10 }
           table how_many(v: int) -> int hit collect count { > 0 => 0, > 3 => 0 }
           table lowest(v: int) -> int hit collect min { _ => 5, > 3 => 2 }
           table none(v: int) -> int hit first { > 1000 => 1 }
           output a = first(x)
           output b = labels(x)
           output c = fees(x)
           output d = how_many(x)
           output e = lowest(x)
           output f = none(x)"#,
    );
    let e = run(&p, r#"{"x": 5}"#);
    assert_eq!(value(&p, &e, "a"), Some(Value::text("small")));
    assert_eq!(
        value(&p, &e, "b"),
        Some(Value::List(vec![Value::text("positive"), Value::text("small"), Value::text("five")].into()))
    );
    assert_eq!(value(&p, &e, "c"), Some(Value::Money("3.75".parse().expect("decimal"))));
    assert_eq!(value(&p, &e, "d"), Some(Value::Int(2)));
    assert_eq!(value(&p, &e, "e"), Some(Value::Int(2)));
    assert_eq!(value(&p, &e, "f"), None, "no matching row gives no value");
}

#[test]
fn ledger_lines_round_half_up_and_totals_sum_rounded_lines() {
    let p = policy(
        "input { price: money }
         ledger fees
         rule \"a\" deduct A 10% of price
         rule \"b\" deduct B 10% of price
         output total_fees = total(fees)",
    );
    // 10% of 0.05 is 0.005: each line rounds up to 0.01, so the total is 0.02, not 0.01.
    let e = run(&p, r#"{"price": 0.05}"#);
    let lines: Vec<String> = e.ledgers()[0].lines().iter().map(|l| l.amount().to_string()).collect();
    assert_eq!(lines, ["0.01", "0.01"]);
    assert_eq!(e.ledgers()[0].total().to_string(), "0.02");
}

#[test]
fn money_is_exact() {
    let p = policy("input { a: money, b: money }\noutput sum = a + b\noutput third = a / 3");
    let e = run(&p, r#"{"a": 0.1, "b": "0.2"}"#);
    assert_eq!(value(&p, &e, "sum"), Some(Value::Money("0.3".parse().expect("decimal"))));
    let json = e.to_json(None);
    assert_eq!(json["outputs"]["sum"], "0.30");
    assert_eq!(json["outputs"]["third"], "0.03", "money outputs are shown rounded to the cent");
}

#[test]
fn dates_in_the_policy_time_zone() {
    let p = policy(
        "input { seen_at: datetime }
         output day = date(seen_at)
         output week_later = date(seen_at) + 7 days
         output gap = date(seen_at) - 2026-11-01
         output gap_days = (date(seen_at) - 2026-11-01).days",
    );
    // 20:30 UTC on 1 Nov is 04:30 on 2 Nov in Shanghai.
    let e = run(&p, r#"{"seen_at": "2026-11-01T20:30:00Z"}"#);
    let json = e.to_json(None);
    assert_eq!(json["outputs"]["day"], "2026-11-02");
    assert_eq!(json["outputs"]["week_later"], "2026-11-09");
    assert_eq!(json["outputs"]["gap"], "P1D");
    assert_eq!(json["outputs"]["gap_days"], 1);
}

#[test]
fn messages_interpolate_and_show_missing_as_a_dash() {
    let p = policy(
        "input { n: int, note: text? }
         rule \"r\" flag R \"n = {n}, note = {note}, 费率 {12.5%}, {{literal}}\" en \"n is {n}\"",
    );
    let e = run(&p, r#"{"n": 3}"#);
    assert_eq!(e.findings()[0].message(), Some("n = 3, note = —, 费率 12.5%, {literal}"));
    assert_eq!(e.findings()[0].message_en(), Some("n is 3"));
}

#[test]
fn rules_reading_the_decision_run_after_it() {
    let p = policy(
        "input { n: int }
         ledger fees
         rule \"reject\" when n > 5 reject BIG \"太大\"
         rule \"fee\" when n > 0 deduct FEE 2.50
         rule \"after\" when decision == \"rejected\" and total(fees) > 0 flag REVIEW
         output refund = 10 - total(fees) when decision == \"approved\"",
    );
    let e = run(&p, r#"{"n": 9}"#);
    assert_eq!(e.codes(), ["BIG", "FEE", "REVIEW"]);
    assert_eq!(value(&p, &e, "refund"), None);
    let e = run(&p, r#"{"n": 1}"#);
    assert_eq!(e.codes(), ["FEE"]);
    assert_eq!(value(&p, &e, "refund"), Some(Value::Money("7.50".parse().expect("decimal"))));
}

#[test]
fn a_rule_whose_amount_is_missing_records_nothing() {
    let p = policy(
        "input { price: money? }
         ledger fees
         rule \"fee\" deduct FEE 10% of price \"fee\"",
    );
    let e = run(&p, "{}");
    assert!(e.findings().is_empty());
    assert_eq!(e.trace().expect("trace")[0].status(), Status::NotApplicable);
}

#[test]
fn mixed_numeric_comparisons_in_both_orders() {
    let p = policy(
        "input { price: money, rate: decimal, n: int, tier: \"a\" | \"b\" }
         output big = price > 1000
         output big_mirrored = 1000 < price
         output low_rate = rate < 1
         output n_small = 3 > n
         output n_is_two = n == 2
         output tier_not_a = \"a\" != tier
         output tier_in = tier in [\"b\"]",
    );
    let e = run(&p, r#"{"price": "1200.00", "rate": 0.5, "n": 2, "tier": "b"}"#);
    for name in ["big", "big_mirrored", "low_rate", "n_small", "n_is_two", "tier_not_a", "tier_in"] {
        assert_eq!(value(&p, &e, name), Some(Value::Bool(true)), "{name}");
    }
    let e = run(&p, r#"{"price": "999.99", "rate": 1, "n": 3, "tier": "a"}"#);
    for name in ["big", "big_mirrored", "low_rate", "n_small", "n_is_two", "tier_not_a", "tier_in"] {
        assert_eq!(value(&p, &e, name), Some(Value::Bool(false)), "{name}");
    }
}

#[test]
fn aggregates_filter_and_follow_kleene_logic() {
    let p = policy(
        "input { xs: list<{ n: int, ok: bool? }> }
         output big = count(x in xs where x.n > 1)
         output total = sum(x.n for x in xs)
         output biggest = max(x.n for x in xs where x.n < 10)
         output none_matching = min(x.n for x in xs where x.n > 100)
         output all_ok = all(x.ok for x in xs)
         output any_ok = any(x.ok for x in xs)",
    );
    let e = run(&p, r#"{"xs": [{"n": 1, "ok": true}, {"n": 5}, {"n": 12, "ok": true}]}"#);
    assert_eq!(value(&p, &e, "big"), Some(Value::Int(2)));
    assert_eq!(value(&p, &e, "total"), Some(Value::Int(18)));
    assert_eq!(value(&p, &e, "biggest"), Some(Value::Int(5)));
    assert_eq!(value(&p, &e, "none_matching"), None, "the minimum of nothing is missing");
    assert_eq!(value(&p, &e, "all_ok"), None, "true, missing, true: not known to be all true");
    assert_eq!(value(&p, &e, "any_ok"), Some(Value::Bool(true)));
}

#[test]
fn per_item_values_are_computed_once_and_read_anywhere() {
    let p = policy(
        "input { orders: list<{ id: text, amount: money }> }
         for each order in orders {
           let large = order.amount >= 1000
           let fee = if large then 10% of order.amount else 0
         }
         output fees = sum(o.fee for o in orders)
         ledger fees_charged
         rule \"大额订单\" for each o in orders where o.large deduct LARGE o.fee \"{o.id}\"",
    );
    let e = run(&p, r#"{"orders": [{"id": "A", "amount": "1500.00"}, {"id": "B", "amount": "20.00"}]}"#);
    assert_eq!(value(&p, &e, "fees"), Some(Value::Money("150.00".parse().expect("decimal"))));
    assert_eq!(e.findings().len(), 1);
    assert_eq!(e.findings()[0].item(), Some("A"), "the finding names its item by id");
    assert_eq!(e.ledgers()[0].lines()[0].item(), Some("A"));
}

#[test]
fn items_without_an_id_are_named_by_place() {
    let p = policy("input { xs: list<{ n: int }> }\nrule \"r\" for each x in xs where x.n > 1 flag BIG");
    let e = run(&p, r#"{"xs": [{"n": 1}, {"n": 2}]}"#);
    assert_eq!(e.findings()[0].item(), Some("xs[1]"));
}

#[test]
fn a_cap_bites_only_above_it() {
    let p = policy(
        "input { fee: money, n: int }
         ledger credits
         cap credits at 10% of fee flag CAPPED
         rule \"a\" when n > 0 credit A 60.00
         rule \"b\" when n > 1 credit B 40.00
         rule \"c\" when n > 2 credit C 0.01",
    );
    let e = run(&p, r#"{"fee": "1000.00", "n": 2}"#);
    assert_eq!(e.ledgers()[0].total().to_string(), "100.00", "exactly the cap");
    assert!(!e.codes().contains(&"CAPPED"));
    let e = run(&p, r#"{"fee": "1000.00", "n": 3}"#);
    assert_eq!(e.ledgers()[0].uncapped().to_string(), "100.01");
    assert_eq!(e.ledgers()[0].total().to_string(), "100.00");
    assert!(e.codes().contains(&"CAPPED"));
}

#[test]
fn ensures_stop_evaluation_and_name_the_fact() {
    let p = policy(
        "input { xs: list<{ a: int, b: int }> }
         ensure for each x in xs x.b >= x.a otherwise \"b 小于 a\" en \"b is below a\"
         output n = count(x in xs)",
    );
    let facts =
        p.facts_from_text(r#"{"xs": [{"a": 1, "b": 2}, {"a": 3, "b": 2}]}"#, Format::Json).expect("schema-valid");
    let now = "2026-11-10T12:00:00+08:00".parse().expect("dt");
    let Err(tenet::eval::EvalError::InvalidFacts(diags)) = p.evaluate(&facts, now) else {
        panic!("ensure should fail")
    };
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].path.as_deref(), Some("xs[1].b"));
    assert_eq!(diags[0].message.en, "b is below a");
}

#[test]
fn business_hours_after_an_instant() {
    let p = policy(
        "calendar office { monday..friday 09:00-12:00, 13:00-17:00 }
         input { at: { opened: datetime } }
         output due_in_3 = at.opened + 3 office hours
         output due_in_6 = at.opened + 6 office hours
         output due_fn = due(office, at.opened, 3 hours)
         output worked = elapsed(office, at.opened, at.opened + 3 days)",
    );
    // Friday 11:00: one hour before lunch, two after it.
    let e = run(&p, r#"{"at": {"opened": "2026-11-06T11:00:00+08:00"}}"#);
    let json = e.to_json(None);
    assert_eq!(json["outputs"]["due_in_3"], "2026-11-06T15:00:00+08:00");
    assert_eq!(json["outputs"]["due_fn"], json["outputs"]["due_in_3"]);
    // Six hours: Friday's five, then Monday 09:00–10:00.
    assert_eq!(json["outputs"]["due_in_6"], "2026-11-09T10:00:00+08:00");
    // Fri 11:00–12:00 and 13:00–17:00, the weekend, Mon 09:00–11:00.
    assert_eq!(json["outputs"]["worked"], "PT7H");
}

#[test]
fn durations_round_to_units() {
    let p = policy(
        "input { d: duration }
         output up = ceil(d, 1 hours)
         output down = floor(d, 1 hours)
         output near = round(d, 1 hours)
         output hours_started = ceil(d / 1 hours)",
    );
    let e = run(&p, r#"{"d": "90 minutes"}"#);
    let json = e.to_json(None);
    assert_eq!(json["outputs"]["up"], "PT2H");
    assert_eq!(json["outputs"]["down"], "PT1H");
    assert_eq!(json["outputs"]["near"], "PT2H", "half-up");
    assert_eq!(json["outputs"]["hours_started"], "2");
}

#[test]
fn rounding_to_negative_places_and_percentages_as_written() {
    let p = policy(
        "input { x: decimal, n: int, r: percent, m: money }
         output tens = round(x, -1)
         output floor_tens = floor(x, -1)
         output hundreds = round(n, -2)
         output money_tens = round(m, -1)
         output up = ceil(r)
         output near = round(r, 1)
         output down = floor(r)",
    );
    let e = run(&p, r#"{"x": "1235", "n": 1250, "r": "12.34%", "m": "-1235.00"}"#);
    let json = e.to_json(None);
    assert_eq!(json["outputs"]["tens"], "1240", "half-up to tens, not to units");
    assert_eq!(json["outputs"]["floor_tens"], "1230");
    assert_eq!(json["outputs"]["hundreds"], 1300);
    assert_eq!(json["outputs"]["money_tens"], "-1240.00", "away from zero, in the currency's unit");
    assert_eq!(json["outputs"]["up"], "13%", "12.34% rounds up to 13%, not to 100%");
    assert_eq!(json["outputs"]["near"], "12.3%");
    assert_eq!(json["outputs"]["down"], "12%");
}

#[test]
fn text_functions_at_their_edges() {
    let p = policy(
        r#"input { t: text, l: list<text> }
           output up = upper(t)
           output low = lower(t)
           output first3 = substring(t, 1, 3)
           output last2 = substring(t, -2)
           output none = substring(t, 0)
           output past = substring(t, 99)
           output starts = starts_with(t, "Ab")
           output ends = ends_with(t, "ß")
           output has = contains(t, "cd")
           output in_list = contains(l, "b")
           output swapped = replace(t, "cd", "-")
           output parts = split("a,b,,c", ",")
           output sku = matches(t, "^Ab[a-z]+")
           output dynamic = matches("KB-101", t)
           output joined = t + "/" + "x"
           output before = "apple" < "banana"
           output after = "Zebra" < "apple""#,
    );
    let e = run(&p, r#"{"t": "Abcdeß", "l": ["a", "b"]}"#);
    let json = e.to_json(None);
    let o = &json["outputs"];
    assert_eq!(o["up"], "ABCDESS", "Unicode upper case: ß is SS");
    assert_eq!(o["low"], "abcdeß");
    assert_eq!(o["first3"], "Abc");
    assert_eq!(o["last2"], "eß", "characters, not bytes");
    assert_eq!(o.get("none"), None, "0 names no character: missing");
    assert_eq!(o["past"], "");
    assert_eq!(o["starts"], true);
    assert_eq!(o["ends"], true);
    assert_eq!(o["has"], true);
    assert_eq!(o["in_list"], true);
    assert_eq!(o["swapped"], "Ab-eß");
    assert_eq!(o["parts"], serde_json::json!(["a", "b", "", "c"]));
    assert_eq!(o["sku"], true);
    assert_eq!(o["dynamic"], false, "the fact's text is the pattern");
    assert_eq!(o["joined"], "Abcdeß/x");
    assert_eq!(o["before"], true);
    assert_eq!(o["after"], true, "by code point: capitals first");
}

#[test]
fn text_mistakes_are_found_before_evaluation_and_bounded_during_it() {
    let refused = |body: &str| match Policy::from_text("t.tenet", &format!("{HEADER}{body}")) {
        Ok(_) => panic!("accepted: {body}"),
        Err(e) => e.diagnostics().iter().map(|d| d.code).collect::<Vec<_>>(),
    };
    assert!(refused("input { t: text }\noutput x = matches(t, \"(\")").contains(&"bad-pattern"));
    assert!(refused("input { d: date }\noutput x = d + 36 hours").contains(&"partial-days"));
    assert!(refused("input { t: text }\noutput x = substring(t, \"1\")").contains(&"bad-arguments"));
    // Doubling a text twenty times passes 1 MiB: an evaluation error, not a memory spike.
    let mut body = String::from("input { t: text }\nlet a0 = t\n");
    for i in 1..=21 {
        body.push_str(&format!("let a{i} = a{} + a{}\n", i - 1, i - 1));
    }
    body.push_str("output x = length(a21)\n");
    let p = policy(&body);
    let facts = p.facts_from_text(r#"{"t": "abcdefgh"}"#, Format::Json).expect("facts");
    let err = p.evaluate(&facts, "2026-11-10T12:00:00+08:00".parse().expect("now")).expect_err("too long");
    assert!(err.diagnostics()[0].message.en.contains("longer than 1 MiB"), "{err:?}");
    // A dynamic pattern that is not one is an evaluation error naming it.
    let p = policy("input { t: text }\noutput x = matches(\"a\", t)");
    let facts = p.facts_from_text(r#"{"t": "("}"#, Format::Json).expect("facts");
    let err = p.evaluate(&facts, "2026-11-10T12:00:00+08:00".parse().expect("now")).expect_err("bad pattern");
    assert!(err.diagnostics()[0].message.en.contains("not a valid pattern"), "{err:?}");
}

#[test]
fn powers_remainders_and_whole_quotients() {
    let p = policy(
        r#"input { n: int, d: decimal, m: money, t: duration }
           output square = n ** 2
           output neg = -2 ** 2
           output tower = 2 ** 3 ** 2
           output half = d ** -1
           output root = 2 ** 0.5
           output compound = 1000 * 1.05 ** 3
           output rem = n mod 3
           output rem_neg = -7 mod 3
           output rem_to_neg = 7 mod -3
           output whole = n div 2
           output whole_neg = -7 div 2
           output left = m mod 30
           output packs = m div (m - 70)
           output minutes_left = t mod 1 hours
           output hours = t div 1 hours"#,
    );
    let e = run(&p, r#"{"n": 7, "d": "4", "m": "100.00", "t": "PT2H25M"}"#);
    let o = &e.to_json(None)["outputs"];
    assert_eq!(o["square"], 49);
    assert_eq!(o["neg"], -4, "** binds tighter than unary minus");
    assert_eq!(o["tower"], 512, "** groups to the right: 2 ** 9");
    assert_eq!(o["half"], "0.25", "a negative whole power of a decimal divides exactly");
    let root = o["root"].as_str().expect("a decimal");
    assert!(root.starts_with("1.41421356237309504880168872"), "2 ** 0.5 to 25 digits: {root}");
    assert_eq!(o["compound"], "1157.625000", "whole powers are exact");
    assert_eq!(o["rem"], 1);
    assert_eq!(o["rem_neg"], 2, "the remainder has the sign of the divisor");
    assert_eq!(o["rem_to_neg"], -2);
    assert_eq!(o["whole"], 3);
    assert_eq!(o["whole_neg"], -4, "rounded down, not toward zero");
    assert_eq!(o["left"], "10.00");
    assert_eq!(o["packs"], 3);
    assert_eq!(o["minutes_left"], "PT25M");
    assert_eq!(o["hours"], 2);
    // A negative power of a whole number, a zero divisor: evaluation errors that say so.
    for (body, says) in [("output x = n ** -1", "negative power"), ("output x = n mod 0", "division by zero")] {
        let p = policy(&format!("input {{ n: int }}\n{body}"));
        let facts = p.facts_from_text(r#"{"n": 2}"#, Format::Json).expect("facts");
        let err = p.evaluate(&facts, "2026-11-10T12:00:00+08:00".parse().expect("now")).expect_err(body);
        assert!(err.diagnostics()[0].message.en.contains(says), "{body}: {err:?}");
    }
}

#[test]
fn rounding_modes_differ_only_at_their_boundaries() {
    let p = policy(
        r#"input { x: decimal }
           output half_up = round(x, 1)
           output half_even = round_half_even(x, 1)
           output up = round_up(x, 1)
           output down = round_down(x, 1)"#,
    );
    let at = |x: &str| {
        let e = run(&p, &format!(r#"{{"x": "{x}"}}"#));
        let o = &e.to_json(None)["outputs"];
        [&o["half_up"], &o["half_even"], &o["up"], &o["down"]].map(|v| v.as_str().expect("decimal").to_owned())
    };
    assert_eq!(at("2.25"), ["2.3", "2.2", "2.3", "2.2"], "a half: even goes to 2.2");
    assert_eq!(at("2.35"), ["2.4", "2.4", "2.4", "2.3"], "a half: even goes to 2.4");
    assert_eq!(at("2.21"), ["2.2", "2.2", "2.3", "2.2"], "below a half: only up moves");
    assert_eq!(at("-2.25"), ["-2.3", "-2.2", "-2.3", "-2.2"], "up is away from zero, down toward it");
    assert_eq!(at("2.2"), ["2.2", "2.2", "2.2", "2.2"], "exact: every mode agrees");
}

#[test]
fn lists_filter_map_sort_and_search() {
    let p = policy(
        r#"input { items: list<{ sku: text, price: money }>, tags: list<text>, ns: list<int> }
           output cheap = [x in items where x.price < 100]
           output prices = [x.price for x in items where x.sku != "C"]
           output none = [x in items where x.price > 1000]
           output sorted = sort(ns)
           output by_price = sort([x.price for x in items])
           output names = sort(tags)
           output once = distinct(tags)
           output numbers_once = distinct(ns)
           output middle = sublist(ns, 2, 2)
           output tail = sublist(ns, -2)
           output where_b = index(tags, "b")
           output where_z = index(tags, "z")
           output has = contains(tags, "b")"#,
    );
    let e = run(
        &p,
        r#"{"items": [{"sku": "A", "price": "150.00"}, {"sku": "B", "price": "20.00"}, {"sku": "C", "price": "99.99"}],
            "tags": ["b", "a", "b", "C"], "ns": [3, 1, 2, 1]}"#,
    );
    let o = &e.to_json(None)["outputs"];
    assert_eq!(o["cheap"].as_array().map(Vec::len), Some(2), "{o}");
    assert_eq!(o["cheap"][0]["sku"], "B");
    assert_eq!(o["prices"], serde_json::json!(["150.00", "20.00"]));
    assert_eq!(o["none"], serde_json::json!([]), "an empty list, not missing");
    assert_eq!(o["sorted"], serde_json::json!([1, 1, 2, 3]));
    assert_eq!(o["by_price"], serde_json::json!(["20.00", "99.99", "150.00"]));
    assert_eq!(o["names"], serde_json::json!(["C", "a", "b", "b"]), "texts by code point");
    assert_eq!(o["once"], serde_json::json!(["b", "a", "C"]), "first appearances, in order");
    assert_eq!(o["numbers_once"], serde_json::json!([3, 1, 2]));
    assert_eq!(o["middle"], serde_json::json!([1, 2]));
    assert_eq!(o["tail"], serde_json::json!([2, 1]));
    assert_eq!(o["where_b"], 1, "1 is the first position");
    assert_eq!(o.get("where_z"), None, "not found: missing");
    assert_eq!(o["has"], true);
}

#[test]
fn distinct_over_many_items_is_not_quadratic() {
    let p = policy("input { ns: list<int> }\noutput n = count(distinct(ns))");
    let items: Vec<String> = (0..100_000).map(|i| (i % 50_000).to_string()).collect();
    let e = run(&p, &format!(r#"{{"ns": [{}]}}"#, items.join(",")));
    assert_eq!(e.to_json(None)["outputs"]["n"], 50_000, "within the fuel: sorted, not compared pairwise");
}

#[test]
fn decimals_in_lists_and_records_print_as_decimals() {
    let p = policy("input { x: int }\noutput o = {price: 15.0, n: [1, 2.5]}\noutput l = [1.5, x]");
    let e = run(&p, r#"{"x": 2}"#);
    let o = &e.to_json(None)["outputs"];
    assert_eq!(o["o"]["price"], "15.0");
    assert_eq!(o["o"]["n"], serde_json::json!(["1", "2.5"]), "a whole number in a list of decimals is a decimal");
    assert_eq!(o["l"], serde_json::json!(["1.5", "2"]));
}

#[test]
fn a_charge_is_a_ledger_line_that_is_no_deduction() {
    let p = policy(
        r#"input { price: money, express: bool }
           ledger deductions
           ledger fees
           rule "运费" when express charge SHIPPING_FEE 12 into fees "加急运费 12 元。" en "Express shipping: 12."
           rule "拆封" deduct OPENED 10% of price into deductions
           output refund = price - total(deductions)
           output owed = total(fees)"#,
    );
    let e = run(&p, r#"{"price": "100.00", "express": true}"#);
    let json = e.to_json(None);
    assert_eq!(json["outputs"]["refund"], "90.00");
    assert_eq!(json["outputs"]["owed"], "12.00");
    let kinds: Vec<&str> =
        json["findings"].as_array().expect("findings").iter().filter_map(|f| f["kind"].as_str()).collect();
    assert!(kinds.contains(&"charge") && kinds.contains(&"deduct"), "{kinds:?}");
}

#[test]
fn functions_compute_with_lets_and_call_each_other_but_never_themselves() {
    let p = policy(
        r#"input { principal: money, rate: decimal, months: int, weight: decimal, tier: "gold" | "basic" }
           fn pmt(p: money, r: decimal, n: int) -> money = p * r / (1 - (1 + r) ** -n)
           fn fee(w: decimal, t: "gold" | "basic") -> money {
             let kg = ceil(w)
             let base = if kg <= 1 then 10 else 10 + (kg - 1) * 2
             if t == "gold" then 0 else base
           }
           table band(m: money) -> text hit first { < 1000 => "low", otherwise => "high" }
           fn label(p: money, r: decimal, n: int) -> text = band(pmt(p, r, n))
           output payment = pmt(principal, rate, months)
           output shipping = fee(weight, tier)
           output gold = fee(weight, "gold")
           output size = label(principal, rate, months)"#,
    );
    let e = run(&p, r#"{"principal": "12000.00", "rate": "0.005", "months": 12, "weight": "2.3", "tier": "basic"}"#);
    let o = &e.to_json(None)["outputs"];
    assert_eq!(o["payment"], "1032.80", "the annuity formula, rounded to the fen");
    assert_eq!(o["shipping"], "14.00", "2.3 kg is 3 started kilograms");
    assert_eq!(o["gold"], "0.00", "a text literal passes as the enumerated parameter");
    assert_eq!(o["size"], "high", "a function calls a table that calls a function");
    let errors = match Policy::from_text(
        "t.tenet",
        &format!("{HEADER}fn f(n: int) -> int = if n <= 1 then 1 else n * f(n - 1)\noutput o = f(3)"),
    ) {
        Ok(_) => panic!("recursion accepted"),
        Err(e) => e.diagnostics(),
    };
    assert!(errors.iter().any(|d| d.code == "cycle"), "{errors:?}");
    let p = Policy::from_text("t.tenet", &format!("{HEADER}fn unused(n: int) -> int = n\n")).expect("valid");
    assert!(
        p.warnings().iter().any(|w| w.message.en.contains("function `unused` is never used")),
        "{:?}",
        p.warnings()
    );
}

#[test]
fn missing_is_written_as_an_if_branch_and_an_unknown_condition_decides_nothing() {
    let p = policy(
        r#"input { a: int?, b: bool? }
           output o = if b then a else missing
           output p = if b then 1 else 2
           output q = if b is missing then 0 else (if b then 1 else 2)"#,
    );
    let out = |facts: &str| run(&p, facts).to_json(None)["outputs"].clone();
    assert_eq!(out(r#"{"a": 3, "b": true}"#), serde_json::json!({"o": 3, "p": 1, "q": 1}));
    assert_eq!(out(r#"{"a": 3, "b": false}"#), serde_json::json!({"p": 2, "q": 2}), "`else missing` gives no value");
    // Unknown condition: neither branch (FEEL would take `else`); the author says what
    // then, explicitly.
    assert_eq!(out(r#"{"a": 3}"#), serde_json::json!({"q": 0}));
    let errors = match Policy::from_text("t.tenet", &format!("{HEADER}input {{ a: int }}\noutput o = a + missing")) {
        Ok(_) => panic!("`missing` as an operand accepted"),
        Err(e) => e.diagnostics(),
    };
    assert!(errors.iter().any(|d| d.code == "missing-as-value"), "{errors:?}");
}

#[test]
fn date_parts_constructors_and_conversions() {
    let p = policy(
        r#"input { at: datetime, day: date, text: text }
           output y = day.year
           output m = day.month
           output d = day.day
           output wd = day.weekday
           output h = at.hour
           output mi = at.minute
           output local_day = at.day
           output after_cutoff = at.hour >= 16
           output weekend = day.weekday >= 6
           output made = date(2026, 2, 28)
           output not_a_day = date(2026, 2, 30)
           output read = date(text)
           output instant = datetime("2026-11-10T12:00:00+08:00")
           output no_instant = datetime(text)
           output span = duration("90 minutes")
           output no_span = duration("soon")"#,
    );
    // 20:30 UTC on Saturday 31 October is 04:30 on Sunday 1 November in Shanghai.
    let e = run(&p, r#"{"at": "2026-10-31T20:30:00Z", "day": "2026-11-08", "text": "2026-12-01"}"#);
    let o = &e.to_json(None)["outputs"];
    assert_eq!((o["y"].clone(), o["m"].clone(), o["d"].clone()), (2026.into(), 11.into(), 8.into()));
    assert_eq!(o["wd"], 7, "Sunday is 7 (ISO 8601)");
    assert_eq!(o["h"], 4, "the hour in the policy's zone, not UTC");
    assert_eq!(o["mi"], 30);
    assert_eq!(o["local_day"], 1);
    assert_eq!(o["after_cutoff"], false);
    assert_eq!(o["weekend"], true);
    assert_eq!(o["made"], "2026-02-28");
    assert_eq!(o.get("not_a_day"), None, "30 February: missing");
    assert_eq!(o["read"], "2026-12-01");
    assert_eq!(o["instant"], "2026-11-10T12:00:00+08:00");
    assert_eq!(o.get("no_instant"), None, "a date is not an instant: missing");
    assert_eq!(o["span"], "PT1H30M");
    assert_eq!(o.get("no_span"), None);
    let errors = match Policy::from_text("t.tenet", &format!("{HEADER}input {{ d: date }}\noutput h = d.hour")) {
        Ok(_) => panic!("a date's hour accepted"),
        Err(e) => e.diagnostics(),
    };
    assert!(errors.iter().any(|d| d.message.en.contains("a date has no `hour`")), "{errors:?}");
}

#[test]
fn outcome_verbs_and_clause_words_are_names_where_no_clause_can_stand() {
    let p = policy(
        r#"input { flag: bool, amount: money, hit: int }
           ledger fees
           let credit = amount * 2
           rule "r" when flag and credit > 1 credit C credit into fees flag F
           output into = total(fees)
           output version = hit + 1"#,
    );
    let e = run(&p, r#"{"flag": true, "amount": "10.00", "hit": 1}"#);
    let json = e.to_json(None);
    assert_eq!(json["outputs"]["into"], "20.00", "`credit C credit into fees`: the verb, then the value");
    assert_eq!(json["outputs"]["version"], 2);
    // Words that start declarations or read as operators stay reserved.
    let refused = Policy::from_text("t.tenet", &format!("{HEADER}let rule = 1")).expect_err("reserved");
    assert!(!refused.diagnostics().is_empty());
}

#[test]
fn periods_of_months_and_years_move_dates_by_the_calendar() {
    let p = policy(
        r#"input { bought: date, at: datetime, warranty: period }
           const term = 2 years
           output feb = 2026-01-31 + 1 months
           output leap = 2024-02-29 + 1 years
           output back = 2026-03-31 - 1 months
           output ends = bought + warranty
           output covered = 2027-06-01 < bought + warranty
           output later = at + 12 months
           output total = warranty + term
           output years = (warranty + term).years
           output months = warranty.months
           output longer = warranty > 12 months"#,
    );
    let e = run(&p, r#"{"bought": "2026-05-31", "at": "2026-01-31T10:00:00+08:00", "warranty": "P1Y6M"}"#);
    let o = &e.to_json(None)["outputs"];
    assert_eq!(o["feb"], "2026-02-28", "the month's end when the day does not exist");
    assert_eq!(o["leap"], "2025-02-28");
    assert_eq!(o["back"], "2026-02-28");
    assert_eq!(o["ends"], "2027-11-30", "31 May + 18 months: 30 November");
    assert_eq!(o["covered"], true);
    assert_eq!(o["later"], "2027-01-31T10:00:00+08:00", "the same local time a year on");
    assert_eq!(o["total"], "P3Y6M");
    assert_eq!(o["years"], 3);
    assert_eq!(o["months"], 18);
    assert_eq!(o["longer"], true);
    let bad = p.facts_from_text(
        r#"{"bought": "2026-05-31", "at": "2026-01-31T10:00:00+08:00", "warranty": "P1D"}"#,
        Format::Json,
    );
    assert!(bad.is_err(), "days are no period");
}

#[test]
fn times_of_day_compare_and_come_from_datetimes() {
    let p = policy(
        r#"input { at: datetime, cutoff: time }
           output late = at.time >= 16:00
           output local = at.time
           output before_fact = at.time < cutoff
           output hour = cutoff.hour
           table slot(t: time) -> text hit first { [09:00..12:00) => "morning", [12:00..18:00) => "afternoon", otherwise => "closed" }
           output part = slot(at.time)"#,
    );
    // 08:05 UTC is 16:05 in Shanghai.
    let e = run(&p, r#"{"at": "2026-11-10T08:05:00Z", "cutoff": "17:30"}"#);
    let o = &e.to_json(None)["outputs"];
    assert_eq!(o["late"], true, "16:05 local is after a 16:00 cut-off");
    assert_eq!(o["local"], "16:05");
    assert_eq!(o["before_fact"], true);
    assert_eq!(o["hour"], 17);
    assert_eq!(o["part"], "afternoon");
    let e = run(&p, r#"{"at": "2026-11-10T07:59:59Z", "cutoff": "17:30"}"#);
    assert_eq!(e.to_json(None)["outputs"]["late"], false, "15:59:59 is before it");
}

#[test]
fn a_value_that_cannot_be_read_from_a_text_says_why_in_the_trace() {
    let p = policy(
        r#"input { note: text, wait: text }
           rule "late" when date(note) > 2026-01-01 flag LATE
           rule "slow" when duration(wait) > 2 hours flag SLOW"#,
    );
    let e = run(&p, r#"{"note": "2026-13-01", "wait": "3 hours"}"#);
    let json = e.to_json(None);
    let trace = json["trace"].as_array().expect("a trace");
    assert_eq!(trace[0]["status"], "not_applicable");
    assert_eq!(trace[0]["missing"][0], r#"date(note) ("2026-13-01" is not a date (YYYY-MM-DD))"#);
    assert_eq!(trace[1]["status"], "fired", "a readable text is read");
}

#[test]
fn durations_name_their_totals_and_their_parts() {
    let p = policy(
        r#"input { d: duration }
           output total_hours = d.total_hours
           output total_minutes = d.total_minutes
           output days = d.days_part
           output hours = d.hours_part
           output minutes = d.minutes_part
           output seconds = d.seconds_part"#,
    );
    let e = run(&p, r#"{"d": "PT26H30M15S"}"#);
    let o = &e.to_json(None)["outputs"];
    assert_eq!((o["total_hours"].clone(), o["total_minutes"].clone()), (26.into(), 1590.into()));
    assert_eq!(
        (o["days"].clone(), o["hours"].clone(), o["minutes"].clone(), o["seconds"].clone()),
        (1.into(), 2.into(), 30.into(), 15.into())
    );
    let bare =
        Policy::from_text("t.tenet", &format!("{HEADER}input {{ d: duration }}\noutput h = d.hours")).expect("valid");
    let w = bare.warnings().iter().find(|w| w.code == "duration-total").expect("a bare `.hours` asks which is meant");
    assert!(w.help.as_ref().is_some_and(|h| h.en.contains(".total_hours")), "{w:?}");
}

#[test]
fn records_sort_by_a_key() {
    let p = policy(
        r#"input { items: list<{ sku: text, price: money, at: date }> }
           output cheapest_first = [x.sku for x in sort(x in items by x.price)]
           output newest_last = [x.sku for x in sort(x in items by x.at)]
           output prices = sort(x.price for x in items where x.sku != "B")
           output kept = sort(x in items where x.price > 50 by x.sku)"#,
    );
    let e = run(
        &p,
        r#"{"items": [{"sku": "C", "price": "99.00", "at": "2026-03-01"},
                      {"sku": "A", "price": "150.00", "at": "2026-01-01"},
                      {"sku": "B", "price": "20.00", "at": "2026-02-01"}]}"#,
    );
    let o = &e.to_json(None)["outputs"];
    assert_eq!(o["cheapest_first"], serde_json::json!(["B", "C", "A"]));
    assert_eq!(o["newest_last"], serde_json::json!(["A", "B", "C"]));
    assert_eq!(o["prices"], serde_json::json!(["99.00", "150.00"]));
    assert_eq!(
        o["kept"].as_array().map(|l| l.iter().map(|x| x["sku"].clone()).collect::<Vec<_>>()),
        Some(vec!["A".into(), "C".into()])
    );
    let errors =
        match Policy::from_text("t.tenet", &format!("{HEADER}input {{ l: list<int> }}\noutput o = count(x in l by x)"))
        {
            Ok(_) => panic!("`by` outside sort accepted"),
            Err(e) => e.diagnostics(),
        };
    assert!(errors.iter().any(|d| d.message.en.contains("`by` belongs to sort")), "{errors:?}");
}

#[test]
fn field_checks_refuse_values_outside_with_their_path_on_both_readers() {
    let p = policy(
        r#"input {
             item: { price: money >= 0, quantity: int in [1..999], sku: text matching "[A-Z]+-[0-9]+" }
             items: list<{ rate: percent <= 50% }>
             discount: money? > 0
           }
           output total = item.price * item.quantity"#,
    );
    let good = r#"{"item": {"price": "0.00", "quantity": 999, "sku": "KB-101"}, "items": [{"rate": "50%"}]}"#;
    assert_eq!(value(&p, &run(&p, good), "total"), Some(Value::Money("0.00".parse().unwrap())));
    let bad = r#"{"item": {"price": "-399.00", "quantity": 0, "sku": "kb-101x"},
                 "items": [{"rate": "10%"}, {"rate": "60%"}], "discount": "0.00"}"#;
    // The JSON reader reads typed values straight away and the general reader checks as
    // it goes: both refuse the same values, at the same paths.
    for format in [Format::Json, Format::Yaml] {
        let problems = p.facts_from_text(bad, format).expect_err("refused");
        let paths: Vec<&str> = problems.iter().map(|d| d.path.as_deref().unwrap_or("")).collect();
        assert_eq!(paths, ["item.price", "item.quantity", "item.sku", "items[1].rate", "discount"], "{format:?}");
        assert!(problems[0].message.en.contains("price: money >= 0"), "{}", problems[0].message.en);
        assert!(problems[2].message.en.contains("\"kb-101x\""), "{}", problems[2].message.en);
    }
    // Spaces around a number are refused, not read as the number.
    let spaced = r#"{"item": {"price": " 399.00 ", "quantity": 1, "sku": "A-1"}, "items": []}"#;
    let problems = p.facts_from_text(spaced, Format::Json).expect_err("refused");
    assert_eq!(problems[0].path.as_deref(), Some("item.price"));
    assert!(problems[0].help.as_ref().is_some_and(|h| h.en.contains("no spaces")), "{problems:?}");
}
