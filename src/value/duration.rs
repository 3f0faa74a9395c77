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
    let mut total: i64 = 0;
    for pair in words.chunks(2) {
        let [number, unit] = pair else { return None };
        let n: i64 = number.parse().ok()?;
        if n < 0 {
            return None;
        }
        let size = match unit.trim_end_matches('s') {
            "week" => 604_800,
            "day" => 86_400,
            "hour" => 3_600,
            "minute" => 60,
            "second" => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(size)?)?;
    }
    TimeDelta::try_seconds(total)
}

fn parse_iso(rest: &str) -> Option<TimeDelta> {
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut add = |digits: &str, size: i64| -> Option<()> {
        let n: i64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(size)?)?;
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
                '0'..='9' => num.push(c),
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
    TimeDelta::try_seconds(total)
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
    }
}
