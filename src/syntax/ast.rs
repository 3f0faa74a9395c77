//! The typed syntax tree. Every node carries its byte span; pest types never appear here.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use crate::lang::{CmpOp, HitPolicy, TimeUnit};
use crate::source::Span;

/// A node with the span it was parsed from.
#[derive(Clone, PartialEq)]
pub struct Spanned<T> {
    /// The node.
    pub node: T,
    /// Where it came from.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} @ {:?}", self.node, self.span)
    }
}

/// A name as written.
pub type Ident = Spanned<String>;

/// A parsed policy file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyFile {
    /// Declarations in file order.
    pub decls: Vec<Decl>,
}

/// A top-level declaration.
pub type Decl = Spanned<DeclKind>;

/// The kinds of top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum DeclKind {
    /// `policy NAME "title" version "v"`.
    Policy {
        /// Machine name (`returns`).
        name: Ident,
        /// Human title.
        title: Option<Spanned<String>>,
        /// Version text.
        version: Option<Spanned<String>>,
    },
    /// `timezone "Asia/Shanghai"`.
    Timezone(Spanned<String>),
    /// `currency CNY`.
    Currency(Ident),
    /// `stages a, b, c`.
    Stages(Vec<Ident>),
    /// `input { … }`.
    Input(Vec<FieldDecl>),
    /// `const NAME = expr`.
    Const(ValueDecl),
    /// `let NAME = expr [when cond]`.
    Let(ValueDecl),
    /// `output NAME = expr [when cond]`.
    Output(ValueDecl),
    /// `ledger NAME`.
    Ledger(Ident),
    /// `table NAME(params) -> type hit … { rows }`.
    Table(TableDecl),
    /// `rule "name" at stage when cond outcomes…`.
    Rule(RuleDecl),
    /// `cap LEDGER at amount [flag CODE "message"]`.
    Cap(CapDecl),
    /// `calendar NAME "title" { … }`.
    Calendar(CalendarDecl),
    /// `for each x in list { let … }`: values computed once per item.
    Each(EachDecl),
    /// `ensure [for each …] condition otherwise "message"`.
    Ensure(EnsureDecl),
    /// `workflow NAME "title" { … }`.
    Workflow(WorkflowDecl),
}

/// A workflow: the stages a case moves through and the events that move it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkflowDecl {
    /// Its name.
    pub name: Option<Ident>,
    /// A human title.
    pub title: Option<Spanned<String>>,
    /// `stages a, b, c` (possibly several lines).
    pub stages: Vec<Ident>,
    /// `initial a` (more than one is an error the checker reports).
    pub initial: Vec<Ident>,
    /// `final x, y`.
    pub finals: Vec<Ident>,
    /// `events e, f`.
    pub events: Vec<Ident>,
    /// `roles reviewer, warehouse`: who posts events.
    pub roles: Vec<Ident>,
    /// `from -> to on event [by role, …] [else other]`.
    pub transitions: Vec<Spanned<TransitionDecl>>,
    /// `deadline stage within amount of (entering | stage) ["message"]`.
    pub deadlines: Vec<Spanned<DeadlineDecl>>,
    /// `entering stage emit action [after amount] ["message"]`.
    pub entering: Vec<Spanned<EntryDecl>>,
}

/// `review -> preparation on approve`, `application -> review on submit else rejected`.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitionDecl {
    /// The stage the case must be in.
    pub from: Ident,
    /// Where it goes.
    pub to: Ident,
    /// The event that moves it.
    pub event: Ident,
    /// `by reviewer, finance`: the roles that may post the event here (anyone when empty).
    pub by: Vec<Ident>,
    /// `with inspection`: the input sections the event's data fills in.
    pub carries: Vec<Ident>,
    /// Where it goes instead when a reject rule of the target stage fires.
    pub otherwise: Option<Ident>,
    /// `rejects CODE "text"`: taking this event decides the case as rejected.
    pub rejects: Option<(Ident, Option<Message>)>,
}

/// `deadline review within 2 business days of entering`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadlineDecl {
    /// The stage that must be left in time.
    pub stage: Ident,
    /// How long: a duration literal (maybe on a calendar) or a const's name; `None`
    /// for a deadline `by` a value.
    pub within: Option<Expr>,
    /// Counted from entering this stage; `None` for `of entering` (the stage itself).
    pub anchor: Option<Ident>,
    /// `by NAME`: due at the datetime a let or output computes.
    pub by: Option<Ident>,
    /// What to say when it is overdue.
    pub message: Option<Message>,
}

/// `entering closed emit follow_up after 3 days "…"`.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryDecl {
    /// The stage entered.
    pub stage: Ident,
    /// The action's kind.
    pub action: Ident,
    /// How long after entering it is due (at once when absent).
    pub after: Option<Expr>,
    /// What it is for.
    pub message: Option<Message>,
}

/// `cap credits at 25% of monthly_fee flag CREDIT_CAPPED`.
#[derive(Clone, Debug, PartialEq)]
pub struct CapDecl {
    /// The ledger capped.
    pub ledger: Ident,
    /// The most its total may be.
    pub amount: Expr,
    /// The flag raised when the cap bites, with its message.
    pub flag: Option<(Ident, Option<Message>)>,
}

/// A working calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarDecl {
    /// Its name.
    pub name: Ident,
    /// A human title.
    pub title: Option<Spanned<String>>,
    /// `timezone "…"` (defaults to the policy's).
    pub timezone: Option<Spanned<String>>,
    /// Weekly working hours.
    pub hours: Vec<HoursLine>,
    /// Holiday files (holidays and make-up working days).
    pub holidays: Vec<Spanned<String>>,
}

/// `monday..friday 09:00-12:00, 13:00-18:00`.
#[derive(Clone, Debug, PartialEq)]
pub struct HoursLine {
    /// First day of the range.
    pub from: Spanned<chrono::Weekday>,
    /// Last day of the range (the same day for a single day).
    pub to: Spanned<chrono::Weekday>,
    /// Working ranges as seconds since midnight, `[start, end)`.
    pub ranges: Vec<Spanned<(u32, u32)>>,
}

/// `for each x in list [where cond]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForClause {
    /// The item's name.
    pub var: Ident,
    /// The list.
    pub list: Expr,
    /// Items for which this is not true are skipped.
    pub filter: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `for each ticket in tickets { let … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct EachDecl {
    /// The list and its item's name.
    pub clause: ForClause,
    /// The values computed for each item.
    pub lets: Vec<ValueDecl>,
}

/// `ensure for each ticket in tickets cond otherwise "message"`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnsureDecl {
    /// Iteration, outermost first.
    pub each: Vec<ForClause>,
    /// What must not be false.
    pub cond: Expr,
    /// What to say when it is.
    pub message: Message,
}

/// `agg(body for var in list where filter)` inside a call.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    /// The value taken from each item (absent for `count(x in xs …)`).
    pub body: Option<Expr>,
    /// The item's name.
    pub var: Ident,
    /// The list.
    pub list: Expr,
    /// Only items for which this is true.
    pub filter: Option<Expr>,
    /// `by key`: what `sort` orders the items by.
    pub key: Option<Expr>,
}

/// A named value: const, let or output.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueDecl {
    /// Its name.
    pub name: Ident,
    /// Its defining expression.
    pub value: Expr,
    /// `when cond`: the value exists only when the condition is true.
    pub guard: Option<Expr>,
}

/// A field of a record type: `name: type`, `name?: type`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// Field name.
    pub name: Ident,
    /// Written `name?:`.
    pub optional: bool,
    /// Its type.
    pub ty: TypeExpr,
    /// `>= 0`, `in [1..999]`, `matching "…"`: what an input's value must satisfy.
    pub check: Option<Spanned<CheckDecl>>,
}

/// A field's check as written.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckDecl {
    /// `>= n` and the like: the operator and the number as written.
    Bound(String, String),
    /// `in [a..b]`.
    Range(String, String),
    /// `matching "pattern"`.
    Pattern(String),
}

/// A type as written.
pub type TypeExpr = Spanned<TypeKind>;

/// The kinds of type expression.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `int`, `money`, … (resolved by the checker).
    Named(String),
    /// `list<T>`.
    List(Box<TypeExpr>),
    /// `{ a: T, … }`.
    Record(Vec<FieldDecl>),
    /// `"a" | "b"`.
    Enum(Vec<Spanned<String>>),
    /// `T?`.
    Optional(Box<TypeExpr>),
}

/// A rule: one business sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    /// Its name, shown in results and traces.
    pub name: Spanned<String>,
    /// `at STAGE`.
    pub stage: Option<Ident>,
    /// `for each …` clauses: the rule runs once per item.
    pub each: Vec<ForClause>,
    /// `when COND`; a rule without one always fires.
    pub when: Option<Expr>,
    /// What happens when it fires.
    pub outcomes: Vec<Outcome>,
    /// `terms "…"`: the rule in contract words (consts only).
    pub terms: Option<Message>,
}

/// What a fired rule does.
pub type Outcome = Spanned<OutcomeKind>;

/// The outcome kinds.
#[derive(Clone, Debug, PartialEq)]
pub enum OutcomeKind {
    /// `reject CODE "message"`.
    Reject {
        /// Finding code.
        code: Ident,
        /// What is wrong and what to do.
        message: Message,
    },
    /// `require CODE "message"`.
    Require {
        /// Finding code.
        code: Ident,
        /// What is needed.
        message: Message,
    },
    /// `deduct CODE amount [into LEDGER] ["message"]` or `credit …`.
    Ledger {
        /// `deduct` or `credit`.
        verb: LedgerVerb,
        /// Finding code (the ledger line's code).
        code: Ident,
        /// The amount.
        amount: Expr,
        /// The ledger; optional when the policy has one.
        into: Option<Ident>,
        /// Explanation.
        message: Option<Message>,
    },
    /// `flag CODE ["message"]`.
    Flag {
        /// Finding code.
        code: Ident,
        /// Explanation.
        message: Option<Message>,
    },
    /// `emit ACTION [at when] ["message"]`.
    Emit {
        /// Action kind.
        action: Ident,
        /// When it is due.
        at: Option<Expr>,
        /// Explanation.
        message: Option<Message>,
    },
}

/// `deduct` or `credit`: both add a line to a ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerVerb {
    /// `deduct`.
    Deduct,
    /// `credit`.
    Credit,
    /// `charge`.
    Charge,
}

/// A message: Chinese text and optional English text.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The main (Chinese) text.
    pub text: Spanned<Vec<TextPart>>,
    /// `en "…"`.
    pub en: Option<Spanned<Vec<TextPart>>>,
}

/// A piece of a text literal.
#[derive(Clone, Debug, PartialEq)]
pub enum TextPart {
    /// Literal characters.
    Lit(String),
    /// `{expr}`.
    Expr(Expr),
}

/// A decision table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDecl {
    /// Its name (called like a function).
    pub name: Ident,
    /// Its inputs.
    pub params: Vec<Param>,
    /// The type of each row's result.
    pub result: TypeExpr,
    /// How matching rows combine.
    pub hit: Spanned<HitPolicy>,
    /// Rows in order.
    pub rows: Vec<Row>,
    /// `otherwise => …`: the result when no row matches.
    pub otherwise: Option<Expr>,
    /// A function's local lets, in order (a function is a table of one row that
    /// accepts anything).
    pub lets: Vec<(Ident, Expr)>,
    /// Declared with `fn`.
    pub function: bool,
    /// `from "rates.csv"`: the file the rows are read from (the path as written).
    pub from: Option<Spanned<String>>,
}

/// A table input.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Name.
    pub name: Ident,
    /// Type.
    pub ty: TypeExpr,
}

/// A table row: one cell per input, then the result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Conditions, one per input.
    pub cells: Vec<Cell>,
    /// The row's result.
    pub result: Expr,
    /// The whole row.
    pub span: Span,
}

/// A table cell.
pub type Cell = Spanned<CellKind>;

/// The kinds of cell condition.
#[derive(Clone, Debug, PartialEq)]
pub enum CellKind {
    /// `_`: any value, even a missing one.
    Any,
    /// `< 80%`, `== "P1"`, …
    Cmp(CmpOp, Expr),
    /// `in list`.
    In(Expr),
    /// `not in list`.
    NotIn(Expr),
    /// A bare value: equality.
    Eq(Expr),
    /// `[lo..hi]`, `(lo..hi)`, `[lo..hi)`, `(lo..hi]`.
    Range(Box<RangeCell>),
    /// `test or test …`: any of them.
    AnyOf(Vec<Cell>),
    /// `not(test or …)`: none of them.
    Not(Vec<Cell>),
}

impl CellKind {
    /// Every expression in the cell, in order (the ends of a range, each test's value).
    pub fn exprs(&self) -> Vec<&Expr> {
        match self {
            CellKind::Any => Vec::new(),
            CellKind::Cmp(_, e) | CellKind::In(e) | CellKind::NotIn(e) | CellKind::Eq(e) => vec![e],
            CellKind::Range(r) => vec![&r.lo, &r.hi],
            CellKind::AnyOf(tests) | CellKind::Not(tests) => tests.iter().flat_map(|t| t.node.exprs()).collect(),
        }
    }
}

/// A range cell's ends.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeCell {
    /// Lower end.
    pub lo: Expr,
    /// `[` (true) or `(`.
    pub lo_closed: bool,
    /// Upper end.
    pub hi: Expr,
    /// `]` (true) or `)`.
    pub hi_closed: bool,
}

/// An expression.
pub type Expr = Spanned<ExprKind>;

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`.
    Int(i64),
    /// `10.00`.
    Decimal(Decimal),
    /// `10%`, stored as the fraction `0.10`.
    Percent(Decimal),
    /// `7 days`; `2 business hours` names a calendar.
    Duration(Decimal, TimeUnit, Option<Ident>),
    /// `2026-11-10`.
    Date(NaiveDate),
    /// `2026-11-10T12:00:00+08:00`.
    DateTime(DateTime<FixedOffset>),
    /// `true`, `false`.
    Bool(bool),
    /// `"text {expr}"`.
    Text(Vec<TextPart>),
    /// A name.
    Name(String),
    /// `expr.field`.
    Member(Box<Expr>, Ident),
    /// `name(args)`: a builtin or a table.
    Call(Ident, Vec<Expr>),
    /// `count(x in xs where …)`, `sum(e for x in xs where …)`: a call over a list.
    Aggregate(Ident, Box<Comprehension>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{ a: x }`.
    Record(Vec<(Ident, Expr)>),
    /// `not x`, `-x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x is missing` (true) or `x is present` (false).
    IsMissing(Box<Expr>, bool),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `(expr)`, kept so the written form survives.
    Paren(Box<Expr>),
    /// `missing`: only an `if` branch may be one (`if c then x else missing`).
    Missing,
    /// `16:00`: a time of day.
    Time(chrono::NaiveTime),
    /// `12 months`, `2 years`: a calendar period, counted in whole months.
    Months(rust_decimal::Decimal),
    /// Placeholder after a reported syntax mistake.
    Error,
}

impl ExprKind {
    /// A number, percentage, duration, period, date, datetime, time or bool written out
    /// (not a text: it may interpolate).
    pub fn is_scalar_literal(&self) -> bool {
        matches!(
            self,
            ExprKind::Int(_)
                | ExprKind::Decimal(_)
                | ExprKind::Percent(_)
                | ExprKind::Duration(..)
                | ExprKind::Date(_)
                | ExprKind::DateTime(_)
                | ExprKind::Bool(_)
                | ExprKind::Time(_)
                | ExprKind::Months(_)
        )
    }
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `of` (`10% of x`).
    Of,
    /// `**`.
    Pow,
    /// `mod`.
    Mod,
    /// `div`.
    IntDiv,
}

impl BinaryOp {
    /// As written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Of => "of",
            BinaryOp::Pow => "**",
            BinaryOp::Mod => "mod",
            BinaryOp::IntDiv => "div",
        }
    }

    /// True for `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn
        )
    }
}

impl ExprKind {
    /// The expression inside any parentheses.
    pub fn unparen(&self) -> &ExprKind {
        match self {
            ExprKind::Paren(inner) => inner.node.unparen(),
            other => other,
        }
    }
}
