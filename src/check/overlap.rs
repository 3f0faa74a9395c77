//! Which table rows can match the same input, decided where the cells are constants.
//!
//! A cell is read as the set of inputs it accepts: a union of intervals over the
//! parameter's values (`< 18 or >= 60` is two half-lines, `[15..30)` one interval,
//! `not(…)` the complement). Enumerations and bools are finite: their sets are the values
//! accepted. Whole numbers and dates are discrete: `> 1` is `>= 2`, so `> 1` and `< 2` do
//! not meet.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::hir::{CellDef, ConstDef, TExpr, TKind};
use crate::lang::CmpOp;
use crate::lang::Type;
use crate::value::Value;

/// A totally ordered image of a constant value.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Key {
    Num(Decimal),
    Text(Arc<str>),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Duration(TimeDelta),
    Bool(bool),
}

/// One interval: its lower and upper bound.
type Interval = (Bound<Key>, Bound<Key>);

/// The set of inputs a cell accepts: sorted, disjoint intervals.
#[derive(Clone, Debug)]
pub(super) struct Set {
    intervals: Vec<Interval>,
    /// Whole numbers or dates: an open bound is the next value's closed one.
    discrete: bool,
}

fn key(v: &Value) -> Option<Key> {
    Some(match v {
        Value::Int(_) | Value::Decimal(_) | Value::Money(_) | Value::Percent(_) => {
            Key::Num(v.as_decimal()?.normalize())
        }
        Value::Text(s) => Key::Text(s.clone()),
        Value::Date(d) => Key::Date(*d),
        Value::DateTime(d) => Key::DateTime(*d),
        Value::Duration(d) => Key::Duration(*d),
        Value::Bool(b) => Key::Bool(*b),
        _ => return None,
    })
}

/// The constant value of an expression, when it is one that needs no evaluation.
fn constant(e: &TExpr, consts: &[Option<ConstDef>], depth: usize) -> Option<Value> {
    if depth > 16 {
        return None;
    }
    match &e.kind {
        TKind::Lit(v) => Some(v.clone()),
        TKind::Const(i) => constant(&consts.get(*i)?.as_ref()?.expr, consts, depth + 1),
        TKind::List(items) => {
            Some(Value::List(items.iter().map(|i| constant(i, consts, depth + 1)).collect::<Option<Vec<_>>>()?.into()))
        }
        TKind::Neg(inner) => match constant(inner, consts, depth + 1)? {
            Value::Int(n) => n.checked_neg().map(Value::Int),
            Value::Decimal(d) => Some(Value::Decimal(-d)),
            Value::Money(d) => Some(Value::Money(-d)),
            Value::Percent(d) => Some(Value::Percent(-d)),
            _ => None,
        },
        _ => None,
    }
}

/// The set a cell accepts, for a parameter of type `ty`; `None` when undecidable.
pub(super) fn cell_set(cell: &CellDef, ty: &Type, consts: &[Option<ConstDef>]) -> Option<Set> {
    let discrete = matches!(ty, Type::Int | Type::Date);
    let raw = raw_set(cell, consts, discrete)?;
    let domain: Option<Vec<Key>> = match ty {
        Type::Enum(values) => Some(values.iter().map(|v| Key::Text(v.clone())).collect()),
        Type::Bool => Some(vec![Key::Bool(false), Key::Bool(true)]),
        _ => None,
    };
    Some(match domain {
        // A finite domain: the values accepted, one point each.
        Some(values) => Set::points(values.into_iter().filter(|k| raw.contains(k)), false),
        None => raw.normalized(),
    })
}

fn raw_set(cell: &CellDef, consts: &[Option<ConstDef>], discrete: bool) -> Option<Set> {
    let k = |e: &TExpr| key(&constant(e, consts, 0)?);
    let one = |lo, hi| Set { intervals: vec![(lo, hi)], discrete };
    Some(match cell {
        CellDef::Any => one(Bound::Unbounded, Bound::Unbounded),
        CellDef::Cmp(op, e) => {
            let k = k(e)?;
            match op {
                CmpOp::Eq => one(Bound::Included(k.clone()), Bound::Included(k)),
                CmpOp::Ne => one(Bound::Included(k.clone()), Bound::Included(k)).complement(),
                CmpOp::Lt => one(Bound::Unbounded, Bound::Excluded(k)),
                CmpOp::Le => one(Bound::Unbounded, Bound::Included(k)),
                CmpOp::Gt => one(Bound::Excluded(k), Bound::Unbounded),
                CmpOp::Ge => one(Bound::Included(k), Bound::Unbounded),
            }
        }
        CellDef::Range(lo, lo_closed, hi, hi_closed) => {
            let bound = |k: Key, closed: bool| if closed { Bound::Included(k) } else { Bound::Excluded(k) };
            one(bound(k(lo)?, *lo_closed), bound(k(hi)?, *hi_closed))
        }
        CellDef::In(e, negated) => {
            let Value::List(items) = constant(e, consts, 0)? else { return None };
            let keys = items.iter().map(key).collect::<Option<BTreeSet<_>>>()?;
            let set = Set::points(keys, discrete);
            if *negated { set.complement() } else { set }
        }
        CellDef::AnyOf(tests) => {
            let mut sets = tests.iter().map(|t| raw_set(t, consts, discrete));
            let first = sets.next()??;
            sets.try_fold(first, |acc, s| Some(acc.union(&s?)))?
        }
        CellDef::Not(tests) => raw_set(&CellDef::AnyOf(tests.clone()), consts, discrete)?.complement(),
    })
}

fn lower_before(a: &Bound<Key>, b: &Bound<Key>) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Bound::Unbounded, Bound::Unbounded) => Equal,
        (Bound::Unbounded, _) => Less,
        (_, Bound::Unbounded) => Greater,
        (Bound::Included(x), Bound::Included(y)) | (Bound::Excluded(x), Bound::Excluded(y)) => x.cmp(y),
        (Bound::Included(x), Bound::Excluded(y)) => x.cmp(y).then(Less),
        (Bound::Excluded(x), Bound::Included(y)) => x.cmp(y).then(Greater),
    }
}

fn upper_before(a: &Bound<Key>, b: &Bound<Key>) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Bound::Unbounded, Bound::Unbounded) => Equal,
        (Bound::Unbounded, _) => Greater,
        (_, Bound::Unbounded) => Less,
        (Bound::Included(x), Bound::Included(y)) | (Bound::Excluded(x), Bound::Excluded(y)) => x.cmp(y),
        (Bound::Included(x), Bound::Excluded(y)) => x.cmp(y).then(Greater),
        (Bound::Excluded(x), Bound::Included(y)) => x.cmp(y).then(Less),
    }
}

/// Whether an interval holds no value (after discrete bounds were closed).
fn empty((lo, hi): &Interval) -> bool {
    match (lo, hi) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => false,
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b))
        | (Bound::Excluded(a), Bound::Excluded(b)) => a >= b,
    }
}

/// Whether `hi` of one interval reaches `lo` of the next, so the two are one.
fn touches(hi: &Bound<Key>, lo: &Bound<Key>) -> bool {
    match (hi, lo) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => true,
        (Bound::Excluded(a), Bound::Excluded(b)) => a > b,
        (Bound::Included(a), Bound::Included(b))
        | (Bound::Included(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b)) => a >= b,
    }
}

/// The next whole value after `k` (or before it), for discrete domains.
fn step(k: &Key, up: bool) -> Option<Key> {
    match k {
        Key::Num(n) if n.fract().is_zero() => {
            Some(Key::Num(if up { n.checked_add(Decimal::ONE)? } else { n.checked_sub(Decimal::ONE)? }))
        }
        // A fractional bound on whole numbers: the whole number on its inner side.
        Key::Num(n) => Some(Key::Num(if up { n.ceil() } else { n.floor() })),
        Key::Date(d) => {
            Some(Key::Date(if up { d.checked_add_days(Days::new(1))? } else { d.checked_sub_days(Days::new(1))? }))
        }
        _ => None,
    }
}

impl Set {
    fn points(keys: impl IntoIterator<Item = Key>, discrete: bool) -> Set {
        let intervals = keys.into_iter().map(|k| (Bound::Included(k.clone()), Bound::Included(k))).collect();
        Set { intervals, discrete }.normalized()
    }

    fn contains(&self, k: &Key) -> bool {
        let point = (Bound::Included(k.clone()), Bound::Included(k.clone()));
        self.intervals.iter().any(|i| !empty(&intersect_one(i, &point)))
    }

    /// Sorted, merged, without empty intervals; discrete bounds closed.
    fn normalized(mut self) -> Set {
        if self.discrete {
            for (lo, hi) in &mut self.intervals {
                if let Bound::Excluded(k) = lo {
                    *lo = step(k, true).map_or(Bound::Excluded(k.clone()), Bound::Included);
                } else if let Bound::Included(Key::Num(n)) = lo
                    && !n.fract().is_zero()
                {
                    *lo = Bound::Included(Key::Num(n.ceil()));
                }
                if let Bound::Excluded(k) = hi {
                    *hi = step(k, false).map_or(Bound::Excluded(k.clone()), Bound::Included);
                } else if let Bound::Included(Key::Num(n)) = hi
                    && !n.fract().is_zero()
                {
                    *hi = Bound::Included(Key::Num(n.floor()));
                }
            }
        }
        self.intervals.retain(|i| !empty(i));
        self.intervals.sort_by(|a, b| lower_before(&a.0, &b.0));
        let mut merged: Vec<Interval> = Vec::with_capacity(self.intervals.len());
        for (lo, hi) in self.intervals {
            match merged.last_mut() {
                Some(last) if touches(&last.1, &lo) => {
                    if upper_before(&hi, &last.1).is_gt() {
                        last.1 = hi;
                    }
                }
                _ => merged.push((lo, hi)),
            }
        }
        Set { intervals: merged, discrete: self.discrete }
    }

    fn union(&self, other: &Set) -> Set {
        let intervals = self.intervals.iter().chain(&other.intervals).cloned().collect();
        Set { intervals, discrete: self.discrete }.normalized()
    }

    fn intersect(&self, other: &Set) -> Set {
        let intervals =
            self.intervals.iter().flat_map(|a| other.intervals.iter().map(move |b| intersect_one(a, b))).collect();
        Set { intervals, discrete: self.discrete }.normalized()
    }

    fn complement(&self) -> Set {
        let flip = |b: &Bound<Key>| match b {
            Bound::Included(k) => Bound::Excluded(k.clone()),
            Bound::Excluded(k) => Bound::Included(k.clone()),
            Bound::Unbounded => Bound::Unbounded,
        };
        let mut out = Vec::with_capacity(self.intervals.len() + 1);
        // Where the next gap starts; `None` once an interval runs to the end.
        let mut from = Some(Bound::Unbounded);
        for (lo, hi) in &self.intervals {
            if let Some(start) = from.take()
                && !matches!(lo, Bound::Unbounded)
            {
                out.push((start, flip(lo)));
            }
            from = match hi {
                Bound::Unbounded => None,
                b => Some(flip(b)),
            };
        }
        if let Some(start) = from {
            out.push((start, Bound::Unbounded));
        }
        Set { intervals: out, discrete: self.discrete }.normalized()
    }

    /// Whether the set accepts no input at all.
    pub(super) fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }
}

fn intersect_one(a: &Interval, b: &Interval) -> Interval {
    let lo = if lower_before(&a.0, &b.0).is_ge() { a.0.clone() } else { b.0.clone() };
    let hi = if upper_before(&a.1, &b.1).is_le() { a.1.clone() } else { b.1.clone() };
    (lo, hi)
}

/// Whether an interval ending at `hi` lies wholly below one starting at `lo`, judged by
/// their values alone: a loose test (two bounds at one value are not told apart), so the
/// pairs a sweep keeps are a superset of those that meet, which the caller checks.
fn strictly_below(hi: &Bound<Key>, lo: &Bound<Key>) -> bool {
    match (hi, lo) {
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => a < b,
        _ => false,
    }
}

/// An interval of a row in the sweep's active list, smallest upper bound first.
struct Active<'a>(&'a Bound<Key>, usize);

impl PartialEq for Active<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Active<'_> {}
impl PartialOrd for Active<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Active<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed: `BinaryHeap` is a max-heap.
        upper_before(other.0, self.0).then(other.1.cmp(&self.1))
    }
}

/// Sweeps column `column` of `rows` (each row's sets, one per column) in order of the
/// intervals' lower bounds, calling `pair(i, j)` for each two rows whose intervals there
/// may meet (loosely: see [`strictly_below`]), a pair once per meeting interval; returns
/// how many pairs it found. With `count_only`, it only counts them.
fn sweep(rows: &[(usize, &[Set])], column: usize, count_only: bool, mut pair: impl FnMut(usize, usize)) -> usize {
    let mut items: Vec<(&Bound<Key>, &Bound<Key>, usize)> = rows
        .iter()
        .filter_map(|(r, sets)| sets.get(column).map(|s| (r, s)))
        .flat_map(|(r, s)| s.intervals.iter().map(move |(lo, hi)| (lo, hi, *r)))
        .collect();
    items.sort_by(|a, b| lower_before(a.0, b.0).then(a.2.cmp(&b.2)));
    let mut active: std::collections::BinaryHeap<Active<'_>> = std::collections::BinaryHeap::new();
    let mut calls = 0usize;
    for (lo, hi, r) in items {
        while active.peek().is_some_and(|a| strictly_below(a.0, lo)) {
            active.pop();
        }
        if count_only {
            // Counting only: every active interval pairs (its own row's too, which does
            // not change which column is narrowest by much).
            calls = calls.saturating_add(active.len());
        } else {
            for a in &active {
                if a.1 != r {
                    calls = calls.saturating_add(1);
                    pair(a.1.min(r), a.1.max(r));
                }
            }
        }
        active.push(Active(hi, r));
    }
    calls
}

/// The pairs `(i, j)`, `i < j`, of rows that may accept one input in every column — a
/// superset of those that do — found by sweeping the column that pairs the fewest rows,
/// in about n log n for tables whose rows a column keeps apart (the pairwise check was
/// n²). `rows` holds each row's index and its sets (rows whose sets are unknown are left
/// out). Sorted, each pair once.
pub(super) fn candidate_pairs(rows: &[(usize, &[Set])], columns: usize) -> Vec<(usize, usize)> {
    // How many pairs each column's sweep makes, to pick the narrowest.
    let best = (0..columns).min_by_key(|c| sweep(rows, *c, true, |_, _| {}));
    let mut pairs = Vec::new();
    match best {
        Some(c) => {
            sweep(rows, c, false, |i, j| pairs.push((i, j)));
        }
        // No columns: every pair.
        None => {
            for (k, (j, _)) in rows.iter().enumerate() {
                pairs.extend(rows.iter().take(k).map(|(i, _)| (*i, *j)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// True when some input is accepted by both.
pub(super) fn intersects(a: &Set, b: &Set) -> bool {
    !a.intersect(b).is_empty()
}

/// True when every input `inner` accepts, `outer` accepts too.
pub(super) fn covers(outer: &Set, inner: &Set) -> bool {
    inner.intersect(&outer.complement()).is_empty()
}

/// Whether the set accepts every value of a finite domain, or everything.
pub(super) fn accepts(set: &Set, k: &Key) -> bool {
    set.contains(k)
}

/// A sample input both sets accept, to show in a warning.
pub(super) fn example(a: &Set, b: &Set) -> Option<String> {
    let both = a.intersect(b);
    let k = both.intervals.iter().find_map(|(lo, hi)| match (lo, hi) {
        (Bound::Included(k), _) | (_, Bound::Included(k)) => Some(k.clone()),
        _ => None,
    })?;
    Some(shown(&k))
}

/// A key as a policy would write it.
pub(super) fn shown(k: &Key) -> String {
    match k {
        Key::Num(n) => n.to_string(),
        Key::Text(s) => format!("\"{s}\""),
        Key::Date(d) => d.to_string(),
        Key::DateTime(d) => d.to_rfc3339(),
        Key::Duration(d) => crate::value::duration::words(*d),
        Key::Bool(b) => b.to_string(),
    }
}

/// The text of a finite domain's value (an enumeration's text, `true`/`false`).
pub(super) fn text_key(text: &str, ty: &Type) -> Key {
    match (ty, text) {
        (Type::Bool, "true") => Key::Bool(true),
        (Type::Bool, _) => Key::Bool(false),
        _ => Key::Text(Arc::from(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: i64) -> Key {
        Key::Num(Decimal::from(n))
    }

    fn set(intervals: Vec<Interval>, discrete: bool) -> Set {
        Set { intervals, discrete }.normalized()
    }

    fn below(n: i64, incl: bool, discrete: bool) -> Set {
        set(vec![(Bound::Unbounded, if incl { Bound::Included(num(n)) } else { Bound::Excluded(num(n)) })], discrete)
    }

    fn above(n: i64, incl: bool, discrete: bool) -> Set {
        set(vec![(if incl { Bound::Included(num(n)) } else { Bound::Excluded(num(n)) }, Bound::Unbounded)], discrete)
    }

    fn bound() -> impl proptest::strategy::Strategy<Value = Bound<Key>> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Bound::Unbounded),
            (0i64..12).prop_map(|n| Bound::Included(num(n))),
            (0i64..12).prop_map(|n| Bound::Excluded(num(n))),
        ]
    }

    /// A row of `columns` sets, each a union of up to three random intervals (a
    /// complement now and then), discrete or not.
    fn row(columns: usize, discrete: bool) -> impl proptest::strategy::Strategy<Value = Vec<Set>> {
        use proptest::prelude::*;
        prop::collection::vec(
            (prop::collection::vec((bound(), bound()), 1..4), any::<bool>()).prop_map(move |(iv, not)| {
                let s = iv
                    .into_iter()
                    .map(|i| set(vec![i], discrete))
                    .reduce(|a, b| a.union(&b))
                    .unwrap_or_else(|| set(vec![], discrete));
                if not { s.complement() } else { s }
            }),
            columns,
        )
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// The sweep misses no pair of rows that meet in every column, whichever column
        /// it sweeps: the overlap and shadowing checks that read its pairs say what the
        /// pairwise check said.
        #[test]
        fn the_sweep_finds_every_pair_that_meets(
            (rows, discrete) in (1usize..4, proptest::bool::ANY).prop_flat_map(|(c, d)| (proptest::collection::vec(row(c, d), 2..40), proptest::strategy::Just(d)))
        ) {
            let _ = discrete;
            let columns = rows[0].len();
            let known: Vec<(usize, &[Set])> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.iter().all(|s| !s.is_empty()))
                .map(|(i, r)| (i, r.as_slice()))
                .collect();
            let pairs = candidate_pairs(&known, columns);
            for (a, (i, ri)) in known.iter().enumerate() {
                for (j, rj) in known.iter().skip(a + 1) {
                    let meet = ri.iter().zip(rj.iter()).all(|(x, y)| intersects(x, y));
                    let covered = ri.iter().zip(rj.iter()).all(|(x, y)| covers(x, y));
                    if meet || covered {
                        proptest::prop_assert!(pairs.binary_search(&(*i, *j)).is_ok(), "rows {} and {} meet but were not paired", i, j);
                    }
                }
            }
        }
    }

    #[test]
    fn half_lines() {
        assert!(intersects(&below(5, false, false), &above(4, false, false)));
        assert!(!intersects(&below(5, false, false), &above(5, true, false)));
        assert!(intersects(&below(5, true, false), &above(5, true, false)));
        assert!(!intersects(&above(1, false, true), &below(2, false, true)), "whole numbers: > 1 and < 2 do not meet");
        assert!(intersects(&above(1, false, false), &below(2, false, false)), "decimals: 1.5 is in both");
    }

    #[test]
    fn covering() {
        assert!(covers(&below(90, false, false), &below(80, false, false)));
        assert!(!covers(&below(80, false, false), &below(90, false, false)));
        let ne1 = Set::points([num(1)], false).complement();
        assert!(covers(&ne1, &Set::points([num(2)], false)));
        let all = set(vec![(Bound::Unbounded, Bound::Unbounded)], false);
        assert!(!covers(&Set::points([num(1)], false), &all));
        // `< 18 or >= 60` and `[18..60)` make everything between them.
        let outside = below(18, false, true).union(&above(60, true, true));
        let inside = set(vec![(Bound::Included(num(18)), Bound::Excluded(num(60)))], true);
        assert!(covers(&outside.union(&inside), &all));
        assert!(!intersects(&outside, &inside));
        assert!(covers(&inside.complement(), &outside), "not([18..60)) is `< 18 or >= 60`");
    }

    #[test]
    fn a_sample_lies_in_both() {
        let a = set(vec![(Bound::Included(num(10)), Bound::Included(num(20)))], true);
        assert_eq!(example(&a, &above(15, true, true)), Some("15".into()));
        assert_eq!(example(&a, &above(25, true, true)), None);
    }
}
