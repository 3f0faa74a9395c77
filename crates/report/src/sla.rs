//! The monthly service statement (月度服务报告) of clause 4: one month's ticket log
//! evaluated under the SLA policy, with every ticket's times against its targets, every
//! credit line with the contract wording it comes from, the cap and the amount payable.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use plotters::style::RGBColor;
use serde_json::{Map, Value as Json, json};
use tenet::Policy;
use tenet::facts::Facts;

use crate::charts::{self, Bar};

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
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let year: i32 = start.get(..4)?.parse().ok()?;
    let m: usize = start.get(5..7)?.parse().ok()?;
    Some(format!("{year} 年 {m} 月 · {} {year}", NAMES.get(m.checked_sub(1)?)?))
}

/// The statement's heading lines: the month, the agreement and its parties, when the
/// log names them.
fn heading(s: &Json) -> Vec<String> {
    let o = |k: &str| s.pointer(&format!("/outputs/{k}")).and_then(Json::as_str);
    let mut lines = Vec::new();
    if let Some(m) = o("period_start").and_then(month) {
        lines.push(format!("月份 Month: {m}"));
    }
    if let Some(n) = o("agreement_number") {
        lines.push(format!("协议 Agreement: {n}"));
    }
    if let (Some(a), Some(b)) = (o("party_a"), o("party_b")) {
        lines.push(format!("甲方 Party A: {a} · 乙方 Party B: {b}"));
    }
    lines
}

/// A duration of the results as people read it, `–` when there is none.
fn shown(v: Option<&Json>, how: fn(&str) -> Option<String>) -> String {
    v.and_then(Json::as_str).and_then(how).unwrap_or_else(|| "–".into())
}

fn text(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => "–".into(),
        Some(Json::String(s)) => s.replace('|', "\\|"),
        Some(other) => other.to_string(),
    }
}

/// How a ticket's clock stood against its target: elapsed time as a share of the target,
/// in percent, per ticket.
fn against_target(statement: &Json, which: &str) -> Vec<Bar> {
    statement
        .get("tickets")
        .and_then(Json::as_array)
        .map(|tickets| {
            tickets
                .iter()
                .filter(|t| t.get("counted") != Some(&Json::Bool(false)))
                .filter_map(|t| {
                    let elapsed = hours(t.get(format!("{which}_elapsed"))?.as_str()?)?;
                    let target = hours(t.pointer(&format!("/target/{which}"))?.as_str()?)?;
                    let id = t.get("id")?.as_str()?.to_owned();
                    (target > 0.0).then(|| (id, 100.0 * elapsed / target))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The statement as Markdown.
pub fn markdown(s: &Json) -> String {
    let mut out = String::new();
    let o = |k: &str| s.pointer(&format!("/outputs/{k}"));
    let _ = writeln!(
        out,
        "# 月度服务报告 Monthly service statement — {} {}\n",
        text(s.get("policy")),
        text(s.get("version"))
    );
    for line in heading(s) {
        let _ = writeln!(out, "{line}  ");
    }
    if !heading(s).is_empty() {
        out.push('\n');
    }
    let rate = o("resolution_rate").and_then(Json::as_str).and_then(percent);
    let _ = writeln!(out, "- 解决率 Resolution rate: {}", rate.as_deref().unwrap_or("–"));
    let _ = writeln!(out, "- 服务赔偿 Service credits: ¥{}", text(s.pointer("/ledgers/credits/total")));
    if let Some(cap) = s.pointer("/ledgers/credits/cap") {
        let _ = writeln!(
            out,
            "- 上限 Cap: ¥{} (未封顶 uncapped ¥{})",
            text(Some(cap)),
            text(s.pointer("/ledgers/credits/uncapped"))
        );
    }
    let _ = writeln!(out, "- 应付 Payable: ¥{}", text(o("payable")));
    let _ = writeln!(out, "\n## 工单 Tickets\n");
    let _ = writeln!(
        out,
        "| 工单 ticket | 优先级 priority | 响应 response | 用时 elapsed | 超时 late by | 解决 resolution | 用时 elapsed | 超时 late by |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for t in s.get("tickets").and_then(Json::as_array).into_iter().flatten() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            text(t.get("id")),
            text(t.get("priority")),
            text(t.get("response")),
            shown(t.get("response_elapsed"), span),
            shown(t.get("response_late_by"), lateness),
            text(t.get("resolution")),
            shown(t.get("resolution_elapsed"), span),
            shown(t.get("resolution_late_by"), lateness)
        );
    }
    let _ = writeln!(out, "\n## 赔偿明细 Credit lines\n");
    let _ = writeln!(out, "| 代码 code | 工单 ticket | 金额 amount | 依据 clause |");
    let _ = writeln!(out, "|---|---|---|---|");
    for l in s.get("credit_lines").and_then(Json::as_array).into_iter().flatten() {
        let clause = l.pointer("/terms/zh").or_else(|| l.get("message"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            text(l.get("code")),
            text(l.get("item")),
            text(l.get("amount")),
            text(clause)
        );
    }
    out
}

/// The statement as one self-contained HTML page with its two charts.
pub fn html(s: &Json) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.add_template("sla.html", include_str!("../templates/sla.html")).map_err(|e| e.to_string())?;
    env.add_template("style.css", include_str!("../templates/style.css")).map_err(|e| e.to_string())?;
    let blue = RGBColor(0x3b, 0x6e, 0xa8);
    let charts = vec![
        json!({"title": "首次响应用时 / 目标", "title_en": "Response time / target",
               "svg": charts::bars("首次响应用时占目标 · Response time as % of target (100 = target)", "占目标 % of target", &against_target(s, "response"), blue)}),
        json!({"title": "解决用时 / 目标", "title_en": "Resolution time / target",
               "svg": charts::bars("解决用时占目标 · Resolution time as % of target (100 = target)", "占目标 % of target", &against_target(s, "resolution"), blue)}),
    ];
    let rows: Vec<Json> = s
        .get("tickets")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            json!({
                "response_elapsed": shown(t.get("response_elapsed"), span),
                "response_late_by": shown(t.get("response_late_by"), lateness),
                "resolution_elapsed": shown(t.get("resolution_elapsed"), span),
                "resolution_late_by": shown(t.get("resolution_late_by"), lateness),
            })
        })
        .collect();
    let mut ctx = Map::new();
    ctx.insert("s".into(), s.clone());
    ctx.insert("heading".into(), json!(heading(s)));
    ctx.insert("rows".into(), Json::Array(rows));
    let rate = s.pointer("/outputs/resolution_rate").and_then(Json::as_str).and_then(percent);
    ctx.insert("rate".into(), json!(rate));
    ctx.insert("charts".into(), Json::Array(charts));
    env.get_template("sla.html").and_then(|t| t.render(Json::Object(ctx))).map_err(|e| e.to_string())
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
