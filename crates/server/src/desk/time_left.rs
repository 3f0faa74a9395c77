//! "Time left" as the queue shows it: `剩 1 天 3 小时 · 1 d 3 h left`, `逾期 5 小时 · 5 h
//! overdue`, to the minute under an hour.

use chrono::{DateTime, Utc};

/// How long until `due` at `now`, in both languages, and whether it is past.
pub fn left(due: DateTime<Utc>, now: DateTime<Utc>) -> (String, String, bool) {
    // Overdue as the engine says it: `now > due`.
    let overdue = due < now;
    let minutes = (due - now).num_minutes().abs();
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let (zh, en) = if d > 0 {
        (format!("{d} 天 {h} 小时"), format!("{d} d {h} h"))
    } else if h > 0 {
        (format!("{h} 小时 {m} 分"), format!("{h} h {m} min"))
    } else {
        (format!("{m} 分"), format!("{m} min"))
    };
    if overdue {
        (format!("逾期 {zh}"), format!("{en} overdue"), true)
    } else {
        (format!("剩 {zh}"), format!("{en} left"), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).unwrap_or_default()
    }

    #[test]
    fn days_hours_and_minutes_either_side_of_the_deadline() {
        let now = at("2026-11-10T12:00:00Z");
        let cases = [
            ("2026-11-11T15:30:00Z", "剩 1 天 3 小时", "1 d 3 h left", false),
            ("2026-11-10T13:05:00Z", "剩 1 小时 5 分", "1 h 5 min left", false),
            ("2026-11-10T12:20:00Z", "剩 20 分", "20 min left", false),
            ("2026-11-10T07:00:00Z", "逾期 5 小时 0 分", "5 h 0 min overdue", true),
            ("2026-11-10T12:00:00Z", "剩 0 分", "0 min left", false),
            ("2026-11-10T11:59:00Z", "逾期 1 分", "1 min overdue", true),
        ];
        for (due, zh, en, late) in cases {
            assert_eq!(left(at(due), now), (zh.to_owned(), en.to_owned(), late), "{due}");
        }
    }
}
