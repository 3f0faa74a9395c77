//! Runtime values: exact decimals for money, chrono for time, shared lists and records.

mod display;
pub mod duration;
mod json;
pub mod money;
pub mod number;

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;

pub use display::{Locale, Shown};
pub use json::to_json;
pub use money::Currency;

/// A value during evaluation.
///
/// Records hold their fields in schema order, so a field read is an index, never a
/// name lookup. Enumerations are texts.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An absent optional fact, or anything computed from one (Kleene logic).
    Missing,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// An exact decimal.
    Decimal(Decimal),
    /// An amount of money in the policy's currency (exact; rounded where produced).
    Money(Decimal),
    /// A percentage, held as a fraction (`10%` is `0.10`).
    Percent(Decimal),
    /// Text, or a value of an enumeration.
    Text(Arc<str>),
    /// A calendar date.
    Date(NaiveDate),
    /// An instant.
    DateTime(DateTime<Utc>),
    /// A length of time, exact to the nanosecond.
    Duration(TimeDelta),
    /// A calendar period in whole months (`12 months`, `P1Y2M`).
    Months(i32),
    /// A time of day (`16:00`).
    Time(chrono::NaiveTime),
    /// A time of day at an offset from UTC (`00:00:01-01:00`); it compares with other
    /// such times as the instants they name on one day, never with a local time.
    OffsetTime(chrono::NaiveTime, chrono::FixedOffset),
    /// A working calendar.
    Calendar(Arc<crate::time::Calendar>),
    /// A list.
    List(Arc<[Value]>),
    /// A record: fields in schema order.
    Record(Arc<[Value]>),
}

impl Value {
    /// `n` missing values. (`vec![Value::Missing; n]` clones the first `n - 1` times
    /// through `Clone`'s match; this only writes the tag, on every evaluation's slots
    /// and every record read.)
    pub(crate) fn missing_n(n: usize) -> Vec<Value> {
        let mut v = Vec::with_capacity(n);
        v.resize_with(n, || Value::Missing);
        v
    }

    /// True for [`Value::Missing`].
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// The truth value: `None` when missing (or not a boolean).
    pub fn truth(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A numeric value as a decimal (ints, decimals, money and percentages).
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Int(n) => Some(Decimal::from(*n)),
            Value::Decimal(d) | Value::Money(d) | Value::Percent(d) => Some(*d),
            _ => None,
        }
    }

    /// Equality under Kleene logic: `None` when either side is missing.
    pub fn equals(&self, other: &Value) -> Option<bool> {
        match (self, other) {
            (Value::Missing, _) | (_, Value::Missing) => None,
            (Value::Text(a), Value::Text(b)) => Some(a == b),
            (Value::Bool(a), Value::Bool(b)) => Some(a == b),
            (Value::Int(a), Value::Int(b)) => Some(a == b),
            (Value::Months(a), Value::Months(b)) => Some(a == b),
            (Value::Time(a), Value::Time(b)) => Some(a == b),
            (Value::Calendar(a), Value::Calendar(b)) => Some(Arc::ptr_eq(a, b) || a.name == b.name),
            (Value::List(a), Value::List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut all = Some(true);
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.equals(y) {
                        Some(false) => return Some(false),
                        None => all = None,
                        Some(true) => {}
                    }
                }
                all
            }
            _ => self.compare(other).map(|o| o == Ordering::Equal),
        }
    }

    /// Ordering for comparable values of one family; `None` when missing or unordered.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::DateTime(a), Value::DateTime(b)) => Some(a.cmp(b)),
            (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
            (Value::Months(a), Value::Months(b)) => Some(a.cmp(b)),
            (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
            (Value::OffsetTime(..), Value::OffsetTime(..)) => Some(utc_seconds(self)?.cmp(&utc_seconds(other)?)),
            (Value::Time(_), Value::OffsetTime(..)) | (Value::OffsetTime(..), Value::Time(_)) => None,
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            _ => Some(self.as_decimal()?.cmp(&other.as_decimal()?)),
        }
    }

    /// A text value.
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }
}

/// An offset time's time of day in UTC, in nanoseconds after midnight (wrapping round
/// the day), by which two offset times compare.
fn utc_seconds(v: &Value) -> Option<i64> {
    let Value::OffsetTime(t, offset) = v else { return None };
    use chrono::Timelike;
    let local = i64::from(t.num_seconds_from_midnight()) * 1_000_000_000 + i64::from(t.nanosecond());
    let day = 86_400 * 1_000_000_000;
    Some((local - i64::from(offset.local_minus_utc()) * 1_000_000_000).rem_euclid(day))
}

/// A time of day as text: local (`HH:MM[:SS[.fff]]`, [`time_of_day`]) or with an offset
/// after it (`Z`, `+08:00`, `-01:00`) — a [`Value::OffsetTime`].
pub fn time_value(text: &str) -> Option<Value> {
    let (time, offset) = match text.strip_suffix('Z') {
        Some(t) => (t, Some(0)),
        None => match text.len().checked_sub(6).and_then(|i| text.get(i..).map(|o| (i, o))) {
            Some((i, o)) if matches!(o.as_bytes(), [b'+' | b'-', h1, h2, b':', m1, m2] if [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())) =>
            {
                let (h, m) = (o.get(1..3)?.parse::<i32>().ok()?, o.get(4..6)?.parse::<i32>().ok()?);
                if h > 23 || m > 59 {
                    return None;
                }
                let secs = h * 3600 + m * 60;
                (text.get(..i)?, Some(if o.starts_with('-') { -secs } else { secs }))
            }
            _ => (text, None),
        },
    };
    let t = time_of_day(time)?;
    Some(match offset {
        None => Value::Time(t),
        Some(s) => Value::OffsetTime(t, chrono::FixedOffset::east_opt(s)?),
    })
}

/// An offset as tenet writes it after a time: `Z`, `+08:00`, `-01:00`.
pub fn offset_text(offset: &chrono::FixedOffset) -> String {
    let s = offset.local_minus_utc();
    if s == 0 {
        return "Z".into();
    }
    let (sign, s) = if s < 0 { ('-', -s) } else { ('+', s) };
    format!("{sign}{:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// A time of day as policies and facts write it: `HH:MM`, `HH:MM:SS` or with a fraction
/// of a second, `HH:MM:SS.fff` (up to nine places; no leap second). Two digits each,
/// nothing around it.
pub fn time_of_day(text: &str) -> Option<chrono::NaiveTime> {
    let b = text.as_bytes();
    let two = |i: usize| -> Option<u32> {
        let d = b.get(i..i + 2)?;
        d.iter().all(u8::is_ascii_digit).then(|| d.iter().fold(0, |n, c| n * 10 + u32::from(c - b'0')))
    };
    if b.get(2) != Some(&b':') {
        return None;
    }
    let (h, m) = (two(0)?, two(3)?);
    let (s, nanos) = match b.len() {
        5 => (0, 0),
        8.. if b.get(5) == Some(&b':') => {
            let s = two(6)?;
            let nanos = match b.get(8..) {
                Some([]) => 0,
                Some([b'.', digits @ ..])
                    if (1..=9).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit) =>
                {
                    let n = digits.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
                    n * 10u32.pow(u32::try_from(9 - digits.len()).ok()?)
                }
                _ => return None,
            };
            (s, nanos)
        }
        _ => return None,
    };
    if s > 59 {
        return None;
    }
    chrono::NaiveTime::from_hms_nano_opt(h, m, s, nanos)
}

/// A time of day as tenet writes it: `16:00`, `09:30:15` when it has seconds,
/// `12:59:01.3` with a fraction of one.
pub fn time_text(t: &chrono::NaiveTime) -> String {
    use chrono::Timelike;
    let nanos = t.nanosecond();
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        return format!("{}.{}", t.format("%H:%M:%S"), fraction.trim_end_matches('0'));
    }
    if t.second() == 0 { t.format("%H:%M").to_string() } else { t.format("%H:%M:%S").to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_equality() {
        assert_eq!(Value::Missing.equals(&Value::Int(1)), None);
        assert_eq!(Value::Int(1).equals(&Value::Decimal(Decimal::ONE)), Some(true));
        assert_eq!(Value::Money(Decimal::new(1000, 2)).equals(&Value::Int(10)), Some(true));
        assert_eq!(Value::text("a").equals(&Value::text("b")), Some(false));
        let list = |v: Vec<Value>| Value::List(v.into());
        assert_eq!(
            list(vec![Value::Int(1), Value::Missing]).equals(&list(vec![Value::Int(2), Value::Missing])),
            Some(false)
        );
        assert_eq!(list(vec![Value::Int(1), Value::Missing]).equals(&list(vec![Value::Int(1), Value::Int(1)])), None);
    }
}
