//! Plain table rows read without pest.
//!
//! Big tables are written as plain rows: literals and names, ranges of them and
//! comparisons with one (`[10..20), "north", < 100.5 => standard_fee`). pest spends thousands of steps
//! on each such row (every literal is tried as each kind of expression in turn), so a
//! 16 000-row table took most of a second to parse. This reader takes the rows at the
//! start of a table's block that are plain, byte by byte, and builds exactly the tree the
//! pest grammar and the builder build for them; the first row it does not know (a name,
//! an operator, `or`, `otherwise`, anything odd) and everything after it is left to pest.
//! It gives up rather than guess: whatever it accepts, pest accepts with the same tree
//! (`plain_tests.rs` holds the two equal over generated tables).

use rust_decimal::Decimal;

use super::ast::{Cell, CellKind, Expr, ExprKind, RangeCell, Row, TextPart, UnaryOp};
use super::expr::time_unit;
use crate::lang::CmpOp;
use crate::source::Span;

/// A stretch of plain rows in one table's block: pest reads the file with `start..end`
/// replaced by one blank.
#[derive(Debug)]
pub(crate) struct Run {
    /// Where the table's declaration starts (its `table` keyword).
    pub table_at: usize,
    /// The first byte of the stretch: after the block's `{`, or after the comma that
    /// follows a row pest reads.
    pub start: usize,
    /// Where pest takes over: the block's `}`, a row pest reads, or the last plain row
    /// before one that ends the reading.
    pub end: usize,
    /// The rows read, in order.
    pub rows: Vec<Row>,
}

/// Reads the plain rows of one table's block, starting right after its `{`, as runs
/// between the rows pest must read. `pest_row` gives the end of the row pest reads at an
/// offset (`None` if it reads none there). A row pest reads is stepped over when a
/// comma follows it; anything else (`otherwise`, a row pest cannot read, a row without
/// a comma or `}` after it) ends the reading, and then the last plain row before it is
/// left to pest too, so that pest meets what ends the reading in the state it would in
/// the whole text (within the rows, after a comma) and says the same of a mistake there.
pub(crate) fn rows(
    text: &str,
    table_at: usize,
    body_start: usize,
    pest_row: impl Fn(usize) -> Option<usize>,
) -> Vec<Run> {
    let mut r = Reader { text: text.as_bytes(), src: text, at: body_start };
    let mut runs = Vec::new();
    let mut run = Run { table_at, start: body_start, end: body_start, rows: Vec::new() };
    let closed = loop {
        r.skip_blank();
        if r.peek() == Some(b'}') {
            run.end = r.at;
            break true;
        }
        let at = r.at;
        if let Some(row) = r.row() {
            r.skip_blank();
            match r.peek() {
                Some(b',') => {
                    r.at += 1;
                    run.rows.push(row);
                    run.end = r.at;
                    continue;
                }
                Some(b'}') => {
                    run.rows.push(row);
                    run.end = r.at;
                    break true;
                }
                // Not followed by `,` or `}` (`=> 2 + 3`): the row is pest's.
                _ => {}
            }
        }
        // A row pest reads, from its start.
        r.at = at;
        // Followed by a comma, the next run starts after it.
        if r.rest().starts_with(b"otherwise") && !r.word_char_at(9) {
            break false;
        }
        let Some(row_end) = pest_row(at).filter(|&end| end > at) else { break false };
        r.at = row_end;
        r.skip_blank();
        if r.peek() != Some(b',') {
            break false;
        }
        r.at += 1;
        let next = Run { table_at, start: r.at, end: r.at, rows: Vec::new() };
        runs.push(std::mem::replace(&mut run, next));
    };
    if !closed && let Some(last) = run.rows.pop() {
        run.end = last.span.start;
    }
    runs.push(run);
    runs.retain(|run| !run.rows.is_empty());
    runs
}

/// Reads `text` as one plain cell, whole; spans are offsets in `text`.
pub(crate) fn cell(text: &str) -> Option<Cell> {
    let mut r = Reader { text: text.as_bytes(), src: text, at: 0 };
    r.skip_blank();
    let cell = r.cell()?;
    r.skip_blank();
    r.at_end().then_some(cell)
}

/// Reads `text` as one plain value, whole; spans are offsets in `text`.
pub(crate) fn value(text: &str) -> Option<Expr> {
    let mut r = Reader { text: text.as_bytes(), src: text, at: 0 };
    r.skip_blank();
    let value = r.value()?;
    r.skip_blank();
    r.at_end().then_some(value)
}

/// `cell` with every span moved by `place` (from the text read to the file).
pub(crate) fn placed_cell(mut cell: Cell, place: &impl Fn(Span) -> Span) -> Cell {
    place_cell(&mut cell, place);
    cell
}

fn place_cell(cell: &mut Cell, place: &impl Fn(Span) -> Span) {
    cell.span = place(cell.span);
    match &mut cell.node {
        CellKind::Cmp(_, e) | CellKind::In(e) | CellKind::NotIn(e) | CellKind::Eq(e) => place_expr(e, place),
        CellKind::Range(r) => {
            place_expr(&mut r.lo, place);
            place_expr(&mut r.hi, place);
        }
        CellKind::AnyOf(tests) | CellKind::Not(tests) => tests.iter_mut().for_each(|t| place_cell(t, place)),
        CellKind::Any => {}
    }
}

/// `value` with every span moved by `place`.
pub(crate) fn placed_value(mut value: Expr, place: &impl Fn(Span) -> Span) -> Expr {
    place_expr(&mut value, place);
    value
}

/// Moves the spans of a value this reader built (a literal, or `-` and one).
fn place_expr(e: &mut Expr, place: &impl Fn(Span) -> Span) {
    e.span = place(e.span);
    if let ExprKind::Unary(_, inner) = &mut e.node {
        place_expr(inner, place);
    }
}

/// A cursor over the text. Every method either reads what it names and moves past it,
/// or returns `None` (the caller then gives the row to pest, so where the cursor stopped
/// does not matter).
struct Reader<'t> {
    text: &'t [u8],
    src: &'t str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.text.get(self.at + ahead).copied()
    }

    fn at_end(&self) -> bool {
        self.at >= self.text.len()
    }

    fn rest(&self) -> &[u8] {
        self.text.get(self.at..).unwrap_or_default()
    }

    /// The grammar's implicit whitespace: blanks, line breaks, a byte-order mark and
    /// `#` comments.
    fn skip_blank(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.at += 1,
                Some(b'#') => {
                    // A comment runs to the end of its line (pest's NEWLINE: \n, \r\n or \r).
                    while let Some(b) = self.peek() {
                        if b == b'\n' || b == b'\r' {
                            break;
                        }
                        self.at += 1;
                    }
                }
                Some(0xEF) if self.rest().starts_with("\u{FEFF}".as_bytes()) => self.at += 3,
                _ => return,
            }
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(start, self.at)
    }

    /// `cell, cell, … => value`.
    fn row(&mut self) -> Option<Row> {
        // `otherwise` cannot start a row (`!otherwise ~ row`), though it is a name
        // elsewhere: the last row is pest's.
        if self.rest().starts_with(b"otherwise") && !self.word_char_at(9) {
            return None;
        }
        let start = self.at;
        let mut cells = vec![self.cell()?];
        loop {
            self.skip_blank();
            match (self.peek(), self.peek_at(1)) {
                (Some(b','), _) => {
                    self.at += 1;
                    self.skip_blank();
                    cells.push(self.cell()?);
                }
                (Some(b'='), Some(b'>')) => {
                    self.at += 2;
                    self.skip_blank();
                    let result = self.value()?;
                    // pest's `expr` keeps the blanks it skipped looking for an operator
                    // after the value, and so does the row's span.
                    self.skip_blank();
                    return Some(Row { cells, span: Span::new(start, self.at), result });
                }
                _ => return None,
            }
        }
    }

    /// `_`, `-`, a range, a comparison or a value; followed by `,` or `=>` (what may
    /// follow is checked here: `5 or 6`, `x.y`, `1 + 2` are pest's).
    fn cell(&mut self) -> Option<Cell> {
        let start = self.at;
        let kind = match self.peek()? {
            b'_' if !self.word_char_at(1) => {
                self.at += 1;
                CellKind::Any
            }
            // DMN's `-`: only when blanks on the same line and then `,` or `=>` follow.
            b'-' if self.dash_alone() => {
                self.at += 1;
                CellKind::Any
            }
            b'[' | b'(' => {
                let lo_closed = self.peek() == Some(b'[');
                self.at += 1;
                self.skip_blank();
                let lo = self.value()?;
                self.skip_blank();
                if !self.rest().starts_with(b"..") {
                    return None;
                }
                self.at += 2;
                self.skip_blank();
                let hi = self.value()?;
                self.skip_blank();
                let hi_closed = match self.peek()? {
                    b']' => true,
                    b')' => false,
                    _ => return None,
                };
                self.at += 1;
                CellKind::Range(Box::new(RangeCell { lo, lo_closed, hi, hi_closed }))
            }
            b'=' | b'!' | b'<' | b'>' => {
                let (op, len) = match (self.peek()?, self.peek_at(1)) {
                    (b'=', Some(b'=')) => (CmpOp::Eq, 2),
                    (b'!', Some(b'=')) => (CmpOp::Ne, 2),
                    (b'<', Some(b'=')) => (CmpOp::Le, 2),
                    (b'>', Some(b'=')) => (CmpOp::Ge, 2),
                    (b'<', _) => (CmpOp::Lt, 1),
                    (b'>', _) => (CmpOp::Gt, 1),
                    _ => return None,
                };
                self.at += len;
                self.skip_blank();
                CellKind::Cmp(op, self.value()?)
            }
            _ => CellKind::Eq(self.value()?),
        };
        // A cell ends at `,` or `=>`; anything else (`or`, an operator) is pest's.
        let after = self.at;
        self.skip_blank();
        // A cell that ends in a value keeps the blanks after it, as pest's `cell_expr`
        // does (it skipped them looking for an operator); `_`, `-` and a range do not.
        let end = match kind {
            CellKind::Eq(_) | CellKind::Cmp(..) => self.at,
            _ => after,
        };
        let cell = Cell::new(kind, Span::new(start, end));
        let ends = match (self.peek(), self.peek_at(1)) {
            (Some(b','), _) | (Some(b'='), Some(b'>')) => true,
            // The end of a cell read alone.
            (None, _) => true,
            _ => false,
        };
        self.at = after;
        ends.then_some(cell)
    }

    /// `-` followed by blanks (on its line) and `,`, `=>` or `)`: the grammar's
    /// `cell_any`.
    fn dash_alone(&self) -> bool {
        let mut i = self.at + 1;
        while matches!(self.text.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        match (self.text.get(i), self.text.get(i + 1)) {
            (Some(b',' | b')'), _) | (Some(b'='), Some(b'>')) => true,
            // A cell read alone ends at the end of its text.
            (None, _) => false,
            _ => false,
        }
    }

    /// Whether the byte `ahead` of the cursor continues a word (`!ident_cont`). Any
    /// non-ASCII byte counts: pest's XID_CONTINUE decides those, so the reader stops.
    fn word_char_at(&self, ahead: usize) -> bool {
        self.peek_at(ahead).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii())
    }

    /// A literal, a name, or `-` and a number: what a plain cell compares with and a
    /// plain row results in. What may follow it is its caller's to check.
    fn value(&mut self) -> Option<Expr> {
        let start = self.at;
        match self.peek()? {
            b'-' => {
                self.at += 1;
                self.skip_blank();
                if !self.peek()?.is_ascii_digit() {
                    return None;
                }
                let inner = self.number_like()?;
                let span = Span::new(start, inner.span.end);
                Some(Expr::new(ExprKind::Unary(UnaryOp::Neg, Box::new(inner)), span))
            }
            b'"' => self.string(),
            b'0'..=b'9' => self.number_like(),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    self.at += 1;
                }
                // A name in other scripts is pest's (XID rules).
                if self.peek().is_some_and(|b| !b.is_ascii()) {
                    return None;
                }
                let word = self.src.get(start..self.at)?;
                let kind = match word {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    // `missing`, `not`, `if`…: not names.
                    _ if super::keywords::is_reserved(word) => return None,
                    // A name: what follows it (`(` of a call, `.` of a field) is the
                    // caller's to refuse.
                    _ => ExprKind::Name(word.to_owned()),
                };
                Some(Expr::new(kind, self.span(start)))
            }
            _ => None,
        }
    }

    /// A date, a number, a percentage or a duration (`7 days`); `None` for a datetime, a
    /// time of day, a calendar duration or anything the builder would refuse.
    fn number_like(&mut self) -> Option<Expr> {
        let start = self.at;
        let rest = self.rest();
        // date_part: four digits, `-`, two, `-`, two; not followed by `T` or a digit.
        if rest.len() >= 10
            && rest.get(..4).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && rest.get(4) == Some(&b'-')
        {
            let shaped = rest.get(5..7).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                && rest.get(7) == Some(&b'-')
                && rest.get(8..10).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
            if !shaped || matches!(rest.get(10), Some(b'T' | b'0'..=b'9')) {
                return None;
            }
            let date = crate::time::parse_date(self.src.get(start..start + 10)?)?;
            self.at += 10;
            return Some(Expr::new(ExprKind::Date(date), self.span(start)));
        }
        // `12:30`: a time of day (not read here).
        if rest.get(2) == Some(&b':') && rest.get(..2).is_some_and(|d| d.iter().all(u8::is_ascii_digit)) {
            return None;
        }
        // number: digits with single `_` between them, then `.` and digits.
        self.at += 1;
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some(b'0'..=b'9'), _) => self.at += 1,
                (Some(b'_'), Some(b'0'..=b'9')) => self.at += 2,
                _ => break,
            }
        }
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.at += 1;
            }
        }
        let number = self.src.get(start..self.at)?;
        if self.peek() == Some(b'%') {
            self.at += 1;
            let d = exact(number)?;
            let fraction = crate::value::number::percent_fraction(d).ok()?;
            return Some(Expr::new(ExprKind::Percent(fraction), self.span(start)));
        }
        // A unit after blanks (or none): `7 days`, `3days`.
        let number_end = self.at;
        self.skip_blank();
        let word_start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            self.at += 1;
        }
        if self.at > word_start {
            if self.peek().is_some_and(|b| !b.is_ascii()) {
                return None;
            }
            let word = self.src.get(word_start..self.at)?;
            let amount = exact(number)?;
            let kind = match (time_unit(word), word.trim_end_matches('s')) {
                _ if !UNITS.contains(&word) => return None,
                (Some(unit), _) => ExprKind::Duration(amount, unit, None),
                (None, "month") => ExprKind::Months(amount.checked_mul(Decimal::ONE)?),
                (None, "year") => ExprKind::Months(amount.checked_mul(Decimal::from(12))?),
                _ => return None,
            };
            return Some(Expr::new(kind, self.span(start)));
        }
        self.at = number_end;
        let clean = number.replace('_', "");
        let kind = if clean.contains('.') {
            ExprKind::Decimal(crate::value::number::exact_decimal(&clean).ok()?)
        } else {
            ExprKind::Int(clean.parse::<i64>().ok()?)
        };
        Some(Expr::new(kind, Span::new(start, number_end)))
    }

    /// `"…"` on one line, with escapes and no `{…}`.
    fn string(&mut self) -> Option<Expr> {
        let start = self.at;
        self.at += 1;
        let mut parts: Vec<TextPart> = Vec::new();
        let mut lit = String::new();
        let mut run = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\n' | b'\r' => return None,
                // An escape (`\"`, `\\`, `\n`, `\t`, `{{`, `}}`), unescaped as the builder
                // does; `\u{…}` and a lone brace are pest's.
                b'\\' | b'{' | b'}' => {
                    let escape = self.src.get(self.at..self.at + 2)?;
                    if escape.starts_with("\\u") {
                        return None;
                    }
                    let unescaped = super::build::unescape(escape)?;
                    lit.push_str(self.src.get(run..self.at)?);
                    lit.push_str(&unescaped);
                    self.at += 2;
                    run = self.at;
                }
                _ => self.at += 1,
            }
        }
        lit.push_str(self.src.get(run..self.at)?);
        self.at += 1;
        if !lit.is_empty() {
            parts.push(TextPart::Lit(lit));
        }
        Some(Expr::new(ExprKind::Text(parts), self.span(start)))
    }
}

/// The grammar's `time_unit` words.
const UNITS: [&str; 14] = [
    "weeks", "week", "days", "day", "hours", "hour", "minutes", "minute", "seconds", "second", "months", "month",
    "years", "year",
];

/// A number as the builder reads it: `_` dropped, exact or nothing.
fn exact(number: &str) -> Option<Decimal> {
    crate::value::number::exact_decimal(&number.replace('_', "")).ok()
}
