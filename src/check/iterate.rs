//! Iteration: aggregates over lists, `for each` clauses of rules and ensures, and the
//! ensures themselves.

use super::hir::{EnsureDef, ForDef, TExpr, TKind};

use super::{Checker, Local};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::AggFunc;
use crate::lang::Type;
use crate::source::Span;
use crate::syntax::ast::{Comprehension, EnsureDecl, ForClause, Ident};

impl Checker<'_> {
    /// `count(x in xs where …)`, `sum(e for x in xs where …)`, `min`, `max`, `any`, `all`.
    pub(super) fn aggregate(&mut self, name: &Ident, c: &Comprehension, span: Span) -> TExpr {
        let list = self.expr(&c.list);
        let elem = self.element(&list);
        let item_index = self.locals.len();
        let item = Local { name: c.var.node.clone(), ty: elem, missing: false };
        let (body, filter, key) = self.with_locals(vec![item], |this| {
            let filter = c.filter.as_ref().map(|f| this.condition(f, "where 条件", "a `where` condition"));
            let body = c.body.as_ref().map(|b| this.expr(b));
            let key = c.key.as_ref().map(|k| this.expr(k));
            (body, filter, key)
        });
        let Some(func) = AggFunc::named(&name.node) else {
            let n = &name.node;
            let near = suggest::closest(n, ["count", "sum", "min", "max", "any", "all"]);
            let help = match near {
                Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                None => Msg::new(
                    "可以遍历列表的函数：count、sum、min、max、any、all",
                    "functions over a list: count, sum, min, max, any, all",
                ),
            };
            self.report(
                Diagnostic::error(codes::UNKNOWN_FUNCTION, msg!("`{n}` 不能遍历列表", "`{n}` cannot run over a list"))
                    .at(name.span)
                    .help(help)
                    .maybe_fix(name.span, near),
            );
            return TExpr::error(span);
        };
        // `sort(… by key)`: the items, ordered by the key (checked as the body).
        let (func, body) = match (func, key) {
            (AggFunc::Sort, Some(k)) if body.is_none() => (AggFunc::SortBy, Some(k)),
            (_, Some(k)) => {
                let n = &name.node;
                self.report(
                    Diagnostic::error(
                        codes::BAD_ARGUMENTS,
                        msg!("`by` 只用于 sort(x in 列表 by 键)", "`by` belongs to sort(x in list by key) only"),
                    )
                    .at(k.span)
                    .help(msg!("`{n}` 不按键排序", "`{n}` does not order by a key")),
                );
                (func, body)
            }
            (f, None) => (f, body),
        };
        let elem = list.ty.element().unwrap_or(Type::Error);
        let ty = match func {
            AggFunc::List => Type::List(std::sync::Arc::new(body.as_ref().map_or(elem, |b| b.ty.clone()))),
            AggFunc::Sort | AggFunc::SortBy => {
                let sorted = body.as_ref().map_or(&elem, |b| &b.ty);
                let ordered = sorted.is_numeric()
                    || matches!(
                        sorted,
                        Type::Text
                            | Type::Date
                            | Type::DateTime
                            | Type::Duration
                            | Type::Period
                            | Type::Time
                            | Type::Error
                    );
                if !ordered {
                    self.report(
                        Diagnostic::error(
                            codes::BAD_ARGUMENTS,
                            msg!("{sorted} 没有先后之分，不能排序", "{sorted} values have no order to sort by"),
                        )
                        .at(span)
                        .help(Msg::new(
                            "按字段排序：sort(x in items by x.price)",
                            "sort by a field: sort(x in items by x.price)",
                        )),
                    );
                }
                if func == AggFunc::SortBy {
                    Type::List(std::sync::Arc::new(elem))
                } else {
                    Type::List(std::sync::Arc::new(sorted.clone()))
                }
            }
            _ => self.aggregate_type(func, body.as_ref(), &name.node, span),
        };
        let body_missing = body.as_ref().is_some_and(|b| b.missing);
        let mut out = TExpr::new(
            TKind::Aggregate {
                func,
                body: body.map(Box::new),
                list: Box::new(list),
                filter: filter.map(Box::new),
                item: item_index,
            },
            ty,
            span,
        );
        out.missing = match func {
            AggFunc::Count | AggFunc::List => false,
            // A missing key or value leaves the order unknown.
            AggFunc::Sort | AggFunc::SortBy => body_missing,
            AggFunc::Min | AggFunc::Max => true,
            AggFunc::Sum | AggFunc::Any | AggFunc::All => body_missing,
        };
        out
    }

    fn aggregate_type(&mut self, func: AggFunc, body: Option<&TExpr>, name: &str, span: Span) -> Type {
        let ordered = |t: &Type| t.is_numeric() || matches!(t, Type::Date | Type::DateTime | Type::Duration);
        let problem = match (func, body) {
            (AggFunc::Count, None) => return Type::Int,
            (AggFunc::List | AggFunc::Sort | AggFunc::SortBy, _) => return Type::Error,
            (AggFunc::Count, Some(_)) => Msg::new(
                "count 只数个数：`count(x in xs where 条件)`",
                "count only counts: `count(x in xs where condition)`",
            ),
            (_, None) => msg!(
                "{name} 需要一个值：`{name}(x.amount for x in xs)`",
                "{name} needs a value: `{name}(x.amount for x in xs)`"
            ),
            (_, Some(b)) if b.ty == Type::Error => return Type::Error,
            (AggFunc::Sum, Some(b)) if b.ty.is_numeric() || b.ty == Type::Duration => return b.ty.clone(),
            (AggFunc::Min | AggFunc::Max, Some(b)) if ordered(&b.ty) => return b.ty.clone(),
            (AggFunc::Any | AggFunc::All, Some(b)) if b.ty == Type::Bool => return Type::Bool,
            (AggFunc::Sum, Some(b)) => {
                let t = &b.ty;
                msg!("sum 加的是数字或时长，这里是 {t}", "sum adds numbers or durations, this is {t}")
            }
            (AggFunc::Min | AggFunc::Max, Some(b)) => {
                let t = &b.ty;
                msg!("{t} 没有大小之分", "{t} values are not ordered")
            }
            (AggFunc::Any | AggFunc::All, Some(b)) => {
                let t = &b.ty;
                msg!("{name} 的值应为 bool，这里是 {t}", "the values of {name} must be bools, this is {t}")
            }
        };
        self.report(
            Diagnostic::error(codes::BAD_ARGUMENTS, msg!("`{name}` 的参数不对", "wrong arguments for `{name}`"))
                .at(span)
                .help(problem),
        );
        Type::Error
    }

    /// The type of a list's items; a diagnostic when it is not a list.
    fn element(&mut self, list: &TExpr) -> Type {
        match list.ty.element() {
            Some(t) => t,
            None => {
                let ty = &list.ty;
                self.report(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        msg!("这里应为列表，却是 {ty}", "a list is needed here, this is {ty}"),
                    )
                    .at(list.span),
                );
                Type::Error
            }
        }
    }

    /// Checks `for each` clauses, leaving one local per clause in the frame (the caller
    /// removes them).
    pub(super) fn for_clauses(&mut self, clauses: &[ForClause]) -> Vec<ForDef> {
        clauses
            .iter()
            .map(|c| {
                let list = self.expr(&c.list);
                let elem = self.element(&list);
                let id_field = match &elem {
                    Type::Record(r) => r
                        .field("id")
                        .filter(|(_, f)| matches!(f.ty, Type::Text | Type::Int | Type::Enum(_)))
                        .map(|(i, _)| i),
                    _ => None,
                };
                self.locals.push(Local { name: c.var.node.clone(), ty: elem, missing: false });
                let filter = c.filter.as_ref().map(|f| self.condition(f, "where 条件", "a `where` condition"));
                ForDef { list, filter, id_field }
            })
            .collect()
    }

    /// `ensure [for each …] condition otherwise "message"`.
    pub(super) fn ensure(&mut self, e: &EnsureDecl, span: Span) -> Option<EnsureDef> {
        let depth = self.locals.len();
        self.raw_inputs = true;
        let each = self.for_clauses(&e.each);
        let cond = self.condition(&e.cond, "ensure 条件", "an `ensure` condition");
        let message = self.message(&e.message);
        self.raw_inputs = false;
        self.locals.truncate(depth);
        if let Some(bad) = computed_read(&cond).or_else(|| each.iter().find_map(|f| computed_read(&f.list))) {
            self.report(
                Diagnostic::error(
                    codes::ENSURE_READS_VALUES,
                    Msg::new(
                        "ensure 在评估之前检查事实，只能读取事实、常量、now 和表格",
                        "ensures check the facts before evaluation: they read facts, consts, now and tables only",
                    ),
                )
                .at(bad)
                .help(Msg::new("把条件改为直接读取事实", "test the facts directly")),
            );
        }
        let path = self.first_path(&cond);
        Some(EnsureDef { each, cond, message, path, span })
    }

    /// The first fact path a condition reads, as (local it starts from, field names).
    fn first_path(&self, e: &TExpr) -> Option<(Option<usize>, Vec<String>)> {
        fn chain(e: &TExpr, inputs: &crate::lang::RecordType) -> Option<(Option<usize>, Vec<String>)> {
            match &e.kind {
                TKind::Local(i) => Some((Some(*i), Vec::new())),
                TKind::Input(i) => Some((None, vec![inputs.fields.get(*i)?.name.clone()])),
                TKind::Field(base, i) => {
                    let (root, mut names) = chain(base, inputs)?;
                    let Type::Record(r) = &base.ty else { return None };
                    names.push(r.fields.get(*i)?.name.clone());
                    Some((root, names))
                }
                _ => None,
            }
        }
        if matches!(e.kind, TKind::Field(..)) {
            return chain(e, &self.inputs);
        }
        e.kind.children().into_iter().find_map(|c| self.first_path(c))
    }
}

/// Where an expression reads a computed value (a let, the decision, a ledger total).
fn computed_read(e: &TExpr) -> Option<Span> {
    match &e.kind {
        TKind::Derived(_) | TKind::Decision | TKind::LedgerTotal(_) => Some(e.span),
        _ => e.kind.children().into_iter().find_map(computed_read),
    }
}
