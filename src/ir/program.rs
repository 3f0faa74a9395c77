//! The compiled program: what the interpreter runs. Names are gone; every reference is
//! a slot, constants are folded, and the evaluation order is fixed.

use std::sync::Arc;

use crate::lang::{AggFunc, ArithOp, Builtin, FindingKind};
use crate::lang::{CmpOp, HitPolicy};
use crate::lang::{RecordType, Type};
use crate::source::{SourceFile, Span};
use crate::value::{Locale, Value};

/// A compiled expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A folded constant.
    Const(Value),
    /// A path into the facts: the input slot, then field slots.
    Path(u32, Box<[u32]>),
    /// A fact path tested against a constant in place: the commonest condition,
    /// compiled from `path == "text"`, `path < 3`, `path in [...]`, `path is missing`.
    TestPath(u32, Box<[u32]>, PathTest),
    /// A field of a computed record.
    Field(Box<Expr>, u32),
    /// Whole units of a duration (unit size in seconds).
    DurationPart(Box<Expr>, i64),
    /// A let or output slot.
    Derived(u32),
    /// A local of the current frame (table parameter, loop item, per-item value).
    Local(u32),
    /// The evaluation instant.
    Now,
    /// The decision, once known.
    Decision,
    /// A ledger's total, once known.
    LedgerTotal(u32),
    /// `not x`.
    Not(Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// Kleene `and` of all parts (chains are flattened: `a and b and c`).
    And(Box<[Expr]>),
    /// Kleene `or` of all parts.
    Or(Box<[Expr]>),
    /// Comparison.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Membership (negated when true).
    In(Box<Expr>, Box<Expr>, bool),
    /// Arithmetic (the span names it when it overflows).
    Arith(ArithOp, Box<Expr>, Box<Expr>, Span),
    /// `is missing` (true) / `is present` (false).
    IsMissing(Box<Expr>, bool),
    /// `if`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A builtin call.
    Call(Builtin, Box<[Expr]>, Span),
    /// A table call.
    Table(u32, Box<[Expr]>, Span),
    /// An aggregate over a list; the item is pushed onto the frame.
    Aggregate {
        /// Which aggregate.
        func: AggFunc,
        /// The value taken from each item.
        body: Option<Box<Expr>>,
        /// The list.
        list: Box<Expr>,
        /// Only items for which this is true.
        filter: Option<Box<Expr>>,
        /// The [`Expr::Once`] slots inside that do not depend on the item: cleared when
        /// the aggregate starts, so each is computed at most once per run.
        resets: Box<[u32]>,
        /// For faults.
        span: Span,
    },
    /// A part of an aggregate's filter or value that does not depend on its item
    /// (`max(l)` in `count(x in l where x == max(l))`): computed the first time it is
    /// needed in a run of the aggregate and kept in its slot for the rest of the run.
    Once(Box<Expr>, u32),
    /// A list of records extended with per-item values (each computed with the item and
    /// the earlier values as the frame).
    Extend(Box<Expr>, Box<[(Expr, Option<Expr>)]>),
    /// A number widened to the type the checker gave the expression
    /// (`max(0, amount)` is money even when `0` wins).
    Coerce(Box<Expr>, Type),
    /// A list.
    List(Box<[Expr]>),
    /// A record.
    Record(Box<[Expr]>),
    /// An interpolated text.
    Text(Box<[Part]>),
}

/// The test of an [`Expr::TestPath`].
#[derive(Clone, Debug)]
pub enum PathTest {
    /// `== text` (`!=` when negated).
    TextEq(Arc<str>, bool),
    /// `op n` on a whole number.
    IntCmp(CmpOp, i64),
    /// `in [texts]` (`not in` when negated).
    TextIn(Box<[Arc<str>]>, bool),
    /// The fact is a list: `"text" in` it (`not in` when negated).
    Contains(Arc<str>, bool),
    /// `is missing` (true) / `is present` (false).
    Missing(bool),
}

/// A piece of an interpolated text.
#[derive(Clone, Debug)]
pub enum Part {
    /// Literal characters.
    Lit(Arc<str>),
    /// A value to show.
    Expr(Expr),
}

/// A message in Chinese with optional English.
#[derive(Clone, Debug)]
pub struct Message {
    /// Chinese.
    pub zh: Box<[Part]>,
    /// English.
    pub en: Option<Box<[Part]>>,
}

impl Message {
    /// The text when every part is fixed (constant interpolations are filled in when the
    /// policy is compiled): Chinese, then English if given.
    pub fn fixed(&self) -> Option<(String, Option<String>)> {
        let join = |parts: &[Part]| -> Option<String> {
            parts.iter().map(|p| if let Part::Lit(s) = p { Some(&**s) } else { None }).collect()
        };
        let en = match &self.en {
            Some(en) => Some(join(en)?),
            None => None,
        };
        Some((join(&self.zh)?, en))
    }
}

/// A let or output.
#[derive(Clone, Debug)]
pub struct Derived {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: Type,
    /// Printed in results.
    pub exported: bool,
    /// Defining expression.
    pub expr: Expr,
    /// `when` guard.
    pub guard: Option<Expr>,
}

/// A compiled table.
#[derive(Clone, Debug)]
pub struct Table {
    /// Name.
    pub name: String,
    /// Hit policy.
    pub hit: HitPolicy,
    /// Parameter names, in order.
    pub params: Vec<String>,
    /// Parameter types, in order.
    pub param_types: Box<[Type]>,
    /// The type of a row's result.
    pub result: Type,
    /// Rows.
    pub rows: Vec<Row>,
    /// The result when no row matches.
    pub otherwise: Option<Expr>,
    /// A function's lets, computed in order after the arguments.
    pub lets: Box<[Expr]>,
    /// The rows by the values their constant cells accept (large tables only).
    pub index: Option<super::table_index::TableIndex>,
}

/// A compiled row.
#[derive(Clone, Debug)]
pub struct Row {
    /// One condition per parameter.
    pub cells: Box<[Cell]>,
    /// The result.
    pub result: Expr,
}

/// A compiled cell.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Anything.
    Any,
    /// `param op value`.
    Cmp(CmpOp, Expr),
    /// `param in list` (negated when true).
    In(Expr, bool),
    /// `lo <= param <= hi`, each end closed (true) or open.
    Range(Expr, bool, Expr, bool),
    /// Any of the tests.
    AnyOf(Box<[Cell]>),
    /// None of the tests.
    Not(Box<[Cell]>),
}

/// A compiled outcome.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// reject / require / flag.
    Finding {
        /// Which.
        kind: FindingKind,
        /// Code.
        code: Arc<str>,
        /// Message.
        message: Option<Message>,
    },
    /// A ledger line.
    Ledger {
        /// Deduct or credit.
        kind: FindingKind,
        /// Code.
        code: Arc<str>,
        /// Ledger slot.
        ledger: u32,
        /// Amount.
        amount: Expr,
        /// Message.
        message: Option<Message>,
    },
    /// An action.
    Emit {
        /// Action kind.
        action: Arc<str>,
        /// Due time.
        at: Option<Expr>,
        /// Message.
        message: Option<Message>,
    },
}

/// One condition of a rule, kept apart for explanations.
#[derive(Clone, Debug)]
pub struct Condition {
    /// Its source text.
    pub text: String,
    /// The condition.
    pub expr: Expr,
    /// The values worth showing: `(source text, expression)`.
    pub operands: Vec<(String, Expr)>,
    /// Facts and values it reads, to name the missing ones.
    pub reads: Vec<(String, Expr)>,
}

/// Where the items of a loop come from, to name them in results and diagnostics.
#[derive(Clone, Debug)]
pub enum ListPath {
    /// A path in the facts: `tickets`, `order.items`.
    Fact(String),
    /// A path below an outer loop's item: `(0, ".paused")`.
    Below(u32, String),
    /// Anything else, by its source text.
    Text(String),
}

/// `for each var in list [where filter]`.
#[derive(Clone, Debug)]
pub struct Loop {
    /// The list; outer items are the frame.
    pub list: Expr,
    /// Items for which this is not true are skipped.
    pub filter: Option<Expr>,
    /// The slot of the item's `id` field, which names it in results.
    pub id_field: Option<u32>,
    /// Where the list is.
    pub path: ListPath,
}

/// A constraint on the facts.
#[derive(Clone, Debug)]
pub struct Ensure {
    /// Iteration.
    pub each: Vec<Loop>,
    /// What must not be false.
    pub cond: Expr,
    /// The message when it is.
    pub message: Message,
    /// The fact to name: the loop it starts from (none for a top-level input) and the
    /// field names after it.
    pub path: Option<(Option<u32>, Vec<String>)>,
    /// The declaration, for a diagnostic when no fact can be named.
    pub span: Span,
}

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Its position among the policy's rules.
    pub index: usize,
    /// Name.
    pub name: Arc<str>,
    /// Stage name.
    pub stage: Option<Arc<str>>,
    /// Iteration: the rule runs once per item (combination).
    pub each: Vec<Loop>,
    /// The whole condition, for the fast path.
    pub when: Option<Expr>,
    /// The condition split at its top-level `and`s, for explanations.
    pub conditions: Vec<Condition>,
    /// Outcomes.
    pub outcomes: Vec<Outcome>,
    /// The rule in contract words, filled in when the policy is compiled.
    pub terms: Option<Message>,
}

/// A step of evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Compute a let or output.
    Derived(u32),
    /// Run a rule.
    Rule(u32),
}

/// A ledger.
#[derive(Clone, Debug)]
pub struct Ledger {
    /// Name.
    pub name: String,
    /// The most its total may be.
    pub cap: Option<Expr>,
    /// The flag raised when the cap bites.
    pub cap_flag: Option<(Arc<str>, Option<Message>)>,
}

/// A compiled policy, ready to evaluate many times.
#[derive(Clone, Debug)]
pub struct Program {
    /// Machine name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Time zone and currency for values.
    pub locale: Locale,
    /// The facts schema.
    pub inputs: Arc<RecordType>,
    /// `matches` patterns that are constants, compiled once.
    pub patterns: Vec<regex::Regex>,
    /// Lets and outputs.
    pub derived: Vec<Derived>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Rules in declaration order.
    pub rules: Vec<Rule>,
    /// Constraints checked on the facts before evaluation.
    pub ensures: Vec<Ensure>,
    /// Calendars: `always` first, then the declared ones.
    pub calendars: Vec<Arc<crate::time::Calendar>>,
    /// Ledgers.
    pub ledgers: Vec<Ledger>,
    /// Before the decision: values and the rules that decide.
    pub before: Vec<Step>,
    /// After the decision: values and rules that read it.
    pub after: Vec<Step>,
    /// The workflow, when the policy declares one.
    pub workflow: Option<Arc<crate::ir::Workflow>>,
    /// Consts with their values, in declaration order (for documents).
    pub consts: Vec<(String, Value)>,
    /// How many [`Expr::Once`] slots the program's aggregates use.
    pub once_slots: u32,
    /// The policy source.
    pub file: Arc<SourceFile>,
}
