//! CSV files as records of fields, each field a [`Piece`] that knows where its bytes
//! lie in the file (so a cell's diagnostic points at the cell). The `csv` crate reads
//! the records; this module only finds each field's place in the record's text.

use std::sync::Arc;

use super::cells::Piece;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::source::{SourceFile, Span};

/// One record (a line, or more when a quoted field holds line breaks).
#[derive(Clone, Debug)]
pub struct Record {
    /// Its first line, 1-based.
    pub line: u64,
    /// The whole record.
    pub span: Span,
    /// Its fields, unquoted, with spaces and tabs around them dropped.
    pub fields: Vec<Piece>,
}

/// Reads every record of a CSV file (comma-separated, `"` quoting, `""` for a quote
/// inside quotes, LF or CRLF line ends, blank lines skipped).
pub fn records(file: &Arc<SourceFile>) -> Result<Vec<Record>, Diagnostic> {
    let text = file.text();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(out),
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
                return Err(Diagnostic::error(
                    codes::CSV_TABLE,
                    msg!("CSV 文件无法读取：{e}", "the CSV file cannot be read: {e}"),
                )
                .at(Span::new(at, at))
                .in_file(file));
            }
        }
        let Some(position) = record.position() else { continue };
        // After a CRLF the reader counts the record from its `\n`: the record starts
        // after the line breaks.
        let mut start = usize::try_from(position.byte()).unwrap_or(0);
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let fields = locate(text, start, &record);
        let end = fields.last().map_or(start, |f| f.span().end).max(start);
        let line = u64::try_from(file.line_col(start).0).unwrap_or(u64::MAX);
        out.push(Record { line, span: Span::new(start, end), fields });
    }
}

/// Each field of `record` (as the `csv` crate read it) with the file offsets of its bytes,
/// found by walking the record's text from `start`. A field whose text the walk does not
/// reproduce (a malformed quote the reader tolerated) is placed at its start as a whole.
fn locate(text: &str, start: usize, record: &csv::StringRecord) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut at = start;
    let mut out = Vec::with_capacity(record.len());
    for field in record.iter() {
        let (mut content, mut map) = (Vec::new(), Vec::new());
        if bytes.get(at) == Some(&b'"') {
            at += 1;
            while let Some(&b) = bytes.get(at) {
                if b == b'"' {
                    if bytes.get(at + 1) == Some(&b'"') {
                        content.push(b'"');
                        map.push(at);
                        at += 2;
                        continue;
                    }
                    break;
                }
                content.push(b);
                map.push(at);
                at += 1;
            }
            map.push(at);
            at += 1;
        } else {
            while let Some(&b) = bytes.get(at) {
                if matches!(b, b',' | b'\r' | b'\n') {
                    break;
                }
                content.push(b);
                map.push(at);
                at += 1;
            }
            map.push(at);
        }
        let piece = if content == field.as_bytes() {
            trimmed(field, map)
        } else {
            let from = map.first().copied().unwrap_or(at);
            let mut map = vec![from; field.len()];
            map.push(at.max(from));
            trimmed(field, map)
        };
        out.push(piece);
        // Past the comma (or whatever the reader took as the field's end).
        while let Some(&b) = bytes.get(at) {
            at += 1;
            if b == b',' || b == b'\n' {
                break;
            }
        }
    }
    out
}

/// The field without the spaces and tabs around it.
fn trimmed(field: &str, map: Vec<usize>) -> Piece {
    let inner = field.trim_matches([' ', '\t']);
    let from = field.len() - field.trim_start_matches([' ', '\t']).len();
    let map = map.get(from..=from + inner.len()).map(<[usize]>::to_vec).unwrap_or(map);
    Piece { text: inner.to_owned(), map }
}

/// The help line for a CSV table's header.
pub fn header_help(columns: &[String]) -> Msg {
    let names = columns.join(",");
    msg!("CSV 的第一行写列名：{names}", "the CSV's first line names the columns: {names}")
}
