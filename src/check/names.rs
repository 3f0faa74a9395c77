//! The order in which named values are checked: every value after what it reads, with
//! cycles reported instead of followed.

use std::collections::HashSet;

use super::{Checker, DerivedSource, Symbol};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::syntax::ast::{Expr, ExprKind, TextPart};

impl Checker<'_> {
    /// Consts, values and tables in dependency order (those in a cycle are left out,
    /// after one diagnostic per cycle).
    #[expect(
        clippy::indexing_slicing,
        reason = "every index is a position in `nodes` (from `0..nodes.len()` or `positions`), and `mark` and `edges` have one entry per node; `from` is a position in `stack`"
    )]
    pub(super) fn dependency_order(&mut self) -> Vec<Symbol> {
        let nodes: Vec<Symbol> = (0..self.const_decls.len())
            .map(Symbol::Const)
            .chain((0..self.derived_decls.len()).map(Symbol::Derived))
            .chain((0..self.table_decls.len()).map(Symbol::Table))
            .collect();
        let edges: Vec<Vec<Symbol>> = nodes.iter().map(|n| self.reads(*n)).collect();
        let positions: std::collections::HashMap<Symbol, usize> =
            nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let index = |s: Symbol| positions.get(&s).copied();

        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let mut mark = vec![Mark::New; nodes.len()];
        let mut order = Vec::new();
        let mut in_cycle: HashSet<usize> = HashSet::new();
        for start in 0..nodes.len() {
            if mark[start] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (node, next edge to follow).
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            mark[start] = Mark::Open;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&target) = edges[node].get(*next) {
                    *next += 1;
                    let Some(t) = index(target) else { continue };
                    match mark[t] {
                        Mark::New => {
                            mark[t] = Mark::Open;
                            stack.push((t, 0));
                        }
                        Mark::Open => {
                            let from = stack.iter().position(|(n, _)| *n == t).unwrap_or(0);
                            let cycle: Vec<usize> = stack[from..].iter().map(|(n, _)| *n).collect();
                            if cycle.iter().all(|n| !in_cycle.contains(n)) {
                                self.report_cycle(&cycle.iter().map(|n| nodes[*n]).collect::<Vec<_>>());
                            }
                            // Its members are used (by each other); the cycle is the problem.
                            self.used.extend(cycle.iter().map(|n| nodes[*n]));
                            in_cycle.extend(cycle);
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    stack.pop();
                    order.push(node);
                }
            }
        }
        order.into_iter().filter(|n| !in_cycle.contains(n)).map(|n| nodes[n]).collect()
    }

    fn report_cycle(&mut self, cycle: &[Symbol]) {
        let names: Vec<String> = cycle.iter().map(|s| self.symbol_name(*s)).collect();
        let Some(first) = names.first().cloned() else { return };
        let mut path = names.join(" → ");
        path.push_str(" → ");
        path.push_str(&first);
        let span = self.names.get(&first).map(|(_, s)| *s).unwrap_or_default();
        self.report(
            Diagnostic::error(
                codes::CYCLE,
                msg!("`{first}` 依赖它自己：{path}", "`{first}` depends on itself: {path}"),
            )
            .at(span)
            .help(Msg::new(
                "策略不能递归；把其中一环改为直接计算",
                "policies cannot recurse; compute one link of the chain directly",
            )),
        );
    }

    fn symbol_name(&self, symbol: Symbol) -> String {
        self.names.iter().find(|(_, (s, _))| *s == symbol).map(|(n, _)| n.clone()).unwrap_or_default()
    }

    /// The consts, values and tables a declaration mentions.
    fn reads(&self, symbol: Symbol) -> Vec<Symbol> {
        let mut names: Vec<&str> = Vec::new();
        let mut locals: Vec<&str> = Vec::new();
        match symbol {
            Symbol::Const(i) => {
                if let Some(decl) = self.const_decls.get(i) {
                    collect(&decl.value, &mut names);
                }
            }
            Symbol::Derived(i) => match self.derived_decls.get(i).copied() {
                None => {}
                Some(DerivedSource::Value(decl, _)) => {
                    collect(&decl.value, &mut names);
                    if let Some(g) = &decl.guard {
                        collect(g, &mut names);
                    }
                }
                Some(DerivedSource::Each(each, _)) => {
                    locals.push(each.clause.var.node.as_str());
                    for decl in &each.lets {
                        collect(&decl.value, &mut names);
                        if let Some(g) = &decl.guard {
                            collect(g, &mut names);
                        }
                        locals.push(decl.name.node.as_str());
                    }
                }
            },
            Symbol::Table(i) => {
                let Some(&(table, _)) = self.table_decls.get(i) else { return Vec::new() };
                locals.extend(table.params.iter().map(|p| p.name.node.as_str()));
                for (name, e) in &table.lets {
                    collect(e, &mut names);
                    locals.push(name.node.as_str());
                }
                for row in &table.rows {
                    for e in row.cells.iter().flat_map(|c| c.node.exprs()) {
                        collect(e, &mut names);
                    }
                    collect(&row.result, &mut names);
                }
                if let Some(e) = &table.otherwise {
                    collect(e, &mut names);
                }
            }
            Symbol::Input(_) | Symbol::Ledger(_) | Symbol::Calendar(_) => {}
        }
        let mut out: Vec<Symbol> = Vec::new();
        for name in names {
            if locals.contains(&name) {
                continue;
            }
            if let Some((s, _)) = self.names.get(name)
                && matches!(s, Symbol::Const(_) | Symbol::Derived(_) | Symbol::Table(_))
                && !out.contains(s)
            {
                out.push(*s);
            }
        }
        out
    }
}

/// Every name an expression mentions (values and called functions).
fn collect<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match &e.node {
        ExprKind::Name(n) => out.push(n),
        ExprKind::Call(name, args) => {
            out.push(&name.node);
            args.iter().for_each(|a| collect(a, out));
        }
        ExprKind::Member(base, _) => collect(base, out),
        ExprKind::Aggregate(_, c) => {
            collect(&c.list, out);
            // The item's name is local to the aggregate.
            let mut inner = Vec::new();
            for e in c.body.iter().chain(c.filter.iter()) {
                collect(e, &mut inner);
            }
            out.extend(inner.into_iter().filter(|n| *n != c.var.node));
        }
        ExprKind::List(items) => items.iter().for_each(|a| collect(a, out)),
        ExprKind::Record(entries) => entries.iter().for_each(|(_, v)| collect(v, out)),
        ExprKind::Unary(_, x) | ExprKind::IsMissing(x, _) | ExprKind::Paren(x) => collect(x, out),
        ExprKind::Binary(_, a, b) => {
            collect(a, out);
            collect(b, out);
        }
        ExprKind::If(c, a, b) => {
            collect(c, out);
            collect(a, out);
            collect(b, out);
        }
        ExprKind::Text(parts) => {
            for p in parts {
                if let TextPart::Expr(x) = p {
                    collect(x, out);
                }
            }
        }
        ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Percent(_)
        | ExprKind::Duration(..)
        | ExprKind::Date(_)
        | ExprKind::DateTime(_)
        | ExprKind::Bool(_)
        | ExprKind::Missing
        | ExprKind::Months(_)
        | ExprKind::Time(_)
        | ExprKind::Error => {}
    }
}
