//! What an explanation shows of each condition: its parts, the values that decide it,
//! and the facts it reads.

use super::Lower;
use crate::check::hir::{TExpr, TKind};
use crate::ir::{Condition, Expr};
use crate::lang::Type;

impl Lower<'_> {
    /// A rule's condition split at its top-level `and`s.
    pub(super) fn conditions(&mut self, when: &TExpr) -> Vec<Condition> {
        let mut conjuncts = Vec::new();
        split(when, &mut conjuncts);
        conjuncts
            .into_iter()
            .map(|c| {
                let mut operands: Vec<&TExpr> = Vec::new();
                collect_operands(c, &mut operands);
                let mut reads: Vec<&TExpr> = Vec::new();
                collect_reads(c, &mut reads);
                Condition {
                    text: self.text(c),
                    expr: self.expr(c),
                    operands: self.labelled(operands),
                    reads: self.labelled(reads),
                }
            })
            .collect()
    }

    fn text(&self, e: &TExpr) -> String {
        let raw = self.policy.file.slice(e.span);
        // Conditions may span lines; show them on one.
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn labelled(&mut self, exprs: Vec<&TExpr>) -> Vec<(String, Expr)> {
        let mut out: Vec<(String, Expr)> = Vec::new();
        for e in exprs {
            let text = self.text(e);
            if out.iter().any(|(t, _)| *t == text) {
                continue;
            }
            let lowered = self.expr(e);
            out.push((text, lowered));
        }
        out
    }
}

fn split<'e>(e: &'e TExpr, out: &mut Vec<&'e TExpr>) {
    match &e.kind {
        TKind::And(a, b) => {
            split(a, out);
            split(b, out);
        }
        _ => out.push(e),
    }
}

/// The values worth showing for a condition: both sides of a comparison (not the
/// literals), the subject of `is missing`, the parts of an `or`.
fn collect_operands<'e>(e: &'e TExpr, out: &mut Vec<&'e TExpr>) {
    match &e.kind {
        TKind::Compare(_, a, b) | TKind::In(a, b, _) => {
            out.extend([&**a, &**b].into_iter().filter(|x| !x.constant));
        }
        // A whole record or list says little; show the test's own answer instead.
        TKind::IsMissing(x, _) if matches!(x.ty, Type::Record(_) | Type::List(_)) => out.push(e),
        TKind::IsMissing(x, _) => out.push(x),
        TKind::Not(x) => collect_operands(x, out),
        TKind::Or(a, b) | TKind::And(a, b) => {
            collect_operands(a, out);
            collect_operands(b, out);
        }
        _ if !e.constant => out.push(e),
        _ => {}
    }
}

/// The facts (whole paths) and named values a condition reads, and the values it reads
/// out of texts (`date(request.note)`), which are missing when the text is not one.
fn collect_reads<'e>(e: &'e TExpr, out: &mut Vec<&'e TExpr>) {
    use crate::lang::Builtin;
    match &e.kind {
        TKind::Input(_) | TKind::Derived(_) => out.push(e),
        TKind::Call(Builtin::Date | Builtin::DateTimeFrom | Builtin::DurationFrom, args)
            if args.first().is_some_and(|a| a.ty.is_textual()) =>
        {
            out.push(e);
            args.iter().for_each(|a| collect_reads(a, out));
        }
        TKind::Field(base, _) if is_path(base) => out.push(e),
        _ => {
            for child in e.kind.children() {
                collect_reads(child, out);
            }
        }
    }
}

fn is_path(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Input(_) => true,
        TKind::Field(base, _) => is_path(base),
        _ => false,
    }
}
