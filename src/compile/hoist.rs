//! Hoisting out of aggregates: a costly part of an aggregate's filter or value that does
//! not read the item (`max(l)` in `count(x in l where x == max(l))`) is computed once per
//! run of the aggregate instead of once per item, so an honest policy over a long list
//! stays linear (fuel still bounds the rest).

use crate::check::hir::{TExpr, TKind};
use crate::lang::Builtin;

/// Whether computing `e` is worth keeping: it walks a list, runs a clock or a table.
pub(super) fn costly(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Aggregate { .. } | TKind::Table(..) => true,
        TKind::Call(f, _) => matches!(
            f,
            Builtin::Min
                | Builtin::Max
                | Builtin::Sum
                | Builtin::Any
                | Builtin::All
                | Builtin::Elapsed
                | Builtin::ElapsedExcluding(..)
                | Builtin::Due
                | Builtin::DueWorkingDays
        ),
        TKind::In(_, list, _) => !list.constant,
        _ => false,
    }
}

/// The highest local `e` reads that is bound outside it (`None` when it reads none): an
/// aggregate inside `e` binds its own item and the locals after it.
pub(super) fn max_free_local(e: &TExpr) -> Option<usize> {
    free_below(e, usize::MAX)
}

/// The highest local below `bound` that `e` reads.
fn free_below(e: &TExpr, bound: usize) -> Option<usize> {
    match &e.kind {
        TKind::Local(i) => (*i < bound).then_some(*i),
        TKind::Aggregate { body, list, filter, item, .. } => {
            let inner = bound.min(*item);
            let parts = body.iter().chain(filter).map(|x| free_below(x, inner));
            parts.chain([free_below(list, bound)]).max().flatten()
        }
        // A `for each` block's values run in a frame of their own.
        TKind::Extend { list, .. } => free_below(list, bound),
        kind => kind.children().into_iter().filter_map(|c| free_below(c, bound)).max(),
    }
}
