//! The monthly service statement (月度服务报告) of clause 4: one month's ticket log
//! evaluated under the SLA policy, with every ticket's times against its targets, every
//! credit line with the contract wording it comes from, the cap and the amount payable.

use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};
use tenet::Policy;
use tenet::facts::Facts;

/// The statement as the `tenet eval --format json` object with `tickets` (the policy's
/// `tickets_measured` output: each ticket's targets, times, status and lateness) and
/// `credit_lines` (each credit with its rule's contract wording) added.
pub fn statement(
    policy: &Policy,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<Json, Vec<tenet::diagnostics::Diagnostic>> {
    let evaluation = policy.evaluate(facts, now).map_err(|e| e.diagnostics().to_vec())?;
    let mut out = evaluation.to_json(None);
    let described = policy.describe();
    let terms_of = |rule: &str| {
        described
            .get("credits")
            .and_then(Json::as_array)
            .and_then(|c| c.iter().find(|c| c.get("rule").and_then(Json::as_str) == Some(rule)))
            .and_then(|c| c.get("terms"))
            .cloned()
            .unwrap_or(Json::Null)
    };
    let lines: Vec<Json> = evaluation
        .findings()
        .iter()
        .filter(|f| f.amount().is_some())
        .map(|f| {
            let rule = f.rule().unwrap_or_default();
            json!({
                "code": f.code(),
                "item": f.item(),
                "amount": f.amount().map(|a| policy.locale().money(a)),
                "rule": rule,
                "message": f.message(),
                "message_en": f.message_en(),
                "terms": terms_of(rule),
            })
        })
        .collect();
    if let Some(obj) = out.as_object_mut() {
        obj.insert("trace".into(), json!([]));
        let tickets = obj.get("outputs").and_then(|o| o.get("tickets_measured")).cloned().unwrap_or(json!([]));
        obj.insert("tickets".into(), tickets);
        obj.insert("credit_lines".into(), Json::Array(lines));
    }
    Ok(out)
}

/// Whole seconds in an ISO 8601 duration as the results write them (`PT1H30M`,
/// `-PT15M`, `P2DT3H`, `PT0.5S` counts 0); `None` for anything else.
pub fn seconds(iso: &str) -> Option<i64> {
    let (sign, rest) = match iso.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, iso),
    };
    let rest = rest.strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total: i64 = 0;
    if !days.is_empty() {
        total = total.checked_add(days.strip_suffix('D')?.parse::<i64>().ok()?.checked_mul(86_400)?)?;
    }
    let mut number = String::new();
    for c in time.chars() {
        match c {
            'H' | 'M' | 'S' => {
                let whole = number.split('.').next().unwrap_or_default();
                let n: i64 = whole.parse().ok()?;
                let unit = match c {
                    'H' => 3600,
                    'M' => 60,
                    _ => 1,
                };
                total = total.checked_add(n.checked_mul(unit)?)?;
                number.clear();
            }
            _ => number.push(c),
        }
    }
    number.is_empty().then_some(sign * total)
}

/// Hours in an ISO 8601 duration (see [`seconds`]), for the charts.
pub fn hours(iso: &str) -> Option<f64> {
    // Whole seconds of a month's clocks fit an f64 exactly.
    seconds(iso).map(|s| s as f64 / 3600.0)
}

/// A span as people read it: `1 h 20 min`, `45 min`, `30 h` (hours and minutes are
/// symbols both languages use; seconds are left out of a statement measured in minutes).
pub fn span(iso: &str) -> Option<String> {
    let minutes = seconds(iso)?.abs() / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    Some(match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    })
}

/// How late a clock stopped against its target: `50 min` late, `提前 early 15 min`, `0`.
pub fn lateness(iso: &str) -> Option<String> {
    let s = seconds(iso)?;
    Some(match s {
        0 => "0".to_owned(),
        s if s < 0 => format!("提前 early {}", span(iso)?),
        _ => span(iso)?,
    })
}

/// A rate written as a decimal (`0.8750`) as a percentage (`87.5%`).
pub fn percent(rate: &str) -> Option<String> {
    let r: rust_decimal::Decimal = rate.parse().ok()?;
    Some(format!("{}%", (r * rust_decimal::Decimal::ONE_HUNDRED).normalize()))
}

/// The month a period starting at `start` (RFC 3339, as the facts give it) measures:
/// `2026 年 11 月 · November 2026`, read from the local date as written.
pub fn month(start: &str) -> Option<String> {
    let year: i32 = start.get(..4)?.parse().ok()?;
    let m: usize = start.get(5..7)?.parse().ok()?;
    Some(format!("{year} 年 {m} 月 · {} {year}", chrono::Month::try_from(u8::try_from(m).ok()?).ok()?.name()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn durations_as_people_read_them() {
        assert_eq!(super::span("PT1H20M").as_deref(), Some("1 h 20 min"));
        assert_eq!(super::span("PT15M").as_deref(), Some("15 min"));
        assert_eq!(super::span("PT30H").as_deref(), Some("30 h"));
        assert_eq!(super::span("P1DT6H").as_deref(), Some("30 h"));
        assert_eq!(super::lateness("-PT15M").as_deref(), Some("提前 early 15 min"));
        assert_eq!(super::lateness("PT50M").as_deref(), Some("50 min"));
        assert_eq!(super::lateness("PT0S").as_deref(), Some("0"));
        assert_eq!(super::percent("0.8750").as_deref(), Some("87.5%"));
        assert_eq!(super::percent("1").as_deref(), Some("100%"));
        assert_eq!(super::month("2026-11-01T00:00:00+08:00").as_deref(), Some("2026 年 11 月 · November 2026"));
        assert_eq!(super::month("2026-13-01T00:00:00+08:00"), None);
    }

    #[test]
    fn iso_durations_in_hours() {
        assert_eq!(super::hours("PT1H30M"), Some(1.5));
        assert_eq!(super::hours("-PT15M"), Some(-0.25));
        assert_eq!(super::hours("P2DT3H"), Some(51.0));
        assert_eq!(super::hours("PT45S"), Some(0.0125));
        assert_eq!(super::hours("1H"), None);
        assert_eq!(super::hours("PT1X"), None);
    }
}
