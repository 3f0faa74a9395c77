//! Consts, lets, outputs, per-item values and tables, each checked once, after what it
//! reads.

use std::sync::Arc;

use super::hir::{ConstDef, DerivedDef, TExpr, TKind};
use super::{Checker, DerivedSource, Info, Local, Symbol};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::{Field, RecordType, Type};
use crate::syntax::ast::EachDecl;

impl Checker<'_> {
    #[expect(
        clippy::indexing_slicing,
        reason = "`i` is a symbol the checker made from this declaration's position in the vector it indexes (`declare` pushes the declaration and its placeholder together)"
    )]
    pub(super) fn check_const(&mut self, i: usize) {
        let decl = self.const_decls[i];
        let expr = self.expr(&decl.value);
        if !expr.constant && expr.ty != Type::Error {
            let name = &decl.name.node;
            self.report(
                Diagnostic::error(
                    codes::CONST_NOT_CONSTANT,
                    msg!("常量 `{name}` 依赖事实或计算值", "const `{name}` depends on facts or computed values"),
                )
                .at(decl.value.span)
                .help(Msg::new(
                    "常量在加载策略时就确定；需要读事实时改用 `let`",
                    "a const is fixed when the policy loads; use `let` for values computed from facts",
                )),
            );
        }
        self.infos.insert(Symbol::Const(i), Info { ty: expr.ty.clone(), missing: expr.missing, settled: false });
        self.consts[i] = Some(ConstDef { name: decl.name.node.clone(), expr });
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "`i` is a symbol the checker made from this declaration's position in the vector it indexes (`declare` pushes the declaration and its placeholder together)"
    )]
    pub(super) fn check_derived(&mut self, i: usize) {
        let def = match self.derived_decls[i] {
            DerivedSource::Value(decl, exported) => {
                let expr = self.expr(&decl.value);
                let guard = decl.guard.as_ref().map(|g| self.condition(g, "when 条件", "a `when` condition"));
                let settled = expr.settled || guard.as_ref().is_some_and(|g| g.settled);
                let missing = expr.missing || guard.is_some();
                let ty = expr.ty.clone();
                self.infos.insert(Symbol::Derived(i), Info { ty: ty.clone(), missing, settled });
                DerivedDef { name: decl.name.node.clone(), expr, guard, ty, exported, settled }
            }
            DerivedSource::Each(each, input) => self.each(i, each, input),
        };
        self.derived[i] = Some(def);
    }

    /// `for each x in xs { let a = …; let b = … }`: the list of `xs`'s records, each
    /// with `a` and `b` appended.
    fn each(&mut self, i: usize, each: &EachDecl, input: usize) -> DerivedDef {
        let (name, list_ty) = match self.inputs.fields.get(input) {
            Some(field) => (field.name.clone(), field.ty.clone()),
            None => (String::new(), Type::Error),
        };
        let record = match &list_ty {
            Type::List(t) => match &**t {
                Type::Record(r) => (**r).clone(),
                _ => RecordType::default(),
            },
            _ => RecordType::default(),
        };
        let span = each.clause.list.span;
        let list =
            TExpr { kind: TKind::Input(input), ty: list_ty, span, missing: false, constant: false, settled: false };
        let item =
            Local { name: each.clause.var.node.clone(), ty: Type::Record(Arc::new(record.clone())), missing: false };
        let outer = self.block_item.replace(self.locals.len());
        let (lets, extended) = self.with_locals(vec![item], |this| {
            let mut lets = Vec::new();
            let mut extended = record.clone();
            for decl in &each.lets {
                let value = this.expr(&decl.value);
                let guard = decl.guard.as_ref().map(|g| this.condition(g, "when 条件", "a `when` condition"));
                let fname = decl.name.node.clone();
                if extended.field(&fname).is_some() {
                    this.report(
                        Diagnostic::error(
                            codes::DUPLICATE_FIELD,
                            msg!("`{fname}` 已经是这个记录的字段", "`{fname}` is already a field of this record"),
                        )
                        .at(decl.name.span)
                        .help(Msg::new("给这个值换个名字", "give this value another name")),
                    );
                }
                let missing = value.missing || guard.is_some();
                extended.fields.push(Field {
                    name: fname.clone(),
                    ty: value.ty.clone(),
                    optional: missing,
                    check: None,
                });
                this.locals.push(Local { name: fname, ty: value.ty.clone(), missing });
                lets.push((value, guard));
            }
            (lets, extended)
        });
        self.block_item = outer;
        if let Some(filter) = &each.clause.filter {
            self.report(
                Diagnostic::error(
                    codes::EACH_WHERE,
                    Msg::new("for each 块不能带 where", "a `for each` block takes no `where`"),
                )
                .at(filter.span)
                .help(Msg::new(
                    "块为每一项计算值；要筛选，在使用处写 where",
                    "the block computes values for every item; filter where they are used",
                )),
            );
        }
        let ty = Type::List(Arc::new(Type::Record(Arc::new(extended))));
        let mut expr = TExpr::new(TKind::Extend { list: Box::new(list), lets }, ty.clone(), span);
        expr.missing = false;
        let settled = expr.settled;
        self.infos.insert(Symbol::Derived(i), Info { ty: ty.clone(), missing: false, settled });
        DerivedDef { name, expr, guard: None, ty, exported: false, settled }
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "`i` is a symbol the checker made from this declaration's position in the vector it indexes (`declare` pushes the declaration and its placeholder together)"
    )]
    pub(super) fn check_table(&mut self, i: usize) {
        let (decl, span) = self.table_decls[i];
        let def = self.table(decl, span);
        self.tables[i] = Some(def);
    }

    /// Checks a condition (a `when`, `where` or guard): it must be a bool.
    pub(crate) fn condition(&mut self, e: &crate::syntax::ast::Expr, what_zh: &str, what_en: &str) -> TExpr {
        let e = self.expr(e);
        self.expect_bool(&e, what_zh, what_en);
        e
    }

    /// Reports a non-boolean condition.
    pub(crate) fn expect_bool(&mut self, e: &TExpr, what_zh: &str, what_en: &str) {
        if !Type::Bool.fits(&e.ty) && e.ty != Type::Error {
            let ty = &e.ty;
            self.report(
                Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    msg!("{what_zh}应为 bool，这里是 {ty}", "{what_en} must be a bool, this is {ty}"),
                )
                .at(e.span)
                .help(Msg::new(
                    "写一个比较，例如 `x == \"a\"` 或 `n > 0`",
                    "write a comparison such as `x == \"a\"` or `n > 0`",
                )),
            );
        }
    }
}
