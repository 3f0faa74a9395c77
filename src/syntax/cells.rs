//! One cell or one value alone: the cells of a table whose rows come from a CSV file,
//! each parsed where it lies in that file.

use std::sync::Arc;

use pest::Parser;

use super::ast::{Cell, Expr};
use super::build::Builder;
use super::errors;
use super::parser::{Rule, TenetParser};
use super::plain;
use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span};

/// A piece of a file's text to parse alone: its text (a CSV field, unquoted), and the
/// file offset of each of its bytes and of its end (`text.len() + 1` offsets).
#[derive(Clone, Debug)]
pub struct Piece {
    /// The text.
    pub text: String,
    /// Where each byte lies in the file.
    pub map: Vec<usize>,
}

impl Piece {
    /// Its whole span in the file.
    pub fn span(&self) -> Span {
        Span::new(self.map.first().copied().unwrap_or(0), self.map.last().copied().unwrap_or(0))
    }
}

/// Parses a table cell (`[1..5)`, `>= 10`, `"a" or "b"`, `_`) written alone.
pub fn cell(file: &Arc<SourceFile>, piece: &Piece) -> Result<Cell, Vec<Diagnostic>> {
    cell_using(file, piece, true)
}

/// Parses a value (an expression) written alone.
pub fn value(file: &Arc<SourceFile>, piece: &Piece) -> Result<Expr, Vec<Diagnostic>> {
    value_using(file, piece, true)
}

/// [`cell`], a plain one read without pest when `plain_rows` (tests hold the two equal).
pub(crate) fn cell_using(file: &Arc<SourceFile>, piece: &Piece, plain_rows: bool) -> Result<Cell, Vec<Diagnostic>> {
    if plain_rows && let Some(cell) = plain::cell(&piece.text) {
        let builder = Builder::mapped(file, &piece.map);
        return Ok(plain::placed_cell(cell, &|s: Span| builder.place(s.start, s.end)));
    }
    parse(file, piece, Rule::cell_alone, Rule::cell, |b, p| b.cell(p))
}

/// [`value`], a plain one read without pest when `plain_rows`.
pub(crate) fn value_using(file: &Arc<SourceFile>, piece: &Piece, plain_rows: bool) -> Result<Expr, Vec<Diagnostic>> {
    if plain_rows && let Some(value) = plain::value(&piece.text) {
        let builder = Builder::mapped(file, &piece.map);
        return Ok(plain::placed_value(value, &|s: Span| builder.place(s.start, s.end)));
    }
    parse(file, piece, Rule::expr_alone, Rule::expr, |b, p| Some(b.expr(p)))
}

fn parse<T>(
    file: &Arc<SourceFile>,
    piece: &Piece,
    rule: Rule,
    inner: Rule,
    build: impl FnOnce(&Builder<'_>, pest::iterators::Pair<'_, Rule>) -> Option<T>,
) -> Result<T, Vec<Diagnostic>> {
    let builder = Builder::mapped(file, &piece.map);
    let pairs = TenetParser::parse(rule, &piece.text).map_err(|e| {
        let mut diag = errors::to_diagnostic(e, &piece.text, 0).in_file(file);
        if let Some(label) = &mut diag.primary {
            label.span = builder.place(label.span.start, label.span.end);
        }
        for label in &mut diag.secondary {
            label.span = builder.place(label.span.start, label.span.end);
        }
        diag.fix = None;
        vec![diag]
    })?;
    let built = pairs.flatten().find(|p| p.as_rule() == inner).and_then(|p| build(&builder, p));
    let diags = builder.finish();
    match built {
        Some(out) if !crate::diagnostics::has_errors(&diags) => Ok(out),
        _ => Err(diags),
    }
}
