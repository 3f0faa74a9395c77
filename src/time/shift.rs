//! Adding a plain duration to an instant, with one meaning everywhere (expressions,
//! deadlines, delays): a whole number of days counts local days in the policy's zone —
//! the same wall-clock time N days later, whatever a daylight-saving change in between
//! does — and any other duration is exact time.

use chrono::{DateTime, Days, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// `from + delta` (a negative `delta` goes back): whole days as local days in `tz`,
/// anything else exact. A local time that a clock change skips on the day reached is
/// taken as the exact sum (02:30 into a spring-forward gap becomes 03:30); one it
/// repeats, as its first occurrence. `None` past the representable range.
pub fn shift(from: DateTime<Utc>, delta: TimeDelta, tz: Tz) -> Option<DateTime<Utc>> {
    let exact = from.checked_add_signed(delta).filter(within_years);
    if !within_years(&from) || exact.is_none() {
        return None;
    }
    if delta.subsec_nanos() != 0 || delta.num_seconds() % 86_400 != 0 {
        return exact;
    }
    let days = Days::new(delta.num_days().unsigned_abs());
    let local = from.with_timezone(&tz).naive_local();
    let moved = if delta < TimeDelta::zero() { local.checked_sub_days(days) } else { local.checked_add_days(days) }?;
    match tz.from_local_datetime(&moved).earliest() {
        Some(t) => Some(t.to_utc()).filter(within_years),
        None => exact,
    }
}

/// Instants in years 1 to 9999, the years RFC 3339 can write: arithmetic that leaves
/// them fails as an overflow, so no later step meets an instant a time zone cannot hold.
pub fn within_years(t: &DateTime<Utc>) -> bool {
    // 0001-01-02 and 9999-12-30 in UTC, a day inside the edges for any zone's offset.
    (-62_135_510_400..=253_402_128_000).contains(&t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("a datetime").to_utc()
    }

    #[test]
    fn whole_days_are_local_days_and_the_rest_is_exact() {
        let berlin = chrono_tz::Europe::Berlin;
        // 2026-03-29: clocks go from 02:00 to 03:00 in Berlin.
        let before = at("2026-03-28T12:00:00+01:00");
        assert_eq!(shift(before, TimeDelta::days(1), berlin), Some(at("2026-03-29T12:00:00+02:00")));
        assert_eq!(shift(before, TimeDelta::hours(24), berlin), Some(at("2026-03-29T12:00:00+02:00")));
        assert_eq!(shift(before, TimeDelta::hours(25), berlin), Some(at("2026-03-29T14:00:00+02:00")));
        let back = at("2026-03-29T12:00:00+02:00");
        assert_eq!(shift(back, TimeDelta::days(-1), berlin), Some(at("2026-03-28T12:00:00+01:00")));
        // Into the gap: the exact sum.
        let night = at("2026-03-28T02:30:00+01:00");
        assert_eq!(shift(night, TimeDelta::days(1), berlin), Some(at("2026-03-29T03:30:00+02:00")));
        // 2026-10-25: 02:00-03:00 happens twice; the first one is taken.
        let autumn = at("2026-10-24T02:30:00+02:00");
        assert_eq!(shift(autumn, TimeDelta::days(1), berlin), Some(at("2026-10-25T02:30:00+02:00")));
        // Without clock changes, local days are 24 hours.
        let shanghai = chrono_tz::Asia::Shanghai;
        let t = at("2026-03-28T12:00:00+08:00");
        assert_eq!(shift(t, TimeDelta::days(7), shanghai), t.checked_add_signed(TimeDelta::days(7)));
        assert_eq!(shift(DateTime::<Utc>::MAX_UTC, TimeDelta::days(1), shanghai), None);
        assert_eq!(shift(at("9999-12-01T00:00:00Z"), TimeDelta::days(100), shanghai), None, "past 9999");
        assert_eq!(shift(at("2026-01-01T00:00:00Z"), TimeDelta::MAX, shanghai), None);
    }
}
