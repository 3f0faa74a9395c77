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

/// A time of day as policies and facts write it: `HH:MM` or `HH:MM:SS` (no leap second).
pub fn time_of_day(text: &str) -> Option<chrono::NaiveTime> {
    let t = text.trim();
    chrono::NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M"))
        .ok()
        .filter(|t| chrono::Timelike::nanosecond(t) < 1_000_000_000)
}

/// A time of day as tenet writes it: `16:00`, or `09:30:15` when it has seconds.
pub fn time_text(t: &chrono::NaiveTime) -> String {
    if chrono::Timelike::second(t) == 0 { t.format("%H:%M").to_string() } else { t.format("%H:%M:%S").to_string() }
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
