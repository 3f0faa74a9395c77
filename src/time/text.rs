//! Dates and datetimes as policies and data files write them: exactly one form each,
//! years 1 to 9999 — what tenet prints, it reads, and nothing looser.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime};

/// The years tenet reads, writes and computes with: 1 to 9999 (what `YYYY` can write).
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Whether a date falls in [`YEARS`].
pub fn in_years(d: &NaiveDate) -> bool {
    YEARS.contains(&d.year())
}

/// A date written exactly `YYYY-MM-DD` — four-digit year from 0001, two-digit month and
/// day, no sign, no spaces, nothing around it — or `None`. chrono's `%Y-%m-%d` alone
/// also takes `998-12-31`, `+2012-12-02`, `-2017-12-31` and `2017-1-5`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    in_years(&date).then_some(date)
}

/// RFC 3339, with seconds optional (`2026-11-10T12:00+08:00`).
pub fn parse_datetime(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Some(t) = canonical(text.as_bytes()) {
        return in_years(&t.date_naive()).then_some(t);
    }
    let parsed = chrono::DateTime::parse_from_rfc3339(text).ok().or_else(|| {
        // `YYYY-MM-DDTHH:MM` is 16 ASCII bytes; anything else there is not a datetime
        // (and may not even split at a character boundary).
        let (head, tail) = text.split_at_checked(16)?;
        chrono::DateTime::parse_from_rfc3339(&format!("{head}:00{tail}")).ok()
    })?;
    // chrono takes `:60` at any minute; tenet counts no leap seconds (no clock it meets
    // does, and none are due), so a second 60 is refused, not moved to the next minute.
    // Year 0000 is RFC 3339 but outside tenet's years.
    (!is_leap_second(&parsed) && in_years(&parsed.date_naive())).then_some(parsed)
}

/// `at` as RFC 3339 in the zone `tz` — the form tenet prints instants in — exact, so it
/// reads back as the same instant: where the zone's offset is not whole minutes (local
/// mean time before a zone was standardised, such as Shanghai's +08:05:43 before 1901),
/// which RFC 3339 cannot write, it is written in UTC.
pub fn rfc3339(at: &DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    use chrono::Offset;
    let local = at.with_timezone(&tz);
    if local.offset().fix().local_minus_utc() % 60 != 0 {
        return at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    }
    local.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Whether `t` was written with second 60.
pub fn is_leap_second(t: &DateTime<FixedOffset>) -> bool {
    use chrono::Timelike;
    t.nanosecond() >= 1_000_000_000
}

/// Whether `text` is RFC 3339 in every way but a second 60 (for a message that says so).
pub fn written_as_leap_second(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok_and(|t| is_leap_second(&t))
}

/// The form nearly every fact file writes — `YYYY-MM-DDTHH:MM:SS`, an optional fraction,
/// then `Z` or `±HH:MM` — read digit by digit (chrono's general parser costs about five
/// times as much, and facts hold many datetimes). Anything else, leap seconds included,
/// is `None` and left to chrono, so the two always agree (see the tests).
fn canonical(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let at = |i: usize| b.get(i).copied();
    if (at(4), at(7), at(10), at(13), at(16)) != (Some(b'-'), Some(b'-'), Some(b'T'), Some(b':'), Some(b':')) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if at(i) == Some(b'.') {
        let digits = b.get(i + 1..)?.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        nanos = num(i + 1..i + 1 + digits)? * 10u32.pow(u32::try_from(9 - digits).ok()?);
        i += 1 + digits;
    }
    let offset = match (at(i), b.len().saturating_sub(i)) {
        (Some(b'Z'), 1) => 0,
        (Some(sign @ (b'+' | b'-')), 6) if at(i + 3) == Some(b':') => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = i32::try_from(h * 3600 + m * 60).ok()?;
            if sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = FixedOffset::east_opt(offset)?;
    date.and_time(time).and_local_timezone(offset).single()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_canonical_form_is_read_as_chrono_reads_it() {
        for text in [
            "2026-11-10T12:00:00+08:00",
            "2026-11-10T12:00:00Z",
            "2026-11-10T12:00:00.5+08:00",
            "2026-11-10T12:00:00.123456789-05:30",
            "2026-02-28T23:59:59+00:00",
            "2024-02-29T00:00:00+14:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text).expect(text);
            let ours = canonical(text.as_bytes()).expect(text);
            assert_eq!((ours, ours.offset()), (chrono, chrono.offset()), "{text}");
        }
    }

    #[test]
    fn other_forms_are_left_to_chrono() {
        for text in [
            "2026-11-10t12:00:00Z",
            "2026-11-10 12:00:00Z",
            "2026-11-10T12:00:60Z",
            "2026-11-10T12:00+08:00",
            "2026-11-10T12:00:00",
            "2026-11-10T12:00:00.+08:00",
            "2026-11-10T12:00:00.1234567890Z",
            "2026-11-10T12:00:00z",
            "2026-11-10T12:00:00+0800",
            "2026-02-30T12:00:00Z",
            "2026-11-10T24:00:00Z",
            "2026-11-10T12:00:00+24:00",
            "２０２６-11-10T12:00:00Z",
            "",
        ] {
            assert_eq!(canonical(text.as_bytes()), None, "{text}");
        }
        assert_eq!(parse_datetime("2026-11-10T12:00+08:00"), parse_datetime("2026-11-10T12:00:00+08:00"));
    }

    #[test]
    fn dates_are_read_in_one_form_and_in_range() {
        for good in ["2026-11-10", "0001-01-01", "9999-12-31", "2024-02-29"] {
            assert_eq!(parse_date(good).map(|d| d.to_string()), Some(good.to_owned()), "{good}");
        }
        for bad in [
            "998-12-31",
            "+2012-12-02",
            "-2017-12-31",
            "17-01-01",
            "2017-1-5",
            "2017-01-5",
            " 2017-01-05",
            "2017-01-05 ",
            "0000-01-01",
            "2023-02-29",
            "2017/01/05",
            "２０１７-01-05",
            "10000-01-01",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        assert_eq!(parse_datetime("0000-12-31T12:00:00Z"), None);
        assert_eq!(parse_datetime("0000-12-31T12:00:00.5Z"), None, "the canonical reader too");
        assert!(parse_datetime("0001-01-01T00:00:00Z").is_some());
    }

    proptest! {
        /// Every date tenet can print reads back as itself.
        #[test]
        fn printed_dates_read_back(days in 0i64..3_652_059) {
            let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days as u64);
            prop_assert_eq!(parse_date(&d.to_string()), Some(d));
        }
    }

    #[test]
    fn second_60_is_refused_at_any_minute() {
        for text in
            ["2026-11-10T10:30:60Z", "2016-12-31T23:59:60Z", "2017-01-01T07:59:60+08:00", "2026-11-10T10:30:60.5Z"]
        {
            assert_eq!(parse_datetime(text), None, "{text}");
            assert!(written_as_leap_second(text), "{text}");
        }
        assert!(!written_as_leap_second("2026-11-10T10:30:59Z"));
    }

    proptest! {
        /// Near misses of the form: whatever the fast reader accepts, chrono accepts with
        /// the same instant and offset.
        #[test]
        fn agrees_with_chrono(
            y in 0u32..10_000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, s in 0u32..62,
            frac in proptest::option::of("[0-9]{0,10}"), off in 0usize..4, oh in 0u32..26, om in 0u32..62,
        ) {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            let offset = match off {
                0 => "Z".to_owned(),
                1 => format!("+{oh:02}:{om:02}"),
                2 => format!("-{oh:02}:{om:02}"),
                _ => format!("+{oh:02}{om:02}"),
            };
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{offset}");
            if let Some(ours) = canonical(text.as_bytes()) {
                let chrono = DateTime::parse_from_rfc3339(&text);
                prop_assert_eq!(Ok((ours, ours.offset().local_minus_utc())), chrono.map(|c| (c, c.offset().local_minus_utc())), "{}", text);
            }
        }
    }
}
