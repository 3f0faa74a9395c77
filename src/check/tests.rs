//! The checker's type rules against the runtime's operators, and the checker on small
//! policies: each mistake found with the right code at the right place, and nothing
//! reported for what is right.

use chrono::{NaiveDate, TimeDelta};
use rust_decimal::Decimal;

use super::ops;
use crate::interp::ops::{self as runtime, OpError};
use crate::lang::{ArithOp, CmpOp, Type};
use crate::value::Value;

/// One value of each scalar type the operators take.
fn samples() -> Vec<(Type, Value)> {
    let day = NaiveDate::from_ymd_opt(2026, 11, 10).expect("a date");
    let instant = day.and_hms_opt(12, 0, 0).expect("a time").and_utc();
    vec![
        (Type::Int, Value::Int(3)),
        (Type::Decimal, Value::Decimal(Decimal::new(25, 1))),
        (Type::Money, Value::Money(Decimal::new(1000, 2))),
        (Type::Percent, Value::Percent(Decimal::new(10, 2))),
        (Type::Text, Value::text("a")),
        (Type::Bool, Value::Bool(true)),
        (Type::Date, Value::Date(day)),
        (Type::DateTime, Value::DateTime(instant)),
        (Type::Duration, Value::Duration(TimeDelta::days(1))),
        (Type::Period, Value::Months(14)),
        (Type::Time, Value::Time(chrono::NaiveTime::from_hms_opt(16, 0, 0).expect("a time"))),
    ]
}

fn type_of(v: &Value) -> Type {
    match v {
        Value::Int(_) => Type::Int,
        Value::Decimal(_) => Type::Decimal,
        Value::Money(_) => Type::Money,
        Value::Percent(_) => Type::Percent,
        Value::Text(_) => Type::Text,
        Value::Bool(_) => Type::Bool,
        Value::Date(_) => Type::Date,
        Value::DateTime(_) => Type::DateTime,
        Value::Duration(_) => Type::Duration,
        Value::Months(_) => Type::Period,
        Value::Time(_) | Value::OffsetTime(..) => Type::Time,
        _ => Type::Error,
    }
}

/// Whatever the checker accepts, the runtime computes, and its value has the type the
/// checker promised: every operator with every pair of scalar types.
#[test]
fn every_arithmetic_the_checker_accepts_evaluates_to_its_type() {
    let mut wrong = Vec::new();
    let all = [
        ArithOp::Add,
        ArithOp::Sub,
        ArithOp::Mul,
        ArithOp::Div,
        ArithOp::Of,
        ArithOp::Pow,
        ArithOp::Mod,
        ArithOp::IntDiv,
    ];
    for op in all {
        for (lt, lv) in samples() {
            for (rt, rv) in samples() {
                let Ok(promised) = ops::arith(op, &lt, &rt) else { continue };
                match runtime::arith(op, &lv, &rv, &crate::value::Locale::default()) {
                    Ok(v) if type_of(&v) == promised => {}
                    Ok(v) => {
                        wrong.push(format!("{lt} {} {rt}: checker says {promised}, runtime gave {v:?}", op.symbol()))
                    }
                    // Values, not types: a date moved by a part of a day, a zero divisor.
                    Err(
                        OpError::PartialDays | OpError::DivisionByZero | OpError::Overflow | OpError::NegativePower,
                    ) => {}
                    Err(e) => {
                        wrong.push(format!("{lt} {} {rt}: checker says {promised}, runtime fails: {e}", op.symbol()))
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "the checker and the runtime disagree:\n{}", wrong.join("\n"));
}

/// Comparisons the checker accepts are decided (true or false) on present values.
#[test]
fn every_comparison_the_checker_accepts_is_decided() {
    let mut wrong = Vec::new();
    for op in [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge] {
        for (lt, lv) in samples() {
            for (rt, rv) in samples() {
                if ops::comparable(op, &lt, &rt).is_ok() && runtime::compare_truth(op, &lv, &rv).is_none() {
                    wrong.push(format!("{lt} {} {rt}", op.symbol()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "accepted but undecided:\n{}", wrong.join("\n"));
}

/// The builtins and aggregates that fold a list (`sum`, `min`, `max`: as a call, over an
/// item expression, and as a collecting table) give a value of the type the checker
/// promised for every element type they accept, whether there are no items, one or
/// several.
#[test]
fn every_fold_the_checker_accepts_evaluates_to_its_type() {
    let elements = [
        (Type::Int, "3"),
        (Type::Decimal, "\"2.5\""),
        (Type::Money, "\"10.00\""),
        (Type::Percent, "\"10%\""),
        (Type::Duration, "\"2 hours\""),
        (Type::Date, "\"2026-11-10\""),
        (Type::DateTime, "\"2026-11-10T12:00:00+08:00\""),
    ];
    let now = "2026-11-10T12:00:00+08:00".parse().expect("now");
    let (mut wrong, mut accepted) = (Vec::new(), Vec::new());
    for (ty, sample) in &elements {
        for fold in ["sum", "min", "max"] {
            let body = format!(
                "input {{ l: list<{ty}>, v: {ty} }}\n\
                 table t(x: {ty}, n: int) -> {ty} hit collect {fold} {{\n  _, >= 1 => x,\n  _, >= 2 => x,\n}}\n\
                 output by_call = {fold}(l)\n\
                 output by_item = {fold}(x for x in l)\n\
                 output by_table = t(v, count(l))\n"
            );
            let Ok(policy) = crate::Policy::from_text("t.tenet", &format!("{HEADER}{body}")) else { continue };
            accepted.push(format!("{fold} {ty}"));
            for n in 0..3 {
                let items = vec![*sample; n].join(", ");
                let facts = policy.facts_from_json(&format!("{{\"l\": [{items}], \"v\": {sample}}}")).expect("facts");
                let e = match policy.evaluate(&facts, now) {
                    Ok(e) => e,
                    Err(err) => {
                        wrong.push(format!("{fold} of {n} {ty}: {err}"));
                        continue;
                    }
                };
                for name in ["by_call", "by_item", "by_table"] {
                    match e.value(name) {
                        Some(v) if type_of(v) != *ty => wrong.push(format!("{fold} of {n} {ty}, {name}: {v:?}")),
                        // Only the smallest or largest of nothing is missing.
                        None if fold == "sum" || n > 0 => wrong.push(format!("{fold} of {n} {ty}, {name}: missing")),
                        _ => {}
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "the checker and the runtime disagree:\n{}", wrong.join("\n"));
    // sum over the five numeric kinds and durations; min and max over those and dates.
    assert_eq!(accepted.len(), 5 + 7 + 7, "{accepted:?}");
}

#[test]
fn refused_arithmetic_says_how_to_write_it() {
    let help = |op, l: &Type, r: &Type| ops::arith(op, l, r).expect_err("refused").en;
    assert!(help(ArithOp::Mul, &Type::Money, &Type::Money).contains("`10% of x`"));
    assert!(help(ArithOp::Sub, &Type::Date, &Type::DateTime).contains("date(x)"));
    assert!(ops::arith(ArithOp::Add, &Type::Text, &Type::Text).is_ok(), "texts join with `+`");
    assert!(help(ArithOp::Of, &Type::Int, &Type::Money).contains("left of `of`"));
}

const HEADER: &str = "policy t version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n";

/// Every diagnostic of a policy body (after the header) as `code line:column`, sorted.
fn found(body: &str) -> Vec<String> {
    let text = format!("{HEADER}{body}");
    let diags = match crate::Policy::from_text("t.tenet", &text) {
        Ok(p) => p.warnings().to_vec(),
        Err(e) => e.diagnostics(),
    };
    diags
        .iter()
        .map(|d| match d.position() {
            // Lines counted from the body's first line.
            Some(((line, col), _)) => format!("{} {}:{col}", d.code, line - 3),
            None => d.code.to_owned(),
        })
        .collect()
}

#[test]
fn a_clean_policy_has_nothing_to_say() {
    assert_eq!(found("input { a: int }\nlet b = a + 1\noutput o = b * 2"), Vec::<String>::new());
}

#[test]
fn values_may_be_declared_after_their_use() {
    let text = format!("{HEADER}output o = b * 2\nlet b = a + 1\nconst a = 20\n");
    let policy = crate::Policy::from_text("t.tenet", &text).expect("valid");
    let facts = policy.facts_from_json("{}").expect("no facts needed");
    let now = "2026-11-10T12:00:00+08:00".parse().expect("now");
    let result = policy.evaluate(&facts, now).expect("evaluates");
    assert_eq!(result.value("o"), Some(&Value::Int(42)));
}

#[test]
fn a_cycle_is_reported_once_at_its_first_member() {
    assert_eq!(found("let a = c + 1\nlet b = a + 1\nlet c = b + 1\noutput o = a"), ["cycle 1:5"]);
}

#[test]
fn each_mistake_is_reported_where_it_is() {
    let body = "input { r: { kind: \"a\" | \"b\", n: int } }\n\
                rule \"x\" when r.kind == \"c\" flag X\n\
                rule \"y\" when r.n + \"one\" > 1 flag Y\n\
                rule \"z\" when r.m > 1 flag Z";
    assert_eq!(found(body), ["not-in-enum 2:25", "type-mismatch 3:15", "unknown-field 4:17"]);
}

#[test]
fn testing_a_fact_that_is_never_missing_is_a_warning() {
    assert_eq!(
        found("input { a: int, b: int? }\nrule \"r\" when a is missing or b is missing flag R"),
        ["never-missing 2:15"]
    );
}

#[test]
fn unused_declarations_are_each_named() {
    assert_eq!(found("input { a: int }\nconst c = 1\nlet v = 2\noutput o = a"), ["unused 2:7", "unused 3:5"]);
}

#[test]
fn types_fit_where_a_value_can_stand() {
    let enumeration = |v: &[&str]| Type::Enum(v.iter().map(|s| std::sync::Arc::from(*s)).collect());
    assert!(Type::Int.fits(&Type::Money), "a whole number is an amount");
    assert!(!Type::Money.fits(&Type::Int), "an amount is not a whole number");
    assert!(enumeration(&["a"]).fits(&enumeration(&["a", "b"])), "a narrower enumeration fits a wider one");
    assert!(!enumeration(&["a", "c"]).fits(&enumeration(&["a", "b"])));
    assert!(enumeration(&["a"]).fits(&Type::Text));
    assert!(!Type::Text.fits(&enumeration(&["a"])), "any text is not one of the values");
    assert_eq!(Type::Int.join(&Type::Money), Some(Type::Money));
    assert_eq!(Type::Percent.join(&Type::Int), Some(Type::Decimal));
    assert_eq!(Type::Text.join(&Type::Int), None);
}
