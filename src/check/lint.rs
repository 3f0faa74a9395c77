//! Lints: warnings about policies that are valid but probably not what their author
//! meant. Each has a stable code and a help line:
//!
//! - `never-fires`: a rule whose conditions on one value contradict each other;
//! - `same-situation`: two rules that reject the same condition with different codes;
//! - `table-gap`: combinations of enumerated inputs that no row of a `unique` table covers;
//! - `unused-input`: a top-level input nothing reads.
//!
//! (An earlier `first` row hiding a later one is reported by the table checks.)

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::hir::{TExpr, TKind};
use super::{Checker, Symbol, overlap};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::Type;
use crate::lang::{CmpOp, HitPolicy};
use crate::source::Span;
use crate::syntax::ast::{DeclKind, OutcomeKind, PolicyFile};
use crate::syntax::dump::expr as dump_expr;
use crate::value::Value;

/// Most combinations a gap check enumerates.
const MAX_COMBINATIONS: usize = 4096;

/// What the conjuncts of a condition say about one value.
#[derive(Default)]
struct Bounds {
    lower: Option<(Value, bool)>,
    upper: Option<(Value, bool)>,
    equal: Vec<Value>,
    unequal: Vec<Value>,
}

impl Bounds {
    fn add(&mut self, op: CmpOp, v: Value) {
        let tighter = |cur: &Option<(Value, bool)>, new: &Value, strict: bool, want: Ordering| match cur {
            None => true,
            Some((c, s)) => match new.compare(c) {
                Some(o) if o == want => true,
                Some(Ordering::Equal) => strict && !s,
                _ => false,
            },
        };
        match op {
            CmpOp::Eq => self.equal.push(v),
            CmpOp::Ne => self.unequal.push(v),
            CmpOp::Gt | CmpOp::Ge => {
                let strict = op == CmpOp::Gt;
                if tighter(&self.lower, &v, strict, Ordering::Greater) {
                    self.lower = Some((v, strict));
                }
            }
            CmpOp::Lt | CmpOp::Le => {
                let strict = op == CmpOp::Lt;
                if tighter(&self.upper, &v, strict, Ordering::Less) {
                    self.upper = Some((v, strict));
                }
            }
        }
    }

    /// True when no value can satisfy every constraint.
    fn empty(&self) -> bool {
        let within = |v: &Value| {
            let above = self.lower.as_ref().is_none_or(|(l, s)| match v.compare(l) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => !s,
                _ => false,
            });
            let below = self.upper.as_ref().is_none_or(|(u, s)| match v.compare(u) {
                Some(Ordering::Less) => true,
                Some(Ordering::Equal) => !s,
                _ => false,
            });
            above && below && !self.unequal.iter().any(|n| n.compare(v) == Some(Ordering::Equal))
        };
        if let Some(first) = self.equal.first() {
            return self.equal.iter().any(|e| e.compare(first) != Some(Ordering::Equal)) || !within(first);
        }
        match (&self.lower, &self.upper) {
            (Some((l, ls)), Some((u, us))) => match l.compare(u) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => *ls || *us,
                _ => false,
            },
            _ => false,
        }
    }
}

fn conjuncts<'e>(e: &'e TExpr, out: &mut Vec<&'e TExpr>) {
    if let TKind::And(a, b) = &e.kind {
        conjuncts(a, out);
        conjuncts(b, out);
    } else {
        out.push(e);
    }
}

impl Checker<'_> {
    /// Runs every lint.
    pub(super) fn lint(&mut self, ast: &PolicyFile) {
        self.lint_never_fires();
        self.lint_same_situation(ast);
        self.lint_table_gaps();
        self.lint_unused_inputs();
    }

    /// The value a literal or a literal const stands for.
    fn constant_value(&self, e: &TExpr) -> Option<Value> {
        match &e.kind {
            TKind::Lit(v) => Some(v.clone()),
            TKind::Const(i) => self.consts.get(*i)?.as_ref().and_then(|c| self.constant_value(&c.expr)),
            _ => None,
        }
    }

    /// A readable, stable name for a fact path, a value or a local.
    fn path_name(&self, e: &TExpr) -> Option<String> {
        match &e.kind {
            TKind::Input(i) => self.inputs.fields.get(*i).map(|f| f.name.clone()),
            TKind::Field(base, slot) => {
                let Type::Record(rt) = &base.ty else { return None };
                Some(format!("{}.{}", self.path_name(base)?, rt.fields.get(*slot)?.name))
            }
            TKind::Derived(i) => self.derived.get(*i)?.as_ref().map(|d| d.name.clone()),
            TKind::Local(i) => Some(format!("#{i}")),
            _ => None,
        }
    }

    fn lint_never_fires(&mut self) {
        let mut found = Vec::new();
        for rule in &self.rules {
            let Some(when) = &rule.when else { continue };
            let mut parts = Vec::new();
            conjuncts(when, &mut parts);
            let mut bounds: BTreeMap<String, Bounds> = BTreeMap::new();
            for part in parts {
                let TKind::Compare(op, a, b) = &part.kind else { continue };
                let (path, value, op) = match (self.path_name(a), self.constant_value(b)) {
                    (Some(p), Some(v)) => (p, v, *op),
                    _ => match (self.path_name(b), self.constant_value(a)) {
                        (Some(p), Some(v)) => (p, v, op.mirrored()),
                        _ => continue,
                    },
                };
                bounds.entry(path).or_default().add(op, value);
            }
            if let Some((path, _)) = bounds.iter().find(|(_, b)| b.empty()) {
                found.push((rule.name.clone(), path.clone(), when.span));
            }
        }
        for (name, path, span) in found {
            let shown = path.trim_start_matches('#');
            self.report(
                Diagnostic::warning(
                    codes::NEVER_FIRES,
                    msg!(
                        "规则 \"{name}\" 永远不会触发：对 `{shown}` 的条件互相矛盾",
                        "rule \"{name}\" can never fire: its conditions on `{shown}` contradict each other"
                    ),
                )
                .at(span)
                .help(Msg::new(
                    "检查比较方向和边界（例如 `> 10 and < 5`），或删除这条规则",
                    "check the comparisons and bounds (such as `> 10 and < 5`), or remove the rule",
                )),
            );
        }
    }

    fn lint_same_situation(&mut self, ast: &PolicyFile) {
        // Rules that reject, keyed by their iteration and condition as written.
        let mut seen: BTreeMap<String, (String, String, Span)> = BTreeMap::new();
        let mut found = Vec::new();
        for decl in &ast.decls {
            let DeclKind::Rule(r) = &decl.node else { continue };
            let Some(when) = &r.when else { continue };
            let Some(code) = r.outcomes.iter().find_map(|o| match &o.node {
                OutcomeKind::Reject { code, .. } => Some(code.node.clone()),
                _ => None,
            }) else {
                continue;
            };
            let each: Vec<String> = r.each.iter().map(|f| format!("{} {}", f.var.node, dump_expr(&f.list))).collect();
            let key = format!("{} | {}", each.join(";"), dump_expr(when));
            match seen.get(&key) {
                Some((other_name, other_code, other_span)) if *other_code != code => {
                    found.push((
                        r.name.node.clone(),
                        code,
                        other_name.clone(),
                        other_code.clone(),
                        r.name.span,
                        *other_span,
                    ));
                }
                Some(_) => {}
                None => {
                    seen.insert(key, (r.name.node.clone(), code, r.name.span));
                }
            }
        }
        for (name, code, other, other_code, span, other_span) in found {
            self.report(
                Diagnostic::warning(
                    codes::SAME_SITUATION,
                    msg!(
                        "规则 \"{name}\"（{code}）与 \"{other}\"（{other_code}）在同一条件下拒绝",
                        "rule \"{name}\" ({code}) rejects the same situation as \"{other}\" ({other_code})"
                    ),
                )
                .at(span)
                .also(other_span, Msg::new("另一条规则", "the other rule"))
                .help(Msg::new(
                    "同一情形只应有一个拒绝代码：合并两条规则，或让条件不同",
                    "one situation should have one rejection code: merge the rules, or make their conditions differ",
                )),
            );
        }
    }

    fn lint_table_gaps(&mut self) {
        let mut found = Vec::new();
        for t in self.tables.iter().flatten() {
            let single = matches!(t.hit, HitPolicy::Unique | HitPolicy::First | HitPolicy::Any | HitPolicy::Priority);
            if !single || t.otherwise.is_some() || t.params.is_empty() {
                continue;
            }
            // Finite parameters only: enumerations and bools.
            let domains: Option<Vec<Vec<String>>> = t
                .params
                .iter()
                .map(|(_, ty)| match ty {
                    Type::Enum(values) => Some(values.iter().map(|v| v.to_string()).collect()),
                    Type::Bool => Some(vec!["false".to_owned(), "true".to_owned()]),
                    _ => None,
                })
                .collect();
            let Some(domains) = domains else { continue };
            let total: usize = domains.iter().map(Vec::len).product();
            if total == 0 || total > MAX_COMBINATIONS {
                continue;
            }
            // Each row as the set each cell accepts; a cell the check cannot read leaves
            // the table undecided.
            let rows: Option<Vec<Vec<overlap::Set>>> = t
                .rows
                .iter()
                .map(|row| {
                    row.cells.iter().zip(&t.params).map(|(c, (_, ty))| overlap::cell_set(c, ty, &self.consts)).collect()
                })
                .collect();
            let Some(rows) = rows else { continue };
            let mut missing = Vec::new();
            for n in 0..total {
                let mut rest = n;
                // The n-th combination, one digit per domain (in mixed radix).
                let combo: Vec<&String> = domains
                    .iter()
                    .filter_map(|d| {
                        let v = d.get(rest % d.len().max(1));
                        rest /= d.len().max(1);
                        v
                    })
                    .collect();
                let covered = rows.iter().any(|row| {
                    row.iter()
                        .zip(&combo)
                        .zip(&t.params)
                        .all(|((set, v), (_, ty))| overlap::accepts(set, &overlap::text_key(v, ty)))
                });
                if !covered {
                    missing.push(format!(
                        "({})",
                        combo
                            .iter()
                            .zip(&t.params)
                            .map(|(v, (_, ty))| overlap::shown(&overlap::text_key(v, ty)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            if !missing.is_empty() {
                found.push((t.name.clone(), missing, t.span));
            }
        }
        for (name, missing, span) in found {
            let count = missing.len();
            let shown = missing.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
            let more = if count > 5 { "…" } else { "" };
            self.report(
                Diagnostic::warning(
                    codes::TABLE_GAP,
                    msg!(
                        "表格 `{name}` 没有覆盖 {count} 种输入组合：{shown}{more}",
                        "table `{name}` has no row for {count} input combinations: {shown}{more}"
                    ),
                )
                .at(span)
                .help(Msg::new(
                    "为这些组合加行，或在最后写 `otherwise => …` 作为默认结果",
                    "add rows for them, or end the table with `otherwise => …` as the default",
                )),
            );
        }
    }

    fn lint_unused_inputs(&mut self) {
        let mut unused: Vec<(Span, String)> = self
            .inputs
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.used.contains(&Symbol::Input(*i)))
            .map(|(i, f)| (self.input_spans.get(i).copied().unwrap_or_default(), f.name.clone()))
            .collect();
        unused.sort();
        for (span, name) in unused {
            self.report(
                Diagnostic::warning(
                    codes::UNUSED_INPUT,
                    msg!("输入 `{name}` 没有被任何规则或值读取", "input `{name}` is read by no rule or value"),
                )
                .at(span)
                .help(Msg::new(
                    "删除它，或在规则中使用它（带着它的事实仍然有效）",
                    "remove it, or use it in a rule; facts that carry it still validate",
                )),
            );
        }
    }
}
