//! A decision table's index: for each column whose cells are constants, the rows that
//! can accept a value — a hash map for equality and `in` cells, the rows covering each
//! stretch between sorted bounds for comparisons and ranges — with the rows whose cell
//! in that column accepts anything, or cannot be indexed (`not(…)`, `!=`, a computed
//! value), kept apart and merged in. An evaluation reads the smallest candidate list
//! among the columns and checks those rows, in row order, exactly as a scan checks
//! every row: a row that is not a candidate cannot match, so every hit policy gives what
//! the scan gives (`interp::table_index_tests` holds the two to each other).

use std::cmp::Ordering;
use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Cell, Expr, Row};
use crate::lang::CmpOp;
use crate::value::Value;

/// Tables smaller than this are scanned: a scan of a few rows costs less than a lookup.
pub const MIN_ROWS: usize = 16;

/// A range column is not indexed when its rows would be listed more than this many
/// times per row in all (heavily overlapping ranges, such as `< 80%`, `< 90%`, … in a
/// `first` table): the index would cost more memory than the scan costs time.
const MAX_ENTRIES_PER_ROW: usize = 8;

/// The index of one table.
#[derive(Clone, Debug, Default)]
pub struct TableIndex {
    columns: Vec<Column>,
}

/// A value as an equality cell sees it: numbers of every kind by value (`1`, `1.0` and
/// `1.00` are one key, as `==` says), the others as they are.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Key {
    Num(Decimal),
    Text(std::sync::Arc<str>),
    Bool(bool),
    Date(chrono::NaiveDate),
    DateTime(chrono::DateTime<chrono::Utc>),
    Duration(chrono::TimeDelta),
    Months(i32),
    Time(chrono::NaiveTime),
}

fn key(v: &Value) -> Option<Key> {
    Some(match v {
        Value::Int(_) | Value::Decimal(_) | Value::Money(_) | Value::Percent(_) => {
            let d = v.as_decimal()?;
            // `-0 == 0`: one key.
            Key::Num(if d.is_zero() { Decimal::ZERO } else { d.normalize() })
        }
        Value::Text(t) => Key::Text(std::sync::Arc::clone(t)),
        Value::Bool(b) => Key::Bool(*b),
        Value::Date(d) => Key::Date(*d),
        Value::DateTime(t) => Key::DateTime(*t),
        Value::Duration(d) => Key::Duration(*d),
        Value::Months(m) => Key::Months(*m),
        Value::Time(t) => Key::Time(*t),
        _ => return None,
    })
}

/// One indexed column.
#[derive(Clone, Debug)]
enum Column {
    /// Equality: the rows by the value they accept.
    Keys { column: usize, rows: HashMap<Key, Vec<u32>>, rest: Vec<u32> },
    /// Order: `bounds` sorted; `slots[2i]` the rows accepting values between bound i-1
    /// and bound i, `slots[2i + 1]` those accepting bound i itself.
    Ranges { column: usize, bounds: Vec<Value>, slots: Vec<Vec<u32>>, rest: Vec<u32> },
}

/// Where a cell's interval starts or ends: unbounded, or at a value, included or not.
type End<'a> = Option<(&'a Value, bool)>;

/// The values an equality cell accepts, when it is one (`== v`, `in [..]`, `a or b`).
fn keys_of(cell: &Cell, out: &mut Vec<Key>) -> bool {
    match cell {
        Cell::Cmp(CmpOp::Eq, Expr::Const(v)) => key(v).map(|k| out.push(k)).is_some(),
        Cell::In(Expr::Const(Value::List(items)), false) => {
            // A missing item never makes a row accept a present value.
            items.iter().filter(|v| !v.is_missing()).all(|v| key(v).map(|k| out.push(k)).is_some())
        }
        Cell::AnyOf(cells) => cells.iter().all(|c| keys_of(c, out)),
        _ => false,
    }
}

/// The intervals an order cell accepts, when it is one.
fn intervals_of<'a>(cell: &'a Cell, out: &mut Vec<(End<'a>, End<'a>)>) -> bool {
    let present = |v: &Value| !v.is_missing();
    match cell {
        Cell::Cmp(op, Expr::Const(v)) if present(v) => {
            out.push(match op {
                CmpOp::Eq => (Some((v, true)), Some((v, true))),
                CmpOp::Lt => (None, Some((v, false))),
                CmpOp::Le => (None, Some((v, true))),
                CmpOp::Gt => (Some((v, false)), None),
                CmpOp::Ge => (Some((v, true)), None),
                CmpOp::Ne => return false,
            });
            true
        }
        Cell::Range(Expr::Const(lo), lo_closed, Expr::Const(hi), hi_closed) if present(lo) && present(hi) => {
            out.push((Some((lo, *lo_closed)), Some((hi, *hi_closed))));
            true
        }
        Cell::In(Expr::Const(Value::List(items)), false) => {
            items.iter().filter(|v| present(v)).for_each(|v| out.push((Some((v, true)), Some((v, true)))));
            true
        }
        Cell::AnyOf(cells) => cells.iter().all(|c| intervals_of(c, out)),
        _ => false,
    }
}

impl TableIndex {
    /// The index of `rows`, or `None` when no column is worth indexing (or the table is
    /// small).
    pub fn build(rows: &[Row], columns: usize) -> Option<TableIndex> {
        if rows.len() < MIN_ROWS {
            return None;
        }
        let index = TableIndex { columns: (0..columns).filter_map(|c| Column::build(rows, c)).collect() };
        (!index.columns.is_empty()).then_some(index)
    }

    /// The rows that may accept `args`, in row order: the two sorted lists to merge, from
    /// the column that narrows them most; `None` when no column narrows them (every row
    /// is a candidate).
    pub fn candidates(&self, args: &[Value]) -> Option<(&[u32], &[u32])> {
        self.columns.iter().filter_map(|c| c.candidates(args)).min_by_key(|(a, b)| a.len() + b.len())
    }
}

impl Column {
    fn build(rows: &[Row], column: usize) -> Option<Column> {
        let index = |r: usize| u32::try_from(r).ok();
        // Equality first: a hash lookup.
        let mut by_key: HashMap<Key, Vec<u32>> = HashMap::new();
        let mut rest = Vec::new();
        let mut keyed = true;
        for (r, row) in rows.iter().enumerate() {
            let cell = row.cells.get(column)?;
            let mut keys = Vec::new();
            if keys_of(cell, &mut keys) {
                let r = index(r)?;
                for k in keys {
                    let listed = by_key.entry(k).or_default();
                    // `1 or 1` lists its row once.
                    if listed.last() != Some(&r) {
                        listed.push(r);
                    }
                }
            } else if matches!(cell, Cell::Any) || !matches!(cell, Cell::Cmp(..) | Cell::Range(..)) {
                rest.push(index(r)?);
            } else {
                keyed = false;
                break;
            }
        }
        if keyed {
            return (!by_key.is_empty()).then_some(Column::Keys { column, rows: by_key, rest });
        }
        // Order: the stretches between sorted bounds.
        let mut rest = Vec::new();
        let mut cells: Vec<(u32, Vec<(End<'_>, End<'_>)>)> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let cell = row.cells.get(column)?;
            let mut intervals = Vec::new();
            if intervals_of(cell, &mut intervals) {
                cells.push((index(r)?, intervals));
            } else {
                rest.push(index(r)?);
            }
        }
        let mut bounds: Vec<&Value> = cells
            .iter()
            .flat_map(|(_, iv)| iv.iter().flat_map(|(lo, hi)| [lo, hi]))
            .filter_map(|end| end.map(|(v, _)| v))
            .collect();
        // Every bound must order against every other, or the stretches mean nothing.
        let first = *bounds.first()?;
        if bounds.iter().any(|b| b.compare(first).is_none()) {
            return None;
        }
        bounds.sort_by(|a, b| a.compare(b).unwrap_or(Ordering::Equal));
        bounds.dedup_by(|a, b| a.compare(b) == Some(Ordering::Equal));
        let place = |v: &Value| bounds.binary_search_by(|b| b.compare(v).unwrap_or(Ordering::Equal)).ok();
        let n = bounds.len();
        let mut slots: Vec<Vec<u32>> = vec![Vec::new(); 2 * n + 1];
        let mut entries = 0usize;
        for (r, intervals) in &cells {
            for (lo, hi) in intervals {
                let start = match lo {
                    None => 0,
                    Some((v, closed)) => 2 * place(v)? + if *closed { 1 } else { 2 },
                };
                let end = match hi {
                    None => 2 * n,
                    Some((v, closed)) => 2 * place(v)? + usize::from(*closed),
                };
                // Rows come in order, so each stretch's list stays sorted; a row with two
                // overlapping intervals is listed once.
                for slot in slots.iter_mut().take(end.saturating_add(1)).skip(start) {
                    if slot.last() != Some(r) {
                        slot.push(*r);
                        entries += 1;
                    }
                }
            }
            if entries > MAX_ENTRIES_PER_ROW.saturating_mul(rows.len()) {
                return None;
            }
        }
        let bounds = bounds.into_iter().cloned().collect();
        Some(Column::Ranges { column, bounds, slots, rest })
    }

    /// The two sorted lists of rows that may accept the argument of this column; `None`
    /// when the argument cannot be placed (every row is a candidate).
    fn candidates<'s>(&'s self, args: &[Value]) -> Option<(&'s [u32], &'s [u32])> {
        match self {
            Column::Keys { column, rows, rest } => {
                let arg = args.get(*column)?;
                if arg.is_missing() {
                    // No equality accepts a missing value.
                    return Some((&[], rest));
                }
                Some((rows.get(&key(arg)?).map_or(&[][..], Vec::as_slice), rest))
            }
            Column::Ranges { column, bounds, slots, rest } => {
                let arg = args.get(*column)?;
                if arg.is_missing() {
                    return Some((&[], rest));
                }
                // The first bound not below the argument; the argument must order
                // against the bounds, or the scan decides.
                let mut lo = 0;
                let mut hi = bounds.len();
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    match bounds.get(mid)?.compare(arg)? {
                        Ordering::Less => lo = mid + 1,
                        _ => hi = mid,
                    }
                }
                let slot = match bounds.get(lo) {
                    Some(b) if b.compare(arg)? == Ordering::Equal => 2 * lo + 1,
                    _ => 2 * lo,
                };
                Some((slots.get(slot)?, rest))
            }
        }
    }
}

/// The union of two sorted lists of distinct rows, in order.
pub fn merged<'a>(a: &'a [u32], b: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || match (a.get(i), b.get(j)) {
        (Some(x), Some(y)) if x < y => {
            i += 1;
            Some(*x)
        }
        (Some(x), Some(y)) if y < x => {
            j += 1;
            Some(*y)
        }
        (Some(x), Some(_)) => {
            i += 1;
            j += 1;
            Some(*x)
        }
        (Some(x), None) => {
            i += 1;
            Some(*x)
        }
        (None, Some(y)) => {
            j += 1;
            Some(*y)
        }
        (None, None) => None,
    })
}
