//! Facts: YAML or JSON documents validated against a policy's `input` schema.
//!
//! Numbers are exact. Quoted decimals (`"129.99"`) and integers are taken as written;
//! an unquoted number with a fraction is accepted when its shortest decimal form has at
//! most 15 significant digits — every such number survives the trip through a binary
//! float unchanged, so `129.99` is exactly 129.99. Longer unquoted numbers are refused
//! with a request to quote them.

mod fast;
pub mod raw;
mod validate;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::{RecordType, Type};
use crate::msg;
use crate::source::{SourceFile, Span};
use crate::value::{Currency, Value};
pub use raw::Raw;
use validate::Validator;

/// Facts that passed validation: one value per top-level input, in schema order.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    roots: Vec<Value>,
    /// The `now` key, when the facts carry one.
    pub now: Option<DateTime<Utc>>,
}

impl Facts {
    /// The top-level inputs by slot.
    pub fn roots(&self) -> &[Value] {
        &self.roots
    }
}

/// The syntax of a facts document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// YAML (also reads JSON).
    Yaml,
    /// JSON.
    Json,
}

impl Format {
    /// JSON for `.json` files, YAML otherwise.
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".json") { Format::Json } else { Format::Yaml }
    }
}

/// Largest facts document (and agreement data file), in bytes.
pub const MAX_FACTS_BYTES: usize = 16 * 1024 * 1024;

/// Most items one list in the facts may hold.
pub const MAX_LIST_ITEMS: usize = 100_000;

/// Parses a document into its raw tree; a syntax error points at its line.
pub fn parse_raw(file: &Arc<SourceFile>, format: Format) -> Result<Raw, Diagnostic> {
    let text = file.text();
    if text.len() > MAX_FACTS_BYTES {
        let (size, limit) = (text.len(), MAX_FACTS_BYTES);
        return Err(Diagnostic::error(
            "facts-too-large",
            msg!(
                "事实文件有 {size} 字节，超过上限 {limit} 字节",
                "the facts have {size} bytes, over the limit of {limit}"
            ),
        )
        .help(Msg::new(
            "每份事实只描述一个案例；大量案例请用 `tenet eval --batch`（每行一个）",
            "one facts document describes one case; for many cases use `tenet eval --batch` (one per line)",
        ))
        .in_file(file));
    }
    let located = |message: String, offset: Option<usize>| {
        let mut d =
            Diagnostic::error("facts-syntax", msg!("无法解析事实文件：{message}", "cannot parse the facts: {message}"))
                .help(Msg::new("检查这一行的缩进、引号和冒号", "check this line's indentation, quotes and colons"))
                .in_file(file);
        if let Some(at) = offset {
            let at = at.min(text.len());
            d = d.at(Span::new(at, (at + 1).min(text.len()).max(at)));
        }
        d
    };
    match format {
        Format::Json => serde_json::from_str::<Raw>(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            located(e.to_string(), offset)
        }),
        Format::Yaml => serde_yaml::from_str::<Raw>(text).map_err(|e| {
            let offset = e.location().map(|l| l.index());
            located(e.to_string(), offset)
        }),
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    Some(start + column.saturating_sub(1))
}

/// JSON facts read straight into typed values when they are valid; `None` when they
/// are not (run [`parse_raw`] and [`validate`] to learn what is wrong).
pub fn from_json_fast(text: &str, schema: &RecordType, currency: Currency) -> Option<Facts> {
    fast::from_json(text, schema, currency)
}

/// Validates a raw document against `schema`. The top level may also carry `now`.
pub fn validate(raw: &Raw, schema: &RecordType, currency: Currency) -> Result<Facts, Vec<Diagnostic>> {
    let mut v = Validator { currency, problems: Vec::new() };
    if !matches!(raw, Raw::Map(_)) {
        let found = raw.describe();
        return Err(vec![
            Diagnostic::error(
                "invalid-fact",
                msg!("事实应是一个映射（键: 值），却是 {found}", "facts must be a mapping (key: value), found {found}"),
            )
            .help(Msg::new("以 `order:`、`item:` 这样的键开头", "start with keys such as `order:` and `item:`")),
        ]);
    }
    let mut now = None;
    let record = v.record("", schema, raw, &mut |v, key, value| {
        if key != "now" {
            return false;
        }
        if let Value::DateTime(t) = v.value("now", &Type::DateTime, value) {
            now = Some(t);
        }
        true
    });
    if !v.problems.is_empty() {
        return Err(v.problems);
    }
    let roots = match record {
        Value::Record(fields) => fields.to_vec(),
        _ => Vec::new(),
    };
    Ok(Facts { roots, now })
}
