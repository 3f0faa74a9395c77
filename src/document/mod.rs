//! Data documents as parsed, before anything gives them types: facts, holiday files,
//! case files and agreement data are YAML or JSON, and all land in a [`Raw`] tree whose
//! syntax errors point at their line.

mod numbers;
mod raw;

use std::sync::Arc;

use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::source::{SourceFile, Span};
pub use numbers::{FLOAT_DIGITS, has_long_numbers};
pub use raw::Raw;

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

/// Largest data document (facts, case file, agreement data), in bytes.
pub const MAX_FACTS_BYTES: usize = 16 * 1024 * 1024;

/// Parses a document into its raw tree; a syntax error points at its line.
pub fn parse_raw(file: &Arc<SourceFile>, format: Format) -> Result<Raw, Diagnostic> {
    let text = file.text();
    if text.len() > MAX_FACTS_BYTES {
        let (size, limit) = (text.len(), MAX_FACTS_BYTES);
        return Err(Diagnostic::error(
            codes::FACTS_TOO_LARGE,
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
        let mut d = Diagnostic::error(
            codes::FACTS_SYNTAX,
            msg!("无法解析事实文件：{message}", "cannot parse the facts: {message}"),
        )
        .help(Msg::new("检查这一行的缩进、引号和冒号", "check this line's indentation, quotes and colons"))
        .in_file(file);
        if let Some(at) = offset {
            let at = at.min(text.len());
            d = d.at(Span::new(at, (at + 1).min(text.len()).max(at)));
        }
        d
    };
    let raw = match format {
        Format::Json => serde_json::from_str::<Raw>(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            located(e.to_string(), offset)
        }),
        Format::Yaml => yaml_serde::from_str::<Raw>(text).map_err(|e| {
            let offset = e.location().map(|l| l.index());
            located(e.to_string(), offset)
        }),
    }?;
    if let Some(d) = inexact_number(text, format, &raw) {
        return Err(d.in_file(file));
    }
    Ok(raw)
}

/// The error for the first unquoted number in `text` that `raw` holds as a float and
/// that a float cannot keep ([`FLOAT_DIGITS`]), at its place in `text`.
pub fn inexact_number(text: &str, format: Format, raw: &Raw) -> Option<Diagnostic> {
    let (at, len) = numbers::first_inexact(text, format, raw)?;
    let token = text.get(at..at + len).unwrap_or_default();
    let digits = numbers::significant_digits(token);
    let limit = FLOAT_DIGITS;
    Some(
        Diagnostic::error(
            codes::INEXACT_NUMBER,
            msg!(
                "不加引号的数字 {token} 有 {digits} 位有效数字，超过能精确读取的 {limit} 位",
                "the unquoted number {token} has {digits} significant digits, more than the {limit} read exactly"
            ),
        )
        .help(msg!("加上引号，按原样精确读取：\"{token}\"", "quote it to have it read exactly as written: \"{token}\""))
        .at(Span::new(at, at + len)),
    )
}

fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    Some(start + column.saturating_sub(1))
}
