//! Checking: names, types, schema, rules and tables. Every error in a file is
//! collected, then sorted, so one run shows them all.

mod builtins;
mod expr;
pub mod hir;
mod names;
mod ops;
mod overlap;
mod rules;
mod schema;
mod tables;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono_tz::Tz;

use crate::diagnostics::{self, Diagnostic, Msg};
use crate::msg;
use crate::source::{SourceFile, Span};
use crate::suggest;
use crate::syntax::ast::{DeclKind, PolicyFile, TableDecl, ValueDecl};
use crate::types::{RecordType, Type};
use crate::value::Currency;
pub use hir::CheckedPolicy;
use hir::{ConstDef, DerivedDef, LedgerDef, TableDef};

/// Checks a parsed policy. Returns every diagnostic (errors and warnings) sorted by
/// position, and the checked policy — complete when there is no error, and otherwise
/// with the broken parts replaced by placeholders, so that later stages can still
/// report what they find (a const that overflows, say) in the same run.
pub fn check(file: &Arc<SourceFile>, ast: &PolicyFile) -> (CheckedPolicy, Vec<Diagnostic>) {
    let mut checker = Checker::new(file);
    checker.run(ast);
    let mut diags = std::mem::take(&mut checker.diags);
    diagnostics::sort(&mut diags);
    (checker.finish(), diags)
}

/// What a name refers to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Symbol {
    Input(usize),
    Const(usize),
    Derived(usize),
    Table(usize),
    Ledger(usize),
}

/// What users of a checked value need to know about it.
#[derive(Clone, Debug)]
pub(crate) struct Info {
    pub ty: Type,
    pub missing: bool,
    pub settled: bool,
}

impl Info {
    fn error() -> Info {
        Info { ty: Type::Error, missing: false, settled: false }
    }
}

pub(crate) struct Checker<'a> {
    file: &'a Arc<SourceFile>,
    diags: Vec<Diagnostic>,
    name: String,
    title: Option<String>,
    version: Option<String>,
    timezone: Tz,
    currency: Currency,
    stages: Vec<(String, Span)>,
    inputs: Arc<RecordType>,
    input_spans: Vec<Span>,
    names: HashMap<String, (Symbol, Span)>,
    const_decls: Vec<&'a ValueDecl>,
    derived_decls: Vec<(&'a ValueDecl, bool)>,
    table_decls: Vec<(&'a TableDecl, Span)>,
    ledgers: Vec<(String, Span)>,
    consts: Vec<Option<ConstDef>>,
    derived: Vec<Option<DerivedDef>>,
    tables: Vec<Option<TableDef>>,
    /// Types of checked values, by symbol; absent while unchecked or after a cycle.
    infos: HashMap<Symbol, Info>,
    used: HashSet<Symbol>,
    /// Table parameters while checking a table's rows.
    params: Option<Vec<(String, Type)>>,
    rules: Vec<hir::RuleDef>,
    codes: HashMap<String, Span>,
    order: Vec<Symbol>,
}

impl<'a> Checker<'a> {
    fn new(file: &'a Arc<SourceFile>) -> Self {
        Checker {
            file,
            diags: Vec::new(),
            name: String::new(),
            title: None,
            version: None,
            timezone: Tz::UTC,
            currency: Currency::default(),
            stages: Vec::new(),
            inputs: Arc::new(RecordType::default()),
            input_spans: Vec::new(),
            names: HashMap::new(),
            const_decls: Vec::new(),
            derived_decls: Vec::new(),
            table_decls: Vec::new(),
            ledgers: Vec::new(),
            consts: Vec::new(),
            derived: Vec::new(),
            tables: Vec::new(),
            infos: HashMap::new(),
            used: HashSet::new(),
            params: None,
            rules: Vec::new(),
            codes: HashMap::new(),
            order: Vec::new(),
        }
    }

    pub(crate) fn report(&mut self, diag: Diagnostic) {
        self.diags.push(diag.in_file(self.file));
    }

    fn run(&mut self, ast: &'a PolicyFile) {
        self.header(ast);
        self.declare(ast);
        let order = self.dependency_order();
        self.order.clone_from(&order);
        for symbol in order {
            match symbol {
                Symbol::Const(i) => self.check_const(i),
                Symbol::Derived(i) => self.check_derived(i),
                Symbol::Table(i) => self.check_table(i),
                Symbol::Input(_) | Symbol::Ledger(_) => {}
            }
        }
        for decl in &ast.decls {
            if let DeclKind::Rule(rule) = &decl.node
                && let Some(def) = self.rule(rule, decl.span)
            {
                self.rules.push(def);
            }
        }
        self.warn_unused();
    }

    /// policy, timezone, currency, stages: each at most once.
    fn header(&mut self, ast: &PolicyFile) {
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut once = |this: &mut Self, what: &'static str, span: Span| -> bool {
            if let Some(first) = seen.get(what) {
                this.report(
                    Diagnostic::error(
                        "duplicate-declaration",
                        msg!("`{what}` 只能声明一次", "`{what}` can be declared only once"),
                    )
                    .at(span)
                    .also(*first, Msg::new("第一次声明在这里", "first declared here")),
                );
                return false;
            }
            seen.insert(what, span);
            true
        };
        for decl in &ast.decls {
            match &decl.node {
                DeclKind::Policy { name, title, version } if once(self, "policy", decl.span) => {
                    self.name = name.node.clone();
                    self.title = title.as_ref().map(|t| t.node.clone());
                    self.version = version.as_ref().map(|v| v.node.clone());
                }
                DeclKind::Timezone(tz) if once(self, "timezone", decl.span) => match tz.node.parse::<Tz>() {
                    Ok(zone) => self.timezone = zone,
                    Err(_) => {
                        let name = &tz.node;
                        let help = match suggest::closest(name, chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())) {
                            Some(s) => msg!("你是不是想写 \"{s}\"？", "did you mean \"{s}\"?"),
                            None => Msg::new(
                                "使用 IANA 时区名，例如 \"Asia/Shanghai\"",
                                "use an IANA zone name such as \"Asia/Shanghai\"",
                            ),
                        };
                        self.report(
                            Diagnostic::error(
                                "unknown-timezone",
                                msg!("未知的时区 \"{name}\"", "unknown time zone \"{name}\""),
                            )
                            .at(tz.span)
                            .help(help),
                        );
                    }
                },
                DeclKind::Currency(c) if once(self, "currency", decl.span) => match Currency::find(&c.node) {
                    Some(cur) => self.currency = cur,
                    None => {
                        let code = &c.node;
                        let known: Vec<&str> = crate::value::money::CURRENCIES.iter().map(|c| c.code).collect();
                        let help = match suggest::closest(code, known.iter().copied()) {
                            Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                            None => {
                                let (zh, en) = (known.join("、"), known.join(", "));
                                msg!("支持的币种：{zh}", "known currencies: {en}")
                            }
                        };
                        self.report(
                            Diagnostic::error(
                                "unknown-currency",
                                msg!("未知的币种 `{code}`", "unknown currency `{code}`"),
                            )
                            .at(c.span)
                            .help(help),
                        );
                    }
                },
                DeclKind::Stages(stages) if once(self, "stages", decl.span) => {
                    for s in stages {
                        if let Some((_, first)) = self.stages.iter().find(|(n, _)| *n == s.node) {
                            let name = &s.node;
                            let first = *first;
                            self.report(
                                Diagnostic::error(
                                    "duplicate-stage",
                                    msg!("阶段 `{name}` 重复", "stage `{name}` is listed twice"),
                                )
                                .at(s.span)
                                .also(first, Msg::new("第一次在这里", "first listed here")),
                            );
                        } else {
                            self.stages.push((s.node.clone(), s.span));
                        }
                    }
                }
                _ => {}
            }
        }
        let start = Span::new(0, 0);
        if !seen.contains_key("policy") {
            self.report(
                Diagnostic::error(
                    "missing-policy",
                    Msg::new("缺少 `policy` 声明", "the `policy` declaration is missing"),
                )
                .at(start)
                .help(Msg::new(
                    "在文件开头写上 `policy 名称 \"标题\" version \"1\"`",
                    "start the file with `policy name \"Title\" version \"1\"`",
                )),
            );
        }
        if !seen.contains_key("timezone") {
            self.report(
                Diagnostic::warning(
                    "missing-timezone",
                    Msg::new("没有声明时区，日期按 UTC 计算", "no time zone is declared; dates are counted in UTC"),
                )
                .at(start)
                .help(Msg::new("加上 `timezone \"Asia/Shanghai\"`", "add `timezone \"Asia/Shanghai\"`")),
            );
        }
        if !seen.contains_key("currency") {
            self.report(
                Diagnostic::warning(
                    "missing-currency",
                    Msg::new("没有声明币种，按 CNY 计算", "no currency is declared; amounts are in CNY"),
                )
                .at(start)
                .help(Msg::new("加上 `currency CNY`", "add `currency CNY`")),
            );
        }
    }

    /// Registers inputs, consts, lets, outputs, tables and ledgers in one namespace.
    fn declare(&mut self, ast: &'a PolicyFile) {
        let mut inputs = RecordType::default();
        for decl in &ast.decls {
            match &decl.node {
                DeclKind::Input(fields) => {
                    for f in fields {
                        if crate::syntax::is_keyword(&f.name.node) {
                            let name = &f.name.node;
                            self.report(
                                Diagnostic::error(
                                    "keyword-as-name",
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
                        self.derived_decls.push((v, exported));
                    }
                }
                DeclKind::Table(t) => {
                    if builtins::lookup(&t.name.node).is_some() || t.name.node == "total" {
                        let name = &t.name.node;
                        self.report(
                            Diagnostic::error(
                                "reserved-name",
                                msg!("`{name}` 是内置函数的名字", "`{name}` is the name of a builtin function"),
                            )
                            .at(t.name.span)
                            .help(Msg::new("给表格换个名字", "give the table another name")),
                        );
                    } else if self.claim(&t.name.node, Symbol::Table(self.table_decls.len()), t.name.span) {
                        self.table_decls.push((t, decl.span));
                    }
                }
                DeclKind::Ledger(l) if self.claim(&l.node, Symbol::Ledger(self.ledgers.len()), l.span) => {
                    self.ledgers.push((l.node.clone(), l.span));
                }
                _ => {}
            }
        }
        self.inputs = Arc::new(inputs);
        self.consts = vec![None; self.const_decls.len()];
        self.derived = vec![None; self.derived_decls.len()];
        self.tables = vec![None; self.table_decls.len()];
    }

    /// Takes a global name; reports a clash and returns false when it is taken.
    fn claim(&mut self, name: &str, symbol: Symbol, span: Span) -> bool {
        if matches!(name, "now" | "decision") {
            self.report(
                Diagnostic::error("reserved-name", msg!("`{name}` 是内置的名字", "`{name}` is a built-in name"))
                    .at(span)
                    .help(if name == "now" {
                        Msg::new(
                            "`now` 是评估时刻，来自事实里的 now 或 --now",
                            "`now` is the evaluation instant, from the facts' `now` or `--now`",
                        )
                    } else {
                        Msg::new(
                            "`decision` 是评估结果，可在 output 中读取",
                            "`decision` is the evaluation's decision, readable in outputs",
                        )
                    }),
            );
            return false;
        }
        if let Some((_, first)) = self.names.get(name) {
            let first = *first;
            self.report(
                Diagnostic::error(
                    "duplicate-name",
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

    fn check_const(&mut self, i: usize) {
        let decl = self.const_decls[i];
        let expr = self.expr(&decl.value);
        if !expr.constant && expr.ty != Type::Error {
            let name = &decl.name.node;
            self.report(
                Diagnostic::error(
                    "const-not-constant",
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

    fn check_derived(&mut self, i: usize) {
        let (decl, exported) = self.derived_decls[i];
        let expr = self.expr(&decl.value);
        let guard = decl.guard.as_ref().map(|g| {
            let g = self.expr(g);
            self.expect_bool(&g, "when 条件", "a `when` condition");
            g
        });
        let settled = expr.settled || guard.as_ref().is_some_and(|g| g.settled);
        let missing = expr.missing || guard.is_some();
        let ty = expr.ty.clone();
        self.infos.insert(Symbol::Derived(i), Info { ty: ty.clone(), missing, settled });
        self.derived[i] =
            Some(DerivedDef { name: decl.name.node.clone(), expr, guard, ty, exported, settled, span: decl.name.span });
    }

    fn check_table(&mut self, i: usize) {
        let (decl, span) = self.table_decls[i];
        let def = self.table(decl, span);
        self.tables[i] = Some(def);
    }

    /// Reports a non-boolean condition.
    pub(crate) fn expect_bool(&mut self, e: &hir::TExpr, what_zh: &str, what_en: &str) {
        if !Type::Bool.fits(&e.ty) && e.ty != Type::Error {
            let ty = &e.ty;
            self.report(
                Diagnostic::error(
                    "type-mismatch",
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

    fn warn_unused(&mut self) {
        let mut unused: Vec<(Span, String, &'static str, &'static str)> = Vec::new();
        for (name, (symbol, span)) in &self.names {
            if self.used.contains(symbol) {
                continue;
            }
            let kind = match symbol {
                Symbol::Const(_) => ("常量", "const"),
                Symbol::Derived(i) if !self.derived_decls[*i].1 => ("值", "value"),
                Symbol::Table(_) => ("表格", "table"),
                Symbol::Ledger(_) => ("账本", "ledger"),
                _ => continue,
            };
            unused.push((*span, name.clone(), kind.0, kind.1));
        }
        unused.sort();
        for (span, name, zh, en) in unused {
            self.report(
                Diagnostic::warning("unused", msg!("{zh} `{name}` 没有被使用", "{en} `{name}` is never used"))
                    .at(span)
                    .help(Msg::new("删除它，或在规则中使用它", "remove it, or use it in a rule")),
            );
        }
    }

    fn finish(self) -> CheckedPolicy {
        let span = Span::default();
        let placeholder = || hir::TExpr::error(span);
        CheckedPolicy {
            name: self.name,
            title: self.title,
            version: self.version,
            timezone: self.timezone,
            currency: self.currency,
            stages: self.stages.into_iter().map(|s| s.0).collect(),
            inputs: self.inputs,
            consts: self
                .consts
                .into_iter()
                .map(|c| c.unwrap_or_else(|| ConstDef { name: String::new(), expr: placeholder() }))
                .collect(),
            derived: self
                .derived
                .into_iter()
                .map(|d| {
                    d.unwrap_or_else(|| DerivedDef {
                        name: String::new(),
                        expr: placeholder(),
                        guard: None,
                        ty: Type::Error,
                        exported: false,
                        settled: false,
                        span,
                    })
                })
                .collect(),
            tables: self
                .tables
                .into_iter()
                .map(|t| {
                    t.unwrap_or_else(|| TableDef {
                        name: String::new(),
                        params: Vec::new(),
                        result: Type::Error,
                        hit: crate::syntax::ast::HitPolicy::Unique,
                        rows: Vec::new(),
                        span,
                    })
                })
                .collect(),
            ledgers: self.ledgers.into_iter().map(|(name, _)| LedgerDef { name }).collect(),
            rules: self.rules,
            const_order: self
                .order
                .iter()
                .filter_map(|s| if let Symbol::Const(i) = s { Some(*i) } else { None })
                .collect(),
            derived_order: self
                .order
                .iter()
                .filter_map(|s| if let Symbol::Derived(i) = s { Some(*i) } else { None })
                .collect(),
            file: Arc::clone(self.file),
        }
    }
}
