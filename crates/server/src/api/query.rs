//! The queries of the API as typed `serde` structs: each lists its parameters (an
//! unknown one is refused, so a misspelt `overdue=true` never silently lists every case),
//! and each parameter is read into its type — an instant, a page size, a bool — whose
//! refusal the [`super::extract::Query`] extractor names by the parameter.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;

/// An instant given in a query: RFC 3339 with its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        crate::clock::parse(&text)
            .map(Instant)
            .ok_or_else(|| serde::de::Error::custom("is not an RFC 3339 instant such as 2026-11-20T12:00:00+08:00"))
    }
}

/// A page size: 1 to 1000 (100 when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub i64);

impl Limit {
    /// The page size when a query gives none.
    pub const DEFAULT: Limit = Limit(100);
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Limit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number from 1 to 1000")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Limit, E> {
                match text.parse::<i64>() {
                    Ok(n) if (1..=1000).contains(&n) => Ok(Limit(n)),
                    _ => Err(E::custom("must be a whole number from 1 to 1000")),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Limit, E> {
                self.visit_str(&n.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Limit, E> {
                self.visit_str(&n.to_string())
            }
        }
        d.deserialize_str(Visit)
    }
}

/// `?now=`: the instant a case or an evaluation is judged at (the server's clock when
/// absent).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NowQuery {
    /// Judge at this instant instead of the server's clock.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub now: Option<Instant>,
}

/// `GET /v1/decisions/{id}`'s query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExplainQuery {
    /// Add every rule's trace, as `tenet eval --explain` does.
    pub explain: Option<bool>,
}

/// `GET /v1/cases`'s query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// Only cases at this stage.
    pub stage: Option<String>,
    /// Only cases of this policy.
    pub policy: Option<String>,
    /// Only cases with a deadline past due at `now`.
    pub overdue: Option<bool>,
    /// Cases per page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<Limit>,
    /// The last id of the previous page (`next_after`).
    pub after: Option<String>,
    /// The instant overdue is judged at.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub now: Option<Instant>,
}

/// `GET /v1/decisions`'s query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// Only decisions of this policy.
    pub policy: Option<String>,
    /// Only decisions at or after this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub since: Option<Instant>,
    /// Only decisions before this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub until: Option<Instant>,
    /// Entries per page.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<Limit>,
    /// The last `decision_id` of the previous page (`next_after`).
    pub after: Option<String>,
}

/// `GET /v1/shadow`'s query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShadowQuery {
    /// The live policy the candidate shadows.
    pub policy: String,
    /// Only evaluations at or after this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub since: Option<Instant>,
    /// Only evaluations before this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub until: Option<Instant>,
}

/// `GET /v1/actions`'s query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// Actions due before this instant (default: `now`).
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub due_before: Option<Instant>,
    /// The instant `past_due` is judged at (default: the server's clock).
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-20T12:00:00+08:00")]
    pub now: Option<Instant>,
}

/// `GET /v1/webhooks/deliveries`'s query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// How many, newest first (1 to 1000, default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Limit>,
}

/// A delivery's state.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not delivered yet; retried.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; kept with its last error.
    Dead,
}

impl DeliveryStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
}

/// `GET /track/{id}`'s query. Unknown parameters are let through: a link pasted into a
/// chat app comes back with the app's own (`?t=…&from=singlemessage`), and the customer
/// must still see the page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// The case's tracking token, as returned when it was opened.
    pub t: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: serde::de::DeserializeOwned>(q: &str) -> Result<T, String> {
        serde_urlencoded::from_str(q).map_err(|e| e.to_string())
    }

    #[test]
    fn parameters_are_read_into_their_types() {
        let q: CaseListQuery = read("overdue=true&limit=5&now=2026-11-20T12:00:00%2B08:00").unwrap_or_default();
        assert_eq!(q.overdue, Some(true));
        assert_eq!(q.limit, Some(Limit(5)));
        assert_eq!(q.now.map(|t| t.0.to_rfc3339()), Some("2026-11-20T04:00:00+00:00".into()));
        for bad in ["limit=0", "limit=1001", "limit=ten", "overdue=yes", "now=yesterday", "stage=x&color=red"] {
            assert!(read::<CaseListQuery>(bad).is_err(), "{bad}");
        }
        // The customer's page takes what chat apps append.
        assert!(read::<TrackQuery>("t=abc&from=singlemessage").is_ok());
    }
}
