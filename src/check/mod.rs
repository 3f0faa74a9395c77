//! Checking: names, types, schema, rules and tables. Every error in a file is
//! collected, then sorted, so one run shows them all.

pub(crate) mod builtins;
mod calendars;
mod csv_rows;
mod declare;
mod expr;
mod header;
pub mod hir;
mod iterate;
mod lint;
mod names;
mod ops;
mod overlap;
mod rules;
mod schema;
mod tables;
#[cfg(test)]
mod tests;
mod values;
mod workflow;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono_tz::Tz;

use crate::diagnostics::{self, Diagnostic};
use crate::lang::{RecordType, Type};
use crate::source::Resolver;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{DeclKind, EachDecl, PolicyFile, TableDecl, ValueDecl};
use crate::time::Calendar;
use crate::value::Currency;
pub(crate) use csv_rows::plain_text_cell;
pub use hir::TypedPolicy;
use hir::{ConstDef, DerivedDef, LedgerDef, TableDef};

/// Checks a parsed policy. Returns every diagnostic (errors and warnings) sorted by
/// position, and the checked policy — complete when there is no error, and otherwise
/// with the broken parts replaced by placeholders, so that later stages can still
/// report what they find (a const that overflows, say) in the same run. Files the
/// policy names are read through `resolve`.
pub fn check(file: &Arc<SourceFile>, ast: &PolicyFile, resolve: Resolver<'_>) -> (TypedPolicy, Vec<Diagnostic>) {
    let mut checker = Checker::new(file, resolve);
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
    Calendar(usize),
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

/// A named value in the current frame: a table parameter, a loop item, a per-item value.
#[derive(Clone, Debug)]
pub(crate) struct Local {
    pub name: String,
    pub ty: Type,
    pub missing: bool,
}

/// Where a let or output comes from.
#[derive(Clone, Copy)]
pub(crate) enum DerivedSource<'a> {
    /// `let` / `output` (true for output).
    Value(&'a ValueDecl, bool),
    /// `for each x in input { let … }`, extending the top-level input by that slot.
    Each(&'a EachDecl, usize),
}

pub(crate) struct Checker<'a> {
    /// The policy's file.
    policy_file: &'a Arc<SourceFile>,
    /// The file the spans being checked point into: the policy's, or a table's CSV
    /// file while its rows are checked.
    file: Arc<SourceFile>,
    resolve: Resolver<'a>,
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
    derived_decls: Vec<DerivedSource<'a>>,
    table_decls: Vec<(&'a TableDecl, Span)>,
    ledgers: Vec<LedgerDef>,
    ledger_spans: Vec<Span>,
    consts: Vec<Option<ConstDef>>,
    derived: Vec<Option<DerivedDef>>,
    tables: Vec<Option<TableDef>>,
    calendars: Vec<Arc<Calendar>>,
    /// Types of checked values, by symbol; absent while unchecked or after a cycle.
    infos: HashMap<Symbol, Info>,
    used: HashSet<Symbol>,
    /// The current frame: table parameters, loop items, per-item values.
    locals: Vec<Local>,
    /// Inside `for each x in xs { … }`: the frame slot of `x` (its values follow it).
    block_item: Option<usize>,
    /// While checking an ensure: lists extended by `for each` blocks are read as the
    /// facts they come from (ensures run before anything is computed).
    raw_inputs: bool,
    rules: Vec<hir::RuleDef>,
    ensures: Vec<hir::EnsureDef>,
    codes: HashMap<String, Span>,
    order: Vec<Symbol>,
    workflow: Option<hir::WorkflowDef>,
}

impl<'a> Checker<'a> {
    fn new(file: &'a Arc<SourceFile>, resolve: Resolver<'a>) -> Self {
        Checker {
            policy_file: file,
            file: Arc::clone(file),
            resolve,
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
            ledger_spans: Vec::new(),
            consts: Vec::new(),
            derived: Vec::new(),
            tables: Vec::new(),
            calendars: vec![Arc::new(Calendar::always())],
            infos: HashMap::new(),
            used: HashSet::new(),
            locals: Vec::new(),
            block_item: None,
            raw_inputs: false,
            rules: Vec::new(),
            ensures: Vec::new(),
            codes: HashMap::new(),
            order: Vec::new(),
            workflow: None,
        }
    }

    pub(crate) fn report(&mut self, diag: Diagnostic) {
        self.diags.push(diag.in_file(&self.file));
    }

    fn run(&mut self, ast: &'a PolicyFile) {
        self.header(ast);
        self.calendars(ast);
        self.declare(ast);
        let order = self.dependency_order();
        self.order.clone_from(&order);
        for symbol in order {
            match symbol {
                Symbol::Const(i) => self.check_const(i),
                Symbol::Derived(i) => self.check_derived(i),
                Symbol::Table(i) => self.check_table(i),
                Symbol::Input(_) | Symbol::Ledger(_) | Symbol::Calendar(_) => {}
            }
        }
        for decl in &ast.decls {
            match &decl.node {
                DeclKind::Rule(rule) => {
                    if let Some(def) = self.rule(rule, decl.span) {
                        self.rules.push(def);
                    }
                }
                DeclKind::Cap(cap) => self.cap(cap),
                DeclKind::Ensure(ensure) => {
                    if let Some(def) = self.ensure(ensure, decl.span) {
                        self.ensures.push(def);
                    }
                }
                _ => {}
            }
        }
        self.workflows(ast);
        self.warn_unused();
        self.lint(ast);
    }

    /// Runs `f` with extra locals in the frame, then removes them.
    pub(crate) fn with_locals<T>(&mut self, locals: Vec<Local>, f: impl FnOnce(&mut Self) -> T) -> T {
        let depth = self.locals.len();
        self.locals.extend(locals);
        let out = f(self);
        self.locals.truncate(depth);
        out
    }

    fn finish(self) -> TypedPolicy {
        let span = Span::default();
        let placeholder = || hir::TExpr::error(span);
        TypedPolicy {
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
                        hit: crate::lang::HitPolicy::Unique,
                        otherwise: None,
                        lets: Vec::new(),
                        rows: Vec::new(),
                        span,
                    })
                })
                .collect(),
            ledgers: self.ledgers,
            rules: self.rules,
            ensures: self.ensures,
            calendars: self.calendars,
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
            workflow: self.workflow,
            file: Arc::clone(self.policy_file),
        }
    }
}
