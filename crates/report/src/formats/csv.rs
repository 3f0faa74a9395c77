//! The `by_sku` table as CSV (RFC 4180: fields with commas, quotes or line breaks quoted),
//! for spreadsheets.

use serde_json::Value as Json;

const COLUMNS: [&str; 8] =
    ["sku", "category", "returns", "approved", "sold", "return_rate", "top_reason", "refund_total"];

fn field(v: Option<&Json>) -> String {
    let text = match v {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// The report's `by_sku` rows, with a header line.
pub fn by_sku(report: &Json) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for row in report.get("by_sku").and_then(Json::as_array).into_iter().flatten() {
        let cells: Vec<String> = COLUMNS.iter().map(|c| field(row.get(*c))).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use serde_json::json;

    #[test]
    fn quoting_and_empty_cells() {
        let r = json!({"by_sku": [{"sku": "A,1", "category": "x\"y", "returns": 3, "approved": 2, "top_reason": null, "refund_total": "1.00"}]});
        assert_eq!(
            super::by_sku(&r),
            "sku,category,returns,approved,sold,return_rate,top_reason,refund_total\n\"A,1\",\"x\"\"y\",3,2,,,,1.00\n"
        );
    }
}
