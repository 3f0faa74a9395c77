//! The return analysis as Markdown, for pasting into a wiki: the key figures and the
//! tables of the JSON report, Chinese first with English beside it.

use std::fmt::Write;

use serde_json::Value as Json;

fn cell(v: &Json) -> String {
    match v {
        Json::Null => "–".into(),
        Json::String(s) => s.replace('|', "\\|"),
        other => other.to_string(),
    }
}

fn table(out: &mut String, title: &str, columns: &[(&str, &str)], rows: &[Json]) {
    let _ = writeln!(out, "\n## {title}\n");
    let _ = writeln!(out, "| {} |", columns.iter().map(|(_, h)| *h).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(out, "|{}|", columns.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
    for r in rows {
        let cells: Vec<String> = columns.iter().map(|(k, _)| cell(r.get(*k).unwrap_or(&Json::Null))).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

fn counts(out: &mut String, title: &str, key: &str, map: Option<&Json>) {
    let rows: Vec<Json> = map
        .and_then(Json::as_object)
        .map(|m| m.iter().map(|(k, v)| serde_json::json!({key: k, "n": v})).collect())
        .unwrap_or_default();
    table(out, title, &[(key, key), ("n", "件数 cases")], &rows);
}

/// The report (its JSON object) as a Markdown document.
pub fn returns(report: &Json) -> String {
    let mut out = String::new();
    let get = |k: &str| report.get(k).cloned().unwrap_or(Json::Null);
    let period = get("period");
    let _ = writeln!(out, "# 退货分析 Return analysis — {} {}\n", cell(&get("policy")), cell(&get("version")));
    let _ = writeln!(
        out,
        "期间 Period: {} – {} · 案例 cases: {} · 无法计入 errors: {}\n",
        cell(period.get("since").unwrap_or(&Json::Null)),
        cell(period.get("until").unwrap_or(&Json::Null)),
        cell(&get("cases")),
        cell(&get("errors"))
    );
    let times = get("refund_time_hours");
    let _ = writeln!(out, "- 退款总额 Refunds: ¥{}", cell(&get("refund_total")));
    let _ = writeln!(out, "- 扣减总额 Deductions: ¥{}", cell(&get("deductions_total")));
    let _ = writeln!(
        out,
        "- 验货到退款到账 Inspection to refund: 中位数 median {} h · 90% {} h（{} 件 cases）",
        cell(times.get("median").unwrap_or(&Json::Null)),
        cell(times.get("p90").unwrap_or(&Json::Null)),
        cell(times.get("count").unwrap_or(&Json::Null))
    );
    let flags = get("flags");
    if let Some(flags) = flags.as_array().filter(|f| !f.is_empty()) {
        let _ = writeln!(out, "\n## 改进建议 What to improve\n");
        for f in flags {
            // A flag about the whole corpus (late refunds) has no SKU or category.
            let subject =
                f.get("sku").or_else(|| f.get("category")).map(|s| format!(" {}", cell(s))).unwrap_or_default();
            let _ = writeln!(
                out,
                "- **{}**{subject}: {}  \n  {}",
                cell(f.get("code").unwrap_or(&Json::Null)),
                cell(f.get("message").unwrap_or(&Json::Null)),
                cell(f.get("message_en").unwrap_or(&Json::Null))
            );
        }
    }
    counts(&mut out, "按决定 By decision", "decision", report.get("by_decision"));
    counts(&mut out, "按原因 By reason", "reason", report.get("by_reason"));
    counts(&mut out, "按代码 By code", "code", report.get("by_code"));
    let rows = |k: &str| get(k).as_array().cloned().unwrap_or_default();
    table(
        &mut out,
        "按品类 By category",
        &[
            ("category", "品类 category"),
            ("returns", "退货 returns"),
            ("approved", "批准 approved"),
            ("refund_total", "退款 refunds"),
        ],
        &rows("by_category"),
    );
    let skus: Vec<Json> = rows("by_sku").into_iter().take(20).collect();
    table(
        &mut out,
        "退货最多的商品 Top SKUs",
        &[
            ("sku", "SKU"),
            ("category", "品类 category"),
            ("returns", "退货 returns"),
            ("sold", "销量 sold"),
            ("return_rate", "退货率 rate"),
            ("top_reason", "主要原因 top reason"),
            ("refund_total", "退款 refunds"),
        ],
        &skus,
    );
    table(
        &mut out,
        "按周 By week",
        &[
            ("week", "周 week"),
            ("returns", "退货 returns"),
            ("approved", "批准 approved"),
            ("refund_total", "退款 refunds"),
        ],
        &rows("by_week"),
    );
    out
}
