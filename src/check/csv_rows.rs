//! Tables whose rows come from a CSV file (`table rates(…) -> money from "rates.csv"`):
//! the first line names the parameters, then the result (one column per field when the
//! result is a record); each further line is a row; a last line whose first cell is
//! `otherwise` gives the result when no row matches. Cells are written as in a policy
//! (`[1..5)`, `>= 10`, `_`; empty is `_`), except that a text column's cell is the text
//! itself (`north`) unless it starts like a test (`"`, `not(`, `in `, `==`, `<` …). A
//! CSV holds values: a name or a calculation in a cell is an error naming its line.

use std::sync::Arc;

use super::Checker;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::Type;
use crate::source::{ReadError, SourceFile, Span};
use crate::syntax::ast::{Cell, CellKind, Expr, ExprKind, Ident, Row, Spanned, TextPart, UnaryOp};
use crate::syntax::cells::{self, Piece};
use crate::syntax::csv::{self, Record};

/// A table's rows as read from its CSV file, with spans into that file.
pub(super) struct CsvRows {
    /// The CSV file.
    pub file: Arc<SourceFile>,
    /// The rows, in file order.
    pub rows: Vec<Row>,
    /// The `otherwise` line's result.
    pub otherwise: Option<Expr>,
    /// The line of each row, as its diagnostics name it.
    pub lines: Vec<u64>,
}

/// True when a text column's cell is written as a policy cell rather than as the text
/// itself: empty, `_`, `-`, or starting like a test. [`plain_text_cell`] is its inverse
/// for writing tables out.
pub(crate) fn written_as_cell(text: &str) -> bool {
    const STARTS: [&str; 9] = ["\"", "not(", "not (", "not in ", "in ", "==", "!=", "<", ">"];
    matches!(text, "" | "_" | "-") || STARTS.iter().any(|s| text.starts_with(s))
}

/// The text as a text column's CSV cell, when it can be written as itself (it does not
/// start like a test and has no spaces around it); `None` when it must be quoted.
pub(crate) fn plain_text_cell(text: &str) -> Option<&str> {
    (!written_as_cell(text) && text.trim_matches([' ', '\t']) == text && text != "otherwise").then_some(text)
}

/// Texts (and enumerations) are written plainly in a CSV.
fn textual(ty: &Type) -> bool {
    matches!(ty, Type::Text | Type::Enum(_))
}

impl Checker<'_> {
    /// Reads the rows of the table `table` from the CSV file `from` names. `None` when
    /// the file cannot be read or its header is wrong (reported).
    pub(super) fn csv_rows(
        &mut self,
        from: &Spanned<String>,
        table: &str,
        params: &[(String, Type)],
        result: &Type,
    ) -> Option<CsvRows> {
        let file = match (self.resolve)(&from.node) {
            Ok(f) => f,
            Err(ReadError::Io { path, source }) => {
                self.report(
                    Diagnostic::error(
                        codes::CSV_TABLE,
                        msg!(
                            "无法读取表格的 CSV 文件 {path}：{source}",
                            "cannot read the table's CSV file {path}: {source}"
                        ),
                    )
                    .at(from.span)
                    .help(Msg::new("路径相对于策略文件所在的目录", "the path is relative to the policy file's folder")),
                );
                return None;
            }
            Err(e) => {
                self.diags.push(Diagnostic::from(&e).at(from.span));
                return None;
            }
        };
        let records = match csv::records(&file) {
            Ok(r) => r,
            Err(d) => {
                self.diags.push(d);
                return None;
            }
        };
        // The result's columns: the record's fields, or one named freely.
        let fields: Option<Vec<(String, Type)>> = match result {
            Type::Record(r) => Some(r.fields.iter().map(|f| (f.name.clone(), f.ty.clone())).collect()),
            _ => None,
        };
        let mut columns: Vec<String> = params.iter().map(|(n, _)| n.clone()).collect();
        match &fields {
            Some(fields) => columns.extend(fields.iter().map(|(n, _)| n.clone())),
            None => columns.push(table.to_owned()),
        }
        let mut records = records.into_iter();
        let Some(header) = records.next() else {
            let name = &from.node;
            self.report(
                Diagnostic::error(codes::CSV_TABLE, msg!("CSV 文件 {name} 是空的", "the CSV file {name} is empty"))
                    .at(from.span)
                    .help(csv::header_help(&columns)),
            );
            return None;
        };
        if !self.csv_header(&file, &header, &columns, fields.is_some()) {
            return None;
        }
        let mut out = CsvRows { file: Arc::clone(&file), rows: Vec::new(), otherwise: None, lines: Vec::new() };
        let records: Vec<Record> = records.collect();
        let last = records.len().saturating_sub(1);
        for (i, record) in records.iter().enumerate() {
            let line = record.line;
            if record.fields.len() != columns.len() {
                let (got, want) = (record.fields.len(), columns.len());
                self.csv_error(
                    &file,
                    Diagnostic::error(
                        codes::CSV_TABLE,
                        msg!(
                            "第 {line} 行有 {got} 列，表头有 {want} 列",
                            "line {line} has {got} column(s), the header {want}"
                        ),
                    )
                    .at(record.span)
                    .help(csv::header_help(&columns)),
                );
                continue;
            }
            let (cells, results) = record.fields.split_at(params.len());
            let otherwise = cells.first().is_some_and(|c| c.text == "otherwise")
                && cells.iter().skip(1).all(|c| c.text.is_empty() || c.text == "_" || c.text == "-");
            if otherwise && i != last {
                self.csv_error(
                    &file,
                    Diagnostic::error(
                        codes::CSV_TABLE,
                        msg!(
                            "第 {line} 行的 otherwise 不是最后一行",
                            "the otherwise on line {line} is not the last line"
                        ),
                    )
                    .at(record.span)
                    .help(Msg::new("otherwise 行放在文件最后", "put the otherwise line last")),
                );
                continue;
            }
            let value = self.csv_result(&file, results, fields.as_deref(), result, line, &columns);
            if otherwise {
                out.otherwise = value;
                continue;
            }
            let cells: Option<Vec<Cell>> = cells
                .iter()
                .zip(params)
                .zip(&columns)
                .map(|((piece, (_, ty)), column)| self.csv_cell(&file, piece, ty, line, column))
                .collect();
            if let (Some(cells), Some(result)) = (cells, value) {
                out.rows.push(Row { cells, result, span: record.span });
                out.lines.push(line);
            }
        }
        Some(out)
    }

    /// Reports a diagnostic in the CSV file.
    fn csv_error(&mut self, file: &Arc<SourceFile>, diag: Diagnostic) {
        self.diags.push(diag.in_file(file));
    }

    /// Checks the header names the columns, in order; false (reported) when it does not.
    fn csv_header(&mut self, file: &Arc<SourceFile>, header: &Record, columns: &[String], record: bool) -> bool {
        let named = header.fields.len();
        // A single result column may be named freely.
        let checked = if record { columns.len() } else { columns.len() - 1 };
        let mut ok = named == columns.len();
        for (i, (piece, want)) in header.fields.iter().zip(columns).take(checked).enumerate() {
            if piece.text != *want {
                ok = false;
                let (got, n) = (&piece.text, i + 1);
                self.csv_error(
                    file,
                    Diagnostic::error(
                        codes::CSV_TABLE,
                        msg!(
                            "表头第 {n} 列是 `{got}`，应为 `{want}`",
                            "column {n} of the header is `{got}`, where `{want}` is expected"
                        ),
                    )
                    .at(piece.span())
                    .fix(piece.span(), want.clone())
                    .help(csv::header_help(columns)),
                );
            }
        }
        if named != columns.len() {
            let want = columns.len();
            self.csv_error(
                file,
                Diagnostic::error(
                    codes::CSV_TABLE,
                    msg!(
                        "表头有 {named} 列，表格需要 {want} 列",
                        "the header has {named} column(s), the table needs {want}"
                    ),
                )
                .at(header.span)
                .help(csv::header_help(columns)),
            );
        }
        ok
    }

    /// One condition cell.
    fn csv_cell(&mut self, file: &Arc<SourceFile>, piece: &Piece, ty: &Type, line: u64, column: &str) -> Option<Cell> {
        let span = piece.span();
        if piece.text.is_empty() {
            return Some(Cell::new(CellKind::Any, span));
        }
        if textual(ty) && !written_as_cell(&piece.text) {
            return Some(Cell::new(CellKind::Eq(text_literal(&piece.text, span)), span));
        }
        match cells::cell(file, piece) {
            Ok(cell) => {
                let bad = cell.node.exprs().into_iter().find_map(not_a_value);
                match bad {
                    Some(at) => {
                        self.not_a_value(file, at, line, column);
                        None
                    }
                    None => Some(cell),
                }
            }
            Err(diags) => {
                self.cell_unreadable(file, diags, line, column);
                None
            }
        }
    }

    /// The result: one value, or a record of one value per field.
    fn csv_result(
        &mut self,
        file: &Arc<SourceFile>,
        pieces: &[Piece],
        fields: Option<&[(String, Type)]>,
        result: &Type,
        line: u64,
        columns: &[String],
    ) -> Option<Expr> {
        let params = columns.len() - pieces.len();
        match fields {
            None => {
                let piece = pieces.first()?;
                self.csv_value(file, piece, result, line, columns.last().map_or("", String::as_str))
            }
            Some(fields) => {
                let mut entries = Vec::with_capacity(fields.len());
                for ((piece, (name, ty)), column) in pieces.iter().zip(fields).zip(columns.iter().skip(params)) {
                    let value = self.csv_value(file, piece, ty, line, column)?;
                    entries.push((Ident::new(name.clone(), piece.span()), value));
                }
                let span = match (pieces.first(), pieces.last()) {
                    (Some(a), Some(b)) => a.span().to(b.span()),
                    _ => Span::default(),
                };
                Some(Expr::new(ExprKind::Record(entries), span))
            }
        }
    }

    /// One result value.
    fn csv_value(&mut self, file: &Arc<SourceFile>, piece: &Piece, ty: &Type, line: u64, column: &str) -> Option<Expr> {
        let span = piece.span();
        if piece.text.is_empty() {
            self.csv_error(
                file,
                Diagnostic::error(
                    codes::CSV_TABLE,
                    msg!("第 {line} 行的 `{column}` 是空的", "`{column}` is empty on line {line}"),
                )
                .at(span)
                .help(Msg::new("结果列要写值", "a result column needs a value")),
            );
            return None;
        }
        if textual(ty) && !piece.text.starts_with('"') {
            return Some(text_literal(&piece.text, span));
        }
        match cells::value(file, piece) {
            Ok(e) => match not_a_value(&e) {
                Some(at) => {
                    self.not_a_value(file, at, line, column);
                    None
                }
                None => Some(e),
            },
            Err(diags) => {
                self.cell_unreadable(file, diags, line, column);
                None
            }
        }
    }

    fn not_a_value(&mut self, file: &Arc<SourceFile>, at: Span, line: u64, column: &str) {
        let text = file.slice(at).to_owned();
        self.csv_error(
            file,
            Diagnostic::error(
                codes::CSV_TABLE,
                msg!(
                    "第 {line} 行 `{column}` 列的 `{text}` 不是值：CSV 只放值，不放计算或名称",
                    "`{text}` in column `{column}` on line {line} is not a value: a CSV holds values, not calculations or names"
                ),
            )
            .at(at)
            .help(Msg::new(
                "写出值本身，如 12.50、2026-01-01、[1..5)、>= 10；文本列直接写文本",
                "write the value itself, such as 12.50, 2026-01-01, [1..5), >= 10; a text column takes the text as it is",
            )),
        );
    }

    /// A cell the grammar rejects: its diagnostics, each saying which line and column.
    fn cell_unreadable(&mut self, file: &Arc<SourceFile>, diags: Vec<Diagnostic>, line: u64, column: &str) {
        for mut d in diags {
            // The cell is parsed alone: where its parse ends, the cell ends.
            let zh = d.message.zh.replace("文件结尾", "单元格结尾");
            let en = d.message.en.replace("the end of the file", "the end of the cell");
            d.message =
                Msg::new(format!("第 {line} 行 `{column}` 列：{zh}"), format!("line {line}, column `{column}`: {en}"));
            if d.code == codes::SYNTAX {
                d.code = codes::CSV_TABLE;
            }
            self.csv_error(file, d);
        }
    }
}

/// A text literal with no interpolation.
fn text_literal(text: &str, span: Span) -> Expr {
    Expr::new(ExprKind::Text(vec![TextPart::Lit(text.to_owned())]), span)
}

/// Where `e` stops being a value (a name, a call, a calculation), if it does. A value is
/// a literal, a negative number, or a list or record of values.
fn not_a_value(e: &Expr) -> Option<Span> {
    match &e.node {
        k if k.is_scalar_literal() => None,
        ExprKind::Text(parts) => parts.iter().find_map(|p| match p {
            TextPart::Lit(_) => None,
            TextPart::Expr(x) => Some(x.span),
        }),
        ExprKind::Unary(UnaryOp::Neg, x)
            if matches!(
                x.node,
                ExprKind::Int(_)
                    | ExprKind::Decimal(_)
                    | ExprKind::Percent(_)
                    | ExprKind::Duration(..)
                    | ExprKind::Months(_)
            ) =>
        {
            None
        }
        ExprKind::Paren(x) => not_a_value(x),
        ExprKind::List(items) => items.iter().find_map(not_a_value),
        ExprKind::Record(entries) => entries.iter().find_map(|(_, x)| not_a_value(x)),
        _ => Some(e.span),
    }
}
