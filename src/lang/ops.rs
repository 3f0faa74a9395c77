//! Operators and the other small vocabularies the checker and the runtime share.

/// How the rows of a table combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitPolicy {
    /// At most one row may match (the default).
    Unique,
    /// The first matching row wins.
    First,
    /// Matching rows must agree; their common result.
    Any,
    /// The matching result that comes first among the result enumeration's values.
    Priority,
    /// Every matching result, ordered as the result enumeration's values.
    OutputOrder,
    /// Every matching row; aggregated when an aggregate is given.
    Collect(Option<Aggregate>),
}

/// Aggregates of a `collect` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// Sum of results.
    Sum,
    /// Smallest result.
    Min,
    /// Largest result.
    Max,
    /// Number of matching rows.
    Count,
}

/// A comparison in a table cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
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
}

impl CmpOp {
    /// The comparison with its sides swapped: `3 < x` is `x > 3`.
    pub fn mirrored(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    /// As written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Units of a duration literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// 604 800 seconds.
    Weeks,
    /// 86 400 seconds.
    Days,
    /// 3 600 seconds.
    Hours,
    /// 60 seconds.
    Minutes,
    /// 1 second.
    Seconds,
}

impl TimeUnit {
    /// Seconds in one unit.
    pub fn seconds(self) -> i64 {
        match self {
            TimeUnit::Weeks => 604_800,
            TimeUnit::Days => 86_400,
            TimeUnit::Hours => 3_600,
            TimeUnit::Minutes => 60,
            TimeUnit::Seconds => 1,
        }
    }

    /// The plural word.
    pub fn word(self) -> &'static str {
        match self {
            TimeUnit::Weeks => "weeks",
            TimeUnit::Days => "days",
            TimeUnit::Hours => "hours",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Seconds => "seconds",
        }
    }
}

/// Aggregates over a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    /// Number of items.
    Count,
    /// Sum of values.
    Sum,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// Any value true.
    Any,
    /// All values true.
    All,
    /// The values (or the items kept) as a list: `[x in xs where …]`.
    List,
    /// The values (or the items kept), ascending: `sort(x.price for x in xs)`.
    Sort,
    /// The items, ordered by a key: `sort(x in xs by x.price)` (the key is the body).
    SortBy,
}

impl AggFunc {
    /// The aggregate called `name`.
    pub fn named(name: &str) -> Option<AggFunc> {
        Some(match name {
            "count" => AggFunc::Count,
            "sum" => AggFunc::Sum,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            "any" => AggFunc::Any,
            "all" => AggFunc::All,
            "list" => AggFunc::List,
            "sort" => AggFunc::Sort,
            _ => return None,
        })
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `p of x`.
    Of,
    /// `a ** b`.
    Pow,
    /// `a mod b`: the remainder, with the sign of `b`.
    Mod,
    /// `a div b`: the whole quotient, rounded down.
    IntDiv,
}

impl ArithOp {
    /// As written.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Pow => "**",
            ArithOp::Mod => "mod",
            ArithOp::IntDiv => "div",
            ArithOp::Of => "of",
        }
    }
}

/// Kinds of finding a rule can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// Refuses the request.
    Reject,
    /// Holds the request until information arrives.
    Require,
    /// Marks something worth attention.
    Flag,
    /// A ledger line (`deduct`).
    Deduct,
    /// A ledger line (`credit`).
    Credit,
    /// A ledger line (`charge`): a fee, not a deduction.
    Charge,
}

impl FindingKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Reject => "reject",
            FindingKind::Require => "require",
            FindingKind::Flag => "flag",
            FindingKind::Deduct => "deduct",
            FindingKind::Credit => "credit",
            FindingKind::Charge => "charge",
        }
    }
}
