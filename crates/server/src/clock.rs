//! Instants as the database keeps them: UTC texts of one width, so text order is time
//! order and `since`/`until` filters are string comparisons.

use chrono::{DateTime, SecondsFormat, Utc};

/// `2026-11-20T04:00:00.000000Z`.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The server's clock, to the whole second as `tenet case` reads it; the one place the
/// service reads it.
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(0)
}

/// A view's RFC 3339 time as a person reads it: `2026-11-15 14:00` (its own offset kept).
pub fn for_people(text: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => text.to_owned(),
    }
}

/// Parses an RFC 3339 instant given in a query (`now=`, `since=`).
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    tenet::facts::parse_datetime(text).map(|t| t.to_utc())
}
