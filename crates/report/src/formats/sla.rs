//! The monthly service statement as Markdown and as an HTML page with charts: how the
//! figures of `reports::sla` read, month and parties first, durations and rates as people
//! say them.

use std::fmt::Write;

use plotters::style::RGBColor;
use serde_json::{Map, Value as Json, json};

use super::charts::{self, Bar};
use crate::reports::sla::{hours, lateness, month, percent, span};

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
    env.add_template("sla.html", include_str!("../../templates/sla.html")).map_err(|e| e.to_string())?;
    env.add_template("style.css", include_str!("../../templates/style.css")).map_err(|e| e.to_string())?;
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
