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
    /// `round_half_even(x, places)`: a half goes to the even neighbour (banker's rounding).
    RoundHalfEven,
    /// `round_up(x, places)`: away from zero.
    RoundUp,
    /// `round_down(x, places)`: toward zero.
    RoundDown,
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
    /// `upper(text)`.
    Upper,
    /// `lower(text)`.
    Lower,
    /// `substring(text, start[, length])`: characters from `start` (1 is the first, -1
    /// the last).
    Substring,
    /// `starts_with(text, prefix)`.
    StartsWith,
    /// `ends_with(text, suffix)`.
    EndsWith,
    /// `contains(text, part)` or `contains(list, item)`.
    Contains,
    /// `replace(text, old, new)`: every occurrence of `old`, as written.
    Replace,
    /// `split(text, separator)`.
    Split,
    /// `matches(text, pattern)`: a regular expression somewhere in the text.
    Matches,
    /// `d.year`, `t.hour`, …: a part of a date or (in the policy's zone) a datetime.
    DatePart(DatePart),
    /// `t.time`: a datetime's time of day in the policy's zone.
    TimeOfDay,
    /// `datetime(text)`: an RFC 3339 instant, or missing.
    DateTimeFrom,
    /// `duration(text)`: `PT2H`, `90 minutes`, or missing.
    DurationFrom,
    /// `sort(list)`: ascending (numbers, dates, durations, texts by code point).
    Sort,
    /// `distinct(list)`: each value once, where it first appears.
    Distinct,
    /// `sublist(list, start[, length])`: items from `start` (1 is the first, -1 the last).
    Sublist,
    /// `index(list, item)`: where `item` first appears (1 is the first), missing if not.
    Index,
    /// `matches` with a constant pattern, compiled when the policy loads: its index in
    /// the program's patterns (not callable by name).
    MatchesCompiled(u32),
}

/// A part of a date or datetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePart {
    /// The year.
    Year,
    /// 1 to 12.
    Month,
    /// 1 to 31.
    Day,
    /// 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them.
    Weekday,
    /// 0 to 23, local time.
    Hour,
    /// 0 to 59.
    Minute,
    /// 0 to 59.
    Second,
}

impl DatePart {
    /// The part a field name asks for, and whether a date (not only a datetime) has it.
    pub fn named(name: &str) -> Option<(DatePart, bool)> {
        Some(match name {
            "year" => (DatePart::Year, true),
            "month" => (DatePart::Month, true),
            "day" => (DatePart::Day, true),
            "weekday" => (DatePart::Weekday, true),
            "hour" => (DatePart::Hour, false),
            "minute" => (DatePart::Minute, false),
            "second" => (DatePart::Second, false),
            _ => return None,
        })
    }
}

/// Largest compiled size of a `matches` pattern, in bytes: a pattern that would need
/// more is refused, so no pattern can take unbounded memory or time.
pub const MAX_PATTERN_BYTES: usize = 256 * 1024;

/// Compiles a `matches` pattern within [`MAX_PATTERN_BYTES`] (the `regex` crate: linear
/// time in the text, no backreferences).
pub fn pattern(text: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(text)
        .size_limit(MAX_PATTERN_BYTES)
        .dfa_size_limit(MAX_PATTERN_BYTES)
        .nest_limit(64)
        .build()
        .map_err(|e| e.to_string())
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
            Builtin::RoundHalfEven => "round_half_even",
            Builtin::RoundUp => "round_up",
            Builtin::RoundDown => "round_down",
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
            Builtin::Upper => "upper",
            Builtin::Lower => "lower",
            Builtin::Substring => "substring",
            Builtin::StartsWith => "starts_with",
            Builtin::EndsWith => "ends_with",
            Builtin::Contains => "contains",
            Builtin::Replace => "replace",
            Builtin::Split => "split",
            Builtin::Matches | Builtin::MatchesCompiled(_) => "matches",
            Builtin::DatePart(_) => "date part",
            Builtin::TimeOfDay => "time",
            Builtin::DateTimeFrom => "datetime",
            Builtin::DurationFrom => "duration",
            Builtin::Sort => "sort",
            Builtin::Distinct => "distinct",
            Builtin::Sublist => "sublist",
            Builtin::Index => "index",
        }
    }
}
