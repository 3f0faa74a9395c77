//! The builtin functions a policy can call: the one registry ([`BUILTINS`]) of their names,
//! signatures and documentation, from which the checker looks names up, the editor shows
//! hovers and completion, and `tenet explain` lists them. How a call is typed
//! (`check::builtins`) and computed (`interp::builtins`) are exhaustive matches on
//! [`Builtin`], so a new variant is a compile error until both say what it does.

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
    /// `t.offset`: the policy's zone's offset from UTC at a datetime, as a duration
    /// (`PT8H`; negative west of Greenwich).
    OffsetOf,
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
    /// `append(list, item, …)`: the list with the items added at its end.
    Append,
    /// `concatenate(list, list, …)`: the lists one after another (also `a + b`).
    Concatenate,
    /// `insert_before(list, position, item)`: the item put before `position` (1 is the
    /// first, -1 the last).
    InsertBefore,
    /// `remove(list, position)`: the list without the item at `position`.
    Remove,
    /// `union(list, list, …)`: every item of the lists once, in first-seen order.
    Union,
    /// `flatten(list)`: nested lists' items, in order, as one list.
    Flatten,
    /// `reverse(list)`.
    Reverse,
    /// `positions(list, item)`: every position where `item` appears (1 is the first).
    Positions,
    /// `number(text[, grouping, decimal])`: a number from text, or missing.
    Number,
    /// `string(x)`: any value as text, as a message shows it.
    String,
    /// `replace_pattern(text, pattern, replacement[, flags])`: every match of a regular
    /// expression replaced (`$1` is the first group).
    ReplacePattern,
    /// `period(text)`: a calendar period from `P1Y2M` or `14 months`, or missing.
    PeriodFrom,
    /// `time(text)` or `time(hour, minute, second)`: a time of day, or missing.
    TimeFrom,
}

/// One builtin a policy can call by name.
#[derive(Debug)]
pub struct BuiltinSpec {
    /// Its name.
    pub name: &'static str,
    /// What the checker and the interpreter match on.
    pub builtin: Builtin,
    /// How it is called.
    pub signature: &'static str,
    /// What it does, in Chinese.
    pub zh: &'static str,
    /// What it does, in English.
    pub en: &'static str,
}

const fn spec(
    name: &'static str,
    builtin: Builtin,
    signature: &'static str,
    zh: &'static str,
    en: &'static str,
) -> BuiltinSpec {
    BuiltinSpec { name, builtin, signature, zh, en }
}

/// Every builtin a policy can call, by name (sorted; a test checks).
pub const BUILTINS: &[BuiltinSpec] = &[
    spec(
        "abs",
        Builtin::Abs,
        "abs(x) -> same type",
        "绝对值（数、金额、百分比、时长）",
        "the absolute value (number, money, percent, duration)",
    ),
    spec(
        "all",
        Builtin::All,
        "all(list<bool>) / all(cond for x in xs) -> bool",
        "全部为真（空列表为真）",
        "every item is true (true for an empty list)",
    ),
    spec(
        "any",
        Builtin::Any,
        "any(list<bool>) / any(cond for x in xs) -> bool",
        "至少一个为真",
        "at least one item is true",
    ),
    spec(
        "append",
        Builtin::Append,
        "append(list, item, …) -> list",
        "在列表末尾加上元素",
        "the list with the items added at its end",
    ),
    spec("ceil", Builtin::Ceil, "ceil(x) -> int", "向上取整", "rounds up to a whole number"),
    spec("coalesce", Builtin::Coalesce, "coalesce(a, b, …) -> T", "第一个存在的值", "the first value that is present"),
    spec(
        "concatenate",
        Builtin::Concatenate,
        "concatenate(list, list, …) -> list",
        "把几个列表首尾相接（也可写 a + b）",
        "the lists one after another (also `a + b`)",
    ),
    spec(
        "contains",
        Builtin::Contains,
        "contains(text, part) / contains(list, item) -> bool",
        "文本包含片段，或列表包含元素",
        "the text contains the part, or the list the item",
    ),
    spec("count", Builtin::Count, "count(list) / count(x in xs where cond) -> int", "元素个数", "how many items"),
    spec(
        "date",
        Builtin::Date,
        "date(datetime) / date(text) / date(y, m, d) -> date",
        "日期：取日期时间在策略时区的日期，或由文本、年月日构成",
        "a date: a datetime's date in the policy's zone, or from text or year, month, day",
    ),
    spec(
        "datetime",
        Builtin::DateTimeFrom,
        "datetime(text) / datetime(date, time) -> datetime",
        "由 RFC 3339 文本，或由日期和（策略时区的）时刻，得到日期时间",
        "a datetime from RFC 3339 text, or from a date and a time of day in the policy's zone",
    ),
    spec(
        "distinct",
        Builtin::Distinct,
        "distinct(list) -> list",
        "去掉重复元素，保留首次出现的顺序",
        "the list without repeats, in first-seen order",
    ),
    spec(
        "due",
        Builtin::Due,
        "due(calendar, from, duration) / due(calendar, from, working_days) -> datetime",
        "按日历计时的到期时刻",
        "when a duration (or working days) counted on a calendar ends",
    ),
    spec(
        "duration",
        Builtin::DurationFrom,
        "duration(text) -> duration",
        "由文本（ISO 8601 或 `4 hours`）得到时长",
        "a duration from text (ISO 8601 or `4 hours`)",
    ),
    spec(
        "elapsed",
        Builtin::Elapsed,
        "elapsed(calendar, from, to[, pauses]) -> duration",
        "两个时刻之间按日历计的工作时间，可扣除暂停",
        "the working time between two instants on a calendar, less pauses",
    ),
    spec(
        "ends_with",
        Builtin::EndsWith,
        "ends_with(text, suffix) -> bool",
        "文本以后缀结尾",
        "the text ends with the suffix",
    ),
    spec(
        "flatten",
        Builtin::Flatten,
        "flatten(list) -> list",
        "把嵌套列表展开成一个列表",
        "the items of nested lists, in order, as one list",
    ),
    spec("floor", Builtin::Floor, "floor(x) -> int", "向下取整", "rounds down to a whole number"),
    spec(
        "index",
        Builtin::Index,
        "index(list, item) -> int?",
        "元素首次出现的位置（从 1 起），没有则缺失；所有位置用 positions",
        "the item's first position (from 1), missing when absent; every position: positions",
    ),
    spec(
        "insert_before",
        Builtin::InsertBefore,
        "insert_before(list, position, item) -> list",
        "在某位置之前插入元素（1 是第一项，-1 是最后一项）",
        "the item put before a position (1 is the first, -1 the last)",
    ),
    spec("length", Builtin::Length, "length(text) -> int", "文本的字符数", "the text's length in characters"),
    spec("lower", Builtin::Lower, "lower(text) -> text", "转为小写", "the text in lower case"),
    spec(
        "matches",
        Builtin::Matches,
        "matches(text, pattern[, flags]) -> bool",
        "文本匹配正则表达式；flags 是 i（不分大小写）、m（多行）、s（. 匹配换行）、x（忽略空白）的组合",
        "the text matches the regular expression; flags combine i (any case), m (multi-line), s (. matches newlines), x (spaces ignored)",
    ),
    spec("max", Builtin::Max, "max(a, b, …) / max(list) -> T", "最大值", "the largest value"),
    spec("min", Builtin::Min, "min(a, b, …) / min(list) -> T", "最小值", "the smallest value"),
    spec(
        "number",
        Builtin::Number,
        "number(text[, grouping, decimal]) -> decimal?",
        "由文本得到数字，可指定千位分隔符和小数点；读不出则缺失",
        "a number from text, with an optional grouping separator and decimal mark; missing when unreadable",
    ),
    spec(
        "period",
        Builtin::PeriodFrom,
        "period(text) -> period?",
        "由文本（P1Y2M 或 14 months）得到日历期间",
        "a calendar period from text (P1Y2M or 14 months)",
    ),
    spec(
        "positions",
        Builtin::Positions,
        "positions(list, item) -> list<int>",
        "元素出现的所有位置（从 1 起）",
        "every position where the item appears (from 1)",
    ),
    spec(
        "remove",
        Builtin::Remove,
        "remove(list, position) -> list",
        "去掉某位置的元素（1 是第一项，-1 是最后一项）",
        "the list without the item at a position (1 is the first, -1 the last)",
    ),
    spec(
        "replace",
        Builtin::Replace,
        "replace(text, from, to) -> text",
        "替换文本中的片段",
        "the text with every `from` replaced by `to`",
    ),
    spec(
        "replace_pattern",
        Builtin::ReplacePattern,
        "replace_pattern(text, pattern, replacement[, flags]) -> text",
        "按正则表达式替换每一处匹配（$1 是第一组）；replace 按原样替换",
        "every match of a regular expression replaced ($1 is the first group); replace replaces text as written",
    ),
    spec("reverse", Builtin::Reverse, "reverse(list) -> list", "倒序的列表", "the list in reverse order"),
    spec(
        "round",
        Builtin::Round,
        "round(x[, places]) -> same type",
        "四舍五入（远离零）",
        "rounds half away from zero",
    ),
    spec("round_down", Builtin::RoundDown, "round_down(x[, places]) -> same type", "向零舍去", "rounds toward zero"),
    spec(
        "round_half_even",
        Builtin::RoundHalfEven,
        "round_half_even(x[, places]) -> same type",
        "银行家舍入（四舍六入五成双）",
        "rounds half to even (banker's rounding)",
    ),
    spec("round_up", Builtin::RoundUp, "round_up(x[, places]) -> same type", "远离零进位", "rounds away from zero"),
    spec(
        "sort",
        Builtin::Sort,
        "sort(list) / sort(x for x in xs by key) -> list",
        "排序（稳定）",
        "the list in order (stable)",
    ),
    spec(
        "split",
        Builtin::Split,
        "split(text, separator) -> list<text>",
        "按分隔符拆分文本",
        "the text split at each separator",
    ),
    spec(
        "starts_with",
        Builtin::StartsWith,
        "starts_with(text, prefix) -> bool",
        "文本以前缀开头",
        "the text starts with the prefix",
    ),
    spec(
        "string",
        Builtin::String,
        "string(x) -> text",
        "任何值的文本，与消息中显示的相同",
        "any value as text, as a message shows it",
    ),
    spec("sublist", Builtin::Sublist, "sublist(list, start[, end]) -> list", "列表的一段", "part of the list"),
    spec(
        "substring",
        Builtin::Substring,
        "substring(text, start[, end]) -> text",
        "文本的一段（按字符计）",
        "part of the text (in characters)",
    ),
    spec(
        "sum",
        Builtin::Sum,
        "sum(list) / sum(e for x in xs where cond) -> number",
        "求和（空列表为 0）",
        "the total (0 for an empty list)",
    ),
    spec(
        "time",
        Builtin::TimeFrom,
        "time(text) / time(hour, minute, second[, offset]) -> time?",
        "时刻（一天中的时间）：由 HH:MM[:SS[.fff]][Z|±HH:MM] 文本或时、分、秒（及偏移时长）构成",
        "a time of day from HH:MM[:SS[.fff]][Z|±HH:MM] text or hour, minute, second (and an offset duration)",
    ),
    spec("trim", Builtin::Trim, "trim(text) -> text", "去掉首尾空白", "the text without surrounding spaces"),
    spec(
        "union",
        Builtin::Union,
        "union(list, list, …) -> list",
        "几个列表中的元素各取一次，按首次出现的顺序",
        "every item of the lists once, in first-seen order",
    ),
    spec("upper", Builtin::Upper, "upper(text) -> text", "转为大写", "the text in upper case"),
];

/// The builtin called `name`.
pub fn lookup(name: &str) -> Option<Builtin> {
    spec_of(name).map(|s| s.builtin)
}

/// The registry's row for `name`.
pub fn spec_of(name: &str) -> Option<&'static BuiltinSpec> {
    BUILTINS.iter().find(|s| s.name == name)
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

/// Compiles a `matches` pattern with its flags (`i`, `m`, `s`, `x`, as FEEL and XPath
/// name them) — see [`pattern`].
pub fn pattern_with(text: &str, flags: Option<&str>) -> Result<regex::Regex, String> {
    match flags {
        None | Some("") => pattern(text),
        Some(f) => match f.chars().find(|c| !matches!(c, 'i' | 'm' | 's' | 'x')) {
            Some(c) => Err(format!(
                "unknown flag `{c}`: the flags are i (any case), m (multi-line), s (. matches newlines), x (spaces ignored)"
            )),
            None => pattern(&format!("(?{f}){text}")),
        },
    }
}

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
    /// `round` and its kin, which take a number (or a duration and its unit) and places.
    pub fn rounds(self) -> bool {
        matches!(
            self,
            Builtin::Round
                | Builtin::RoundHalfEven
                | Builtin::RoundUp
                | Builtin::RoundDown
                | Builtin::Floor
                | Builtin::Ceil
        )
    }

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
            Builtin::OffsetOf => "offset",
            Builtin::DateTimeFrom => "datetime",
            Builtin::DurationFrom => "duration",
            Builtin::Sort => "sort",
            Builtin::Distinct => "distinct",
            Builtin::Sublist => "sublist",
            Builtin::Index => "index",
            Builtin::Append => "append",
            Builtin::Concatenate => "concatenate",
            Builtin::InsertBefore => "insert_before",
            Builtin::Remove => "remove",
            Builtin::Union => "union",
            Builtin::Flatten => "flatten",
            Builtin::Reverse => "reverse",
            Builtin::Positions => "positions",
            Builtin::Number => "number",
            Builtin::String => "string",
            Builtin::ReplacePattern => "replace_pattern",
            Builtin::PeriodFrom => "period",
            Builtin::TimeFrom => "time",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BUILTINS, lookup};

    #[test]
    fn the_registry_is_sorted_and_each_name_is_its_builtins() {
        let names: Vec<&str> = BUILTINS.iter().map(|s| s.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        for s in BUILTINS {
            assert_eq!(s.builtin.name(), s.name, "the row of `{}` names another builtin", s.name);
            assert_eq!(lookup(s.name), Some(s.builtin));
            assert!(s.signature.starts_with(s.name), "`{}`: its signature starts with its name", s.name);
        }
    }
}
