//! Diagnostics as text for people, in the shape rustc prints them.
//!
//! ```text
//! error[unknown-name]: 未知的名称 `reqest` · unknown name `reqest`
//!   --> rules/returns.tenet:11:8
//!    |
//! 11 |   when reqest.reason == "x"
//!    |        ^^^^^^
//!    |
//!    = help: 你是不是想写 `request`？ · did you mean `request`?
//! ```
//!
//! Columns are counted in display width (a CJK character takes two), so carets sit under
//! what they mark; a very long line (minified JSON) is shown as a window around the mark.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::{Diagnostic, Label, Lang, Severity};
use crate::source::{SourceFile, Span};

/// How to render for a human.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Language of messages.
    pub lang: Lang,
    /// ANSI colours (only on a terminal, never with `NO_COLOR`).
    pub color: bool,
    /// Widest source line shown whole; longer lines are cut to a window of this width
    /// around the marked text.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style { lang: Lang::Both, color: false, width: 100 }
    }
}

/// Renders diagnostics as text, one report after another, a blank line between them.
pub fn to_text(diags: &[Diagnostic], style: Style) -> String {
    let mut out = String::new();
    for (i, diag) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        report(&mut out, diag, style);
    }
    out
}

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
}

fn report(out: &mut String, diag: &Diagnostic, style: Style) {
    let paint = Paint { color: style.color };
    let (word, color) = match diag.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let head = format!("{word}[{}]", diag.code);
    let message = diag.message.get(style.lang);
    let _ = writeln!(out, "{}{}", paint.wrap(color, &head), paint.wrap("1", &format!(": {message}")));
    let spans: Vec<(&Label, bool)> =
        diag.primary.iter().map(|l| (l, true)).chain(diag.secondary.iter().map(|l| (l, false))).collect();
    let file = diag.file.as_deref();
    let located = file.filter(|_| diag.primary.is_some());
    // The widest line number decides the gutter.
    let lines: Vec<usize> = match located {
        Some(f) => spans.iter().map(|(l, _)| f.line_col(l.span.start).0).collect(),
        None => Vec::new(),
    };
    let gutter = lines.iter().max().map_or(1, |n| n.to_string().len());
    let pad = " ".repeat(gutter);
    let bar = paint.wrap("1;34", "|");
    let arrow = paint.wrap("1;34", "-->");
    match (located, &diag.primary) {
        (Some(f), Some(primary)) => {
            let (line, col) = f.line_col(primary.span.start);
            let _ = writeln!(out, "{pad}{arrow} {}:{line}:{col}", f.name());
        }
        _ => {
            let place = match (file, &diag.path) {
                (Some(f), Some(p)) => Some(format!("{}, {} {p}", f.name(), at_word(style.lang))),
                (Some(f), None) => Some(f.name().to_owned()),
                (None, Some(p)) => Some(format!("{} {p}", at_word(style.lang))),
                (None, None) => None,
            };
            if let Some(place) = place {
                let _ = writeln!(out, "{pad}{arrow} {place}");
            }
        }
    }
    if let Some(f) = located {
        let _ = writeln!(out, "{pad} {bar}");
        let mut by_line: Vec<(usize, &Label, bool)> =
            spans.iter().map(|(l, primary)| (f.line_col(l.span.start).0, *l, *primary)).collect();
        by_line.sort_by_key(|(line, l, primary)| (*line, !*primary, l.span.start));
        let mut last: Option<usize> = None;
        for (line, label, primary) in &by_line {
            if last != Some(*line) {
                if last.is_some_and(|l| *line > l + 1) {
                    let _ = writeln!(out, "{}", paint.wrap("1;34", "..."));
                }
                let text = line_text(f, *line);
                let (shown, offset) = window(text, column_of(text, f, label.span), style.width);
                let number = paint.wrap("1;34", &format!("{line:>gutter$}"));
                let _ = writeln!(out, "{number} {bar} {shown}");
                last = Some(*line);
                underline(out, &pad, &bar, f, label, *primary, offset, style, &paint, color);
            } else {
                let text = line_text(f, *line);
                let (_, offset) = window(text, column_of(text, f, label.span), style.width);
                underline(out, &pad, &bar, f, label, *primary, offset, style, &paint, color);
            }
        }
    }
    if let Some(help) = &diag.help {
        if located.is_some() {
            let _ = writeln!(out, "{pad} {bar}");
        }
        let _ =
            writeln!(out, "{pad} {} {}: {}", paint.wrap("1;34", "="), paint.wrap("1", "help"), help.get(style.lang));
    }
}

fn at_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "位置",
        Lang::En => "at",
        Lang::Both => "位置 at",
    }
}

/// The text of a 1-based line, without its line break.
fn line_text(file: &SourceFile, line: usize) -> &str {
    file.line(line)
}

/// The byte offset of a span's start within its line.
fn column_of(line: &str, file: &SourceFile, span: Span) -> usize {
    let (number, _) = file.line_col(span.start);
    span.start.saturating_sub(file.line_start(number)).min(line.len())
}

/// Display width, tabs counting four.
fn display(text: &str) -> usize {
    text.width() + text.matches('\t').count() * 4
}

/// The line as shown (tabs as four spaces; a long line cut to a window around byte
/// `at`, marked with `…`) and the byte offset in the line where the shown text begins.
fn window(line: &str, at: usize, width: usize) -> (String, usize) {
    let expand = |s: &str| s.replace('\t', "    ");
    let width = width.max(40);
    if display(line) <= width {
        return (expand(line), 0);
    }
    // Start about a third of the width before the mark, at a character boundary.
    let mut start = at.min(line.len());
    while !line.is_char_boundary(start) {
        start -= 1;
    }
    for (i, _) in line.get(..start).unwrap_or("").char_indices().rev() {
        if line.get(i..at).map_or(0, display) > width / 3 {
            break;
        }
        start = i;
    }
    let mut end = start;
    let mut shown = 0;
    for (i, c) in line.get(start..).unwrap_or("").char_indices() {
        let w = display(line.get(start + i..start + i + c.len_utf8()).unwrap_or(""));
        if shown + w > width {
            break;
        }
        shown += w;
        end = start + i + c.len_utf8();
    }
    let mut text = expand(line.get(start..end).unwrap_or(""));
    if start > 0 {
        text.insert(0, '…');
    }
    if end < line.len() {
        text.push('…');
    }
    (text, start)
}

#[expect(clippy::too_many_arguments, reason = "one row of a report, drawn from the parts around it")]
fn underline(
    out: &mut String,
    pad: &str,
    bar: &str,
    file: &SourceFile,
    label: &Label,
    primary: bool,
    window_start: usize,
    style: Style,
    paint: &Paint,
    color: &str,
) {
    let line = line_text(file, file.line_col(label.span.start).0);
    let col = column_of(line, file, label.span);
    let before = |from: usize| line.get(from..col).map_or(0, display);
    // A window that does not start the line begins with "…", one column.
    let lead = if window_start > 0 { 1 + before(window_start) } else { before(0) };
    // The mark ends where the span does, or at the end of its first line.
    let line_end = label.span.start - col + line.len();
    let end = label.span.end.clamp(label.span.start, line_end);
    let marked = file.text().get(label.span.start..end).unwrap_or("");
    let marks = (if primary { "^" } else { "-" }).repeat(display(marked).max(1));
    let text = label.text.as_ref().map(|t| format!(" {}", t.get(style.lang))).unwrap_or_default();
    let painted = paint.wrap(if primary { color } else { "1;34" }, &format!("{marks}{text}"));
    let _ = writeln!(out, "{pad} {bar} {}{painted}", " ".repeat(lead));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Msg, codes};

    fn one(text: &str, span: Span, label: Option<&str>) -> String {
        let file = SourceFile::new("t.tenet", text.to_owned());
        let mut d = Diagnostic::error(codes::UNKNOWN_NAME, Msg::new("名字未知", "unknown name")).in_file(&file);
        d = match label {
            Some(l) => d.at_labelled(span, Msg::new(l, l)),
            None => d.at(span),
        };
        to_text(&[d.help(Msg::new("检查拼写", "check the spelling"))], Style { lang: Lang::En, ..Style::default() })
    }

    #[test]
    fn rustc_shape_with_carets_under_the_mark() {
        let text = "policy p\nlet x = reqest\n";
        let start = text.find("reqest").expect("there");
        assert_eq!(
            one(text, Span::new(start, start + 6), Some("here")),
            "error[unknown-name]: unknown name\n --> t.tenet:2:9\n  |\n2 | let x = reqest\n  |         ^^^^^^ here\n  |\n  = help: check the spelling\n"
        );
    }

    #[test]
    fn chinese_takes_two_columns() {
        let text = "rule \"原因\" when x\n";
        let start = text.find('x').expect("there");
        let out = one(text, Span::new(start, start + 1), None);
        // `rule "原因" when ` is 17 columns wide: its two Chinese characters take four.
        assert!(out.contains(&format!("  | {}^\n", " ".repeat(17))), "{out}");
    }

    #[test]
    fn a_very_long_line_is_shown_as_a_window() {
        let mut text = "x".repeat(100_000);
        text.push_str("BAD");
        text.push_str(&"y".repeat(1000));
        let start = text.find("BAD").expect("there");
        let out = one(&text, Span::new(start, start + 3), None);
        assert!(out.contains(" --> t.tenet:1:100001"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
        let line = out.lines().nth(3).expect("the source line");
        let carets = out.lines().nth(4).expect("the marks");
        let at = line.chars().position(|c| c == 'B').expect("shown");
        assert_eq!(carets.chars().position(|c| c == '^'), Some(at), "{line}\n{carets}");
    }

    #[test]
    fn without_a_span_the_place_is_said_in_words() {
        let file = SourceFile::new("facts.yaml", "a: 1\n".to_owned());
        let d = Diagnostic::error(codes::INVALID_FACT, Msg::new("不对", "wrong")).in_file(&file).at_path("order.total");
        let out = to_text(&[d], Style { lang: Lang::En, ..Style::default() });
        assert_eq!(out, "error[invalid-fact]: wrong\n --> facts.yaml, at order.total\n");
    }
}
