//! Positions: the engine counts bytes, LSP counts UTF-16 code units per line. Every
//! conversion goes through here, so CJK text lands where the editor shows it.

use lsp_types::{Position, Range};
use tenet::diagnostics::{Diagnostic, Lang, Severity};
use tenet::source::Span;

/// A byte offset as an LSP position (line and UTF-16 column, both from 0).
pub fn position(text: &str, offset: usize) -> Position {
    let offset = floor_char(text, offset.min(text.len()));
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: usize = before.get(line_start..).unwrap_or("").chars().map(char::len_utf16).sum();
    Position::new(u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}

/// An LSP position as a byte offset (clamped to the line's end and the text's end).
pub fn offset(text: &str, position: Position) -> usize {
    let mut start = 0usize;
    for _ in 0..position.line {
        match text.get(start..).and_then(|rest| rest.find('\n')) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line = text.get(start..).unwrap_or("");
    let line = line.split('\n').next().unwrap_or("");
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        if units >= position.character {
            return start + i;
        }
        units += u32::try_from(c.len_utf16()).unwrap_or(2);
    }
    start + line.len()
}

fn floor_char(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A span as a range.
pub fn range(text: &str, span: Span) -> Range {
    Range::new(position(text, span.start), position(text, span.end))
}

/// A diagnostic of the engine as an LSP diagnostic: the code, the message in both
/// languages, the help line, and its related locations.
pub fn diagnostic(text: &str, d: &Diagnostic, uri: &lsp_types::Uri, fallback: Span) -> lsp_types::Diagnostic {
    let span = d.primary.as_ref().map_or(fallback, |l| l.span);
    let mut message = d.message.get(Lang::Both);
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(&help.get(Lang::Both));
    }
    let related: Vec<lsp_types::DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|l| lsp_types::DiagnosticRelatedInformation {
            location: lsp_types::Location::new(uri.clone(), range(text, l.span)),
            message: l.text.as_ref().map(|m| m.get(Lang::Both)).unwrap_or_default(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(text, span),
        severity: Some(match d.severity {
            Severity::Error => lsp_types::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp_types::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp_types::NumberOrString::String(d.code.to_owned())),
        source: Some("tenet".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_round_trip() {
        let text = "rule \"收取手续费\"\n  when x 😀 y\n";
        let at = text.find("when").unwrap_or(0);
        assert_eq!(position(text, at), Position::new(1, 2));
        let after_emoji = text.find(" y").unwrap_or(0);
        // `  when x ` is 9 units, the emoji two more.
        assert_eq!(position(text, after_emoji), Position::new(1, 11));
        assert_eq!(offset(text, Position::new(1, 11)), after_emoji);
        let quote = text.find("\"\n").unwrap_or(0);
        assert_eq!(position(text, quote), Position::new(0, 11));
        assert_eq!(offset(text, Position::new(0, 11)), quote);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
    }
}
