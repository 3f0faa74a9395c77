//! Instants as the database keeps them: UTC texts of one width, so text order is time
//! order and `since`/`until` filters are string comparisons.

use chrono::{DateTime, SecondsFormat, Utc};

/// `2026-11-20T04:00:00.000000Z`.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The server's clock; the one place the service reads it.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Parses an RFC 3339 instant given in a query (`now=`, `since=`).
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    tenet::facts::parse_datetime(text).map(|t| t.to_utc())
}
