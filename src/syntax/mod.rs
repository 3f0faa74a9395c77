//! Syntax: text to a typed AST with spans. The only stage that sees pest.

pub mod ast;
mod build;
pub mod cells;
pub mod csv;
pub mod dump;
mod errors;
mod expr;
pub mod format;
#[cfg(test)]
mod format_tests;
pub mod keywords;
pub mod limits;
mod parser;
#[cfg(test)]
mod parser_tests;
mod plain;
#[cfg(test)]
mod plain_tests;

use std::sync::Arc;

use pest::Parser;

use crate::diagnostics::Diagnostic;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::source::SourceFile;
use ast::PolicyFile;
use build::Builder;
use parser::{Rule, TenetParser};

/// The result of parsing: the tree, and what went wrong on the way.
#[derive(Debug)]
pub struct Parsed {
    /// The declarations that parsed.
    pub file: PolicyFile,
    /// Syntax diagnostics, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// True when the grammar rejected part of the text, so `file` is incomplete and
    /// checking it would only report follow-on errors.
    pub incomplete: bool,
}

/// Parses a policy file. After a syntax error, parsing resumes at the next line that
/// starts a declaration, so one run reports every broken declaration.
pub fn parse(file: &Arc<SourceFile>) -> Parsed {
    parse_using(file, true)
}

/// [`parse`], with the plain-row reader or with pest alone (tests hold the two equal).
fn parse_using(file: &Arc<SourceFile>, plain_rows: bool) -> Parsed {
    let text = file.text();
    if text.len() > limits::MAX_POLICY_BYTES {
        let limit = limits::MAX_POLICY_BYTES;
        let size = text.len();
        let diag = Diagnostic::error(
            codes::FILE_TOO_LARGE,
            msg!(
                "策略文件有 {size} 字节，超过上限 {limit} 字节",
                "policy file has {size} bytes, over the limit of {limit}"
            ),
        )
        .help(msg!("把策略拆成几个文件", "split the policy into several files"))
        .in_file(file);
        return Parsed { file: PolicyFile::default(), diagnostics: vec![diag], incomplete: true };
    }
    let scanned = limits::scan(text);
    if !scanned.is_empty() {
        let diagnostics = scanned.into_iter().map(|d| d.in_file(file)).collect();
        return Parsed { file: PolicyFile::default(), diagnostics, incomplete: true };
    }
    pest::set_call_limit(std::num::NonZeroUsize::new(limits::parser_calls()));
    if plain_rows && let Some(parsed) = parse_with_plain_rows(file, text) {
        return parsed;
    }
    parse_with_pest(file, text)
}

/// Parses with pest alone (what [`parse`] does when no table starts with plain rows).
fn parse_with_pest(file: &Arc<SourceFile>, text: &str) -> Parsed {
    parse_input(file, Input { text, cuts: &[] })
}

/// The text pest reads: the file's, or the file's with runs of plain rows cut out, each
/// replaced by one blank (`cuts`: each blank's offset in `text` and the bytes of the
/// file it stands for, minus one).
#[derive(Clone, Copy)]
struct Input<'t> {
    text: &'t str,
    cuts: &'t [(usize, usize)],
}

/// Parses the input whole; after a syntax error, chunk by chunk.
fn parse_input(file: &Arc<SourceFile>, input: Input<'_>) -> Parsed {
    match parse_chunk(file, input, 0, input.text.len()) {
        Ok(parsed) => parsed,
        // Recovering chunk by chunk would only hit the limit again.
        Err(first) if first.code == "parser-limit" => {
            Parsed { file: PolicyFile::default(), diagnostics: vec![first], incomplete: true }
        }
        Err(first) => {
            let mut recovered = recover(file, input);
            if !crate::diagnostics::has_errors(&recovered.diagnostics) {
                recovered.diagnostics.push(first);
            }
            recovered
        }
    }
}

/// Parses `start..end` of the input as a file of declarations.
fn parse_chunk(file: &Arc<SourceFile>, input: Input<'_>, start: usize, end: usize) -> Result<Parsed, Diagnostic> {
    let chunk = input.text.get(start..end).unwrap_or_default();
    let mut pairs = TenetParser::parse(Rule::file, chunk).map_err(|e| {
        if let pest::error::ErrorVariant::CustomError { message } = &e.variant
            && message.contains("limit reached")
        {
            return limits::parser_limit(message).in_file(file);
        }
        let diag = errors::to_diagnostic(e, input.text, start).in_file(file);
        if input.cuts.is_empty() {
            return diag;
        }
        let whole = Builder::cut(file, input.cuts, 0);
        placed(diag, |s| whole.place(s.start, s.end))
    })?;
    let builder = if input.cuts.is_empty() { Builder::new(file, start) } else { Builder::cut(file, input.cuts, start) };
    let tree = pairs.next().map(|p| builder.file(p)).unwrap_or_default();
    Ok(Parsed { file: tree, diagnostics: builder.finish(), incomplete: false })
}

/// A diagnostic with every span moved by `place`.
fn placed(mut diag: Diagnostic, place: impl Fn(crate::source::Span) -> crate::source::Span) -> Diagnostic {
    if let Some(label) = &mut diag.primary {
        label.span = place(label.span);
    }
    for label in &mut diag.secondary {
        label.span = place(label.span);
    }
    if let Some(fix) = &mut diag.fix {
        fix.span = place(fix.span);
    }
    diag
}

/// Parses a file whose tables have plain rows: those rows are read by
/// [`plain`], and pest parses the rest of the file with each run of them replaced by
/// one blank (`plain::rows` says where pest must take over, and why). `None` when no
/// table has plain rows, or when a run is not where the parse found its table (then
/// pest parses the whole text).
fn parse_with_plain_rows(file: &Arc<SourceFile>, text: &str) -> Option<Parsed> {
    let runs: Vec<plain::Run> = table_starts(text)
        .into_iter()
        .flat_map(|at| {
            let open = text.get(at..).and_then(|rest| {
                let head = TenetParser::parse(Rule::table_open, rest).ok()?;
                head.flatten().find(|p| p.as_rule() == Rule::block_open).map(|p| at + p.as_span().end())
            });
            let pest_row = |row_at: usize| {
                let rest = text.get(row_at..)?;
                let mut pairs = TenetParser::parse(Rule::row, rest).ok()?;
                pairs.next().map(|p| row_at + p.as_span().end())
            };
            open.map(|open| plain::rows(text, at, open, pest_row)).unwrap_or_default()
        })
        .collect();
    if runs.is_empty() {
        return None;
    }
    let mut cut = String::with_capacity(text.len().saturating_sub(runs.iter().map(|r| r.end - r.start).sum()));
    let mut cuts = Vec::with_capacity(runs.len());
    let mut copied = 0;
    for run in &runs {
        cut.push_str(text.get(copied..run.start)?);
        cuts.push((cut.len(), (run.end - run.start).checked_sub(1)?));
        cut.push(' ');
        copied = run.end;
    }
    cut.push_str(text.get(copied..)?);
    let mut parsed = parse_input(file, Input { text: &cut, cuts: &cuts });
    let mut runs = runs.into_iter().peekable();
    let mut dropped = 0;
    for decl in &mut parsed.file.decls {
        if let ast::DeclKind::Table(table) = &mut decl.node {
            // A run whose table did not parse (a syntax error in it) is dropped with it.
            while runs.next_if(|r| r.table_at < decl.span.start).is_some() {
                dropped += 1;
            }
            let mut read = false;
            while let Some(run) = runs.next_if(|r| r.table_at == decl.span.start) {
                table.rows.extend(run.rows);
                read = true;
            }
            if read {
                // The rows pest read and the runs' rows, in the order they are written.
                table.rows.sort_by_key(|row| row.span.start);
            }
        }
    }
    dropped += runs.count();
    // Without a syntax error every run belongs to a table the parse found where the
    // run's scan found it.
    if !parsed.incomplete && dropped > 0 {
        return None;
    }
    Some(parsed)
}

/// Offsets of the declarations that begin a line with `table`: the tables [`plain`] may
/// read rows of (a table written elsewhere is left to pest).
fn table_starts(text: &str) -> Vec<usize> {
    chunk_starts(text)
        .into_iter()
        .filter(|&at| text.get(at..).and_then(|t| t.strip_prefix("table")).is_some_and(|t| t.starts_with([' ', '\t'])))
        .collect()
}

/// Parses chunk by chunk, each starting at a line that begins with a declaration keyword.
fn recover(file: &Arc<SourceFile>, input: Input<'_>) -> Parsed {
    let mut out = Parsed { file: PolicyFile::default(), diagnostics: Vec::new(), incomplete: true };
    let starts = chunk_starts(input.text);
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(input.text.len());
        match parse_chunk(file, input, start, end) {
            Ok(parsed) => {
                out.file.decls.extend(parsed.file.decls);
                out.diagnostics.extend(parsed.diagnostics);
            }
            Err(diag) => out.diagnostics.push(diag),
        }
    }
    crate::diagnostics::sort(&mut out.diagnostics);
    out
}

/// Where each declaration starts: offset 0, then every line that begins with a
/// declaration keyword and a space.
pub(crate) fn chunk_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let word = &line[..line.bytes().take_while(u8::is_ascii_alphabetic).count()];
        if offset > 0 && keywords::starts_declaration(word) && line[word.len()..].starts_with([' ', '\t']) {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> usize {
        parse(&SourceFile::new("t.tenet", text)).diagnostics.iter().filter(|d| d.is_error()).count()
    }

    #[test]
    fn the_keyword_list_matches_the_grammar() {
        for kw in keywords::reserved() {
            assert!(errors(&format!("policy p\nlet {kw} = 1\n")) > 0, "`{kw}` should be reserved");
            assert_eq!(errors(&format!("policy p\nlet x = a.{kw}\n")), 0, "`{kw}` should work as a field");
        }
        for word in ["at", "en", "first", "unique", "collect", "sum", "days", "list", "now", "decision", "total"] {
            assert_eq!(errors(&format!("policy p\nlet {word} = 1\n")), 0, "`{word}` should not be reserved");
        }
    }
}
