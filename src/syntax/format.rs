//! `tenet fmt`: one layout for policy files, in the manner of gofmt — the author's line
//! breaks and comments stay; everything else is decided here:
//!
//! - indentation: two spaces per open bracket; inside a rule, its clauses (`when`,
//!   outcomes, `for each`, `terms`) at two and their continuation lines (messages, `en`,
//!   `and …`) at four; continuation lines of other declarations at two; a comment line
//!   takes the indentation of the code after it;
//! - spaces: runs of blanks between tokens become one space; tabs become spaces; a binary
//!   operator (`+`, `==`, `&&`, …) and the `=`, `=>` and `->` of declarations, table rows
//!   and transitions have one space on each side (found by the parser, so a `-` that negates,
//!   a `<` of `list<text>` or the `-` of a date keep their place);
//! - alignment: the `=>` of consecutive table rows line up, and so do the trailing
//!   comments of consecutive lines (two columns after the longest code, counting CJK
//!   characters as two columns);
//! - blank lines: at most one in a row, none at the start or end; one newline at the end.
//!
//! Only whitespace outside strings and comments changes, so the formatted file parses to
//! the same tree (checked before anything is written).

use pest::Parser;
use unicode_width::UnicodeWidthStr;

use super::parser::{Rule, TenetParser};

/// Words that start a clause of a rule (indented one step).
const RULE_CLAUSES: [&str; 10] =
    ["when", "for", "reject", "require", "deduct", "credit", "charge", "flag", "emit", "terms"];
/// Words and symbols that continue the line before them.
/// (`rejects` continues a workflow transition.)
const CONTINUATIONS: [&str; 19] = [
    "en", "then", "else", "and", "or", "not", "+", "-", "*", "/", "of", "==", "!=", "<", ">", "<=", ">=", "in",
    "rejects",
];

/// One line split into code and an optional trailing comment.
struct Line {
    /// The code with its blanks collapsed (empty for a comment-only or blank line).
    code: String,
    /// `# …`, as written.
    comment: Option<String>,
    /// Brackets open before the line starts.
    depth: usize,
    /// The first word of the line that opened the innermost bracket open at its start.
    opener: String,
}

/// Splits a line, collapsing blanks outside strings; tracks the open brackets (each
/// with the first word of the line that opened it).
fn scan(raw: &str, openers: &mut Vec<String>) -> Line {
    let depth = openers.len();
    let opener = openers.last().cloned().unwrap_or_default();
    let mut code = String::new();
    let mut comment = None;
    let mut chars = raw.chars().peekable();
    let mut pending_space = 0usize;
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' => pending_space += 1,
            '#' => {
                let rest: String = std::iter::once('#').chain(chars.by_ref()).collect();
                comment = Some(rest.trim_end().to_owned());
                break;
            }
            '"' | '\'' => {
                if pending_space > 0 && !code.is_empty() {
                    code.push(' ');
                }
                pending_space = 0;
                code.push(c);
                if c == '"' {
                    copy_text(&mut chars, &mut code);
                } else {
                    // A single-quoted text (refused by the checker, with help) has no
                    // escapes or interpolations.
                    for s in chars.by_ref() {
                        code.push(s);
                        if s == '\'' {
                            break;
                        }
                    }
                }
            }
            _ => {
                if pending_space > 0 && !code.is_empty() {
                    code.push(' ');
                }
                pending_space = 0;
                code.push(c);
                match c {
                    '{' | '[' | '(' => {
                        let word = first_word(code.trim_start()).to_owned();
                        openers.push(word);
                    }
                    '}' | ']' | ')' => {
                        openers.pop();
                    }
                    _ => {}
                }
            }
        }
    }
    Line { code, comment, depth, opener }
}

/// Copies a text after its opening `"` as the grammar reads it (`string` in
/// grammar/tenet.pest): escapes, `{{` and `}}`, and interpolations, whose expressions
/// may hold texts of their own — so a `#` or `"` inside them is not taken for a comment or
/// the end of the text.
fn copy_text(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, code: &mut String) {
    while let Some(c) = chars.next() {
        code.push(c);
        match c {
            '"' => return,
            '\\' => code.extend(chars.next()),
            '{' | '}' if chars.peek() == Some(&c) => code.extend(chars.next()),
            '{' => copy_interpolation(chars, code),
            _ => {}
        }
    }
}

/// Copies an interpolation's expression up to and including its closing `}`.
fn copy_interpolation(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, code: &mut String) {
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        code.push(c);
        match c {
            '"' => copy_text(chars, code),
            '{' => depth += 1,
            '}' if depth == 0 => return,
            '}' => depth -= 1,
            _ => {}
        }
    }
}

fn first_word(code: &str) -> &str {
    let end = code.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(code.len());
    if end == 0 { code.split(' ').next().unwrap_or("") } else { &code[..end] }
}

/// Operators whose tokens are spaced: the grammar's `op_*` rules that sit between two
/// operands (`op_neg`, `op_not` and `op_bang` are prefixes), a table cell's comparison and
/// an input's bound (`money >= 0`).
const SPACED_OPERATORS: [Rule; 22] = [
    Rule::check_op,
    Rule::cmp_op,
    Rule::op_oror,
    Rule::op_andand,
    Rule::op_eq,
    Rule::op_ne,
    Rule::op_le,
    Rule::op_ge,
    Rule::op_lt,
    Rule::op_gt,
    Rule::op_assign,
    Rule::op_add,
    Rule::op_sub,
    Rule::op_pow,
    Rule::op_mul,
    Rule::op_div,
    Rule::op_mod,
    Rule::op_idiv,
    Rule::op_or,
    Rule::op_and,
    Rule::op_in,
    Rule::op_not_in,
];

/// Literal tokens of the grammar (not rules of their own) that are spaced wherever they
/// stand between two parts of a declaration, a row or a transition.
const SPACED_LITERALS: [&str; 3] = ["=>", "->", "="];

/// Pushes the ranges of `SPACED_LITERALS` in `gap` (literal punctuation, blanks and
/// comments between two children of a rule), `offset` being where the gap starts.
fn literal_tokens(gap: &str, offset: usize, tokens: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while let Some(rest) = gap.get(i..) {
        let Some(c) = rest.chars().next() else { break };
        if c == '#' {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if let Some(token) = SPACED_LITERALS.iter().find(|t| rest.starts_with(**t)) {
            tokens.push((offset + i, offset + i + token.len()));
            i += token.len();
            continue;
        }
        i += c.len_utf8();
    }
}

/// Byte ranges of the tokens to space, in order; empty when the text does not parse (then
/// only the blanks are decided).
fn spaced_tokens(text: &str) -> Vec<(usize, usize)> {
    pest::set_call_limit(std::num::NonZeroUsize::new(super::limits::parser_calls()));
    let Ok(pairs) = TenetParser::parse(Rule::file, text) else { return Vec::new() };
    let mut tokens = Vec::new();
    for pair in pairs.flatten() {
        if SPACED_OPERATORS.contains(&pair.as_rule()) {
            tokens.push((pair.as_span().start(), pair.as_span().end()));
            continue;
        }
        // A literal lies in a gap between two children of a rule.
        let mut gap_start = pair.as_span().start();
        let children: Vec<_> = pair.clone().into_inner().map(|c| (c.as_span().start(), c.as_span().end())).collect();
        for (start, end) in children {
            if gap_start < start
                && let Some(gap) = text.get(gap_start..start)
            {
                literal_tokens(gap, gap_start, &mut tokens);
            }
            gap_start = gap_start.max(end);
        }
    }
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// The text with one space on each side of every token in `tokens`; a token that starts or
/// ends a line keeps its line break (the line scanner indents it).
fn space_tokens(text: &str, tokens: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + tokens.len() * 2);
    let mut at = 0;
    for &(start, end) in tokens {
        let (Some(before), Some(token)) = (text.get(at..start), text.get(start..end)) else { continue };
        let kept = before.trim_end_matches([' ', '\t']);
        out.push_str(kept);
        if !(out.is_empty() || out.ends_with('\n')) {
            out.push(' ');
        }
        out.push_str(token);
        let rest = text.get(end..).unwrap_or("");
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        at = end + blanks;
        let next = text.get(at..).unwrap_or("");
        if !(next.is_empty() || next.starts_with(['\n', '\r'])) {
            out.push(' ');
        }
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// The policy text in the canonical layout.
pub fn format(text: &str) -> String {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let spaced = space_tokens(text, &spaced_tokens(text));
    let text = spaced.as_str();
    let mut openers = Vec::new();
    let lines: Vec<Line> = text.lines().map(|raw| scan(raw, &mut openers)).collect();
    // Indentation of code lines: the declaration a top-level line belongs to decides how
    // its continuation lines are indented.
    let mut indents: Vec<Option<usize>> = Vec::with_capacity(lines.len());
    let mut decl = "";
    let mut clause_in_rule = false;
    for line in &lines {
        if line.code.is_empty() {
            indents.push(None);
            continue;
        }
        let word = first_word(&line.code);
        let closing = line.code.starts_with(['}', ']', ')']);
        let depth = if closing { line.depth.saturating_sub(1) } else { line.depth };
        let continuation = CONTINUATIONS.contains(&word) || line.code.starts_with('"');
        let indent = if depth > 0 {
            // Inside a workflow or a `for each` block, messages and `and …`/`then …` lines
            // continue an item; in tables, records and lists every line is an item.
            let continues = match line.opener.as_str() {
                "workflow" | "for" => continuation,
                _ => false,
            };
            2 * depth + if continues { 2 } else { 0 }
        } else {
            let in_rule = matches!(decl, "rule" | "ensure" | "cap");
            // `for each x in xs {` opens a block; a rule's `for each … where …` does not.
            let block = word == "for" && line.code.ends_with('{');
            let starts_decl = super::keywords::starts_declaration(word) && (word != "for" || block || !in_rule);
            if closing {
                0
            } else if starts_decl {
                decl = if word == "for" { "each" } else { word };
                clause_in_rule = false;
                0
            } else if in_rule && (RULE_CLAUSES.contains(&word) || word == "otherwise") {
                clause_in_rule = true;
                2
            } else if in_rule && (clause_in_rule || continuation) {
                4
            } else {
                2
            }
        };
        indents.push(Some(indent));
    }
    // Comment lines take the indentation of the next code line.
    let mut next_indent = 0;
    for (indent, line) in indents.iter_mut().zip(&lines).rev() {
        match indent {
            Some(n) => next_indent = *n,
            None if line.comment.is_some() => *indent = Some(next_indent),
            None => {}
        }
    }
    // (indent, code, comment) per line; None for a blank line.
    let rendered: Vec<Option<Rendered>> = lines
        .iter()
        .zip(&indents)
        .map(|(line, indent)| {
            if line.code.is_empty() && line.comment.is_none() {
                return None;
            }
            Some(Rendered { indent: indent.unwrap_or(0), code: line.code.clone(), comment: line.comment.clone() })
        })
        .collect();
    let aligned = align_comments(align_rows(rendered));
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in aligned {
        match line {
            None => blank = !out.is_empty(),
            Some(text) => {
                if blank {
                    out.push('\n');
                }
                blank = false;
                out.push_str(&text);
                out.push('\n');
            }
        }
    }
    out
}

/// A line ready to print.
struct Rendered {
    indent: usize,
    code: String,
    comment: Option<String>,
}

/// Trailing comments of consecutive code lines start in one column; a comment alone on
/// its line stays at its indentation.
fn align_comments(lines: Vec<Option<Rendered>>) -> Vec<Option<String>> {
    let head = |r: &Rendered| format!("{}{}", " ".repeat(r.indent), r.code);
    let trailing = |l: &Option<Rendered>| l.as_ref().is_some_and(|r| !r.code.is_empty() && r.comment.is_some());
    let mut out = Vec::with_capacity(lines.len());
    for group in lines.chunk_by(|a, b| trailing(a) == trailing(b)) {
        if !group.first().is_some_and(trailing) {
            out.extend(group.iter().map(|line| {
                line.as_ref().map(|r| match &r.comment {
                    Some(c) if r.code.is_empty() => format!("{}{c}", " ".repeat(r.indent)),
                    _ => head(r),
                })
            }));
            continue;
        }
        let column = group.iter().flatten().map(|r| head(r).width()).max().unwrap_or(0) + 2;
        for r in group.iter().flatten() {
            let h = head(r);
            let pad = column.saturating_sub(h.width());
            out.push(Some(format!("{h}{}{}", " ".repeat(pad), r.comment.as_deref().unwrap_or(""))));
        }
    }
    out
}

/// A table row's text before its `=>` (trimmed) and from the `=>` on.
fn split_at_arrow(code: &str, arrow: usize) -> Option<(&str, &str)> {
    Some((code.get(..arrow)?.trim_end(), code.get(arrow..)?))
}

/// Lines up `=>` across consecutive table rows at the same indentation.
fn align_rows(lines: Vec<Option<Rendered>>) -> Vec<Option<Rendered>> {
    let arrow = |text: &str| -> Option<usize> {
        // Only an arrow outside strings, before any comment.
        let mut in_string = false;
        let mut prev = '\0';
        for (i, c) in text.char_indices() {
            match c {
                '"' if prev != '\\' => in_string = !in_string,
                '#' if !in_string => return None,
                '=' if !in_string && text[i..].starts_with("=> ") => return Some(i),
                _ => {}
            }
            prev = c;
        }
        None
    };
    // Consecutive rows with an arrow at one indentation form a group; a line at the left
    // margin is a declaration (a one-line table), not a row.
    let row = |l: &Option<Rendered>| l.as_ref().filter(|r| r.indent > 0 && arrow(&r.code).is_some()).map(|r| r.indent);
    let mut out = lines;
    for group in out.chunk_by_mut(|a, b| row(a) == row(b)) {
        if group.first().and_then(row).is_none() {
            continue;
        }
        let split = |code: &str| arrow(code).map(|a| (code.to_owned(), a));
        let column = group
            .iter()
            .flatten()
            .filter_map(|r| arrow(&r.code).and_then(|a| split_at_arrow(&r.code, a)).map(|(head, _)| head.width()))
            .max();
        for r in group.iter_mut().flatten() {
            let Some((code, a)) = split(&r.code) else { continue };
            if let (Some((head, rest)), Some(column)) = (split_at_arrow(&code, a), column) {
                let pad = column.saturating_sub(head.width());
                r.code = format!("{head}{} {rest}", " ".repeat(pad));
            }
        }
    }
    out
}

/// Why a file was not formatted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file does not parse; formatting it could not be checked.
    #[error("文件无法解析，未格式化 · the file does not parse, so it was not formatted ({} errors)", .0.iter().filter(|d| d.is_error()).count())]
    Syntax(Vec<crate::diagnostics::Diagnostic>),
    /// The layout would change what the file says (a bug in the formatter): nothing is
    /// written.
    #[error(
        "格式化会改变文件的含义，未写入（这是 tenet 的缺陷，请报告）· formatting would change what the file says; nothing written (a tenet bug, please report it)"
    )]
    Changed,
}

/// Formats `file` and proves the result parses to the same tree.
///
/// ```
/// use tenet::{format_policy, source::SourceFile};
///
/// let file = SourceFile::new("p.tenet", "policy p version \"1\"\n   input { a: int }\n\n\noutput o = a\n");
/// assert_eq!(format_policy(&file)?, "policy p version \"1\"\ninput { a: int }\n\noutput o = a\n");
/// # Ok::<(), tenet::FormatError>(())
/// ```
pub fn format_checked(file: &std::sync::Arc<crate::source::SourceFile>) -> Result<String, FormatError> {
    let before = super::parse(file);
    if before.incomplete || before.diagnostics.iter().any(crate::diagnostics::Diagnostic::is_error) {
        return Err(FormatError::Syntax(before.diagnostics));
    }
    let formatted = format(file.text());
    let after = super::parse(&crate::source::SourceFile::new(file.name().to_owned(), formatted.clone()));
    if super::dump::file(&after.file) != super::dump::file(&before.file) {
        return Err(FormatError::Changed);
    }
    Ok(formatted)
}
