//! Durations: human words (`7 days`, `1 day 2 hours`) and ISO 8601 (`P7D`, `PT4H30M`).

use chrono::TimeDelta;

const UNITS: [(i64, &str, &str); 4] =
    [(86_400, "day", "days"), (3_600, "hour", "hours"), (60, "minute", "minutes"), (1, "second", "seconds")];

/// `7 days`, `1 day 2 hours`, `30 minutes`, `0 seconds`; whole seconds (sub-second parts
/// are shown as a decimal fraction of a second).
pub fn words(d: TimeDelta) -> String {
    let negative = d < TimeDelta::zero();
    let d = d.abs();
    let mut secs = d.num_seconds();
    let nanos = d.subsec_nanos();
    let mut parts = Vec::new();
    for (size, one, many) in UNITS {
        let n = secs / size;
        secs %= size;
        if n > 0 && size > 1 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        } else if size == 1 && (n > 0 || nanos > 0) {
            let fraction =
                if nanos > 0 { format!(".{:09}", nanos).trim_end_matches('0').to_owned() } else { String::new() };
            parts.push(format!("{n}{fraction} {}", if n == 1 && nanos == 0 { one } else { many }));
        }
    }
    if parts.is_empty() {
        return "0 seconds".into();
    }
    let joined = parts.join(" ");
    if negative { format!("-{joined}") } else { joined }
}

/// Chinese words: `7 天`, `1 天 2 小时`, `30 分钟`, `0 秒`.
pub fn words_zh(d: TimeDelta) -> String {
    let negative = d < TimeDelta::zero();
    let d = d.abs();
    let mut secs = d.num_seconds();
    let mut parts = Vec::new();
    for (size, unit) in [(86_400, "天"), (3_600, "小时"), (60, "分钟"), (1, "秒")] {
        let n = secs / size;
        secs %= size;
        if n > 0 {
            parts.push(format!("{n} {unit}"));
        }
    }
    let nanos = d.subsec_nanos();
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        let seconds =
            parts.pop().filter(|p| p.ends_with('秒')).map_or("0".to_owned(), |p| p.trim_end_matches(" 秒").to_owned());
        parts.push(format!("{seconds}.{} 秒", fraction.trim_end_matches('0')));
    }
    if parts.is_empty() {
        return "0 秒".into();
    }
    let joined = parts.join(" ");
    if negative { format!("-{joined}") } else { joined }
}

/// ISO 8601: whole days as `P7D`, anything else in hours, minutes and seconds
/// (`PT45H`, `PT4H30M`, `PT0S`) — a 45-hour target reads as 45 hours.
pub fn iso(d: TimeDelta) -> String {
    let negative = d < TimeDelta::zero();
    let d = d.abs();
    let secs = d.num_seconds();
    let nanos = d.subsec_nanos();
    let sign = if negative { "-" } else { "" };
    if nanos == 0 && secs > 0 && secs % 86_400 == 0 {
        return format!("{sign}P{}D", secs / 86_400);
    }
    let (hours, rest) = (secs / 3_600, secs % 3_600);
    let (minutes, seconds) = (rest / 60, rest % 60);
    let mut out = format!("{sign}PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    if seconds > 0 || nanos > 0 || (hours == 0 && minutes == 0) {
        if nanos > 0 {
            let fraction = format!("{nanos:09}");
            out.push_str(&format!("{seconds}.{}S", fraction.trim_end_matches('0')));
        } else {
            out.push_str(&format!("{seconds}S"));
        }
    }
    out
}

/// Parses `7 days`, `2 hours 30 minutes`, `90 minutes`, or ISO 8601 `PT4H30M` / `P7D`,
/// each optionally preceded by `-`.
pub fn parse(text: &str) -> Option<TimeDelta> {
    let t = text.trim();
    match t.strip_prefix('-') {
        Some(rest) => parse_unsigned(rest.trim_start()).map(|d| -d),
        None => parse_unsigned(t),
    }
}

fn parse_unsigned(t: &str) -> Option<TimeDelta> {
    if let Some(iso) = t.strip_prefix('P') {
        return parse_iso(iso);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return None;
    }
    let mut total = TimeDelta::zero();
    for pair in words.chunks(2) {
        let [number, unit] = pair else { return None };
        let size = match unit.trim_end_matches('s') {
            "week" => 604_800,
            "day" => 86_400,
            "hour" => 3_600,
            "minute" => 60,
            "second" => 1,
            _ => return None,
        };
        total = total.checked_add(&amount(number, size)?)?;
    }
    Some(total)
}

/// `digits` of a unit of `size` seconds; seconds (`size` 1) may have a fraction of up to
/// nine places, as [`words`] and [`iso`] print them (`0.5 seconds`, `PT0.5S`).
fn amount(digits: &str, size: i64) -> Option<TimeDelta> {
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) if size == 1 && (1..=9).contains(&f.len()) => (w, Some(f)),
        Some(_) => return None,
        None => (digits, None),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = whole.parse().ok()?;
    let mut out = TimeDelta::try_seconds(n.checked_mul(size)?)?;
    if let Some(f) = fraction {
        if !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let nanos: i64 = format!("{f:0<9}").parse().ok()?;
        out = out.checked_add(&TimeDelta::nanoseconds(nanos))?;
    }
    Some(out)
}

fn parse_iso(rest: &str) -> Option<TimeDelta> {
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total = TimeDelta::zero();
    let mut add = |digits: &str, size: i64| -> Option<()> {
        total = total.checked_add(&amount(digits, size)?)?;
        Some(())
    };
    let mut num = String::new();
    for c in date.chars() {
        match c {
            '0'..='9' => num.push(c),
            'W' => add(&std::mem::take(&mut num), 604_800)?,
            'D' => add(&std::mem::take(&mut num), 86_400)?,
            _ => return None,
        }
    }
    if !num.is_empty() {
        return None;
    }
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        for c in time.chars() {
            match c {
                '0'..='9' | '.' => num.push(c),
                'H' => add(&std::mem::take(&mut num), 3_600)?,
                'M' => add(&std::mem::take(&mut num), 60)?,
                'S' => add(&std::mem::take(&mut num), 1)?,
                _ => return None,
            }
        }
        if !num.is_empty() {
            return None;
        }
    } else if date.is_empty() {
        return None;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_iso() {
        let d = TimeDelta::seconds(86_400 + 2 * 3_600);
        assert_eq!(words(d), "1 day 2 hours");
        assert_eq!(iso(d), "PT26H");
        assert_eq!(iso(TimeDelta::hours(45)), "PT45H");
        assert_eq!(words(TimeDelta::minutes(30)), "30 minutes");
        assert_eq!(iso(TimeDelta::minutes(30)), "PT30M");
        assert_eq!(iso(TimeDelta::days(7)), "P7D");
        assert_eq!(iso(TimeDelta::zero()), "PT0S");
        assert_eq!(words(TimeDelta::zero()), "0 seconds");
        assert_eq!(words(-TimeDelta::hours(1)), "-1 hour");
        assert_eq!(words_zh(d), "1 天 2 小时");
        assert_eq!(words_zh(TimeDelta::minutes(15)), "15 分钟");
        assert_eq!(words_zh(TimeDelta::zero()), "0 秒");
    }

    #[test]
    fn parses_both_forms() {
        assert_eq!(parse("4 hours"), Some(TimeDelta::hours(4)));
        assert_eq!(parse("2 hours 30 minutes"), Some(TimeDelta::minutes(150)));
        assert_eq!(parse("PT4H30M"), Some(TimeDelta::minutes(270)));
        assert_eq!(parse("P7D"), Some(TimeDelta::days(7)));
        assert_eq!(parse("-PT1H"), Some(-TimeDelta::hours(1)));
        assert_eq!(parse("4 parsecs"), None);
        assert_eq!(parse("PT"), None);
        assert_eq!(parse("P"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("PT0.5S"), Some(TimeDelta::milliseconds(500)));
        assert_eq!(parse("PT1M0.000000001S"), Some(TimeDelta::nanoseconds(60_000_000_001)));
        assert_eq!(parse("0.5 seconds"), Some(TimeDelta::milliseconds(500)));
        for bad in ["PT0.5H", "PT.5S", "PT1.S", "PT0.1234567891S", "P1.5D", "0.5 hours", "1e3 seconds"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// Whatever tenet prints of a duration — ISO 8601 and words — reads back as it.
        #[test]
        fn printed_durations_read_back(secs in -10_000_000_000i64..10_000_000_000, nanos in 0u32..1_000_000_000, whole in proptest::bool::ANY) {
            let d = TimeDelta::new(secs, if whole { 0 } else { nanos }).unwrap_or_default();
            proptest::prop_assert_eq!(parse(&iso(d)), Some(d), "{}", iso(d));
            proptest::prop_assert_eq!(parse(&words(d)), Some(d), "{}", words(d));
        }
    }
}

/// A calendar period in ISO 8601: 14 months is `P1Y2M`, 12 is `P1Y`, 0 is `P0M`.
pub fn period_iso(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let m = months.unsigned_abs();
    match (m / 12, m % 12) {
        (0, r) => format!("{sign}P{r}M"),
        (y, 0) => format!("{sign}P{y}Y"),
        (y, r) => format!("{sign}P{y}Y{r}M"),
    }
}

/// A period in words: `1 year 2 months`, `1 年 2 个月` (`chinese`).
pub fn period_words(months: i32, chinese: bool) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let m = months.unsigned_abs();
    let (y, r) = (m / 12, m % 12);
    let mut parts = Vec::new();
    if chinese {
        if y > 0 {
            parts.push(format!("{y} 年"));
        }
        if r > 0 || y == 0 {
            parts.push(format!("{r} 个月"));
        }
    } else {
        if y > 0 {
            parts.push(format!("{y} year{}", if y == 1 { "" } else { "s" }));
        }
        if r > 0 || y == 0 {
            parts.push(format!("{r} month{}", if r == 1 { "" } else { "s" }));
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// A period as facts write it: `P1Y2M`, `P14M`, `12 months`, `1 year 6 months`.
pub fn parse_period(text: &str) -> Option<i32> {
    let t = text.trim();
    // `-P1M`, `-1 month`: a negative period as [`period_iso`] and [`period_words`] print it.
    if let Some(rest) = t.strip_prefix('-') {
        return parse_period_unsigned(rest.trim_start())?.checked_neg();
    }
    parse_period_unsigned(t)
}

fn parse_period_unsigned(t: &str) -> Option<i32> {
    if let Some(iso) = t.strip_prefix('P') {
        let (years, rest) = match iso.split_once('Y') {
            Some((y, rest)) => (y.parse::<i32>().ok()?, rest),
            None => (0, iso),
        };
        let months = match rest.strip_suffix('M') {
            Some(m) => m.parse::<i32>().ok()?,
            None if rest.is_empty() && iso.contains('Y') => 0,
            None => return None,
        };
        if years < 0 || months < 0 {
            return None;
        }
        return years.checked_mul(12)?.checked_add(months);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return None;
    }
    let mut total: i32 = 0;
    for pair in words.chunks(2) {
        let [number, unit] = pair else { return None };
        let n: i32 = number.parse().ok().filter(|n: &i32| *n >= 0)?;
        let size = match unit.trim_end_matches('s') {
            "year" => 12,
            "month" => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(size)?)?;
    }
    Some(total)
}

#[cfg(test)]
mod period_tests {
    use super::*;

    #[test]
    fn periods_read_and_print_in_iso_and_words() {
        assert_eq!(parse_period("P1Y2M"), Some(14));
        assert_eq!(parse_period("P14M"), Some(14));
        assert_eq!(parse_period("P2Y"), Some(24));
        assert_eq!(parse_period("1 year 6 months"), Some(18));
        assert_eq!(parse_period("12 months"), Some(12));
        assert_eq!(parse_period("P1D"), None, "days are a duration, not a period");
        assert_eq!(parse_period("soon"), None);
        assert_eq!(period_iso(14), "P1Y2M");
        assert_eq!(period_iso(12), "P1Y");
        assert_eq!(period_iso(0), "P0M");
        assert_eq!(period_words(14, false), "1 year 2 months");
        assert_eq!(period_words(12, true), "1 年");
    }
}
