//! Whatever tenet prints, it reads: every type's printed form — as an output's JSON and
//! as a message shows it — read back as a fact of that type, and through the text
//! builtins (`date`, `datetime`, `duration`, `period`, `time`, `number`), is the value it
//! was printed from. Generated over each type's whole range.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first surprise, and says where"
)]

use chrono::{NaiveDate, NaiveTime, TimeDelta, TimeZone};
use proptest::prelude::*;
use rust_decimal::Decimal;
use tenet::Policy;
use tenet::Type;
use tenet::facts::Format;
use tenet::value::Value;

use tenet_test_support::{HEADER, policy_of};

/// A policy that takes `x` of type `ty` and gives it back as `y`.
fn echo(ty: &str) -> Policy {
    policy_of(&format!("input {{ x: {ty} }}\noutput y = x\n"))
}

/// The value `printed` reads back as, through the facts.
fn read_back(policy: &Policy, printed: &serde_json::Value) -> Result<Value, String> {
    let facts = serde_json::json!({ "x": printed }).to_string();
    let facts = policy.facts_from_text(&facts, Format::Json).map_err(|d| format!("{printed}: {d:#?}"))?;
    let now = "2026-11-10T12:00:00+08:00".parse().expect("datetime");
    let eval = policy.evaluate(&facts, now).map_err(|e| format!("{e:?}"))?;
    eval.value("y").cloned().ok_or_else(|| format!("{printed}: no value"))
}

fn locale() -> tenet::value::Locale {
    tenet::value::Locale::new(chrono_tz::Asia::Shanghai, tenet::value::Currency::default())
}

fn check(ty_text: &str, ty: &Type, v: Value) -> Result<(), TestCaseError> {
    let policy = echo(ty_text);
    let printed = tenet::value::to_json(&v, ty, &locale());
    let back = read_back(&policy, &printed).map_err(TestCaseError::fail)?;
    prop_assert_eq!(&back, &v, "{} printed as {}", ty_text, printed);
    // As a message shows it (`string(x)`), read back by the type's text builtin.
    if let Some(reader) = reader(ty) {
        let text = format!("{HEADER}input {{ x: {ty_text} }}\noutput y = {reader}(string(x))\n");
        let policy = Policy::from_text("t.tenet", &text).unwrap_or_else(|e| panic!("{text}: {:#?}", e.diagnostics()));
        let back = read_back(&policy, &printed).map_err(TestCaseError::fail)?;
        let expected = match v {
            // `number` reads every number as a decimal.
            Value::Int(n) => Value::Decimal(Decimal::from(n)),
            other => other,
        };
        prop_assert_eq!(&back, &expected, "{}(string(x)) for {}", reader, printed);
    }
    Ok(())
}

/// The builtin that reads a type's printed text.
fn reader(ty: &Type) -> Option<&'static str> {
    Some(match ty {
        Type::Date => "date",
        Type::DateTime => "datetime",
        Type::Duration => "duration",
        Type::Period => "period",
        Type::Time => "time",
        Type::Decimal | Type::Int => "number",
        _ => return None,
    })
}

proptest! {
    #[test]
    fn dates(days in 0u64..3_652_059) {
        let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days);
        check("date", &Type::Date, Value::Date(d))?;
    }

    #[test]
    fn datetimes(secs in -62_135_510_400i64..253_402_128_000, nanos in 0u32..1_000_000_000) {
        let t = chrono::Utc.timestamp_opt(secs, nanos).single().unwrap();
        check("datetime", &Type::DateTime, Value::DateTime(t))?;
    }

    #[test]
    fn durations(secs in -10_000_000_000i64..10_000_000_000, nanos in 0u32..1_000_000_000) {
        check("duration", &Type::Duration, Value::Duration(TimeDelta::new(secs, nanos).unwrap()))?;
    }

    #[test]
    fn periods(months in -119_988i32..119_988) {
        check("period", &Type::Period, Value::Months(months))?;
    }

    #[test]
    fn times(secs in 0u32..86_400, nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000]) {
        let t = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos).unwrap();
        check("time", &Type::Time, Value::Time(t))?;
    }

    #[test]
    fn offset_times(secs in 0u32..86_400, nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000], minutes in -1439i32..1440) {
        let t = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos).unwrap();
        let offset = chrono::FixedOffset::east_opt(minutes * 60).unwrap();
        check("time", &Type::Time, Value::OffsetTime(t, offset))?;
    }

    #[test]
    fn decimals(m in any::<i64>(), scale in 0u32..20) {
        check("decimal", &Type::Decimal, Value::Decimal(Decimal::new(m, scale)))?;
    }

    #[test]
    fn money(m in -1_000_000_000_000i64..1_000_000_000_000) {
        check("money", &Type::Money, Value::Money(Decimal::new(m, 2)))?;
    }

    #[test]
    fn percents(m in -1_000_000i64..1_000_000, scale in 0u32..8) {
        check("percent", &Type::Percent, Value::Percent(Decimal::new(m, scale + 2)))?;
    }

    #[test]
    fn ints(n in any::<i64>()) {
        check("int", &Type::Int, Value::Int(n))?;
    }

    #[test]
    fn texts(t in "\\PC{0,40}") {
        check("text", &Type::Text, Value::text(&t))?;
    }
}
