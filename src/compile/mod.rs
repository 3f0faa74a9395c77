//! Compiling: the checked policy to a [`Program`] — slots instead of names, constants
//! folded, evaluation order fixed, conditions split for explanations.

mod explain;
mod hoist;

mod specialize;
mod workflow;

use std::sync::Arc;

use crate::check::TypedPolicy;
use crate::check::hir::{CellDef, ForDef, MessageDef, OutcomeDef, TExpr, TKind, TPart};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::interp::Ctx;
use crate::ir::table_index::TableIndex;
use crate::ir::*;
use crate::lang::{AggFunc, Aggregate, Builtin, HitPolicy, Type};
use crate::value::{Locale, Value};

/// Compiles a checked policy. Fails only when a constant cannot be computed
/// (an overflow in a const, say), with a diagnostic at that expression.
pub fn compile(policy: &TypedPolicy) -> Result<Program, Vec<Diagnostic>> {
    let locale = Locale::new(policy.timezone, policy.currency);
    let mut lower = Lower {
        policy,
        locale,
        consts: vec![None; policy.consts.len()],
        diags: Vec::new(),
        hoist: Vec::new(),
        once_slots: 0,
        patterns: Vec::new(),
    };
    for &i in &policy.const_order {
        let Some(c) = policy.consts.get(i) else { continue };
        let value = lower.fold(&c.expr);
        if let Some(slot) = lower.consts.get_mut(i) {
            *slot = Some(value);
        }
    }
    let derived: Vec<Derived> = policy
        .derived
        .iter()
        .map(|d| Derived {
            name: d.name.clone(),
            ty: d.ty.clone(),
            exported: d.exported,
            expr: lower.expr(&d.expr),
            guard: d.guard.as_ref().map(|g| lower.expr(g)),
        })
        .collect();
    let tables: Vec<Table> = policy
        .tables
        .iter()
        .map(|t| {
            let rows: Vec<Row> = t
                .rows
                .iter()
                .map(|r| Row {
                    cells: r.cells.iter().map(|c| lower.cell(c)).collect(),
                    result: lower.widened(&r.result, &t.result),
                })
                .collect();
            // A function's cells may read its lets, which the index cannot know.
            let index = if t.lets.is_empty() { TableIndex::build(&rows, t.params.len()) } else { None };
            Table {
                name: t.name.clone(),
                hit: t.hit,
                params: t.params.iter().map(|(n, _)| n.clone()).collect(),
                param_types: t.params.iter().map(|(_, ty)| ty.clone()).collect(),
                result: t.result.clone(),
                rows,
                lets: t.lets.iter().map(|e| lower.expr(e)).collect(),
                otherwise: t.otherwise.as_ref().map(|e| match t.hit {
                    HitPolicy::Collect(Some(Aggregate::Count)) => lower.expr(e),
                    _ => lower.widened(e, &t.result),
                }),
                index,
            }
        })
        .collect();
    let rules: Vec<Rule> = policy
        .rules
        .iter()
        .enumerate()
        .map(|(index, r)| Rule {
            index,
            name: Arc::from(r.name.as_str()),
            stage: r.stage.and_then(|s| policy.stages.get(s)).map(|s| Arc::from(s.as_str())),
            each: r.each.iter().map(|f| lower.for_loop(f)).collect(),
            when: r.when.as_ref().map(|w| lower.expr(w)),
            conditions: r.when.as_ref().map(|w| lower.conditions(w)).unwrap_or_default(),
            outcomes: r.outcomes.iter().map(|o| lower.outcome(o)).collect(),
            terms: lower.message(&r.terms),
        })
        .collect();
    let mut before = Vec::new();
    let mut after = Vec::new();
    for &i in &policy.derived_order {
        let step = Step::Derived(to_u32(i));
        if policy.derived.get(i).is_some_and(|d| d.settled) { after.push(step) } else { before.push(step) }
    }
    for (i, r) in policy.rules.iter().enumerate() {
        let step = Step::Rule(to_u32(i));
        if r.settled { after.push(step) } else { before.push(step) }
    }
    let workflow = policy.workflow.as_ref().map(|w| Arc::new(lower.workflow(w)));
    let consts = policy
        .consts
        .iter()
        .zip(&lower.consts)
        .filter(|(c, _)| !c.name.is_empty())
        .map(|(c, v)| (c.name.clone(), v.clone().unwrap_or(Value::Missing)))
        .collect();
    if !lower.diags.is_empty() {
        return Err(lower.diags);
    }
    Ok(Program {
        once_slots: lower.once_slots,
        patterns: std::mem::take(&mut lower.patterns),
        workflow,
        consts,
        name: policy.name.clone(),
        title: policy.title.clone(),
        version: policy.version.clone(),
        locale,
        inputs: Arc::clone(&policy.inputs),
        derived,
        tables,
        rules,
        ledgers: policy
            .ledgers
            .iter()
            .map(|l| Ledger {
                name: l.name.clone(),
                cap: l.cap.as_ref().map(|c| lower.expr(c)),
                cap_flag: l.cap_flag.as_ref().map(|(code, m)| (Arc::from(code.as_str()), lower.message(m))),
            })
            .collect(),
        ensures: policy
            .ensures
            .iter()
            .map(|e| Ensure {
                each: e.each.iter().map(|f| lower.for_loop(f)).collect(),
                cond: lower.expr(&e.cond),
                message: lower.message(&Some(e.message.clone())).unwrap_or(Message { zh: Box::new([]), en: None }),
                path: e.path.as_ref().map(|(local, names)| (local.map(to_u32), names.clone())),
                span: e.span,
            })
            .collect(),
        calendars: policy.calendars.clone(),
        before,
        after,
        file: Arc::clone(&policy.file),
    })
}

/// Slots are `u32`: a policy with more than four billion of anything is refused long
/// before this (file size limit).
fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

pub(crate) struct Lower<'a> {
    policy: &'a TypedPolicy,
    locale: Locale,
    consts: Vec<Option<Value>>,
    diags: Vec<Diagnostic>,
    /// The aggregates being lowered, outermost first: each item's local index and the
    /// once-slots hoisted to it.
    hoist: Vec<(usize, Vec<u32>)>,
    once_slots: u32,
    /// Constant `matches` patterns, compiled.
    patterns: Vec<regex::Regex>,
}

impl Lower<'_> {
    /// Lowers and, when constant, computes an expression now. Expressions the checker
    /// found wrong are not computed (their error is already reported).
    fn fold(&mut self, e: &TExpr) -> Value {
        if has_error(e) {
            return Value::Missing;
        }
        let lowered = self.lower(e);
        if let Expr::Const(v) = lowered {
            return v;
        }
        let ctx = Ctx::constant(self.locale, &self.patterns);
        match ctx.value(&lowered, &[]) {
            Ok(v) => v,
            Err(fault) => {
                let text = self.policy.file.slice(e.span).to_owned();
                let message = msg!("无法计算 `{text}`", "cannot compute `{text}`").with_detail(&fault.message);
                self.diags.push(
                    Diagnostic::error(codes::CONSTANT_FAULT, message)
                        .at(fault.span.unwrap_or(e.span))
                        .help(Msg::new(
                            "常量在加载策略时计算；请修改这个表达式",
                            "consts are computed when the policy loads; change this expression",
                        ))
                        .in_file(&self.policy.file),
                );
                Value::Missing
            }
        }
    }

    /// Lowers an expression, folding it when it is constant; inside an aggregate, a
    /// costly part that does not read the item is kept once per run (see `hoist`).
    pub(crate) fn expr(&mut self, e: &TExpr) -> Expr {
        if e.constant && !matches!(e.kind, TKind::Lit(_) | TKind::Error) {
            return Expr::Const(self.fold(e));
        }
        if !self.hoist.is_empty() && hoist::costly(e) {
            // The outermost aggregate whose item (and everything bound after it) `e`
            // does not read.
            let free = hoist::max_free_local(e);
            if let Some(frame) = self.hoist.iter_mut().find(|(item, _)| free.is_none_or(|f| *item > f)) {
                let slot = self.once_slots;
                self.once_slots = self.once_slots.saturating_add(1);
                frame.1.push(slot);
                // Parts of `e` are computed with it, not hoisted again.
                let outer = std::mem::take(&mut self.hoist);
                let inner = self.lower(e);
                self.hoist = outer;
                return Expr::Once(Box::new(inner), slot);
            }
        }
        self.lower(e)
    }

    /// Lowers an expression whose value must have type `ty` (table rows).
    /// A table cell.
    fn cell(&mut self, c: &CellDef) -> Cell {
        match c {
            CellDef::Any => Cell::Any,
            CellDef::Cmp(op, e) => Cell::Cmp(*op, self.expr(e)),
            CellDef::In(e, negated) => Cell::In(self.expr(e), *negated),
            CellDef::Range(lo, lo_closed, hi, hi_closed) => {
                Cell::Range(self.expr(lo), *lo_closed, self.expr(hi), *hi_closed)
            }
            CellDef::AnyOf(tests) => Cell::AnyOf(tests.iter().map(|t| self.cell(t)).collect()),
            CellDef::Not(tests) => Cell::Not(tests.iter().map(|t| self.cell(t)).collect()),
        }
    }

    fn widened(&mut self, e: &TExpr, ty: &Type) -> Expr {
        let lowered = self.expr(e);
        if e.ty != *ty && matches!(ty, Type::Money | Type::Decimal) {
            let constant = matches!(lowered, Expr::Const(_));
            let coerced = Expr::Coerce(Box::new(lowered), ty.clone());
            // A constant widened once, here (a table's row results stay values, which
            // `tenet table export` writes out).
            if constant && let Ok(v) = Ctx::constant(self.locale, &self.patterns).value(&coerced, &[]) {
                return Expr::Const(v);
            }
            coerced
        } else {
            lowered
        }
    }

    fn boxed(&mut self, e: &TExpr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn many(&mut self, es: &[TExpr]) -> Box<[Expr]> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn lower(&mut self, e: &TExpr) -> Expr {
        let lowered = match &e.kind {
            TKind::Lit(v) => Expr::Const(v.clone()),
            TKind::Error => Expr::Const(Value::Missing),
            TKind::Input(i) => Expr::Path(to_u32(*i), Box::new([])),
            TKind::Field(base, i) => match self.expr(base) {
                Expr::Path(root, path) => {
                    let mut path = path.into_vec();
                    path.push(to_u32(*i));
                    Expr::Path(root, path.into())
                }
                other => Expr::Field(Box::new(other), to_u32(*i)),
            },
            TKind::DurationPart(base, unit) => Expr::DurationPart(self.boxed(base), unit.seconds()),
            TKind::Const(i) => Expr::Const(self.consts.get(*i).cloned().flatten().unwrap_or(Value::Missing)),
            TKind::Derived(i) => Expr::Derived(to_u32(*i)),
            TKind::Local(i) => Expr::Local(to_u32(*i)),
            TKind::Aggregate { func, body, list, filter, item } => {
                let list = self.boxed(list);
                self.hoist.push((*item, Vec::new()));
                let body = body.as_ref().map(|b| self.boxed(b));
                let filter = filter.as_ref().map(|f| self.boxed(f));
                let resets = self.hoist.pop().map(|(_, slots)| slots).unwrap_or_default();
                Expr::Aggregate { func: *func, body, list, filter, resets: resets.into(), span: e.span }
            }
            TKind::Extend { list, lets } => Expr::Extend(
                self.boxed(list),
                lets.iter().map(|(v, g)| (self.expr(v), g.as_ref().map(|g| self.expr(g)))).collect(),
            ),
            TKind::Now => Expr::Now,
            TKind::Decision => Expr::Decision,
            TKind::LedgerTotal(i) => Expr::LedgerTotal(to_u32(*i)),
            TKind::Not(x) => Expr::Not(self.boxed(x)),
            TKind::Neg(x) => Expr::Neg(self.boxed(x)),
            TKind::And(..) => Expr::And(self.chain(e, true)),
            TKind::Or(..) => Expr::Or(self.chain(e, false)),
            TKind::Compare(op, a, b) => {
                let (l, r) = (self.expr(a), self.expr(b));
                specialize::compare(*op, (l, &a.ty), (r, &b.ty))
            }
            TKind::In(a, b, negated) => {
                let (l, r) = (self.expr(a), self.expr(b));
                specialize::member((l, &a.ty), r, *negated)
            }
            TKind::Arith(op, a, b) => Expr::Arith(*op, self.boxed(a), self.boxed(b), e.span),
            TKind::IsMissing(x, missing) => match self.expr(x) {
                Expr::Path(root, path) => Expr::TestPath(root, path, PathTest::Missing(*missing)),
                other => Expr::IsMissing(Box::new(other), *missing),
            },
            TKind::If(c, a, b) => Expr::If(self.boxed(c), self.boxed(a), self.boxed(b)),
            // A constant pattern is compiled once, here (the checker has vetted it).
            TKind::Call(Builtin::Matches, args)
                if let [text, p, flags @ ..] = &args[..]
                    && let Some(flags) = match flags {
                        [] => Some(None),
                        [f] => f.literal_text().map(Some),
                        _ => None,
                    }
                    && let Some(Ok(re)) = p.literal_text().map(|p| crate::lang::pattern_with(p, flags))
                    && let Ok(index) = u32::try_from(self.patterns.len()) =>
            {
                self.patterns.push(re);
                Expr::Call(Builtin::MatchesCompiled(index), self.many(std::slice::from_ref(text)), e.span)
            }
            TKind::Call(f, args) => Expr::Call(*f, self.many(args), e.span),
            TKind::Table(t, args) => Expr::Table(to_u32(*t), self.many(args), e.span),
            // A list of decimals holds decimals: a whole number among them is widened, so
            // `[1, 2.5]` reads (and prints) as two decimals.
            TKind::List(items) => match e.ty.element() {
                Some(elem @ (Type::Money | Type::Decimal)) => {
                    Expr::List(items.iter().map(|i| self.widened(i, &elem)).collect())
                }
                // Records (or lists) whose numbers meet as decimals: each item widened.
                Some(elem) if elem.widens_inside() => Expr::List(
                    items
                        .iter()
                        .map(|i| {
                            let lowered = self.expr(i);
                            if i.ty == elem { lowered } else { Expr::Coerce(Box::new(lowered), elem.clone()) }
                        })
                        .collect(),
                ),
                _ => Expr::List(self.many(items)),
            },
            TKind::Record(items) => match &e.ty {
                // Each field as its type says: a number the checker widened to money or
                // decimal is converted here.
                Type::Record(r) if r.fields.len() == items.len() => {
                    Expr::Record(items.iter().zip(&r.fields).map(|(item, f)| self.widened(item, &f.ty)).collect())
                }
                _ => Expr::Record(self.many(items)),
            },
            TKind::Text(parts) => Expr::Text(self.parts(parts, false)),
        };
        // Numbers that meet in one value take the type the checker gave it.
        let widens = matches!(e.kind, TKind::Call(..) | TKind::If(..) | TKind::Table(..));
        // A sum of nothing is `0`, which takes the sum's type (zero seconds, 0%).
        let sums = matches!(
            e.kind,
            TKind::Call(Builtin::Sum, _) | TKind::Aggregate { func: AggFunc::Sum, .. } | TKind::Table(..)
        );
        let coerce = match &e.ty {
            Type::Money | Type::Decimal => widens || sums,
            Type::Percent | Type::Duration => sums,
            t => (widens || matches!(e.kind, TKind::Arith(..))) && t.widens_inside(),
        };
        if coerce { Expr::Coerce(Box::new(lowered), e.ty.clone()) } else { lowered }
    }

    /// A `for each` clause.
    fn for_loop(&mut self, f: &ForDef) -> Loop {
        Loop {
            list: self.expr(&f.list),
            filter: f.filter.as_ref().map(|x| self.expr(x)),
            id_field: f.id_field.map(to_u32),
            path: self.list_path(&f.list),
        }
    }

    /// Where a list comes from, for naming its items.
    fn list_path(&self, e: &TExpr) -> ListPath {
        fn walk(e: &TExpr, inputs: &crate::lang::RecordType) -> Option<(Option<u32>, String)> {
            match &e.kind {
                TKind::Input(i) => Some((None, inputs.fields.get(*i)?.name.clone())),
                TKind::Derived(_) => None,
                TKind::Local(i) => Some((Some(to_u32(*i)), String::new())),
                TKind::Field(base, i) => {
                    let (root, mut path) = walk(base, inputs)?;
                    let Type::Record(r) = &base.ty else { return None };
                    if !path.is_empty() || root.is_some() {
                        path.push('.');
                    }
                    path.push_str(&r.fields.get(*i)?.name);
                    Some((root, path))
                }
                // coalesce(x.list, []) is still x.list.
                TKind::Call(crate::lang::Builtin::Coalesce, args) => walk(args.first()?, inputs),
                _ => None,
            }
        }
        match walk(e, &self.policy.inputs) {
            Some((None, path)) => ListPath::Fact(path),
            Some((Some(local), path)) => ListPath::Below(local, path),
            None => ListPath::Text(self.policy.file.slice(e.span).to_owned()),
        }
    }

    /// The operands of a chain of `and` (or of `or`), left to right.
    fn chain(&mut self, e: &TExpr, and: bool) -> Box<[Expr]> {
        let mut flat: Vec<&TExpr> = Vec::new();
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            match &x.kind {
                TKind::And(a, b) if and => stack.extend([&**b, &**a]),
                TKind::Or(a, b) if !and => stack.extend([&**b, &**a]),
                _ => flat.push(x),
            }
        }
        flat.into_iter().map(|x| self.expr(x)).collect()
    }

    /// Text parts; constant interpolations are filled in now, once, and merged with the
    /// literal text around them.
    fn parts(&mut self, parts: &[TPart], chinese: bool) -> Box<[Part]> {
        let mut out: Vec<Part> = Vec::with_capacity(parts.len());
        for p in parts {
            let text = match p {
                TPart::Lit(s) => s.clone(),
                TPart::Expr(e) => match self.expr(e) {
                    Expr::Const(v) if !v.is_missing() && chinese => self.locale.chinese(&v).to_string(),
                    Expr::Const(v) if !v.is_missing() => self.locale.plain(&v).to_string(),
                    other => {
                        out.push(Part::Expr(other));
                        continue;
                    }
                },
            };
            match out.last_mut() {
                Some(Part::Lit(last)) => *last = Arc::from(format!("{last}{text}")),
                _ => out.push(Part::Lit(text.into())),
            }
        }
        out.into()
    }

    pub(crate) fn message(&mut self, m: &Option<MessageDef>) -> Option<Message> {
        m.as_ref().map(|m| Message { zh: self.parts(&m.zh, true), en: m.en.as_ref().map(|en| self.parts(en, false)) })
    }

    fn outcome(&mut self, o: &OutcomeDef) -> Outcome {
        match o {
            OutcomeDef::Finding { kind, code, message } => {
                Outcome::Finding { kind: *kind, code: Arc::from(code.as_str()), message: self.message(message) }
            }
            OutcomeDef::Ledger { kind, code, ledger, amount, message } => Outcome::Ledger {
                kind: *kind,
                code: Arc::from(code.as_str()),
                ledger: to_u32(*ledger),
                amount: self.expr(amount),
                message: self.message(message),
            },
            OutcomeDef::Emit { action, at, message } => Outcome::Emit {
                action: Arc::from(action.as_str()),
                at: at.as_ref().map(|a| self.expr(a)),
                message: self.message(message),
            },
        }
    }
}

fn has_error(e: &TExpr) -> bool {
    e.ty == Type::Error || matches!(e.kind, TKind::Error) || e.kind.children().into_iter().any(has_error)
}

impl Msg {
    /// Appends a detail to both languages.
    pub(crate) fn with_detail(self, detail: &Msg) -> Msg {
        Msg::new(format!("{}：{}", self.zh, detail.zh), format!("{}: {}", self.en, detail.en))
    }
}
