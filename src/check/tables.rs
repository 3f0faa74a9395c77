//! Decision tables: parameters, cells, results, hit policies and overlapping rows.

use super::hir::{CellDef, RowDef, TExpr, TKind, TableDef};
use super::{Checker, Local, ops, overlap};
use std::sync::Arc;

use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::Type;
use crate::lang::{Aggregate, CmpOp, HitPolicy};
use crate::source::Span;
use crate::syntax::ast::{CellKind, TableDecl};

impl Checker<'_> {
    pub(super) fn table(&mut self, t: &TableDecl, span: Span) -> TableDef {
        let params: Vec<(String, Type)> = t.params.iter().map(|p| (p.name.node.clone(), self.type_of(&p.ty))).collect();
        for (i, p) in t.params.iter().enumerate() {
            if t.params.iter().take(i).any(|q| q.name.node == p.name.node) {
                let n = &p.name.node;
                self.report(
                    Diagnostic::error(codes::DUPLICATE_NAME, msg!("参数 `{n}` 重复", "parameter `{n}` is repeated"))
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
        // A function's lets, in order: each sees the parameters and the lets before it.
        let mut lets = Vec::with_capacity(t.lets.len());
        for (name, e) in &t.lets {
            let value = self.expr(e);
            if self.locals.iter().any(|l| l.name == name.node) {
                let n = &name.node;
                self.report(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        msg!("`{n}` 已经是参数或前面的 let", "`{n}` is already a parameter or an earlier let"),
                    )
                    .at(name.span),
                );
            }
            self.locals.push(Local { name: name.node.clone(), ty: value.ty.clone(), missing: value.missing });
            lets.push(value);
        }
        // Rows from a CSV file are checked with its spans, and reported in it.
        let csv = t.from.as_ref().and_then(|from| self.csv_rows(from, &t.name.node, &params, &result));
        let (written, otherwise) = match &csv {
            Some(c) => (&c.rows, c.otherwise.as_ref()),
            None => (&t.rows, t.otherwise.as_ref()),
        };
        let policy_file = csv.as_ref().map(|c| std::mem::replace(&mut self.file, Arc::clone(&c.file)));
        let rows: Vec<RowDef> = written.iter().map(|row| self.row(row, &params, &result, &t.name.node)).collect();
        let otherwise = otherwise.map(|e| self.otherwise(e, t.hit.node, &result, &t.name.node));
        self.locals = outer;
        self.block_item = outer_block;
        let def = TableDef { name: t.name.node.clone(), params, result, hit: t.hit.node, rows, otherwise, lets, span };
        self.overlaps(&def, csv.as_ref().map(|c| c.lines.as_slice()));
        if let Some(file) = policy_file {
            self.file = file;
        }
        if def.rows.is_empty() && !t.function && (t.from.is_none() || csv.is_some()) {
            let n = &t.name.node;
            self.report(
                Diagnostic::warning(codes::EMPTY_TABLE, msg!("表格 `{n}` 没有行", "table `{n}` has no rows"))
                    .at(t.name.span)
                    .help(Msg::new("没有行的表格永远没有结果", "a table without rows never gives a result")),
            );
        }
        def
    }

    fn check_hit(&mut self, hit: HitPolicy, result: &Type, span: Span) {
        // Results order by an enumeration: the result's own, or a record's enumerated
        // fields in order (DMN's output values, column by column).
        let ranked = match result {
            Type::Enum(_) | Type::Error => true,
            Type::Record(r) => r.fields.iter().any(|f| matches!(f.ty, Type::Enum(_))),
            _ => false,
        };
        if matches!(hit, HitPolicy::Priority | HitPolicy::OutputOrder) && !ranked {
            let word = if hit == HitPolicy::Priority { "priority" } else { "output order" };
            self.report(
                Diagnostic::error(
                    codes::BAD_HIT_POLICY,
                    msg!("`hit {word}` 按结果枚举值的先后排序，结果却是 {result}", "`hit {word}` orders results by the result enumeration's values, but the result is {result}"),
                )
                .at(span)
                .help(Msg::new(
                    "把结果类型写成枚举，先写优先的值：`-> \"拒绝\" | \"人工审核\" | \"批准\"`",
                    "declare the result as an enumeration, the first value first: `-> \"Declined\" | \"Referred\" | \"Approved\"`",
                )),
            );
        }
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
                    codes::BAD_HIT_POLICY,
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

    fn row(&mut self, row: &crate::syntax::ast::Row, params: &[(String, Type)], result: &Type, table: &str) -> RowDef {
        if row.cells.len() != params.len() {
            let (want, got) = (params.len(), row.cells.len());
            self.report(
                Diagnostic::error(
                    codes::ROW_WIDTH,
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
        let value = self.coerce(value, result, table);
        self.result_fits(&value, result, "这一行的结果", "this row gives");
        RowDef { cells, result: value, span: row.span }
    }

    /// `otherwise => e`: the table's result when no row matches — of the result type, or
    /// for an aggregate, of the aggregate's; a list-giving table gives `[e]`.
    fn otherwise(&mut self, e: &crate::syntax::ast::Expr, hit: HitPolicy, result: &Type, table: &str) -> TExpr {
        let want = match hit {
            HitPolicy::Collect(Some(Aggregate::Count)) => Type::Int,
            _ => result.clone(),
        };
        let value = self.expr(e);
        let value = self.coerce(value, &want, table);
        self.result_fits(&value, &want, "otherwise 的结果", "`otherwise` gives");
        value
    }

    fn result_fits(&mut self, value: &TExpr, want: &Type, zh: &str, en: &str) {
        if !value.ty.fits(want) {
            let got = &value.ty;
            self.report(
                Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    msg!("{zh}是 {got}，表格声明的是 {want}", "{en} {got}, the table declares {want}"),
                )
                .at(value.span),
            );
        }
    }

    fn cell(&mut self, cell: &crate::syntax::ast::Cell, param: &str, ty: &Type) -> CellDef {
        let check_cmp = |this: &mut Self, op: CmpOp, e: &TExpr| {
            if let Err(help) = ops::comparable(op, ty, &e.ty) {
                let (et, sym) = (&e.ty, op.symbol());
                this.report(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
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
            CellKind::Range(r) => {
                let (lo, hi) = (self.expr(&r.lo), self.expr(&r.hi));
                check_cmp(self, CmpOp::Ge, &lo);
                check_cmp(self, CmpOp::Le, &hi);
                CellDef::Range(lo, r.lo_closed, hi, r.hi_closed)
            }
            CellKind::AnyOf(tests) => CellDef::AnyOf(tests.iter().map(|t| self.cell(t, param, ty)).collect()),
            CellKind::Not(tests) => CellDef::Not(tests.iter().map(|t| self.cell(t, param, ty)).collect()),
            CellKind::In(e) | CellKind::NotIn(e) => {
                let e = self.expr(e);
                match e.ty.element() {
                    Some(elem) => {
                        if let Err(help) = ops::comparable(CmpOp::Eq, ty, &elem) {
                            self.report(
                                Diagnostic::error(
                                    codes::TYPE_MISMATCH,
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
                                codes::TYPE_MISMATCH,
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

    /// Warns about rows a `unique` table can match together (each row names every earlier
    /// row it can meet), rows of an `any` table that can meet with different constant
    /// results, and `first`-table rows an earlier row always wins over; only where every
    /// cell is a constant.
    #[expect(clippy::indexing_slicing, reason = "`sets` has one entry per row of `t`, so `i < j < t.rows.len()`")]
    ///
    /// A table read from a CSV file names its rows by their lines in the file.
    fn overlaps(&mut self, t: &TableDef, lines: Option<&[u64]>) {
        let number =
            |i: usize| lines.map_or(i + 1, |l| l.get(i).map_or(i + 1, |n| usize::try_from(*n).unwrap_or(i + 1)));
        let (one, many) = if lines.is_some() { ("line", "lines") } else { ("row", "rows") };
        let sets: Vec<Option<Vec<overlap::Set>>> = t
            .rows
            .iter()
            .map(|row| {
                row.cells.iter().zip(&t.params).map(|(c, (_, ty))| overlap::cell_set(c, ty, &self.consts)).collect()
            })
            .collect();
        let meet = |a: &[overlap::Set], b: &[overlap::Set]| {
            a.len() == b.len() && b.len() == t.params.len() && a.iter().zip(b).all(|(x, y)| overlap::intersects(x, y))
        };
        let sample = |a: &[overlap::Set], b: &[overlap::Set]| -> Vec<String> {
            a.iter()
                .zip(b)
                .zip(&t.params)
                .filter_map(|((x, y), (n, _))| overlap::example(x, y).map(|v| format!("{n} = {v}")))
                .collect()
        };
        // The earlier rows each row may meet, from a sweep of the narrowest column (about
        // n log n where the pairwise check was n²); each is then checked as before.
        let columns = t.params.len();
        let known: Vec<(usize, &[overlap::Set])> = sets
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.as_deref().filter(|s| s.len() == columns && s.iter().all(|x| !x.is_empty())).map(|s| (i, s))
            })
            .collect();
        let mut earlier_of: Vec<Vec<usize>> = vec![Vec::new(); sets.len()];
        for (i, j) in overlap::candidate_pairs(&known, columns) {
            if let Some(list) = earlier_of.get_mut(j) {
                list.push(i);
            }
        }
        let (mut listed, mut unlisted) = (0usize, 0usize);
        for (j, row_j) in sets.iter().enumerate() {
            let Some(row_j) = row_j else { continue };
            let rj = number(j);
            // A row that accepts nothing in some column is never in a sweep: every earlier
            // row is its candidate (it is shadowed by any that covers the rest).
            let candidates: Vec<usize> =
                if row_j.iter().any(overlap::Set::is_empty) { (0..j).collect() } else { earlier_of[j].clone() };
            match t.hit {
                HitPolicy::Unique | HitPolicy::Any => {
                    let differs = |i: usize| match (&t.rows[i].result.kind, &t.rows[j].result.kind) {
                        (TKind::Lit(a), TKind::Lit(b)) => a != b,
                        _ => false,
                    };
                    let earlier: Vec<usize> = candidates
                        .iter()
                        .copied()
                        .filter(|i| {
                            sets[*i].as_ref().is_some_and(|s| meet(s, row_j))
                                && (t.hit == HitPolicy::Unique || differs(*i))
                        })
                        .collect();
                    let Some(&first) = earlier.first() else { continue };
                    if listed == MAX_LISTED {
                        unlisted += 1;
                        continue;
                    }
                    listed += 1;
                    let example = sets[first].as_ref().map(|s| sample(s, row_j)).unwrap_or_default();
                    let when = if example.is_empty() { String::new() } else { format!("（{}）", example.join(", ")) };
                    let when_en =
                        if example.is_empty() { String::new() } else { format!(" (e.g. {})", example.join(", ")) };
                    // At most ten earlier rows are named, and pointed at.
                    let mut rows =
                        earlier.iter().take(10).map(|i| number(*i).to_string()).collect::<Vec<_>>().join(", ");
                    if earlier.len() > 10 {
                        rows.push_str(&format!(" … ({})", earlier.len()));
                    }
                    let (zh, en) = if t.hit == HitPolicy::Unique {
                        (
                            "unique 表格同时匹配两行时评估会出错；收紧条件，或改用 `hit first` / `hit any`",
                            "a unique table that matches two rows fails at evaluation; narrow the conditions or use `hit first` / `hit any`",
                        )
                    } else {
                        (
                            "any 表格匹配的行结果不同时评估会出错；让结果一致，或收紧条件",
                            "an any table whose matching rows disagree fails at evaluation; make the results agree or narrow the conditions",
                        )
                    };
                    let message = if let [i] = earlier[..] {
                        let ri = number(i);
                        msg!("第 {ri} 行和第 {rj} 行可能同时匹配{when}", "{many} {ri} and {rj} can both match{when_en}")
                    } else {
                        msg!(
                            "第 {rj} 行可能与第 {rows} 行同时匹配{when}",
                            "{one} {rj} can match together with {many} {rows}{when_en}"
                        )
                    };
                    let mut d =
                        Diagnostic::warning(codes::TABLE_OVERLAP, message).at(t.rows[j].span).help(Msg::new(zh, en));
                    for i in earlier.iter().take(10) {
                        let ri = number(*i);
                        d = d.also(t.rows[*i].span, msg!("第 {ri} 行", "{one} {ri}"));
                    }
                    self.report(d);
                }
                HitPolicy::First => {
                    let shadow = candidates.iter().copied().find(|i| {
                        sets[*i].as_ref().is_some_and(|s| {
                            s.len() == row_j.len() && s.iter().zip(row_j).all(|(a, b)| overlap::covers(a, b))
                        })
                    });
                    if let Some(i) = shadow {
                        if listed == MAX_LISTED {
                            unlisted += 1;
                            continue;
                        }
                        listed += 1;
                        let ri = number(i);
                        self.report(
                            Diagnostic::warning(
                                codes::TABLE_SHADOWED,
                                msg!("第 {rj} 行永远不会被选中", "{one} {rj} is never chosen"),
                            )
                            .at(t.rows[j].span)
                            .also(t.rows[i].span, msg!("第 {ri} 行总是先匹配", "{one} {ri} always matches first"))
                            .help(Msg::new("删除这一行，或把它移到前面", "remove the row, or move it up")),
                        );
                    }
                }
                _ => {}
            }
        }
        if unlisted > 0 {
            // At the table's declaration, in the policy (its rows may be in a CSV file).
            self.diags.push(
                Diagnostic::warning(
                    if t.hit == HitPolicy::First { codes::TABLE_SHADOWED } else { codes::TABLE_OVERLAP },
                    msg!(
                        "表格还有 {unlisted} 行有同样的问题，未逐一列出（每个表格最多列出 {MAX_LISTED} 行）",
                        "{unlisted} more rows of the table have the same problem, not listed (at most {MAX_LISTED} are, per table)"
                    ),
                )
                .at(t.span)
                .in_file(self.policy_file),
            );
        }
    }
}

/// How many rows' overlap or shadowing warnings one table lists; the rest are counted.
const MAX_LISTED: usize = 50;
