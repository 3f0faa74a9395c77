//! The return analysis as one self-contained HTML page (no network needed to open it):
//! key figures, the improvement flags, charts as inline SVG, and the tables — Chinese
//! first, English beside it.

use plotters::style::RGBColor;
use serde_json::{Value as Json, json};

use super::charts::{self, Bar};

fn counts(map: Option<&Json>) -> Vec<Bar> {
    map.and_then(Json::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_f64().unwrap_or(0.0))).collect())
        .unwrap_or_default()
}

fn column(rows: Option<&Json>, label: &str, value: &str) -> Vec<Bar> {
    rows.and_then(Json::as_array)
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    let v = r.get(value)?;
                    let v = v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))?;
                    Some((r.get(label)?.as_str()?.to_owned(), v))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The page for a report (its JSON object); an error names what failed.
pub fn returns(report: &Json) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.add_template("returns.html", include_str!("../../templates/returns.html")).map_err(|e| e.to_string())?;
    env.add_template("style.css", include_str!("../../templates/style.css")).map_err(|e| e.to_string())?;
    let mut by_rate = column(report.get("by_sku"), "sku", "return_rate");
    by_rate.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by_rate.truncate(12);
    let by_rate: Vec<Bar> = by_rate.into_iter().map(|(k, v)| (k, v * 100.0)).collect();
    let times: Vec<Bar> = report
        .pointer("/refund_time_hours/buckets")
        .and_then(Json::as_array)
        .map(|b| {
            b.iter()
                .map(|b| {
                    let from = b.get("from").and_then(Json::as_u64).unwrap_or(0);
                    let label = match b.get("up_to").and_then(Json::as_u64) {
                        Some(to) => format!("{from}–{to} h"),
                        None => format!("≥ {from} h"),
                    };
                    (label, b.get("count").and_then(Json::as_f64).unwrap_or(0.0))
                })
                .collect()
        })
        .unwrap_or_default();
    // `2026-W44` → `W44`: the year is in the page's period.
    let weeks: Vec<Bar> = column(report.get("by_week"), "week", "returns")
        .into_iter()
        .map(|(w, n)| (w.split_once('-').map_or(w.clone(), |(_, w)| w.to_owned()), n))
        .collect();
    let blue = RGBColor(0x3b, 0x6e, 0xa8);
    let orange = RGBColor(0xd9, 0x7a, 0x2b);
    let chart = |title: &str, title_en: &str, y: &str, data: &[Bar], color| json!({"title": title, "title_en": title_en, "svg": charts::bars(title_en, y, data, color)});
    let charts = vec![
        chart("按原因", "Returns by reason", "returns", &counts(report.get("by_reason")), blue),
        chart("按周", "Returns by ISO week", "returns", &weeks, blue),
        chart("退货率最高的商品", "Top SKUs by return rate", "return rate %", &by_rate, orange),
        chart("验货到退款到账的时间", "Refund time after inspection", "refunds", &times, blue),
    ];
    let template = env.get_template("returns.html").map_err(|e| e.to_string())?;
    template.render(json!({"r": report, "charts": charts})).map_err(|e| e.to_string())
}
