//! Decision tables: parameters, cells, results, hit policies and overlapping rows.

use super::hir::{CellDef, RowDef, TExpr, TableDef};
use super::{Checker, Local, ops, overlap};
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::Type;
use crate::lang::{Aggregate, CmpOp, HitPolicy};
use crate::msg;
use crate::source::Span;
use crate::syntax::ast::{CellKind, TableDecl};

impl Checker<'_> {
    pub(super) fn table(&mut self, t: &TableDecl, span: Span) -> TableDef {
        let params: Vec<(String, Type)> = t.params.iter().map(|p| (p.name.node.clone(), self.type_of(&p.ty))).collect();
        for (i, p) in t.params.iter().enumerate() {
            if t.params.iter().take(i).any(|q| q.name.node == p.name.node) {
                let n = &p.name.node;
                self.report(
                    Diagnostic::error("duplicate-name", msg!("参数 `{n}` 重复", "parameter `{n}` is repeated"))
                        .at(p.name.span),
                );
            }
        }
        let result = self.type_of(&t.result);
        self.check_hit(t.hit.node, &result, t.hit.span);
        // A table's rows see its parameters and nothing else local.
        let outer = std::mem::replace(
            &mut self.locals,
            params.iter().map(|(name, ty)| Local { name: name.clone(), ty: ty.clone(), missing: true }).collect(),
        );
        let outer_block = self.block_item.take();
        let rows: Vec<RowDef> = t.rows.iter().map(|row| self.row(row, &params, &result)).collect();
        self.locals = outer;
        self.block_item = outer_block;
        if t.rows.is_empty() {
            let n = &t.name.node;
            self.report(
                Diagnostic::warning("empty-table", msg!("表格 `{n}` 没有行", "table `{n}` has no rows"))
                    .at(t.name.span)
                    .help(Msg::new("没有行的表格永远没有结果", "a table without rows never gives a result")),
            );
        }
        let def = TableDef { name: t.name.node.clone(), params, result, hit: t.hit.node, rows, span };
        self.overlaps(&def);
        def
    }

    fn check_hit(&mut self, hit: HitPolicy, result: &Type, span: Span) {
        let ok = match hit {
            HitPolicy::Collect(Some(Aggregate::Sum)) => result.is_numeric() || *result == Type::Duration,
            HitPolicy::Collect(Some(Aggregate::Min | Aggregate::Max)) => {
                result.is_numeric() || matches!(result, Type::Date | Type::DateTime | Type::Duration)
            }
            _ => true,
        };
        if !ok {
            self.report(
                Diagnostic::error(
                    "bad-hit-policy",
                    msg!("{result} 类型的结果不能这样汇总", "results of type {result} cannot be aggregated this way"),
                )
                .at(span)
                .help(Msg::new(
                    "sum 用于数字或时长，min/max 用于可比较大小的值",
                    "sum takes numbers or durations, min/max ordered values",
                )),
            );
        }
    }

    fn row(&mut self, row: &crate::syntax::ast::Row, params: &[(String, Type)], result: &Type) -> RowDef {
        if row.cells.len() != params.len() {
            let (want, got) = (params.len(), row.cells.len());
            self.report(
                Diagnostic::error(
                    "row-width",
                    msg!(
                        "这一行有 {got} 个条件，表格有 {want} 个参数",
                        "this row has {got} condition(s) for {want} parameter(s)"
                    ),
                )
                .at(row.span)
                .help(Msg::new(
                    "每个参数写一个条件，不限制的写 `_`",
                    "write one condition per parameter; `_` accepts anything",
                )),
            );
        }
        let cells = row.cells.iter().zip(params.iter()).map(|(cell, (name, ty))| self.cell(cell, name, ty)).collect();
        let value = self.expr(&row.result);
        if !value.ty.fits(result) {
            let got = &value.ty;
            self.report(
                Diagnostic::error(
                    "type-mismatch",
                    msg!(
                        "这一行的结果是 {got}，表格声明的是 {result}",
                        "this row gives {got}, the table declares {result}"
                    ),
                )
                .at(value.span),
            );
        }
        RowDef { cells, result: value, span: row.span }
    }

    fn cell(&mut self, cell: &crate::syntax::ast::Cell, param: &str, ty: &Type) -> CellDef {
        let check_cmp = |this: &mut Self, op: CmpOp, e: &TExpr| {
            if let Err(help) = ops::comparable(op, ty, &e.ty) {
                let (et, sym) = (&e.ty, op.symbol());
                this.report(
                    Diagnostic::error(
                        "type-mismatch",
                        msg!(
                            "参数 `{param}`（{ty}）不能用 `{sym}` 和 {et} 比较",
                            "parameter `{param}` ({ty}) cannot be compared with {et} using `{sym}`"
                        ),
                    )
                    .at(e.span)
                    .help(help),
                );
            } else {
                this.enum_literal_in(ty, param, e);
            }
        };
        match &cell.node {
            CellKind::Any => CellDef::Any,
            CellKind::Eq(e) | CellKind::Cmp(_, e) => {
                let op = if let CellKind::Cmp(op, _) = &cell.node { *op } else { CmpOp::Eq };
                let e = self.expr(e);
                check_cmp(self, op, &e);
                CellDef::Cmp(op, e)
            }
            CellKind::In(e) | CellKind::NotIn(e) => {
                let e = self.expr(e);
                match e.ty.element() {
                    Some(elem) => {
                        if let Err(help) = ops::comparable(CmpOp::Eq, ty, &elem) {
                            self.report(
                                Diagnostic::error(
                                    "type-mismatch",
                                    msg!(
                                        "参数 `{param}`（{ty}）不能在 list<{elem}> 中查找",
                                        "parameter `{param}` ({ty}) cannot be looked up in a list<{elem}>"
                                    ),
                                )
                                .at(e.span)
                                .help(help),
                            );
                        } else {
                            self.enum_literal_in(ty, param, &e);
                        }
                    }
                    None => {
                        let et = &e.ty;
                        self.report(
                            Diagnostic::error(
                                "type-mismatch",
                                msg!("`in` 后面应为列表，这里是 {et}", "`in` needs a list, this is {et}"),
                            )
                            .at(e.span),
                        );
                    }
                }
                CellDef::In(e, matches!(cell.node, CellKind::NotIn(_)))
            }
        }
    }

    /// Warns about rows a `unique` table can match together, and `first`-table rows an
    /// earlier row always wins over; only where every cell is a constant.
    #[expect(clippy::indexing_slicing, reason = "`sets` has one entry per row of `t`, so `i < j < t.rows.len()`")]
    fn overlaps(&mut self, t: &TableDef) {
        let sets: Vec<Option<Vec<overlap::Set>>> = t
            .rows
            .iter()
            .map(|row| {
                row.cells.iter().zip(&t.params).map(|(c, (_, ty))| overlap::cell_set(c, ty, &self.consts)).collect()
            })
            .collect();
        for (j, row_j) in sets.iter().enumerate() {
            let Some(row_j) = row_j else { continue };
            for (i, row_i) in sets[..j].iter().enumerate() {
                let Some(row_i) = row_i else { continue };
                if row_i.len() != row_j.len() || row_j.len() != t.params.len() {
                    continue;
                }
                let (ri, rj) = (i + 1, j + 1);
                match t.hit {
                    HitPolicy::Unique if row_i.iter().zip(row_j).all(|(a, b)| overlap::intersects(a, b)) => {
                        let sample: Vec<String> = row_i
                            .iter()
                            .zip(row_j)
                            .zip(&t.params)
                            .filter_map(|((a, b), (n, _))| overlap::example(a, b).map(|v| format!("{n} = {v}")))
                            .collect();
                        let when =
                            if sample.is_empty() { String::new() } else { format!("（{}）", sample.join(", ")) };
                        let when_en =
                            if sample.is_empty() { String::new() } else { format!(" (e.g. {})", sample.join(", ")) };
                        self.report(
                            Diagnostic::warning("table-overlap", msg!("第 {ri} 行和第 {rj} 行可能同时匹配{when}", "rows {ri} and {rj} can both match{when_en}"))
                                .at(t.rows[j].span)
                                .also(t.rows[i].span, msg!("第 {ri} 行", "row {ri}"))
                                .help(Msg::new(
                                    "unique 表格同时匹配两行时评估会出错；收紧条件，或改用 `hit first`",
                                    "a unique table that matches two rows fails at evaluation; narrow the conditions or use `hit first`",
                                )),
                        );
                        break;
                    }
                    HitPolicy::First if row_i.iter().zip(row_j).all(|(a, b)| overlap::covers(a, b)) => {
                        self.report(
                            Diagnostic::warning(
                                "table-shadowed",
                                msg!("第 {rj} 行永远不会被选中", "row {rj} is never chosen"),
                            )
                            .at(t.rows[j].span)
                            .also(t.rows[i].span, msg!("第 {ri} 行总是先匹配", "row {ri} always matches first"))
                            .help(Msg::new("删除这一行，或把它移到前面", "remove the row, or move it up")),
                        );
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
}
