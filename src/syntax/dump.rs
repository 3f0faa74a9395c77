//! A compact, readable rendering of the AST for snapshots: one line per declaration
//! part, expressions as S-expressions so precedence is visible.

use std::fmt::{self, Write};

use super::ast::*;
use crate::lang::{Aggregate, HitPolicy};

/// Renders a whole file.
pub fn file(file: &PolicyFile) -> String {
    let mut out = String::new();
    for decl in &file.decls {
        // Writing into a String cannot fail.
        let _ = decl_to(&mut out, decl);
    }
    out
}

fn names(list: &[Ident]) -> String {
    list.iter().map(|s| s.node.as_str()).collect::<Vec<_>>().join(", ")
}

fn workflow(out: &mut String, w: &WorkflowDecl) -> fmt::Result {
    write!(out, "workflow {}", w.name.as_ref().map_or("?", |n| n.node.as_str()))?;
    if let Some(t) = &w.title {
        write!(out, " {:?}", t.node)?;
    }
    writeln!(out)?;
    writeln!(out, "  stages {}", names(&w.stages))?;
    writeln!(out, "  initial {}", names(&w.initial))?;
    writeln!(out, "  final {}", names(&w.finals))?;
    writeln!(out, "  events {}", names(&w.events))?;
    if !w.roles.is_empty() {
        writeln!(out, "  roles {}", names(&w.roles))?;
    }
    for t in &w.transitions {
        let t = &t.node;
        write!(out, "  {} -> {} on {}", t.from.node, t.to.node, t.event.node)?;
        if !t.by.is_empty() {
            write!(out, " by {}", names(&t.by))?;
        }
        if let Some(o) = &t.otherwise {
            write!(out, " else {}", o.node)?;
        }
        if let Some((code, m)) = &t.rejects {
            write!(out, " rejects {}", code.node)?;
            if let Some(m) = m {
                write!(out, " {}", message(m))?;
            }
        }
        writeln!(out)?;
    }
    for d in &w.deadlines {
        let d = &d.node;
        let anchor = d.anchor.as_ref().map_or("entering", |a| a.node.as_str());
        match (&d.by, &d.within) {
            (Some(by), _) => write!(out, "  deadline {} by {}", d.stage.node, by.node)?,
            (None, Some(within)) => write!(out, "  deadline {} within {} of {anchor}", d.stage.node, expr(within))?,
            (None, None) => write!(out, "  deadline {}", d.stage.node)?,
        }
        if let Some(m) = &d.message {
            write!(out, " {}", message(m))?;
        }
        writeln!(out)?;
    }
    for e in &w.entering {
        let e = &e.node;
        write!(out, "  entering {} emit {}", e.stage.node, e.action.node)?;
        if let Some(a) = &e.after {
            write!(out, " after {}", expr(a))?;
        }
        if let Some(m) = &e.message {
            write!(out, " {}", message(m))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn decl_to(out: &mut String, decl: &Decl) -> fmt::Result {
    match &decl.node {
        DeclKind::Policy { name, title, version } => {
            write!(out, "policy {}", name.node)?;
            if let Some(t) = title {
                write!(out, " {:?}", t.node)?;
            }
            if let Some(v) = version {
                write!(out, " version {:?}", v.node)?;
            }
            writeln!(out)
        }
        DeclKind::Timezone(tz) => writeln!(out, "timezone {:?}", tz.node),
        DeclKind::Currency(c) => writeln!(out, "currency {}", c.node),
        DeclKind::Stages(s) => {
            writeln!(out, "stages {}", s.iter().map(|s| s.node.as_str()).collect::<Vec<_>>().join(", "))
        }
        DeclKind::Input(fields) => {
            writeln!(out, "input")?;
            for f in fields {
                writeln!(out, "  {}", field(f))?;
            }
            Ok(())
        }
        DeclKind::Const(v) => writeln!(out, "const {} = {}", v.name.node, expr(&v.value)),
        DeclKind::Let(v) | DeclKind::Output(v) => {
            let kw = if matches!(decl.node, DeclKind::Let(_)) { "let" } else { "output" };
            write!(out, "{kw} {} = {}", v.name.node, expr(&v.value))?;
            if let Some(g) = &v.guard {
                write!(out, " when {}", expr(g))?;
            }
            writeln!(out)
        }
        DeclKind::Ledger(l) => writeln!(out, "ledger {}", l.node),
        DeclKind::Cap(c) => {
            write!(out, "cap {} at {}", c.ledger.node, expr(&c.amount))?;
            if let Some((code, m)) = &c.flag {
                write!(out, " flag {}", code.node)?;
                if let Some(m) = m {
                    write!(out, " {}", message(m))?;
                }
            }
            writeln!(out)
        }
        DeclKind::Calendar(c) => {
            write!(out, "calendar {}", c.name.node)?;
            if let Some(t) = &c.title {
                write!(out, " {:?}", t.node)?;
            }
            writeln!(out)?;
            if let Some(tz) = &c.timezone {
                writeln!(out, "  timezone {:?}", tz.node)?;
            }
            for h in &c.hours {
                let ranges: Vec<String> =
                    h.ranges.iter().map(|r| format!("{}-{}", clock(r.node.0), clock(r.node.1))).collect();
                writeln!(out, "  {:?}..{:?} {}", h.from.node, h.to.node, ranges.join(", "))?;
            }
            for f in &c.holidays {
                writeln!(out, "  holidays {:?}", f.node)?;
            }
            Ok(())
        }
        DeclKind::Each(e) => {
            writeln!(out, "{}", for_clause(&e.clause))?;
            for v in &e.lets {
                write!(out, "  let {} = {}", v.name.node, expr(&v.value))?;
                if let Some(g) = &v.guard {
                    write!(out, " when {}", expr(g))?;
                }
                writeln!(out)?;
            }
            Ok(())
        }
        DeclKind::Ensure(e) => {
            write!(out, "ensure")?;
            for c in &e.each {
                write!(out, " {}", for_clause(c))?;
            }
            writeln!(out, " {} otherwise {}", expr(&e.cond), message(&e.message))
        }
        DeclKind::Workflow(w) => workflow(out, w),
        DeclKind::Table(t) if t.function => {
            let params: Vec<String> = t.params.iter().map(|p| format!("{}: {}", p.name.node, ty(&p.ty))).collect();
            writeln!(out, "fn {}({}) -> {}", t.name.node, params.join(", "), ty(&t.result))?;
            for (name, e) in &t.lets {
                writeln!(out, "  let {} = {}", name.node, expr(e))?;
            }
            for row in &t.rows {
                writeln!(out, "  = {}", expr(&row.result))?;
            }
            Ok(())
        }
        DeclKind::Table(t) => {
            let params: Vec<String> = t.params.iter().map(|p| format!("{}: {}", p.name.node, ty(&p.ty))).collect();
            let hit = match t.hit.node {
                HitPolicy::Unique => "unique",
                HitPolicy::First => "first",
                HitPolicy::Any => "any",
                HitPolicy::Priority => "priority",
                HitPolicy::OutputOrder => "output order",
                HitPolicy::Collect(None) => "collect",
                HitPolicy::Collect(Some(Aggregate::Sum)) => "collect sum",
                HitPolicy::Collect(Some(Aggregate::Min)) => "collect min",
                HitPolicy::Collect(Some(Aggregate::Max)) => "collect max",
                HitPolicy::Collect(Some(Aggregate::Count)) => "collect count",
            };
            let from = t.from.as_ref().map(|f| format!(" from {:?}", f.node)).unwrap_or_default();
            writeln!(out, "table {}({}) -> {} hit {hit}{from}", t.name.node, params.join(", "), ty(&t.result))?;
            for row in &t.rows {
                let cells: Vec<String> = row.cells.iter().map(cell).collect();
                writeln!(out, "  [{}] => {}", cells.join(", "), expr(&row.result))?;
            }
            if let Some(e) = &t.otherwise {
                writeln!(out, "  otherwise => {}", expr(e))?;
            }
            Ok(())
        }
        DeclKind::Rule(r) => {
            write!(out, "rule {:?}", r.name.node)?;
            if let Some(s) = &r.stage {
                write!(out, " at {}", s.node)?;
            }
            writeln!(out)?;
            for c in &r.each {
                writeln!(out, "  {}", for_clause(c))?;
            }
            if let Some(w) = &r.when {
                writeln!(out, "  when {}", expr(w))?;
            }
            for o in &r.outcomes {
                writeln!(out, "  {}", outcome(&o.node))?;
            }
            if let Some(t) = &r.terms {
                writeln!(out, "  terms {}", message(t))?;
            }
            Ok(())
        }
    }
}

fn for_clause(c: &ForClause) -> String {
    let filter = c.filter.as_ref().map(|f| format!(" where {}", expr(f))).unwrap_or_default();
    format!("for each {} in {}{filter}", c.var.node, expr(&c.list))
}

fn clock(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

fn field(f: &FieldDecl) -> String {
    format!("{}{}: {}", f.name.node, if f.optional { "?" } else { "" }, ty(&f.ty))
}

/// A type as text.
pub fn ty(t: &TypeExpr) -> String {
    match &t.node {
        TypeKind::Named(n) => n.clone(),
        TypeKind::List(inner) => format!("list<{}>", ty(inner)),
        TypeKind::Record(fields) => format!("{{{}}}", fields.iter().map(field).collect::<Vec<_>>().join(", ")),
        TypeKind::Enum(values) => values.iter().map(|v| format!("{:?}", v.node)).collect::<Vec<_>>().join(" | "),
        TypeKind::Optional(inner) => format!("{}?", ty(inner)),
    }
}

fn cell(c: &Cell) -> String {
    match &c.node {
        CellKind::Any => "_".into(),
        CellKind::Cmp(op, e) => format!("{} {}", op.symbol(), expr(e)),
        CellKind::In(e) => format!("in {}", expr(e)),
        CellKind::NotIn(e) => format!("not in {}", expr(e)),
        CellKind::Eq(e) => expr(e),
        CellKind::Range(r) => format!(
            "{}{}..{}{}",
            if r.lo_closed { "[" } else { "(" },
            expr(&r.lo),
            expr(&r.hi),
            if r.hi_closed { "]" } else { ")" }
        ),
        CellKind::AnyOf(tests) => tests.iter().map(cell).collect::<Vec<_>>().join(" or "),
        CellKind::Not(tests) => format!("not({})", tests.iter().map(cell).collect::<Vec<_>>().join(" or ")),
    }
}

fn outcome(o: &OutcomeKind) -> String {
    let msg = |m: &Option<Message>| m.as_ref().map(|m| format!(" {}", message(m))).unwrap_or_default();
    match o {
        OutcomeKind::Reject { code, message: m } => format!("reject {} {}", code.node, message(m)),
        OutcomeKind::Require { code, message: m } => format!("require {} {}", code.node, message(m)),
        OutcomeKind::Ledger { verb, code, amount, into, message: m } => format!(
            "{} {} {}{}{}",
            match verb {
                LedgerVerb::Deduct => "deduct",
                LedgerVerb::Credit => "credit",
                LedgerVerb::Charge => "charge",
            },
            code.node,
            expr(amount),
            into.as_ref().map(|i| format!(" into {}", i.node)).unwrap_or_default(),
            msg(m)
        ),
        OutcomeKind::Flag { code, message: m } => format!("flag {}{}", code.node, msg(m)),
        OutcomeKind::Emit { action, at, message: m } => format!(
            "emit {}{}{}",
            action.node,
            at.as_ref().map(|a| format!(" at {}", expr(a))).unwrap_or_default(),
            msg(m)
        ),
    }
}

fn message(m: &Message) -> String {
    let mut s = text(&m.text.node);
    if let Some(en) = &m.en {
        s.push_str(" en ");
        s.push_str(&text(&en.node));
    }
    s
}

fn text(parts: &[TextPart]) -> String {
    match parts {
        [] => "\"\"".into(),
        [TextPart::Lit(s)] => format!("{s:?}"),
        _ => {
            let inner: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    TextPart::Lit(s) => format!("{s:?}"),
                    TextPart::Expr(e) => expr(e),
                })
                .collect();
            format!("(text {})", inner.join(" "))
        }
    }
}

/// An expression as an S-expression: `(> (date request.submitted_at) (+ delivery_day 7days))`.
pub fn expr(e: &Expr) -> String {
    match &e.node {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Decimal(d) => d.to_string(),
        ExprKind::Percent(p) => format!("{}%", (*p * rust_decimal::Decimal::ONE_HUNDRED).normalize()),
        ExprKind::Duration(n, u, None) => format!("{}{}", n, u.word()),
        ExprKind::Duration(n, u, Some(cal)) => format!("{}{}@{}", n, u.word(), cal.node),
        ExprKind::Date(d) => d.to_string(),
        ExprKind::DateTime(d) => d.to_rfc3339(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Text(parts) => text(parts),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Member(base, field) => match &base.node {
            ExprKind::Name(_) | ExprKind::Member(..) => format!("{}.{}", expr(base), field.node),
            _ => format!("(. {} {})", expr(base), field.node),
        },
        ExprKind::Call(name, args) => {
            let mut s = format!("({}", name.node);
            for a in args {
                s.push(' ');
                s.push_str(&expr(a));
            }
            s.push(')');
            s
        }
        ExprKind::List(items) => format!("[{}]", items.iter().map(expr).collect::<Vec<_>>().join(" ")),
        ExprKind::Aggregate(name, c) => {
            let body = c.body.as_ref().map(|b| format!("{} ", expr(b))).unwrap_or_default();
            let filter = c.filter.as_ref().map(|f| format!(" where {}", expr(f))).unwrap_or_default();
            format!("({} {body}for {} in {}{filter})", name.node, c.var.node, expr(&c.list))
        }
        ExprKind::Record(entries) => {
            format!(
                "{{{}}}",
                entries.iter().map(|(k, v)| format!("{}: {}", k.node, expr(v))).collect::<Vec<_>>().join(", ")
            )
        }
        ExprKind::Unary(op, inner) => {
            format!("({} {})", if *op == UnaryOp::Not { "not" } else { "-" }, expr(inner))
        }
        ExprKind::Binary(op, l, r) => format!("({} {} {})", op.symbol().replace(' ', "-"), expr(l), expr(r)),
        ExprKind::IsMissing(inner, missing) => {
            format!("({} {})", if *missing { "is-missing" } else { "is-present" }, expr(inner))
        }
        ExprKind::If(c, a, b) => format!("(if {} {} {})", expr(c), expr(a), expr(b)),
        ExprKind::Paren(inner) => expr(inner),
        ExprKind::Missing => "missing".into(),
        ExprKind::Months(n) => format!("{n}months"),
        ExprKind::Time(t) => t.to_string(),
        ExprKind::Error => "<error>".into(),
    }
}
