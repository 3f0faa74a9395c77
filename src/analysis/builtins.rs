//! What each builtin function takes and gives, for hovers and completion (a test keeps
//! this list equal to the checker's).

/// A builtin's documentation.
#[derive(Debug)]
pub struct BuiltinDoc {
    /// Its name.
    pub name: &'static str,
    /// How it is called.
    pub signature: &'static str,
    /// What it does, in Chinese.
    pub zh: &'static str,
    /// What it does, in English.
    pub en: &'static str,
}

const fn doc(name: &'static str, signature: &'static str, zh: &'static str, en: &'static str) -> BuiltinDoc {
    BuiltinDoc { name, signature, zh, en }
}

/// Every builtin, by name.
pub const BUILTINS: &[BuiltinDoc] = &[
    doc(
        "abs",
        "abs(x) -> same type",
        "绝对值（数、金额、百分比、时长）",
        "the absolute value (number, money, percent, duration)",
    ),
    doc(
        "all",
        "all(list<bool>) / all(cond for x in xs) -> bool",
        "全部为真（空列表为真）",
        "every item is true (true for an empty list)",
    ),
    doc("any", "any(list<bool>) / any(cond for x in xs) -> bool", "至少一个为真", "at least one item is true"),
    doc("ceil", "ceil(x) -> int", "向上取整", "rounds up to a whole number"),
    doc("coalesce", "coalesce(a, b, …) -> T", "第一个存在的值", "the first value that is present"),
    doc(
        "contains",
        "contains(text, part) / contains(list, item) -> bool",
        "文本包含片段，或列表包含元素",
        "the text contains the part, or the list the item",
    ),
    doc("count", "count(list) / count(x in xs where cond) -> int", "元素个数", "how many items"),
    doc(
        "date",
        "date(datetime) / date(text) / date(y, m, d) -> date",
        "日期：取日期时间在策略时区的日期，或由文本、年月日构成",
        "a date: a datetime's date in the policy's zone, or from text or year, month, day",
    ),
    doc("datetime", "datetime(text) -> datetime", "由 RFC 3339 文本得到日期时间", "a datetime from RFC 3339 text"),
    doc(
        "distinct",
        "distinct(list) -> list",
        "去掉重复元素，保留首次出现的顺序",
        "the list without repeats, in first-seen order",
    ),
    doc(
        "due",
        "due(calendar, from, duration) / due(calendar, from, working_days) -> datetime",
        "按日历计时的到期时刻",
        "when a duration (or working days) counted on a calendar ends",
    ),
    doc(
        "duration",
        "duration(text) -> duration",
        "由文本（ISO 8601 或 `4 hours`）得到时长",
        "a duration from text (ISO 8601 or `4 hours`)",
    ),
    doc(
        "elapsed",
        "elapsed(calendar, from, to[, pauses]) -> duration",
        "两个时刻之间按日历计的工作时间，可扣除暂停",
        "the working time between two instants on a calendar, less pauses",
    ),
    doc("ends_with", "ends_with(text, suffix) -> bool", "文本以后缀结尾", "the text ends with the suffix"),
    doc("floor", "floor(x) -> int", "向下取整", "rounds down to a whole number"),
    doc(
        "index",
        "index(list, item) -> int?",
        "元素首次出现的位置（从 0 起），没有则缺失",
        "the item's first position (from 0), missing when absent",
    ),
    doc("length", "length(text) -> int", "文本的字符数", "the text's length in characters"),
    doc("lower", "lower(text) -> text", "转为小写", "the text in lower case"),
    doc("matches", "matches(text, pattern) -> bool", "文本匹配正则表达式", "the text matches the regular expression"),
    doc("max", "max(a, b, …) / max(list) -> T", "最大值", "the largest value"),
    doc("min", "min(a, b, …) / min(list) -> T", "最小值", "the smallest value"),
    doc(
        "replace",
        "replace(text, from, to) -> text",
        "替换文本中的片段",
        "the text with every `from` replaced by `to`",
    ),
    doc("round", "round(x[, places]) -> same type", "四舍五入（远离零）", "rounds half away from zero"),
    doc("round_down", "round_down(x[, places]) -> same type", "向零舍去", "rounds toward zero"),
    doc(
        "round_half_even",
        "round_half_even(x[, places]) -> same type",
        "银行家舍入（四舍六入五成双）",
        "rounds half to even (banker's rounding)",
    ),
    doc("round_up", "round_up(x[, places]) -> same type", "远离零进位", "rounds away from zero"),
    doc("sort", "sort(list) / sort(x for x in xs by key) -> list", "排序（稳定）", "the list in order (stable)"),
    doc("split", "split(text, separator) -> list<text>", "按分隔符拆分文本", "the text split at each separator"),
    doc("starts_with", "starts_with(text, prefix) -> bool", "文本以前缀开头", "the text starts with the prefix"),
    doc("sublist", "sublist(list, start[, end]) -> list", "列表的一段", "part of the list"),
    doc(
        "substring",
        "substring(text, start[, end]) -> text",
        "文本的一段（按字符计）",
        "part of the text (in characters)",
    ),
    doc(
        "sum",
        "sum(list) / sum(e for x in xs where cond) -> number",
        "求和（空列表为 0）",
        "the total (0 for an empty list)",
    ),
    doc("trim", "trim(text) -> text", "去掉首尾空白", "the text without surrounding spaces"),
    doc("upper", "upper(text) -> text", "转为大写", "the text in upper case"),
];

/// The documentation of builtin `name`.
pub fn find(name: &str) -> Option<&'static BuiltinDoc> {
    BUILTINS.iter().find(|b| b.name == name)
}
