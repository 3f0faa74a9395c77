//! Operators on values: exact arithmetic, Kleene logic, comparisons.

use std::cmp::Ordering;

use chrono::{Days, TimeDelta};
use rust_decimal::Decimal;

use crate::diagnostics::Msg;
use crate::lang::ArithOp;
use crate::lang::CmpOp;
use crate::value::{Locale, Value};

/// Why an operation has no value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OpError {
    /// The result does not fit.
    #[error("计算结果超出范围 · the result is out of range")]
    Overflow,
    /// Division by zero.
    #[error("除数为零 · division by zero")]
    DivisionByZero,
    /// A date moved by a duration that is not whole days.
    #[error("日期只能加减整天数的时长 · a date can only move by whole days")]
    PartialDays,
    /// A whole number to a negative power.
    #[error(
        "整数的负数次幂不是整数；写成小数，如 2.0 ** -1 · a negative power of a whole number is not whole; write a decimal, such as 2.0 ** -1"
    )]
    NegativePower,
    /// A text joined past the limit.
    #[error("拼接的文本超过 1 MiB · the joined text is longer than 1 MiB")]
    TextTooLong,
    /// Operand types the checker should have refused.
    #[error(
        "运算的值类型不符（这是 tenet 的缺陷，请报告）· operand types do not match (a tenet bug; please report it)"
    )]
    Types,
}

impl OpError {
    /// The message in both languages.
    pub(crate) fn message(&self) -> Msg {
        let text = self.to_string();
        match text.split_once(" · ") {
            Some((zh, en)) => Msg::new(zh, en),
            None => Msg::new(text.clone(), text),
        }
    }
}

type OpResult = Result<Value, OpError>;

fn dec(op: ArithOp, a: Decimal, b: Decimal) -> Result<Decimal, OpError> {
    match op {
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul | ArithOp::Of => a.checked_mul(b),
        ArithOp::Div => {
            if b.is_zero() {
                return Err(OpError::DivisionByZero);
            }
            a.checked_div(b)
        }
        ArithOp::Pow => return power(a, b),
        ArithOp::Mod => return modulo(a, b),
        ArithOp::IntDiv => return whole_quotient(a, b).map(Decimal::from),
    }
    .ok_or(OpError::Overflow)
}

/// `a ** b`: exact for a whole exponent (a negative one divides, rounded at 28 places);
/// otherwise rust_decimal's `powd`, correct to about 25 significant digits.
fn power(a: Decimal, b: Decimal) -> Result<Decimal, OpError> {
    use rust_decimal::MathematicalOps;
    let whole = b.fract().is_zero().then(|| rust_decimal::prelude::ToPrimitive::to_i64(&b)).flatten();
    match whole {
        Some(n) if n < 0 && a.is_zero() => Err(OpError::DivisionByZero),
        Some(n) => a.checked_powi(n).ok_or(OpError::Overflow),
        None if a.is_sign_negative() => Err(OpError::Overflow),
        None => a.checked_powd(b).ok_or(OpError::Overflow),
    }
}

/// `a mod b`: the remainder with the sign of `b` (`-7 mod 3` is 2), as FEEL's modulo.
fn modulo(a: Decimal, b: Decimal) -> Result<Decimal, OpError> {
    if b.is_zero() {
        return Err(OpError::DivisionByZero);
    }
    let r = a.checked_rem(b).ok_or(OpError::Overflow)?;
    if !r.is_zero() && r.is_sign_negative() != b.is_sign_negative() {
        r.checked_add(b).ok_or(OpError::Overflow)
    } else {
        Ok(r)
    }
}

/// `a div b`: the whole quotient, rounded down (`-7 div 2` is -4).
fn whole_quotient(a: Decimal, b: Decimal) -> Result<i64, OpError> {
    if b.is_zero() {
        return Err(OpError::DivisionByZero);
    }
    let q = a.checked_div(b).ok_or(OpError::Overflow)?.floor();
    rust_decimal::prelude::ToPrimitive::to_i64(&q).ok_or(OpError::Overflow)
}

fn plain(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(n) => Some(Decimal::from(*n)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// `l op r`; missing when either side is missing. A datetime moves by whole days in
/// `locale`'s zone ([`crate::time::shift`]).
pub fn arith(op: ArithOp, l: &Value, r: &Value, locale: &Locale) -> OpResult {
    use ArithOp::*;
    use Value as V;
    // The pairs policies compute most, decided by the operands' kinds first; each gives
    // what the general match below gives (held together by the operator x type tests).
    match (l, r) {
        (V::Money(a), V::Money(b)) if matches!(op, Add | Sub) => return Ok(V::Money(dec(op, *a, *b)?)),
        (V::Money(a), V::Int(n)) if op == Mul => return Ok(V::Money(dec(op, *a, Decimal::from(*n))?)),
        (V::Percent(p), V::Money(m)) if op == Of => return Ok(V::Money(dec(op, *p, *m)?)),
        (V::Date(d), V::Duration(t)) if matches!(op, Add | Sub) => return Ok(V::Date(shift_date(*d, *t, op == Sub)?)),
        _ => {}
    }
    Ok(match (op, l, r) {
        (_, V::Missing, _) | (_, _, V::Missing) => V::Missing,
        (Add, V::Int(a), V::Int(b)) => V::Int(a.checked_add(*b).ok_or(OpError::Overflow)?),
        (Add, V::List(a), V::List(b)) => V::List(a.iter().chain(b.iter()).cloned().collect()),
        (Sub, V::Int(a), V::Int(b)) => V::Int(a.checked_sub(*b).ok_or(OpError::Overflow)?),
        (Mul, V::Int(a), V::Int(b)) => V::Int(a.checked_mul(*b).ok_or(OpError::Overflow)?),
        // Money with plain numbers, percentages and money.
        (Add | Sub, V::Money(a), b) | (Add | Sub, b, V::Money(a)) if plain(b).is_some() || matches!(b, V::Money(_)) => {
            let (x, y) = if matches!(l, V::Money(_)) { (*a, money_or_plain(b)?) } else { (money_or_plain(b)?, *a) };
            V::Money(dec(op, x, y)?)
        }
        (Mul, V::Money(a), b) | (Mul, b, V::Money(a)) => V::Money(dec(op, *a, numeric(b)?)?),
        (Div, V::Money(a), V::Money(b)) => V::Decimal(dec(op, *a, *b)?),
        (Div, V::Money(a), b) => V::Money(dec(op, *a, numeric(b)?)?),
        (Of, V::Percent(p), V::Money(m)) => V::Money(dec(op, *p, *m)?),
        (Of, V::Percent(p), b) => V::Decimal(dec(op, *p, plain(b).ok_or(OpError::Types)?)?),
        // Percentages.
        (Add | Sub, V::Percent(a), V::Percent(b)) => V::Percent(dec(op, *a, *b)?),
        // A percentage with a plain number counts as its fraction: `1 - 10%` is 0.90.
        (Add | Sub, V::Percent(a), b) if plain(b).is_some() => {
            V::Decimal(dec(op, *a, plain(b).ok_or(OpError::Types)?)?)
        }
        (Add | Sub, a, V::Percent(b)) if plain(a).is_some() => {
            V::Decimal(dec(op, plain(a).ok_or(OpError::Types)?, *b)?)
        }
        (Mul, V::Percent(a), b) | (Mul, b, V::Percent(a)) => V::Percent(dec(op, *a, numeric(b)?)?),
        (Div, V::Percent(a), V::Percent(b)) => V::Decimal(dec(op, *a, *b)?),
        (Div, V::Percent(a), b) => V::Percent(dec(op, *a, plain(b).ok_or(OpError::Types)?)?),
        // Time.
        (Add | Sub, V::Date(d), V::Duration(t)) | (Add, V::Duration(t), V::Date(d)) => {
            V::Date(shift_date(*d, *t, op == Sub)?)
        }
        (Add | Sub, V::DateTime(d), V::Duration(t)) | (Add, V::Duration(t), V::DateTime(d)) => {
            let t = if op == Sub { -*t } else { *t };
            V::DateTime(locale.shift(*d, t).ok_or(OpError::Overflow)?)
        }
        (Sub, V::Date(a), V::Date(b)) => {
            V::Duration(TimeDelta::try_days(a.signed_duration_since(*b).num_days()).ok_or(OpError::Overflow)?)
        }
        (Sub, V::DateTime(a), V::DateTime(b)) => V::Duration(a.signed_duration_since(*b)),
        (Add, V::Duration(a), V::Duration(b)) => V::Duration(a.checked_add(b).ok_or(OpError::Overflow)?),
        (Sub, V::Duration(a), V::Duration(b)) => V::Duration(a.checked_sub(b).ok_or(OpError::Overflow)?),
        (Mul, V::Duration(t), V::Int(n)) | (Mul, V::Int(n), V::Duration(t)) => {
            let n = i32::try_from(*n).map_err(|_| OpError::Overflow)?;
            V::Duration(t.checked_mul(n).ok_or(OpError::Overflow)?)
        }
        (Div, V::Duration(a), V::Duration(b)) => V::Decimal(dec(Div, nanos(*a)?, nanos(*b)?)?),
        // Calendar periods: the same day of the month N months on, clamped to the
        // month's end (31 January + 1 month is 28 February).
        (Add | Sub, V::Date(d), V::Months(m)) | (Add, V::Months(m), V::Date(d)) => {
            V::Date(add_months(*d, if op == Sub { m.checked_neg().ok_or(OpError::Overflow)? } else { *m })?)
        }
        (Add | Sub, V::DateTime(t), V::Months(m)) | (Add, V::Months(m), V::DateTime(t)) => {
            let m = if op == Sub { m.checked_neg().ok_or(OpError::Overflow)? } else { *m };
            V::DateTime(locale.add_months(*t, m).ok_or(OpError::Overflow)?)
        }
        (Add, V::Months(a), V::Months(b)) => V::Months(a.checked_add(*b).ok_or(OpError::Overflow)?),
        (Sub, V::Months(a), V::Months(b)) => V::Months(a.checked_sub(*b).ok_or(OpError::Overflow)?),
        (Mul, V::Months(m), V::Int(n)) | (Mul, V::Int(n), V::Months(m)) => {
            V::Months(i32::try_from(*n).ok().and_then(|n| m.checked_mul(n)).ok_or(OpError::Overflow)?)
        }
        // Powers, remainders and whole quotients.
        (Pow, V::Int(a), V::Int(b)) => {
            let exp = u32::try_from(*b).map_err(|_| OpError::NegativePower)?;
            V::Int(a.checked_pow(exp).ok_or(OpError::Overflow)?)
        }
        (Mod, V::Int(a), V::Int(b)) => {
            if *b == 0 {
                return Err(OpError::DivisionByZero);
            }
            let r = a.checked_rem(*b).ok_or(OpError::Overflow)?;
            V::Int(if r != 0 && (r < 0) != (*b < 0) { r + b } else { r })
        }
        (Mod, V::Money(a), b) => V::Money(modulo(*a, money_or_plain(b)?)?),
        (Mod, V::Duration(a), V::Duration(b)) => {
            // In seconds, to the nanosecond.
            let r = modulo(nanos(*a)?, nanos(*b)?)?;
            let n = r
                .checked_mul(Decimal::from(1_000_000_000))
                .and_then(|n| rust_decimal::prelude::ToPrimitive::to_i64(&n));
            V::Duration(TimeDelta::nanoseconds(n.ok_or(OpError::Overflow)?))
        }
        (IntDiv, V::Int(a), V::Int(b)) => {
            if *b == 0 {
                return Err(OpError::DivisionByZero);
            }
            let (q, r) = (a.checked_div(*b).ok_or(OpError::Overflow)?, a.checked_rem(*b).ok_or(OpError::Overflow)?);
            V::Int(if r != 0 && (r < 0) != (*b < 0) { q - 1 } else { q })
        }
        (IntDiv, V::Money(a), V::Money(b)) => V::Int(whole_quotient(*a, *b)?),
        (IntDiv, V::Duration(a), V::Duration(b)) => V::Int(whole_quotient(nanos(*a)?, nanos(*b)?)?),
        (IntDiv, a, b) if plain(a).is_some() && plain(b).is_some() => {
            V::Int(whole_quotient(plain(a).ok_or(OpError::Types)?, plain(b).ok_or(OpError::Types)?)?)
        }
        // Texts join.
        (Add, V::Text(a), V::Text(b)) => {
            if a.len().saturating_add(b.len()) > super::MAX_TEXT_BYTES {
                return Err(OpError::TextTooLong);
            }
            V::Text(format!("{a}{b}").into())
        }
        // Plain numbers.
        (_, a, b) => match (plain(a), plain(b)) {
            (Some(x), Some(y)) => V::Decimal(dec(op, x, y)?),
            _ => return Err(OpError::Types),
        },
    })
}

fn money_or_plain(v: &Value) -> Result<Decimal, OpError> {
    match v {
        Value::Money(d) => Ok(*d),
        other => plain(other).ok_or(OpError::Types),
    }
}

fn numeric(v: &Value) -> Result<Decimal, OpError> {
    v.as_decimal().ok_or(OpError::Types)
}

fn nanos(t: TimeDelta) -> Result<Decimal, OpError> {
    let total = i128::from(t.num_seconds()) * 1_000_000_000 + i128::from(t.subsec_nanos());
    Decimal::try_from_i128_with_scale(total, 9).map_err(|_| OpError::Overflow)
}

/// `d` moved by `months` calendar months, the day clamped to the month's end.
pub(crate) fn add_months(d: chrono::NaiveDate, months: i32) -> Result<chrono::NaiveDate, OpError> {
    let n = chrono::Months::new(months.unsigned_abs());
    let moved = if months < 0 { d.checked_sub_months(n) } else { d.checked_add_months(n) };
    moved.filter(crate::time::in_years).ok_or(OpError::Overflow)
}

fn shift_date(d: chrono::NaiveDate, t: TimeDelta, back: bool) -> Result<chrono::NaiveDate, OpError> {
    if t.subsec_nanos() != 0 || t.num_seconds() % 86_400 != 0 {
        return Err(OpError::PartialDays);
    }
    let days = t.num_days();
    let forward = (days >= 0) != back;
    let n = Days::new(days.unsigned_abs());
    let out = if forward { d.checked_add_days(n) } else { d.checked_sub_days(n) };
    out.filter(crate::time::in_years).ok_or(OpError::Overflow)
}

/// `-x`.
pub fn negate(v: &Value) -> OpResult {
    Ok(match v {
        Value::Missing => Value::Missing,
        Value::Int(n) => Value::Int(n.checked_neg().ok_or(OpError::Overflow)?),
        Value::Decimal(d) => Value::Decimal(-*d),
        Value::Money(d) => Value::Money(-*d),
        Value::Percent(d) => Value::Percent(-*d),
        Value::Duration(t) => Value::Duration(-*t),
        _ => return Err(OpError::Types),
    })
}

/// `l op r` under Kleene logic: missing when either side is missing.
pub fn compare(op: CmpOp, l: &Value, r: &Value) -> Value {
    compare_truth(op, l, r).map_or(Value::Missing, Value::Bool)
}

/// `l op r` as a truth value; `None` when either side is missing.
#[inline]
pub fn compare_truth(op: CmpOp, l: &Value, r: &Value) -> Option<bool> {
    // Texts and whole numbers are most comparisons in a policy.
    match (op, l, r) {
        (CmpOp::Eq, Value::Text(a), Value::Text(b)) => return Some(a == b),
        (CmpOp::Ne, Value::Text(a), Value::Text(b)) => return Some(a != b),
        (_, Value::Int(a), Value::Int(b)) => {
            let o = a.cmp(b);
            return Some(match op {
                CmpOp::Eq => o == Ordering::Equal,
                CmpOp::Ne => o != Ordering::Equal,
                CmpOp::Lt => o == Ordering::Less,
                CmpOp::Le => o != Ordering::Greater,
                CmpOp::Gt => o == Ordering::Greater,
                CmpOp::Ge => o != Ordering::Less,
            });
        }
        _ => {}
    }
    match op {
        CmpOp::Eq => l.equals(r),
        CmpOp::Ne => l.equals(r).map(|b| !b),
        _ => l.compare(r).map(|o| match op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        }),
    }
}

/// `item in list`: true on a definite match, missing when an unknown item could match.
pub fn member(item: &Value, list: &Value) -> Value {
    member_truth(item, list).map_or(Value::Missing, Value::Bool)
}

/// `item in list` as a truth value.
pub fn member_truth(item: &Value, list: &Value) -> Option<bool> {
    let Value::List(items) = list else { return None };
    if item.is_missing() {
        return None;
    }
    let mut unknown = false;
    for x in items.iter() {
        match item.equals(x) {
            Some(true) => return Some(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown { None } else { Some(false) }
}

/// Kleene `not`.
pub fn not(v: &Value) -> Value {
    v.truth().map_or(Value::Missing, |b| Value::Bool(!b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn arith(op: ArithOp, l: &Value, r: &Value) -> OpResult {
        super::arith(op, l, r, &Locale::default())
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_stays_money() {
        let price = Value::Money(d("399.00"));
        assert_eq!(arith(ArithOp::Mul, &price, &Value::Int(2)), Ok(Value::Money(d("798.00"))));
        assert_eq!(arith(ArithOp::Of, &Value::Percent(d("0.10")), &price), Ok(Value::Money(d("39.9000"))));
        assert_eq!(arith(ArithOp::Sub, &Value::Int(0), &price), Ok(Value::Money(d("-399.00"))));
        assert_eq!(arith(ArithOp::Div, &price, &Value::Money(d("100"))), Ok(Value::Decimal(d("3.99"))));
    }

    #[test]
    fn errors_are_values_not_panics() {
        assert_eq!(arith(ArithOp::Add, &Value::Int(i64::MAX), &Value::Int(1)), Err(OpError::Overflow));
        assert_eq!(arith(ArithOp::Div, &Value::Int(1), &Value::Int(0)), Err(OpError::DivisionByZero));
        let big = Value::Decimal(Decimal::MAX);
        assert_eq!(arith(ArithOp::Mul, &big, &Value::Int(2)), Err(OpError::Overflow));
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(
            arith(ArithOp::Add, &Value::Date(day), &Value::Duration(TimeDelta::hours(36))),
            Err(OpError::PartialDays)
        );
    }

    #[test]
    fn dates_move_by_days() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let week = Value::Duration(TimeDelta::days(7));
        assert_eq!(arith(ArithOp::Add, &Value::Date(day), &week), Ok(Value::Date(day + Days::new(7))));
        assert_eq!(arith(ArithOp::Sub, &Value::Date(day), &week), Ok(Value::Date(day - Days::new(7))));
    }

    #[test]
    fn kleene_membership() {
        let list = Value::List(vec![Value::text("a"), Value::Missing].into());
        assert_eq!(member(&Value::text("a"), &list), Value::Bool(true));
        assert_eq!(member(&Value::text("b"), &list), Value::Missing);
        assert_eq!(member(&Value::Missing, &list), Value::Missing);
    }
}
