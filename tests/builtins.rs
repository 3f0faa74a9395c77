//! The builtins added for business decisions (issue 35) at their boundaries: each row an
//! expression and the value worked out by hand (`None`: missing). The round-trip of the
//! text builtins is in `round_trip.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first surprise, and says where"
)]

use serde_json::{Value as Json, json};
use tenet::Policy;
use tenet::facts::Format;

/// Evaluates each expression as an output of one policy in `zone`; their values by name.
fn values(zone: &str, rows: &[(&str, Option<Json>)]) {
    let mut text = format!("policy t version \"1\"\ntimezone \"{zone}\"\ncurrency CNY\n");
    for (i, (expr, _)) in rows.iter().enumerate() {
        text.push_str(&format!("output o{i} = {expr}\n"));
    }
    let policy = Policy::from_text("t.tenet", &text).unwrap_or_else(|e| panic!("{text}\n{:#?}", e.diagnostics()));
    let facts = policy.facts_from_text("{}", Format::Json).unwrap();
    let now = "2026-11-10T12:00:00+08:00".parse().unwrap();
    let out = policy.evaluate(&facts, now).unwrap().to_json(None)["outputs"].clone();
    for (i, (expr, want)) in rows.iter().enumerate() {
        assert_eq!(out.get(format!("o{i}")), want.as_ref(), "{expr}");
    }
}

#[test]
fn building_lists() {
    values(
        "UTC",
        &[
            ("append([1, 2], 3, 4)", Some(json!([1, 2, 3, 4]))),
            ("append([], \"a\")", Some(json!(["a"]))),
            ("append([1], 2.5)", Some(json!(["1", "2.5"]))),
            ("[1, 2] + [3]", Some(json!([1, 2, 3]))),
            ("[1] + [2.5]", Some(json!(["1", "2.5"]))),
            ("concatenate([1], [], [2, 3])", Some(json!([1, 2, 3]))),
            ("insert_before([1, 2, 3], 1, 0)", Some(json!([0, 1, 2, 3]))),
            ("insert_before([1, 2, 3], -1, 9)", Some(json!([1, 2, 9, 3]))),
            ("insert_before([1, 2, 3], 0, 9)", None),
            ("insert_before([1, 2, 3], 4, 9)", None),
            ("remove([1, 2, 3], 1)", Some(json!([2, 3]))),
            ("remove([1, 2, 3], -3)", Some(json!([2, 3]))),
            ("remove([1, 2, 3], -4)", None),
            ("remove([], 1)", None),
            ("union([1, 2, 2], [3, 1])", Some(json!([1, 2, 3]))),
            ("flatten([[[1], [2, 3]], [], [[4]]])", Some(json!([1, 2, 3, 4]))),
            ("flatten([1, 2])", Some(json!([1, 2]))),
            ("reverse([1, 2, 3])", Some(json!([3, 2, 1]))),
            ("reverse([])", Some(json!([]))),
            ("positions([1, 2, 1, 1], 1)", Some(json!([1, 3, 4]))),
            ("positions([1, 2], 5)", Some(json!([]))),
            ("index([1, 2, 1], 1)", Some(json!(1))),
            ("contains([[1, 2], [3]], [1, 2])", Some(json!(true))),
            ("contains([[1, 2], [3]], [2, 1])", Some(json!(false))),
            ("[{a: 25}, {a: 1.5}]", Some(json!([{"a": "25"}, {"a": "1.5"}]))),
            ("if 1 > 0 then {a: 25} else {a: 1.5}", Some(json!({"a": "25"}))),
        ],
    );
}

#[test]
fn numbers_and_texts_from_each_other() {
    values(
        "UTC",
        &[
            ("number(\"12.50\")", Some(json!("12.50"))),
            ("number(\"-0.5\")", Some(json!("-0.5"))),
            ("number(\"1,234.5\", \",\", \".\")", Some(json!("1234.5"))),
            ("number(\"1.234,5\", \".\", \",\")", Some(json!("1234.5"))),
            ("number(\"1 234\", \" \", \".\")", Some(json!("1234"))),
            ("number(\"1,234.5\")", None),
            ("number(\"1e3\")", None),
            ("number(\" 12\")", None),
            ("number(\"\")", None),
            ("number(\"12.\")", None),
            ("number(\"1.5\", \".\", \".\")", None),
            ("number(\"1;5\", \";\", \".\")", None),
            ("string(12.5%)", Some(json!("12.5%"))),
            ("string(3)", Some(json!("3"))),
            ("string(\"x\")", Some(json!("x"))),
            ("string(date(\"2026-11-10\"))", Some(json!("2026-11-10"))),
            ("string(2 hours)", Some(json!("2 hours"))),
            ("string(true)", Some(json!("true"))),
            ("number(string(12.25))", Some(json!("12.25"))),
        ],
    );
}

#[test]
fn patterns_replace_and_flags() {
    values(
        "UTC",
        &[
            ("replace_pattern(\"banana\", \"(an)+\", \"x\")", Some(json!("bxa"))),
            ("replace_pattern(\"abc\", \"B\", \"[$0]\", \"i\")", Some(json!("a[b]c"))),
            (
                "replace_pattern(\"2026-11-10\", \"(\\\\d+)-(\\\\d+)-(\\\\d+)\", \"$3/$2/$1\")",
                Some(json!("10/11/2026")),
            ),
            ("replace(\"banana\", \"(an)+\", \"x\")", Some(json!("banana"))),
            ("matches(\"ABC\", \"b\", \"i\")", Some(json!(true))),
            ("matches(\"ABC\", \"b\")", Some(json!(false))),
            ("matches(\"a\\nb\", \"a.b\", \"s\")", Some(json!(true))),
            ("matches(\"abc\", \"[a-z]{{3}}\")", Some(json!(true))),
        ],
    );
    let bad = "policy t version \"1\"\ntimezone \"UTC\"\ncurrency CNY\noutput x = matches(\"a\", \"a\", \"q\")\n";
    let Err(e) = Policy::from_text("t.tenet", bad) else { panic!("an unknown flag is refused") };
    assert!(format!("{:?}", e.diagnostics()).contains("unknown flag `q`"));
}

#[test]
fn times_built_from_parts_and_text() {
    values(
        "America/New_York",
        &[
            ("time(\"12:59:01.3\")", Some(json!("12:59:01.3"))),
            ("time(\"16:00\")", Some(json!("16:00"))),
            ("time(\"24:00\")", None),
            ("time(\"9:00\")", None),
            ("time(\"12:00:60\")", None),
            ("time(23, 59, 59)", Some(json!("23:59:59"))),
            ("time(23, 59, 1.5)", Some(json!("23:59:01.5"))),
            ("time(24, 0, 0)", None),
            ("time(12, 0, 60)", None),
            ("time(12, -1, 0)", None),
            ("12:59:01.25", Some(json!("12:59:01.25"))),
            ("datetime(date(\"2026-11-10\"), time(\"09:30\"))", Some(json!("2026-11-10T09:30:00-05:00"))),
            // 2026-03-08 02:30 does not happen in New York: clocks go from 02:00 to 03:00.
            ("datetime(date(\"2026-03-08\"), time(\"02:30\"))", None),
            ("datetime(\"2026-11-10T12:00:00Z\").offset", Some(json!("-PT5H"))),
            ("datetime(\"2026-07-01T12:00:00+08:00\").offset", Some(json!("-PT4H"))),
            ("time(\"00:00:01-01:00\")", Some(json!("00:00:01-01:00"))),
            ("time(\"12:00Z\")", Some(json!("12:00Z"))),
            ("time(\"12:00+24:00\")", None),
            ("time(\"00:00:01-01:00\").offset", Some(json!("-PT1H"))),
            ("time(\"00:00:01\").offset", None),
            ("time(23, 0, 0, -1 hours)", Some(json!("23:00-01:00"))),
            ("time(23, 0, 0, 30 seconds)", None),
            // The same instant of a day written at two offsets; a local time does not compare.
            ("time(\"10:00+08:00\") == time(\"02:00Z\")", Some(json!(true))),
            ("time(\"10:00+08:00\") < time(\"03:00Z\")", Some(json!(true))),
            ("time(\"10:00+08:00\") == time(\"10:00\")", None),
            ("time(\"10:00+08:00\").hour", Some(json!(10))),
            ("datetime(date(\"2026-11-10\"), time(\"09:30+08:00\"))", Some(json!("2026-11-09T20:30:00-05:00"))),
            ("period(\"P1Y2M\")", Some(json!("P1Y2M"))),
            ("period(\"-P1M\")", Some(json!("-P1M"))),
            ("period(\"14 months\")", Some(json!("P1Y2M"))),
            ("period(\"PT1H\")", None),
        ],
    );
}
