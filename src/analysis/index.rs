//! The index: one pass declares every top-level name (so a use may come before its
//! declaration, as the language allows), a second walks every expression and records
//! each use with the symbol it names — locals first, then the policy's names, then the
//! input schema.

use std::collections::HashMap;
use std::sync::Arc;

use super::builtins::{self, BuiltinDoc};
use super::{Symbol, SymbolKind};
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{
    Comprehension, DeclKind, Expr, ExprKind, FieldDecl, ForClause, Ident, Message, OutcomeKind, PolicyFile, TextPart,
    TypeExpr, TypeKind,
};

/// What the index found.
pub(super) struct Built {
    pub symbols: Vec<Symbol>,
    pub refs: Vec<(Span, usize)>,
    pub builtins: Vec<(Span, &'static BuiltinDoc)>,
}

/// Longest detail line shown for a declaration.
const DETAIL: usize = 160;

/// Lines of a rule shown when hovering its name.
const RULE_LINES: usize = 8;

struct Indexer<'a> {
    file: &'a Arc<SourceFile>,
    symbols: Vec<Symbol>,
    refs: Vec<(Span, usize)>,
    builtins: Vec<(Span, &'static BuiltinDoc)>,
    /// Consts, lets, outputs, tables, functions, ledgers, calendars.
    globals: HashMap<String, usize>,
    /// Input paths and the per-item values of `for each` blocks (`tickets.late_by`).
    paths: HashMap<String, usize>,
    /// Stages, events, codes and actions: declared (or first written) once, by kind.
    named: HashMap<(SymbolKind, String), usize>,
    /// Locals in scope, innermost last.
    scopes: Vec<(String, usize)>,
}

/// Indexes a parsed file.
pub(super) fn build(file: &Arc<SourceFile>, ast: &PolicyFile) -> Built {
    let mut ix = Indexer {
        file,
        symbols: Vec::new(),
        refs: Vec::new(),
        builtins: Vec::new(),
        globals: HashMap::new(),
        paths: HashMap::new(),
        named: HashMap::new(),
        scopes: Vec::new(),
    };
    for decl in &ast.decls {
        ix.declare(&decl.node, decl.span);
    }
    for decl in &ast.decls {
        ix.walk_decl(&decl.node, decl.span);
    }
    Built { symbols: ix.symbols, refs: ix.refs, builtins: ix.builtins }
}

impl Indexer<'_> {
    fn add(&mut self, kind: SymbolKind, name: String, def: Span, extent: Span, detail: String) -> usize {
        self.symbols.push(Symbol { kind, name, def, extent, detail, fields_of: None, values: Vec::new(), ty: None });
        self.symbols.len() - 1
    }

    /// The first line of the text under `span`, shortened.
    fn first_line(&self, span: Span) -> String {
        let text = self.file.slice(span);
        let line = text.lines().next().unwrap_or("").trim_end();
        if line.chars().count() > DETAIL {
            let cut: String = line.chars().take(DETAIL).collect();
            format!("{cut}…")
        } else {
            line.to_owned()
        }
    }

    fn global(&mut self, kind: SymbolKind, name: &Ident, extent: Span) {
        let detail = self.first_line(extent);
        let i = self.add(kind, name.node.clone(), name.span, extent, detail);
        self.globals.entry(name.node.clone()).or_insert(i);
    }

    /// A stage, event, code or action: declared at its first appearance, a use after.
    fn named(&mut self, kind: SymbolKind, name: &Ident, extent: Span, detail: String) -> usize {
        let key = (kind, name.node.clone());
        if let Some(i) = self.named.get(&key).copied() {
            self.refs.push((name.span, i));
            return i;
        }
        let i = self.add(kind, name.node.clone(), name.span, extent, detail);
        self.named.insert(key, i);
        i
    }

    fn declare(&mut self, decl: &DeclKind, span: Span) {
        match decl {
            DeclKind::Input(fields) => self.fields("", fields),
            DeclKind::Const(v) => self.global(SymbolKind::Const, &v.name, span),
            DeclKind::Let(v) => self.global(SymbolKind::Let, &v.name, span),
            DeclKind::Output(v) => self.global(SymbolKind::Output, &v.name, span),
            DeclKind::Ledger(name) => self.global(SymbolKind::Ledger, name, span),
            DeclKind::Table(t) => {
                let kind = if t.function { SymbolKind::Function } else { SymbolKind::Table };
                self.global(kind, &t.name, span);
            }
            DeclKind::Calendar(c) => self.global(SymbolKind::Calendar, &c.name, span),
            DeclKind::Stages(stages) => {
                for s in stages {
                    self.named(SymbolKind::Stage, s, s.span, format!("stage {}", s.node));
                }
            }
            DeclKind::Workflow(w) => {
                let workflow = w.name.as_ref().map(|n| n.node.clone()).unwrap_or_default();
                for s in &w.stages {
                    self.named(SymbolKind::Stage, s, s.span, format!("stage {} (workflow {workflow})", s.node));
                }
                for e in &w.events {
                    self.named(SymbolKind::Event, e, e.span, format!("event {} (workflow {workflow})", e.node));
                }
            }
            DeclKind::Rule(r) => {
                // The rule as written (its condition and outcomes), a few lines at most.
                let text = self.file.slice(span);
                let mut detail: String = text.lines().take(RULE_LINES).collect::<Vec<_>>().join("\n");
                if text.lines().count() > RULE_LINES {
                    detail.push_str("\n  …");
                }
                self.add(SymbolKind::Rule, r.name.node.clone(), r.name.span, span, detail);
                for o in &r.outcomes {
                    let (word, code, message) = match &o.node {
                        OutcomeKind::Reject { code, message } => ("reject", code, Some(message)),
                        OutcomeKind::Require { code, message } => ("require", code, Some(message)),
                        OutcomeKind::Ledger { code, message, .. } => ("ledger line", code, message.as_ref()),
                        OutcomeKind::Flag { code, message } => ("flag", code, message.as_ref()),
                        OutcomeKind::Emit { .. } => continue,
                    };
                    let said = message.map(|m| self.message_text(m)).unwrap_or_default();
                    let detail = format!("{} — {word} in rule \"{}\"{said}", code.node, r.name.node);
                    self.named(SymbolKind::Code, code, o.span, detail);
                }
            }
            DeclKind::Each(e) => {
                let list = self.path_text(&e.clause.list);
                for v in &e.lets {
                    let detail = format!(
                        "for each {} in {list}: {}",
                        e.clause.var.node,
                        self.first_line(v.name.span.to(v.value.span))
                    );
                    let name = format!("{list}.{}", v.name.node);
                    let i = self.add(SymbolKind::Let, name.clone(), v.name.span, span, detail);
                    self.paths.entry(name).or_insert(i);
                }
            }
            DeclKind::Cap(c) => {
                if let Some((code, _)) = &c.flag {
                    let detail = format!("{} — flag when the cap of {} bites", code.node, c.ledger.node);
                    self.named(SymbolKind::Code, code, span, detail);
                }
            }
            DeclKind::Policy { .. } | DeclKind::Timezone(_) | DeclKind::Currency(_) | DeclKind::Ensure(_) => {}
        }
    }

    /// The Chinese text of a message, as written (for details).
    fn message_text(&self, m: &Message) -> String {
        let text = self.file.slice(m.text.span);
        format!(": {}", text.chars().take(DETAIL).collect::<String>())
    }

    /// The dotted path an expression is written as (`request.items`), for naming.
    fn path_text(&self, e: &Expr) -> String {
        match &e.node {
            ExprKind::Name(n) => n.clone(),
            ExprKind::Member(base, field) => format!("{}.{}", self.path_text(base), field.node),
            _ => self.file.slice(e.span).to_owned(),
        }
    }

    fn fields(&mut self, prefix: &str, fields: &[FieldDecl]) {
        for f in fields {
            let path = if prefix.is_empty() { f.name.node.clone() } else { format!("{prefix}.{}", f.name.node) };
            let optional = if f.optional { "?" } else { "" };
            let detail = format!("{path}{optional}: {}", self.first_line(f.ty.span));
            let i = self.add(SymbolKind::Input, path.clone(), f.name.span, f.name.span.to(f.ty.span), detail);
            self.paths.insert(path.clone(), i);
            let (inner, values) = shape(&f.ty);
            if let Some(s) = self.symbols.get_mut(i) {
                s.values = values;
            }
            if let Some(inner) = inner {
                if let Some(s) = self.symbols.get_mut(i) {
                    s.fields_of = Some(path.clone());
                }
                self.fields(&path, inner);
            }
        }
    }

    fn walk_decl(&mut self, decl: &DeclKind, span: Span) {
        match decl {
            DeclKind::Const(v) | DeclKind::Let(v) | DeclKind::Output(v) => {
                self.expr(&v.value, span);
                if let Some(g) = &v.guard {
                    self.expr(g, span);
                }
            }
            DeclKind::Table(t) => {
                let depth = self.scopes.len();
                for p in &t.params {
                    self.local(&p.name, span, None);
                }
                for (name, value) in &t.lets {
                    self.expr(value, span);
                    self.local(name, span, None);
                }
                for row in &t.rows {
                    for cell in &row.cells {
                        for e in cell.node.exprs() {
                            self.expr(e, span);
                        }
                    }
                    self.expr(&row.result, span);
                }
                if let Some(o) = &t.otherwise {
                    self.expr(o, span);
                }
                self.scopes.truncate(depth);
            }
            DeclKind::Rule(r) => {
                let depth = self.scopes.len();
                if let Some(stage) = &r.stage {
                    self.use_named(SymbolKind::Stage, stage);
                }
                for clause in &r.each {
                    self.for_clause(clause, span);
                }
                if let Some(w) = &r.when {
                    self.expr(w, span);
                }
                for o in &r.outcomes {
                    match &o.node {
                        OutcomeKind::Reject { message, .. } | OutcomeKind::Require { message, .. } => {
                            self.message(message, span);
                        }
                        OutcomeKind::Ledger { amount, into, message, .. } => {
                            self.expr(amount, span);
                            if let Some(l) = into {
                                self.use_global(l);
                            }
                            if let Some(m) = message {
                                self.message(m, span);
                            }
                        }
                        OutcomeKind::Flag { message, .. } => {
                            if let Some(m) = message {
                                self.message(m, span);
                            }
                        }
                        OutcomeKind::Emit { action, at, message } => {
                            let detail = format!("action {} (emitted by rule \"{}\")", action.node, r.name.node);
                            self.named(SymbolKind::Action, action, o.span, detail);
                            if let Some(at) = at {
                                self.expr(at, span);
                            }
                            if let Some(m) = message {
                                self.message(m, span);
                            }
                        }
                    }
                }
                if let Some(t) = &r.terms {
                    self.message(t, span);
                }
                self.scopes.truncate(depth);
            }
            DeclKind::Each(e) => {
                let depth = self.scopes.len();
                self.for_clause(&e.clause, span);
                for v in &e.lets {
                    self.expr(&v.value, span);
                    if let Some(g) = &v.guard {
                        self.expr(g, span);
                    }
                }
                self.scopes.truncate(depth);
            }
            DeclKind::Ensure(e) => {
                let depth = self.scopes.len();
                for clause in &e.each {
                    self.for_clause(clause, span);
                }
                self.expr(&e.cond, span);
                self.message(&e.message, span);
                self.scopes.truncate(depth);
            }
            DeclKind::Cap(c) => {
                self.use_global(&c.ledger);
                self.expr(&c.amount, span);
                if let Some((_, Some(m))) = &c.flag {
                    self.message(m, span);
                }
            }
            DeclKind::Workflow(w) => {
                for s in w.initial.iter().chain(&w.finals) {
                    self.use_named(SymbolKind::Stage, s);
                }
                for t in &w.transitions {
                    let whole = t.span;
                    let t = &t.node;
                    for s in [Some(&t.from), Some(&t.to), t.otherwise.as_ref()].into_iter().flatten() {
                        self.use_named(SymbolKind::Stage, s);
                    }
                    self.use_named(SymbolKind::Event, &t.event);
                    if let Some((code, message)) = &t.rejects {
                        let said = message.as_ref().map(|m| self.message_text(m)).unwrap_or_default();
                        let detail = format!(
                            "{} — reject on {} ({} → {}){said}",
                            code.node, t.event.node, t.from.node, t.to.node
                        );
                        self.named(SymbolKind::Code, code, whole, detail);
                    }
                }
                for d in &w.deadlines {
                    self.use_named(SymbolKind::Stage, &d.node.stage);
                    if let Some(a) = &d.node.anchor {
                        self.use_named(SymbolKind::Stage, a);
                    }
                    if let Some(within) = &d.node.within {
                        self.expr(within, span);
                    }
                    if let Some(by) = &d.node.by {
                        self.use_global(by);
                    }
                    if let Some(m) = &d.node.message {
                        self.message(m, span);
                    }
                }
                for entry in &w.entering {
                    self.use_named(SymbolKind::Stage, &entry.node.stage);
                    let detail = format!("action {} (on entering {})", entry.node.action.node, entry.node.stage.node);
                    self.named(SymbolKind::Action, &entry.node.action, entry.span, detail);
                    if let Some(after) = &entry.node.after {
                        self.expr(after, span);
                    }
                    if let Some(m) = &entry.node.message {
                        self.message(m, span);
                    }
                }
            }
            DeclKind::Input(_)
            | DeclKind::Ledger(_)
            | DeclKind::Calendar(_)
            | DeclKind::Stages(_)
            | DeclKind::Policy { .. }
            | DeclKind::Timezone(_)
            | DeclKind::Currency(_) => {}
        }
    }

    fn use_named(&mut self, kind: SymbolKind, name: &Ident) {
        if let Some(i) = self.named.get(&(kind, name.node.clone())).copied() {
            self.refs.push((name.span, i));
        }
    }

    fn use_global(&mut self, name: &Ident) {
        if let Some(i) = self.globals.get(&name.node).copied() {
            self.refs.push((name.span, i));
        }
    }

    /// Declares a local in the innermost scope; `list` is the input path it runs over.
    fn local(&mut self, name: &Ident, scope: Span, list: Option<String>) {
        let detail = match &list {
            Some(l) => format!("{}: an item of {l}", name.node),
            None => format!("{}: local", name.node),
        };
        let i = self.add(SymbolKind::Local, name.node.clone(), name.span, scope, detail);
        if let Some(s) = self.symbols.get_mut(i) {
            s.fields_of = list;
        }
        self.scopes.push((name.node.clone(), i));
    }

    fn for_clause(&mut self, clause: &ForClause, scope: Span) {
        let list = self.expr(&clause.list, scope);
        self.local(&clause.var, scope, list);
        if let Some(f) = &clause.filter {
            self.expr(f, scope);
        }
    }

    fn comprehension(&mut self, c: &Comprehension, scope: Span) {
        let depth = self.scopes.len();
        let list = self.expr(&c.list, scope);
        self.local(&c.var, scope, list);
        for e in [c.body.as_ref(), c.filter.as_ref(), c.key.as_ref()].into_iter().flatten() {
            self.expr(e, scope);
        }
        self.scopes.truncate(depth);
    }

    fn message(&mut self, m: &Message, scope: Span) {
        for text in std::iter::once(&m.text).chain(m.en.as_ref()) {
            for part in &text.node {
                if let TextPart::Expr(e) = part {
                    self.expr(e, scope);
                }
            }
        }
    }

    /// Records the uses in `e`; gives the input path it denotes, when it denotes one
    /// whose fields can follow a `.`.
    fn expr(&mut self, e: &Expr, scope: Span) -> Option<String> {
        match &e.node {
            ExprKind::Name(n) => {
                if let Some(i) = self.scopes.iter().rev().find(|(name, _)| name == n).map(|(_, i)| *i) {
                    self.refs.push((e.span, i));
                    return self.symbols.get(i).and_then(|s| s.fields_of.clone());
                }
                if let Some(i) = self.globals.get(n).copied() {
                    self.refs.push((e.span, i));
                    return None;
                }
                let i = self.paths.get(n).copied()?;
                self.refs.push((e.span, i));
                self.symbols.get(i).and_then(|s| s.fields_of.clone())
            }
            ExprKind::Member(base, field) => {
                let parent = self.expr(base, scope)?;
                let path = format!("{parent}.{}", field.node);
                let i = self.paths.get(&path).copied()?;
                self.refs.push((field.span, i));
                self.symbols.get(i).and_then(|s| s.fields_of.clone())
            }
            ExprKind::Call(name, args) => {
                if let Some(i) = self.globals.get(&name.node).copied() {
                    self.refs.push((name.span, i));
                } else if let Some(doc) = builtins::find(&name.node) {
                    self.builtins.push((name.span, doc));
                }
                for a in args {
                    self.expr(a, scope);
                }
                None
            }
            ExprKind::Aggregate(name, c) => {
                if let Some(doc) = builtins::find(&name.node) {
                    self.builtins.push((name.span, doc));
                }
                self.comprehension(c, scope);
                None
            }
            ExprKind::Duration(_, _, Some(calendar)) => {
                self.use_global(calendar);
                None
            }
            ExprKind::Text(parts) => {
                for p in parts {
                    if let TextPart::Expr(inner) = p {
                        self.expr(inner, scope);
                    }
                }
                None
            }
            ExprKind::List(items) => {
                for item in items {
                    self.expr(item, scope);
                }
                None
            }
            ExprKind::Record(fields) => {
                for (_, value) in fields {
                    self.expr(value, scope);
                }
                None
            }
            ExprKind::Unary(_, inner) | ExprKind::IsMissing(inner, _) => {
                self.expr(inner, scope);
                None
            }
            ExprKind::Paren(inner) => self.expr(inner, scope),
            ExprKind::Binary(_, a, b) => {
                self.expr(a, scope);
                self.expr(b, scope);
                None
            }
            ExprKind::If(c, a, b) => {
                self.expr(c, scope);
                self.expr(a, scope);
                self.expr(b, scope);
                None
            }
            ExprKind::Int(_)
            | ExprKind::Decimal(_)
            | ExprKind::Percent(_)
            | ExprKind::Duration(..)
            | ExprKind::Date(_)
            | ExprKind::DateTime(_)
            | ExprKind::Bool(_)
            | ExprKind::Missing
            | ExprKind::Time(_)
            | ExprKind::Months(_)
            | ExprKind::Error => None,
        }
    }
}

/// A field type's record fields (through `?` and `list<…>`) and its text values.
fn shape(ty: &TypeExpr) -> (Option<&[FieldDecl]>, Vec<String>) {
    match &ty.node {
        TypeKind::Record(fields) => (Some(fields.as_slice()), Vec::new()),
        TypeKind::List(inner) | TypeKind::Optional(inner) => shape(inner),
        TypeKind::Enum(values) => (None, values.iter().map(|v| v.node.clone()).collect()),
        TypeKind::Named(_) => (None, Vec::new()),
    }
}
