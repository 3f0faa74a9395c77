//! The builtin functions a policy can call.

/// Builtin functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `date(datetime)`: the local date in the policy's time zone.
    Date,
    /// `min(a, b, …)` or `min(list)`.
    Min,
    /// `max(a, b, …)` or `max(list)`.
    Max,
    /// `abs(x)`.
    Abs,
    /// `round(x, places)`: half-up.
    Round,
    /// `floor(x)`.
    Floor,
    /// `ceil(x)`.
    Ceil,
    /// `count(list)`.
    Count,
    /// `sum(list)`.
    Sum,
    /// `any(list<bool>)`.
    Any,
    /// `all(list<bool>)`.
    All,
    /// `coalesce(a, b, …)`: the first present value.
    Coalesce,
    /// `length(text)`: number of characters.
    Length,
    /// `trim(text)`.
    Trim,
    /// `elapsed(calendar, from, to)`: working time between two instants.
    Elapsed,
    /// `elapsed(calendar, from, to, pauses)`: the same outside paused intervals; the
    /// numbers are the slots of `from` and `to` in the pause records.
    ElapsedExcluding(u16, u16),
    /// `due(calendar, from, duration)`: when that much working time has passed.
    Due,
    /// `from + N cal days`: the same local time on the N-th working day after `from`'s
    /// local date, as a deadline counts it (not callable by name).
    DueWorkingDays,
}

impl Builtin {
    /// The name a policy calls it by.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Date => "date",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Abs => "abs",
            Builtin::Round => "round",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Count => "count",
            Builtin::Sum => "sum",
            Builtin::Any => "any",
            Builtin::All => "all",
            Builtin::Coalesce => "coalesce",
            Builtin::Length => "length",
            Builtin::Trim => "trim",
            Builtin::Elapsed | Builtin::ElapsedExcluding(..) => "elapsed",
            Builtin::Due | Builtin::DueWorkingDays => "due",
        }
    }
}
