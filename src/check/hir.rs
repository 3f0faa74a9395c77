//! The checked policy: names resolved to indices, every expression typed.

use std::sync::Arc;

use chrono_tz::Tz;

use crate::lang::{AggFunc, ArithOp, Builtin, CmpOp, FindingKind, HitPolicy, TimeUnit};
use crate::lang::{RecordType, Type};
use crate::source::{SourceFile, Span};
use crate::value::{Currency, Value};

/// A typed expression.
#[derive(Clone, Debug)]
pub struct TExpr {
    /// What it computes.
    pub kind: TKind,
    /// Its type.
    pub ty: Type,
    /// Where it was written.
    pub span: Span,
    /// May evaluate to missing.
    pub missing: bool,
    /// Depends only on literals and consts.
    pub constant: bool,
    /// Reads the decision or a ledger total, so it can only be known after every
    /// reject, require and ledger rule has run.
    pub settled: bool,
}

/// Expression kinds after name resolution.
#[derive(Clone, Debug)]
pub enum TKind {
    /// A literal value.
    Lit(Value),
    /// A top-level input (`order`, `item`, …) by slot.
    Input(usize),
    /// A record field by slot.
    Field(Box<TExpr>, usize),
    /// `duration.days` and friends: whole units, rounded down.
    DurationPart(Box<TExpr>, TimeUnit),
    /// A const by index.
    Const(usize),
    /// A let or output by index.
    Derived(usize),
    /// A local: a table parameter, a loop variable, or a per-item value, by its place
    /// in the current frame.
    Local(usize),
    /// The evaluation instant.
    Now,
    /// The decision (`approved`, `rejected`, `needs_info`).
    Decision,
    /// `total(ledger)`.
    LedgerTotal(usize),
    /// `not x`.
    Not(Box<TExpr>),
    /// `-x`.
    Neg(Box<TExpr>),
    /// `a and b` (Kleene).
    And(Box<TExpr>, Box<TExpr>),
    /// `a or b` (Kleene).
    Or(Box<TExpr>, Box<TExpr>),
    /// `a == b`, `a < b`, …
    Compare(CmpOp, Box<TExpr>, Box<TExpr>),
    /// `x in list` / `x not in list`.
    In(Box<TExpr>, Box<TExpr>, bool),
    /// `a + b`, …
    Arith(ArithOp, Box<TExpr>, Box<TExpr>),
    /// `x is missing` (true) / `x is present` (false).
    IsMissing(Box<TExpr>, bool),
    /// `if c then a else b`.
    If(Box<TExpr>, Box<TExpr>, Box<TExpr>),
    /// A builtin function.
    Call(Builtin, Vec<TExpr>),
    /// A table by index.
    Table(usize, Vec<TExpr>),
    /// `[a, b]`.
    List(Vec<TExpr>),
    /// `{a: x}`, fields in the order of the record type.
    Record(Vec<TExpr>),
    /// An interpolated text.
    Text(Vec<TPart>),
    /// `count(x in xs where …)`, `sum(e for x in xs where …)`: the item is the next local.
    Aggregate {
        /// Which aggregate.
        func: AggFunc,
        /// The value taken from each item.
        body: Option<Box<TExpr>>,
        /// The list.
        list: Box<TExpr>,
        /// Only items for which this is true.
        filter: Option<Box<TExpr>>,
        /// The item's local index (the locals in scope before it).
        item: usize,
    },
    /// A list whose records gain per-item values (`for each x in xs { let … }`): each
    /// value is computed with the item as local 0 and earlier values as locals 1….
    Extend {
        /// The list.
        list: Box<TExpr>,
        /// The values and their `when` guards.
        lets: Vec<(TExpr, Option<TExpr>)>,
    },
    /// An expression that failed to check (already reported).
    Error,
}

/// A piece of an interpolated text.
#[derive(Clone, Debug)]
pub enum TPart {
    /// Literal characters.
    Lit(String),
    /// A value to show.
    Expr(TExpr),
}

/// A message in Chinese, with optional English.
#[derive(Clone, Debug)]
pub struct MessageDef {
    /// Chinese text.
    pub zh: Vec<TPart>,
    /// English text.
    pub en: Option<Vec<TPart>>,
}

/// A const.
#[derive(Clone, Debug)]
pub struct ConstDef {
    /// Name.
    pub name: String,
    /// Defining expression (constant).
    pub expr: TExpr,
}

/// A let or an output.
#[derive(Clone, Debug)]
pub struct DerivedDef {
    /// Name.
    pub name: String,
    /// Defining expression.
    pub expr: TExpr,
    /// `when` guard.
    pub guard: Option<TExpr>,
    /// Its type.
    pub ty: Type,
    /// An `output` (printed in results), not a `let`.
    pub exported: bool,
    /// Reads the decision or a ledger total.
    pub settled: bool,
}

/// A ledger.
#[derive(Clone, Debug)]
pub struct LedgerDef {
    /// Name.
    pub name: String,
    /// The most its total may be.
    pub cap: Option<TExpr>,
    /// The flag raised when the cap bites.
    pub cap_flag: Option<(String, Option<MessageDef>)>,
}

/// `for each var in list [where filter]`.
#[derive(Clone, Debug)]
pub struct ForDef {
    /// The list (evaluated with the outer loops' items as locals).
    pub list: TExpr,
    /// Items for which this is not true are skipped.
    pub filter: Option<TExpr>,
    /// The slot of the item record's `id` field, which names the item in results.
    pub id_field: Option<usize>,
}

/// A constraint on the facts.
#[derive(Clone, Debug)]
pub struct EnsureDef {
    /// Iteration, outermost first; the items are locals 0, 1, ….
    pub each: Vec<ForDef>,
    /// What must not be false.
    pub cond: TExpr,
    /// What to say when it is.
    pub message: MessageDef,
    /// The fact the condition reads first, to name in the diagnostic: the local it
    /// starts from (or none for a top-level input) and the field names after it.
    pub path: Option<(Option<usize>, Vec<String>)>,
    /// Where it was declared.
    pub span: Span,
}

/// A checked decision table.
#[derive(Clone, Debug)]
pub struct TableDef {
    /// Name.
    pub name: String,
    /// Parameter names and types.
    pub params: Vec<(String, Type)>,
    /// Result type of each row.
    pub result: Type,
    /// Hit policy.
    pub hit: HitPolicy,
    /// Rows.
    pub rows: Vec<RowDef>,
    /// The result when no row matches.
    pub otherwise: Option<TExpr>,
    /// A function's lets, in order (locals after the parameters).
    pub lets: Vec<TExpr>,
    /// Where it was declared.
    pub span: Span,
}

/// A checked table row.
#[derive(Clone, Debug)]
pub struct RowDef {
    /// One per parameter.
    pub cells: Vec<CellDef>,
    /// The row's result.
    pub result: TExpr,
    /// The row's span.
    pub span: Span,
}

/// A checked table cell.
#[derive(Clone, Debug)]
pub enum CellDef {
    /// `_`.
    Any,
    /// `op value` (a bare value is `== value`).
    Cmp(CmpOp, TExpr),
    /// `in list` (false) / `not in list` (true).
    In(TExpr, bool),
    /// A range: its ends, each closed (true) or open.
    Range(TExpr, bool, TExpr, bool),
    /// Any of these tests.
    AnyOf(Vec<CellDef>),
    /// None of these tests.
    Not(Vec<CellDef>),
}

impl CellDef {
    /// Every expression in the cell.
    pub fn exprs(&self) -> Vec<&TExpr> {
        match self {
            CellDef::Any => Vec::new(),
            CellDef::Cmp(_, e) | CellDef::In(e, _) => vec![e],
            CellDef::Range(lo, _, hi, _) => vec![lo, hi],
            CellDef::AnyOf(tests) | CellDef::Not(tests) => tests.iter().flat_map(CellDef::exprs).collect(),
        }
    }
}

/// A checked outcome.
#[derive(Clone, Debug)]
pub enum OutcomeDef {
    /// reject / require / flag.
    Finding {
        /// Which.
        kind: FindingKind,
        /// Its code.
        code: String,
        /// Its message.
        message: Option<MessageDef>,
    },
    /// deduct / credit into a ledger.
    Ledger {
        /// Deduct or credit.
        kind: FindingKind,
        /// Its code.
        code: String,
        /// Ledger index.
        ledger: usize,
        /// Amount (numeric).
        amount: TExpr,
        /// Its message.
        message: Option<MessageDef>,
    },
    /// emit an action.
    Emit {
        /// Action kind.
        action: String,
        /// When it is due.
        at: Option<TExpr>,
        /// Its message.
        message: Option<MessageDef>,
    },
}

/// A checked rule.
#[derive(Clone, Debug)]
pub struct RuleDef {
    /// Name.
    pub name: String,
    /// Stage index.
    pub stage: Option<usize>,
    /// Iteration, outermost first; the items are locals 0, 1, ….
    pub each: Vec<ForDef>,
    /// Condition.
    pub when: Option<TExpr>,
    /// Outcomes.
    pub outcomes: Vec<OutcomeDef>,
    /// The rule in contract words (constant).
    pub terms: Option<MessageDef>,
    /// Reads the decision or a ledger total.
    pub settled: bool,
    /// Where it was declared.
    pub span: Span,
}

/// The policy with its names resolved and every expression typed. After errors, the
/// broken parts are placeholders (an error expression, an empty table), so that the
/// compiler can still report what it finds in the same run; it becomes a program only
/// when the checker found no error.
#[derive(Clone, Debug)]
pub struct TypedPolicy {
    /// Machine name.
    pub name: String,
    /// Human title.
    pub title: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Time zone for local dates.
    pub timezone: Tz,
    /// Currency.
    pub currency: Currency,
    /// Declared stages in order.
    pub stages: Vec<String>,
    /// The facts schema.
    pub inputs: Arc<RecordType>,
    /// Consts.
    pub consts: Vec<ConstDef>,
    /// Lets and outputs.
    pub derived: Vec<DerivedDef>,
    /// Tables.
    pub tables: Vec<TableDef>,
    /// Ledgers.
    pub ledgers: Vec<LedgerDef>,
    /// Rules in declaration order.
    pub rules: Vec<RuleDef>,
    /// Constraints on the facts.
    pub ensures: Vec<EnsureDef>,
    /// Calendars: the built-in `always` first, then the declared ones.
    pub calendars: Vec<Arc<crate::time::Calendar>>,
    /// Consts in dependency order (each after those it reads).
    pub const_order: Vec<usize>,
    /// Lets and outputs in dependency order.
    pub derived_order: Vec<usize>,
    /// The workflow, when the policy declares one.
    pub workflow: Option<WorkflowDef>,
    /// The source.
    pub file: Arc<SourceFile>,
}

impl TKind {
    /// The direct sub-expressions.
    pub fn children(&self) -> Vec<&TExpr> {
        match self {
            TKind::Lit(_)
            | TKind::Input(_)
            | TKind::Const(_)
            | TKind::Derived(_)
            | TKind::Local(_)
            | TKind::Now
            | TKind::Decision
            | TKind::LedgerTotal(_)
            | TKind::Error => Vec::new(),
            TKind::Field(x, _) | TKind::DurationPart(x, _) | TKind::Not(x) | TKind::Neg(x) | TKind::IsMissing(x, _) => {
                vec![x]
            }
            TKind::And(a, b)
            | TKind::Or(a, b)
            | TKind::Compare(_, a, b)
            | TKind::In(a, b, _)
            | TKind::Arith(_, a, b) => {
                vec![a, b]
            }
            TKind::If(c, a, b) => vec![c, a, b],
            TKind::Call(_, xs) | TKind::Table(_, xs) | TKind::List(xs) | TKind::Record(xs) => xs.iter().collect(),
            TKind::Text(parts) => {
                parts.iter().filter_map(|p| if let TPart::Expr(e) = p { Some(e) } else { None }).collect()
            }
            TKind::Aggregate { body, list, filter, .. } => {
                body.iter().map(|b| &**b).chain([&**list]).chain(filter.iter().map(|f| &**f)).collect()
            }
            TKind::Extend { list, lets } => {
                std::iter::once(&**list).chain(lets.iter().flat_map(|(v, g)| std::iter::once(v).chain(g))).collect()
            }
        }
    }
}

impl TExpr {
    /// A node whose flags (missing, constant, settled) come from its children.
    pub fn new(kind: TKind, ty: Type, span: Span) -> TExpr {
        let children = kind.children();
        let missing = children.iter().any(|c| c.missing);
        let constant = children.iter().all(|c| c.constant);
        let settled = children.iter().any(|c| c.settled);
        TExpr { kind, ty, span, missing, constant, settled }
    }
}

/// A checked workflow: names resolved to indices.
#[derive(Clone, Debug)]
pub struct WorkflowDef {
    /// Its name.
    pub name: String,
    /// A human title.
    pub title: Option<String>,
    /// Stages in declaration order.
    pub stages: Vec<String>,
    /// Where a case starts.
    pub initial: usize,
    /// Stages where the process ends (left only by a transition declared from them).
    pub finals: Vec<usize>,
    /// Declared events.
    pub events: Vec<String>,
    /// Declared roles (`roles reviewer, warehouse`).
    pub roles: Vec<String>,
    /// Transitions in declaration order.
    pub transitions: Vec<TransitionDef>,
    /// Stage deadlines.
    pub deadlines: Vec<DeadlineDef>,
    /// Actions scheduled on entering a stage.
    pub entries: Vec<EntryDef>,
}

/// `from -> to on event [else otherwise]`.
#[derive(Clone, Debug)]
pub struct TransitionDef {
    /// Stage index.
    pub from: usize,
    /// Stage index.
    pub to: usize,
    /// Event index.
    pub event: usize,
    /// Role indices that may post the event here (anyone when empty).
    pub by: Vec<usize>,
    /// `with inspection`: the top-level input fields the event's data fills in.
    pub carries: Vec<String>,
    /// Stage reached instead when a reject rule of `to` fires.
    pub otherwise: Option<usize>,
    /// `rejects CODE "text"`: taking the event decides the case as rejected.
    pub rejects: Option<(String, Option<MessageDef>)>,
}

/// How long a deadline or a delay is.
#[derive(Clone, Debug)]
pub enum AmountDef {
    /// A plain duration (literal or const): whole days count local days in the
    /// policy's zone, anything else is exact time.
    Plain(TExpr),
    /// Working time on a calendar (`2 business hours`).
    Working(Arc<crate::time::Calendar>, TExpr),
    /// Whole working days on a calendar (`2 business days`).
    WorkingDays(Arc<crate::time::Calendar>, u32),
}

/// `deadline stage within amount of anchor`.
#[derive(Clone, Debug)]
pub struct DeadlineDef {
    /// The stage that must be left.
    pub stage: usize,
    /// Counted from entering this stage.
    pub anchor: usize,
    /// How long, or (`by`) the let or output whose datetime is the due time.
    pub due: DueDef,
    /// What to say (constant interpolations only).
    pub message: Option<MessageDef>,
}

/// When a deadline is due.
#[derive(Clone, Debug)]
pub enum DueDef {
    /// `within AMOUNT of STAGE`.
    Within(AmountDef),
    /// `by NAME`: a datetime let or output, by name.
    By(String),
}

/// `entering stage emit action after amount`.
#[derive(Clone, Debug)]
pub struct EntryDef {
    /// The stage.
    pub stage: usize,
    /// The action's kind.
    pub action: String,
    /// Delay after entering.
    pub after: Option<AmountDef>,
    /// What it is for (constant interpolations only).
    pub message: Option<MessageDef>,
}
