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

/// Hours in an ISO 8601 duration as the results write them (`PT1H30M`, `-PT15M`,
/// `P2DT3H`); `None` for anything else.
pub fn hours(iso: &str) -> Option<f64> {
    let (sign, rest) = match iso.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, iso),
    };
    let rest = rest.strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total = 0.0;
    if !days.is_empty() {
        total += days.strip_suffix('D')?.parse::<f64>().ok()? * 24.0;
    }
    let mut number = String::new();
    for c in time.chars() {
        match c {
            'H' | 'M' | 'S' => {
                let n: f64 = number.parse().ok()?;
                total += match c {
                    'H' => n,
                    'M' => n / 60.0,
                    _ => n / 3600.0,
                };
                number.clear();
            }
            _ => number.push(c),
        }
    }
    number.is_empty().then_some(sign * total)
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
    let _ = writeln!(out, "- 解决率 Resolution rate: {}", text(o("resolution_rate")));
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
            text(t.get("response_elapsed")),
            text(t.get("response_late_by")),
            text(t.get("resolution")),
            text(t.get("resolution_elapsed")),
            text(t.get("resolution_late_by"))
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
               "svg": charts::bars("Response time as % of target (100 = target)", "% of target", &against_target(s, "response"), blue)}),
        json!({"title": "解决用时 / 目标", "title_en": "Resolution time / target",
               "svg": charts::bars("Resolution time as % of target (100 = target)", "% of target", &against_target(s, "resolution"), blue)}),
    ];
    let mut ctx = Map::new();
    ctx.insert("s".into(), s.clone());
    ctx.insert("charts".into(), Json::Array(charts));
    env.get_template("sla.html").and_then(|t| t.render(Json::Object(ctx))).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

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
