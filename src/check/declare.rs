//! One namespace for inputs, consts, values, tables, ledgers and calendars; unused
//! declarations.

use std::sync::Arc;

use super::hir::LedgerDef;
use super::{Checker, DerivedSource, Symbol, builtins};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::{RecordType, Type};
use crate::source::Span;
use crate::syntax::ast::{DeclKind, EachDecl, ExprKind, PolicyFile};

impl<'a> Checker<'a> {
    /// Registers inputs, consts, lets, outputs, tables and ledgers in one namespace.
    pub(super) fn declare(&mut self, ast: &'a PolicyFile) {
        let mut inputs = RecordType::default();
        for decl in &ast.decls {
            match &decl.node {
                DeclKind::Input(fields) => {
                    for f in fields {
                        if crate::syntax::keywords::is_reserved(&f.name.node) {
                            let name = &f.name.node;
                            self.report(
                                Diagnostic::error(
                                    codes::KEYWORD_AS_NAME,
                                    msg!(
                                        "`{name}` 是关键字，不能作为顶层输入的名字",
                                        "`{name}` is a keyword and cannot name a top-level input"
                                    ),
                                )
                                .at(f.name.span)
                                .help(Msg::new(
                                    "换一个名字，或把它放进一个记录里：`meta: {{ version: text }}`",
                                    "rename it, or nest it in a record: `meta: {{ version: text }}`",
                                )),
                            );
                            continue;
                        }
                        let field = self.field(f);
                        if self.claim(&field.name, Symbol::Input(inputs.fields.len()), f.name.span) {
                            inputs.fields.push(field);
                            self.input_spans.push(f.name.span);
                        }
                    }
                }
                DeclKind::Const(v) if self.claim(&v.name.node, Symbol::Const(self.const_decls.len()), v.name.span) => {
                    self.const_decls.push(v);
                }
                DeclKind::Let(v) | DeclKind::Output(v) => {
                    let exported = matches!(decl.node, DeclKind::Output(_));
                    if self.claim(&v.name.node, Symbol::Derived(self.derived_decls.len()), v.name.span) {
                        self.derived_decls.push(DerivedSource::Value(v, exported));
                    }
                }
                DeclKind::Table(t) => {
                    if builtins::lookup(&t.name.node).is_some() || t.name.node == "total" {
                        let name = &t.name.node;
                        self.report(
                            Diagnostic::error(
                                codes::RESERVED_NAME,
                                msg!("`{name}` 是内置函数的名字", "`{name}` is the name of a builtin function"),
                            )
                            .at(t.name.span)
                            .help(if t.function {
                                Msg::new("给函数换个名字", "give the function another name")
                            } else {
                                Msg::new("给表格换个名字", "give the table another name")
                            }),
                        );
                    } else if self.claim(&t.name.node, Symbol::Table(self.table_decls.len()), t.name.span) {
                        self.table_decls.push((t, decl.span));
                    }
                }
                DeclKind::Ledger(l) if self.claim(&l.node, Symbol::Ledger(self.ledgers.len()), l.span) => {
                    self.ledgers.push(LedgerDef { name: l.node.clone(), cap: None, cap_flag: None });
                    self.ledger_spans.push(l.span);
                }
                _ => {}
            }
        }
        self.inputs = Arc::new(inputs);
        // Per-item values take over their list's name, once every input is known.
        for decl in &ast.decls {
            if let DeclKind::Each(each) = &decl.node {
                self.declare_each(each);
            }
        }
        self.consts = vec![None; self.const_decls.len()];
        self.derived = vec![None; self.derived_decls.len()];
        self.tables = vec![None; self.table_decls.len()];
    }

    /// `for each x in xs { … }` extends a top-level input list of records: from here
    /// on, `xs` names the extended list.
    fn declare_each(&mut self, each: &'a EachDecl) {
        let list = &each.clause.list;
        let target = match &list.node {
            ExprKind::Name(n) => self.names.get(n).copied().map(|(s, _)| (n, s)),
            _ => None,
        };
        let input = match target {
            Some((_, Symbol::Input(i)))
                if self
                    .inputs
                    .fields
                    .get(i)
                    .is_some_and(|f| matches!(&f.ty, Type::List(t) if matches!(**t, Type::Record(_)))) =>
            {
                i
            }
            Some((name, Symbol::Derived(_))) => {
                self.report(
                    Diagnostic::error(
                        codes::EACH_TWICE,
                        msg!("`{name}` 已经有一个 for each 块", "`{name}` already has a `for each` block"),
                    )
                    .at(list.span)
                    .help(Msg::new("把两个块里的值合到一个块里", "put the values of both blocks in one")),
                );
                return;
            }
            _ => {
                self.report(
                    Diagnostic::error(
                        codes::EACH_TARGET,
                        Msg::new("for each 块只能用于顶层输入中的记录列表", "a `for each` block extends a top-level input that is a list of records"),
                    )
                    .at(list.span)
                    .help(Msg::new(
                        "例如 `for each ticket in tickets { let late = … }`，其中 tickets 是 input 里的 list<{ … }>",
                        "for example `for each ticket in tickets { let late = … }` where tickets is a list<{ … }> input",
                    )),
                );
                return;
            }
        };
        if let ExprKind::Name(n) = &list.node {
            self.names.insert(n.clone(), (Symbol::Derived(self.derived_decls.len()), list.span));
            self.used.insert(Symbol::Input(input));
        }
        self.derived_decls.push(DerivedSource::Each(each, input));
    }

    /// Takes a global name; reports a clash and returns false when it is taken.
    pub(super) fn claim(&mut self, name: &str, symbol: Symbol, span: Span) -> bool {
        if matches!(name, "now" | "decision" | "always") {
            self.report(
                Diagnostic::error(codes::RESERVED_NAME, msg!("`{name}` 是内置的名字", "`{name}` is a built-in name"))
                    .at(span)
                    .help(match name {
                        "now" => Msg::new(
                            "`now` 是评估时刻，来自事实里的 now 或 --now",
                            "`now` is the evaluation instant, from the facts' `now` or `--now`",
                        ),
                        "decision" => Msg::new(
                            "`decision` 是评估结果，可在 output 中读取",
                            "`decision` is the evaluation's decision, readable in outputs",
                        ),
                        _ => Msg::new("`always` 是内置的 7×24 日历", "`always` is the built-in 24×7 calendar"),
                    }),
            );
            return false;
        }
        if let Some((_, first)) = self.names.get(name) {
            let first = *first;
            self.report(
                Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    msg!("名称 `{name}` 已经被使用", "the name `{name}` is already taken"),
                )
                .at(span)
                .also(first, Msg::new("第一次声明在这里", "first declared here"))
                .help(Msg::new(
                    "同一个策略里的输入、常量、值、表格和账本共用一个命名空间",
                    "inputs, consts, values, tables and ledgers share one namespace",
                )),
            );
            return false;
        }
        self.names.insert(name.to_owned(), (symbol, span));
        true
    }

    pub(super) fn warn_unused(&mut self) {
        let mut unused: Vec<(Span, String, &'static str, &'static str)> = Vec::new();
        for (name, (symbol, span)) in &self.names {
            if self.used.contains(symbol) {
                continue;
            }
            let kind = match symbol {
                Symbol::Const(_) => ("常量", "const"),
                Symbol::Derived(i) if matches!(self.derived_decls.get(*i), Some(DerivedSource::Value(_, false))) => {
                    ("值", "value")
                }
                Symbol::Table(i) if self.table_decls.get(*i).is_some_and(|(t, _)| t.function) => ("函数", "function"),
                Symbol::Table(_) => ("表格", "table"),
                Symbol::Ledger(_) => ("账本", "ledger"),
                _ => continue,
            };
            unused.push((*span, name.clone(), kind.0, kind.1));
        }
        unused.sort();
        for (span, name, zh, en) in unused {
            self.report(
                Diagnostic::warning(codes::UNUSED, msg!("{zh} `{name}` 没有被使用", "{en} `{name}` is never used"))
                    .at(span)
                    .help(Msg::new("删除它，或在规则中使用它", "remove it, or use it in a rule")),
            );
        }
    }
}
