//! Datetimes as policies and data files write them.

/// RFC 3339, with seconds optional (`2026-11-10T12:00+08:00`).
pub fn parse_datetime(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok().or_else(|| {
        // `YYYY-MM-DDTHH:MM` is 16 ASCII bytes; anything else there is not a datetime
        // (and may not even split at a character boundary).
        let (head, tail) = text.split_at_checked(16)?;
        chrono::DateTime::parse_from_rfc3339(&format!("{head}:00{tail}")).ok()
    })
}
