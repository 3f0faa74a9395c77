//! Values as people read them: in messages (plain) and in traces (as literals).

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{Currency, Value, duration};

/// A policy's locale: its time zone (where local dates are counted and datetimes are
/// shown) and its currency (how money is rounded and shown). Evaluation depends on it
/// as much as display does.
#[derive(Clone, Copy, Debug)]
pub struct Locale {
    /// Local dates are counted and datetimes shown in this zone.
    pub(crate) tz: Tz,
    /// Money is rounded to and shown with this currency's minor unit.
    pub(crate) currency: Currency,
    /// The zone's offset when it never changes over 2000–2050: local dates by arithmetic.
    steady_offset: Option<i32>,
}

impl Default for Locale {
    fn default() -> Self {
        Locale::new(Tz::UTC, Currency::default())
    }
}

/// A value ready to display; `literal` quotes texts (for traces), `chinese` words
/// durations in Chinese (for Chinese messages).
pub struct Shown<'a> {
    value: &'a Value,
    locale: &'a Locale,
    literal: bool,
    chinese: bool,
}

impl Locale {
    /// The locale of a policy with this zone and currency.
    pub fn new(tz: Tz, currency: Currency) -> Locale {
        Locale { tz, currency, steady_offset: crate::time::calendar::steady_offset(tz) }
    }

    /// The time zone.
    pub fn zone(&self) -> Tz {
        self.tz
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// `at + delta` with whole days as local days ([`crate::time::shift`]); a zone
    /// without clock changes adds exactly, which is the same.
    pub fn shift(&self, at: DateTime<Utc>, delta: chrono::TimeDelta) -> Option<DateTime<Utc>> {
        let steady = crate::time::calendar::STEADY_LOCAL_SECONDS;
        if self.steady_offset.is_some()
            && let Some(to) = at.checked_add_signed(delta)
            && crate::time::within_years(&to)
            && steady.contains(&at.timestamp())
            && steady.contains(&to.timestamp())
        {
            return Some(to);
        }
        crate::time::shift(at, delta, self.tz)
    }

    /// `at` moved by `months` calendar months at the same local time in the policy's zone
    /// (the day clamped to the month's end; a skipped local time becomes the exact sum).
    pub fn add_months(&self, at: DateTime<Utc>, months: i32) -> Option<DateTime<Utc>> {
        use chrono::TimeZone;
        if !crate::time::within_years(&at) {
            return None;
        }
        let local = at.with_timezone(&self.tz).naive_local();
        let n = chrono::Months::new(months.unsigned_abs());
        let moved = if months < 0 { local.checked_sub_months(n) } else { local.checked_add_months(n) }?;
        let t = match self.tz.from_local_datetime(&moved).earliest() {
            Some(t) => t.to_utc(),
            // Skipped by a clock change: the exact sum, as `time::shift` takes it.
            None => at.checked_add_signed(moved.signed_duration_since(local))?,
        };
        Some(t).filter(crate::time::within_years)
    }

    /// The local date of an instant in the policy's zone.
    pub fn local_date(&self, at: &DateTime<Utc>) -> NaiveDate {
        if let Some(offset) = self.steady_offset {
            let local = at.timestamp() + i64::from(offset);
            // Days since 0001-01-01 (day 1 in chrono's count) of the local instant.
            if crate::time::calendar::STEADY_LOCAL_SECONDS.contains(&local)
                && let Ok(days) = i32::try_from(local.div_euclid(86_400) + 719_163)
                && let Some(day) = NaiveDate::from_num_days_from_ce_opt(days)
            {
                return day;
            }
        }
        at.with_timezone(&self.tz).date_naive()
    }

    /// For messages: texts as they are.
    pub fn plain<'a>(&'a self, value: &'a Value) -> Shown<'a> {
        Shown { value, locale: self, literal: false, chinese: false }
    }

    /// For Chinese messages: texts as they are, durations in Chinese words.
    pub fn chinese<'a>(&'a self, value: &'a Value) -> Shown<'a> {
        Shown { value, locale: self, literal: false, chinese: true }
    }

    /// For traces: texts quoted, so `"no_reason"` is clearly a text.
    pub fn literal<'a>(&'a self, value: &'a Value) -> Shown<'a> {
        Shown { value, locale: self, literal: true, chinese: false }
    }

    /// Money rounded to the minor unit, with exactly that many places.
    pub fn money(&self, amount: Decimal) -> String {
        self.currency.round(amount).to_string()
    }

    /// A datetime in the policy's zone, RFC 3339.
    pub fn datetime(&self, at: &DateTime<Utc>) -> String {
        crate::time::rfc3339(at, self.tz)
    }
}

/// `10%`, `2.5%`.
pub fn percent(p: Decimal) -> String {
    format!("{}%", (p * Decimal::ONE_HUNDRED).normalize())
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            Value::Missing => f.write_str("missing"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Money(d) => f.write_str(&self.locale.money(*d)),
            Value::Percent(p) => write!(f, "{}%", (*p * Decimal::ONE_HUNDRED).normalize()),
            Value::Text(s) if self.literal => write!(f, "{:?}", &**s),
            Value::Text(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(t) => f.write_str(&self.locale.datetime(t)),
            Value::Duration(d) if self.chinese => f.write_str(&duration::words_zh(*d)),
            Value::Duration(d) => f.write_str(&duration::words(*d)),
            Value::Months(m) => f.write_str(&duration::period_words(*m, self.chinese)),
            Value::Time(t) => f.write_str(&super::time_text(t)),
            Value::OffsetTime(t, o) => write!(f, "{}{}", super::time_text(t), super::offset_text(o)),
            Value::Calendar(c) => f.write_str(&c.name),
            Value::List(items) | Value::Record(items) => {
                let (open, close) = if matches!(self.value, Value::List(_)) { ("[", "]") } else { ("{", "}") };
                f.write_str(open)?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", self.locale.literal(item))?;
                }
                f.write_str(close)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The local date by arithmetic is the date chrono-tz gives, across the years the
    /// steady offset covers, at their edges and outside them.
    #[test]
    fn months_into_a_skipped_hour_are_the_exact_sum() {
        let berlin = Locale::new(chrono_tz::Europe::Berlin, Currency::default());
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("a datetime").to_utc();
        // 02:30 on 29 March 2026 does not exist in Berlin (clocks go 02:00 -> 03:00): two
        // months after 02:30 on 29 January lands where the exact sum does, 03:30.
        assert_eq!(berlin.add_months(at("2026-01-29T02:30:00+01:00"), 2), Some(at("2026-03-29T03:30:00+02:00")));
        assert_eq!(berlin.add_months(at("2026-01-29T12:00:00+01:00"), 2), Some(at("2026-03-29T12:00:00+02:00")));
    }

    #[test]
    fn local_date_by_arithmetic_agrees_with_the_zone() {
        for zone in [chrono_tz::Asia::Shanghai, chrono_tz::UTC, chrono_tz::Asia::Kolkata, chrono_tz::Europe::Berlin] {
            let locale = Locale::new(zone, Currency::default());
            // Every 7 hours 13 minutes from 1990 to 2060: all hours of the day, both
            // sides of midnight, and instants before and after the steady range.
            let (from, to) = (631_152_000_i64, 2_840_140_800_i64);
            let mut t = from;
            while t < to {
                let at = DateTime::from_timestamp(t, 0).expect("in range");
                assert_eq!(locale.local_date(&at), at.with_timezone(&zone).date_naive(), "{zone} at {at}");
                t += 7 * 3600 + 13 * 60;
            }
            for edge in [946_684_800 - 8 * 3600, 946_684_800, 2_556_144_000 - 8 * 3600 - 1, 2_556_144_000] {
                let at = DateTime::from_timestamp(edge, 0).expect("in range");
                assert_eq!(locale.local_date(&at), at.with_timezone(&zone).date_naive(), "{zone} at {at}");
            }
        }
    }
}
