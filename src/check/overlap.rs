//! Which table rows can match the same input, decided where the cells are constants.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
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

/// The set of inputs a cell accepts.
#[derive(Clone, Debug)]
pub(super) enum Set {
    All,
    Only(BTreeSet<Key>),
    Except(BTreeSet<Key>),
    /// Values below the bound (inclusive when true).
    Below(Key, bool),
    /// Values above the bound (inclusive when true).
    Above(Key, bool),
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
    let set = match cell {
        CellDef::Any => Set::All,
        CellDef::Cmp(op, e) => {
            let k = key(&constant(e, consts, 0)?)?;
            match op {
                CmpOp::Eq => Set::Only([k].into()),
                CmpOp::Ne => Set::Except([k].into()),
                CmpOp::Lt => Set::Below(k, false),
                CmpOp::Le => Set::Below(k, true),
                CmpOp::Gt => Set::Above(k, false),
                CmpOp::Ge => Set::Above(k, true),
            }
        }
        CellDef::In(e, negated) => {
            let Value::List(items) = constant(e, consts, 0)? else { return None };
            let keys = items.iter().map(key).collect::<Option<BTreeSet<_>>>()?;
            if *negated { Set::Except(keys) } else { Set::Only(keys) }
        }
    };
    Some(normalize(set, ty))
}

/// Finite domains (enumerations, bools) become explicit sets; strict integer bounds
/// become inclusive ones, so `> 1` and `< 2` are seen not to meet.
fn normalize(set: Set, ty: &Type) -> Set {
    let domain: Option<BTreeSet<Key>> = match ty {
        Type::Enum(values) => Some(values.iter().map(|v| Key::Text(v.clone())).collect()),
        Type::Bool => Some([Key::Bool(false), Key::Bool(true)].into()),
        _ => None,
    };
    if let Some(domain) = domain {
        return Set::Only(domain.into_iter().filter(|k| accepts(&set, k)).collect());
    }
    if *ty == Type::Int {
        return match set {
            Set::Below(Key::Num(n), false) if n.fract().is_zero() => Set::Below(Key::Num(n - Decimal::ONE), true),
            Set::Above(Key::Num(n), false) if n.fract().is_zero() => Set::Above(Key::Num(n + Decimal::ONE), true),
            other => other,
        };
    }
    set
}

fn accepts(set: &Set, k: &Key) -> bool {
    match set {
        Set::All => true,
        Set::Only(s) => s.contains(k),
        Set::Except(s) => !s.contains(k),
        Set::Below(b, inc) => k < b || (*inc && k == b),
        Set::Above(b, inc) => k > b || (*inc && k == b),
    }
}

/// True when some input is accepted by both.
pub(super) fn intersects(a: &Set, b: &Set) -> bool {
    use Set::*;
    match (a, b) {
        (Only(x), other) | (other, Only(x)) => x.iter().any(|k| accepts(other, k)),
        (All, _) | (_, All) => true,
        // Remaining sets are infinite: complements and half-lines.
        (Except(_), _) | (_, Except(_)) => true,
        (Below(..), Below(..)) | (Above(..), Above(..)) => true,
        (Below(hi, hi_inc), Above(lo, lo_inc)) | (Above(lo, lo_inc), Below(hi, hi_inc)) => {
            lo < hi || (lo == hi && *lo_inc && *hi_inc)
        }
    }
}

/// True when every input `inner` accepts, `outer` accepts too.
pub(super) fn covers(outer: &Set, inner: &Set) -> bool {
    use Set::*;
    match (outer, inner) {
        (All, _) => true,
        (_, Only(x)) => x.iter().all(|k| accepts(outer, k)),
        (Except(x), All) => x.is_empty(),
        (Except(x), Except(y)) => x.is_subset(y),
        (Except(x), other) => !x.iter().any(|k| accepts(other, k)),
        (Below(h, i), Below(h2, i2)) => h2 < h || (h2 == h && (*i || !*i2)),
        (Above(l, i), Above(l2, i2)) => l2 > l || (l2 == l && (*i || !*i2)),
        _ => false,
    }
}

/// A sample input both sets accept, to show in a warning.
pub(super) fn example(a: &Set, b: &Set) -> Option<String> {
    let pick = |s: &Set, other: &Set| match s {
        Set::Only(x) => x.iter().find(|k| accepts(other, k)).cloned(),
        Set::Below(k, true) | Set::Above(k, true) if accepts(other, k) => Some(k.clone()),
        _ => None,
    };
    let k = pick(a, b).or_else(|| pick(b, a))?;
    Some(match k {
        Key::Num(n) => n.to_string(),
        Key::Text(s) => format!("\"{s}\""),
        Key::Date(d) => d.to_string(),
        Key::DateTime(d) => d.to_rfc3339(),
        Key::Duration(d) => crate::value::duration::words(d),
        Key::Bool(b) => b.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: i64) -> Key {
        Key::Num(Decimal::from(n))
    }

    #[test]
    fn half_lines() {
        assert!(intersects(&Set::Below(num(5), false), &Set::Above(num(4), false)));
        assert!(!intersects(&Set::Below(num(5), false), &Set::Above(num(5), true)));
        assert!(intersects(&Set::Below(num(5), true), &Set::Above(num(5), true)));
        let ints = |s| normalize(s, &Type::Int);
        assert!(!intersects(&ints(Set::Above(num(1), false)), &ints(Set::Below(num(2), false))));
    }

    #[test]
    fn covering() {
        assert!(covers(&Set::Below(num(90), false), &Set::Below(num(80), false)));
        assert!(!covers(&Set::Below(num(80), false), &Set::Below(num(90), false)));
        assert!(covers(&Set::Except([num(1)].into()), &Set::Only([num(2)].into())));
        assert!(!covers(&Set::Only([num(1)].into()), &Set::All));
    }
}
