//! Builtin functions: their names and how their arguments are typed.

use std::sync::Arc;

use super::Checker;
use super::hir::{TExpr, TKind};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::Builtin;
use crate::lang::Type;
use crate::source::Span;

/// The builtin called `name` (the registry in `lang::builtins`).
pub(super) use crate::lang::lookup;

/// The slots of `from` and `to` in a list of pause records, when both are datetimes.
fn pause_fields(ty: &Type) -> Option<(u16, u16)> {
    let Type::Record(r) = ty.element()? else { return None };
    let slot =
        |name: &str| r.field(name).filter(|(_, f)| f.ty == Type::DateTime).and_then(|(i, _)| u16::try_from(i).ok());
    Some((slot("from")?, slot("to")?))
}

/// `round` and its kin: one number (or a duration and its unit), and places.
fn rounding(b: Builtin) -> bool {
    b.rounds()
}

/// A list of `elem` (an empty list's items have no type yet).
fn list_of(elem: Type) -> Type {
    if elem == Type::Error { Type::EmptyList } else { Type::List(Arc::new(elem)) }
}

fn ordered(t: &Type) -> bool {
    t.is_numeric() || matches!(t, Type::Date | Type::DateTime | Type::Duration)
}

impl Checker<'_> {
    /// Types a builtin call.
    pub(super) fn builtin(&mut self, b: Builtin, args: Vec<TExpr>, span: Span) -> TExpr {
        if args.iter().any(|a| a.ty == Type::Error) {
            return TExpr::new(TKind::Call(b, args), Type::Error, span);
        }
        // With a fourth argument, `elapsed` leaves out paused intervals: find where
        // their `from` and `to` are.
        let b = match (b, args.get(3)) {
            (Builtin::Elapsed, Some(pauses)) => match pause_fields(&pauses.ty) {
                Some((from, to)) => Builtin::ElapsedExcluding(from, to),
                None => Builtin::ElapsedExcluding(u16::MAX, u16::MAX),
            },
            (b, _) => b,
        };
        let result = self.builtin_type(b, &args);
        let ty = match result {
            Ok(t) => t,
            Err(help) => {
                let f = b.name();
                self.report(
                    Diagnostic::error(codes::BAD_ARGUMENTS, msg!("`{f}` 的参数不对", "wrong arguments for `{f}`"))
                        .at(span)
                        .help(help),
                );
                Type::Error
            }
        };
        // A constant pattern (and its flags) is compiled now: a mistake in it is the
        // policy's.
        let flags_at = if b == Builtin::Matches { 2 } else { 3 };
        let flags = args.get(flags_at).map(|f| f.literal_text());
        if matches!(b, Builtin::Matches | Builtin::ReplacePattern)
            && let Some(p) = args.get(1)
            && let Some(text) = p.literal_text()
            && flags.is_none_or(|f| f.is_some())
            && let Err(why) = crate::lang::pattern_with(text, flags.flatten())
        {
            self.report(
                Diagnostic::error(codes::BAD_PATTERN, msg!("正则表达式无效：{why}", "not a valid pattern: {why}"))
                    .at(p.span)
                    .help(Msg::new(
                        "语法见 https://docs.rs/regex/#syntax；不支持反向引用，模式的编译大小有上限",
                        "the syntax is at https://docs.rs/regex/#syntax; there are no backreferences, and a pattern's compiled size is limited",
                    )),
            );
        }
        self.pattern_and_period_hints(b, &args);
        let coalesce = b == Builtin::Coalesce;
        // Made from text or numbers, a date may not exist: missing.
        let from_text =
            matches!(b, Builtin::Date) && (args.first().is_some_and(|a| a.ty.is_textual()) || args.len() == 3);
        let mut out = TExpr::new(TKind::Call(b, args), ty, span);
        // Not found, no character at 0, no element at 0: these can be missing.
        if from_text
            || matches!(
                b,
                Builtin::Index
                    | Builtin::Substring
                    | Builtin::Sublist
                    | Builtin::DateTimeFrom
                    | Builtin::DurationFrom
                    | Builtin::PeriodFrom
                    | Builtin::TimeFrom
                    | Builtin::Number
                    | Builtin::InsertBefore
                    | Builtin::Remove
            )
        {
            out.missing = true;
        }
        if coalesce && let TKind::Call(_, args) = &out.kind {
            out.missing = args.iter().all(|a| a.missing);
        }
        out
    }

    /// Warnings for two ways a text argument silently means something else: `{3}` in a
    /// pattern is interpolated, not a quantifier; `duration("P1Y")` is a period.
    fn pattern_and_period_hints(&mut self, b: Builtin, args: &[TExpr]) {
        if matches!(b, Builtin::Matches | Builtin::ReplacePattern)
            && let Some(TExpr { kind: TKind::Text(parts), .. }) = args.get(1)
        {
            for part in parts {
                if let super::hir::TPart::Expr(e) = part
                    && let TKind::Lit(crate::value::Value::Int(n)) = e.kind
                {
                    self.report(
                        Diagnostic::warning(
                            codes::PATTERN_INTERPOLATION,
                            msg!(
                                "模式中的 `{{{n}}}` 是插值，会变成 `{n}`，不是重复次数",
                                "`{{{n}}}` in the pattern is interpolation: it becomes `{n}`, not a repetition count"
                            ),
                        )
                        .at(e.span)
                        .help(msg!(
                            "重复次数写成双花括号：`{{{{{n}}}}}`",
                            "write a repetition count with doubled braces: `{{{{{n}}}}}`"
                        )),
                    );
                }
            }
        }
        if b == Builtin::DurationFrom
            && let Some(arg) = args.first()
            && let Some(text) = arg.literal_text()
            && crate::value::duration::parse(text).is_none()
            && crate::value::duration::parse_period(text).is_some()
        {
            self.report(
                Diagnostic::warning(
                    codes::PERIOD_AS_DURATION,
                    msg!(
                        "\"{text}\" 是日历期间（年、月），不是时长：duration 在这里总是缺失",
                        "\"{text}\" is a calendar period (years, months), not a duration: duration is always missing here"
                    ),
                )
                .at(arg.span)
                .help(msg!("写成 period(\"{text}\")", "write period(\"{text}\")")),
            );
        }
    }

    fn builtin_type(&mut self, b: Builtin, args: &[TExpr]) -> Result<Type, Msg> {
        let types: Vec<&Type> = args.iter().map(|a| &a.ty).collect();
        match (b, types.as_slice()) {
            (b, [Type::Duration, Type::Duration]) if rounding(b) => Ok(Type::Duration),
            (b, [Type::Duration, ..]) if rounding(b) => Err(Msg::new(
                "时长按单位取整：`ceil(late_by, 1 hours)`",
                "durations round to a unit: `ceil(late_by, 1 hours)`",
            )),
            (Builtin::Elapsed, [Type::Calendar, Type::DateTime, Type::DateTime]) => Ok(Type::Duration),
            (Builtin::ElapsedExcluding(from, _), [Type::Calendar, Type::DateTime, Type::DateTime, _])
                if from != u16::MAX =>
            {
                Ok(Type::Duration)
            }
            (Builtin::Elapsed | Builtin::ElapsedExcluding(..), _) => Err(Msg::new(
                "写成 elapsed(日历, 开始, 结束) 或 elapsed(日历, 开始, 结束, 暂停列表)；暂停是 { from: datetime, to: datetime } 的列表",
                "write elapsed(calendar, from, to) or elapsed(calendar, from, to, pauses); pauses are a list of { from: datetime, to: datetime }",
            )),
            (Builtin::Due, [Type::Calendar, Type::DateTime, Type::Duration]) => Ok(Type::DateTime),
            (Builtin::DueWorkingDays, [Type::Calendar, Type::DateTime, Type::Int]) => Ok(Type::DateTime),
            (Builtin::DueWorkingDays, _) => {
                Err(Msg::new("写成 `开始 + 2 business days`", "write `from + 2 business days`"))
            }
            (Builtin::Due, _) => Err(Msg::new(
                "写成 due(日历, 开始, 时长)，或 `开始 + 2 business hours`",
                "write due(calendar, from, duration), or `from + 2 business hours`",
            )),
            (Builtin::Date, [Type::DateTime | Type::Date]) => Ok(Type::Date),
            (Builtin::Date, [t]) if t.is_textual() => Ok(Type::Date),
            (Builtin::Date, [Type::Int, Type::Int, Type::Int]) => Ok(Type::Date),
            (Builtin::DateTimeFrom, [t]) if t.is_textual() => Ok(Type::DateTime),
            (Builtin::DateTimeFrom, [Type::Date, Type::Time]) => Ok(Type::DateTime),
            (Builtin::DateTimeFrom, _) => Err(Msg::new(
                "datetime(文本)：RFC 3339，如 \"2026-11-10T12:00:00+08:00\"，不是时给出缺失；或 datetime(日期, 时刻)，在策略时区",
                "datetime(text): RFC 3339 such as \"2026-11-10T12:00:00+08:00\", missing when it is not one; or datetime(date, time), in the policy's zone",
            )),
            (Builtin::PeriodFrom, [t]) if t.is_textual() => Ok(Type::Period),
            (Builtin::PeriodFrom, _) => Err(Msg::new(
                "period(文本)：如 \"P1Y2M\" 或 \"14 months\"；不是时给出缺失",
                "period(text): such as \"P1Y2M\" or \"14 months\"; missing when it is not one",
            )),
            (Builtin::TimeFrom, [t]) if t.is_textual() => Ok(Type::Time),
            (Builtin::TimeFrom, [Type::Int, Type::Int, Type::Int | Type::Decimal]) => Ok(Type::Time),
            (Builtin::TimeFrom, [Type::Int, Type::Int, Type::Int | Type::Decimal, Type::Duration]) => Ok(Type::Time),
            (Builtin::TimeFrom, _) => Err(Msg::new(
                "time(文本)：如 \"16:00\"、\"12:59:01.3\"；或 time(时, 分, 秒)；不是时给出缺失",
                "time(text): such as \"16:00\" or \"12:59:01.3\"; or time(hour, minute, second); missing when it is not one",
            )),
            (Builtin::Append, [list, items @ ..]) if !items.is_empty() && list.element().is_some() => {
                let mut elem = list.element().unwrap_or(Type::Error);
                for t in items {
                    elem = if **list == Type::EmptyList && elem == Type::Error {
                        (*t).clone()
                    } else {
                        elem.join(t).ok_or_else(|| {
                            msg!("列表的元素是 {elem}，不能加上 {t}", "the list holds {elem}; {t} cannot be added")
                        })?
                    };
                }
                Ok(list_of(elem))
            }
            (Builtin::Append, _) => Err(Msg::new("写成 append(列表, 元素, …)", "write append(list, item, …)")),
            (Builtin::Concatenate | Builtin::Union, [first, rest @ ..])
                if !rest.is_empty() && types.iter().all(|t| t.element().is_some()) =>
            {
                let mut ty = (*first).clone();
                for t in rest {
                    ty = ty.join(t).ok_or_else(|| msg!("{ty} 和 {t} 不能连在一起", "{ty} and {t} do not join"))?;
                }
                Ok(ty)
            }
            (Builtin::Concatenate | Builtin::Union, _) => {
                let f = b.name();
                Err(msg!("写成 {f}(列表, 列表, …)", "write {f}(list, list, …)"))
            }
            (Builtin::InsertBefore, [list, Type::Int, item]) if list.element().is_some() => {
                let elem = list.element().unwrap_or(Type::Error);
                let elem = if **list == Type::EmptyList {
                    (*item).clone()
                } else {
                    elem.join(item).ok_or_else(|| {
                        msg!("列表的元素是 {elem}，不能插入 {item}", "the list holds {elem}; {item} cannot be inserted")
                    })?
                };
                Ok(list_of(elem))
            }
            (Builtin::InsertBefore, _) => Err(Msg::new(
                "写成 insert_before(列表, 位置, 元素)：1 是第一项，-1 是最后一项",
                "write insert_before(list, position, item): 1 is the first item, -1 the last",
            )),
            (Builtin::Remove, [list, Type::Int]) if list.element().is_some() => Ok((*list).clone()),
            (Builtin::Remove, _) => Err(Msg::new(
                "写成 remove(列表, 位置)：1 是第一项，-1 是最后一项",
                "write remove(list, position): 1 is the first item, -1 the last",
            )),
            (Builtin::Reverse, [list]) if list.element().is_some() => Ok((*list).clone()),
            (Builtin::Reverse, _) => Err(Msg::new("reverse 的参数是一个列表", "reverse takes a list")),
            (Builtin::Flatten, [list]) if list.element().is_some() => {
                let mut ty = (*list).clone();
                while let Some(Type::List(_) | Type::EmptyList) = ty.element() {
                    ty = ty.element().unwrap_or(Type::Error);
                }
                Ok(ty)
            }
            (Builtin::Flatten, _) => Err(Msg::new("flatten 的参数是一个列表", "flatten takes a list")),
            (Builtin::Positions, [list, item])
                if list.element().is_some_and(|e| super::ops::comparable(crate::lang::CmpOp::Eq, &e, item).is_ok()) =>
            {
                Ok(Type::List(Arc::new(Type::Int)))
            }
            (Builtin::Positions, _) => Err(Msg::new("写成 positions(列表, 值)", "write positions(list, item)")),
            (Builtin::Number, [t]) if t.is_textual() => Ok(Type::Decimal),
            (Builtin::Number, [t, g, d]) if t.is_textual() && g.is_textual() && d.is_textual() => Ok(Type::Decimal),
            (Builtin::Number, _) => Err(Msg::new(
                "写成 number(文本) 或 number(文本, 千位分隔符, 小数点)，如 number(\"1.234,5\", \".\", \",\")",
                "write number(text) or number(text, grouping, decimal mark), such as number(\"1.234,5\", \".\", \",\")",
            )),
            (Builtin::String, [t])
                if !matches!(t, Type::Record(_)) && !matches!(t.element(), Some(Type::Record(_))) =>
            {
                Ok(Type::Text)
            }
            (Builtin::String, _) => Err(Msg::new(
                "string 的参数是一个值（不是记录）；记录请取字段：string(x.price)",
                "string takes one value (not a record); for a record take a field: string(x.price)",
            )),
            (Builtin::ReplacePattern, [a, b, c]) if a.is_textual() && b.is_textual() && c.is_textual() => {
                Ok(Type::Text)
            }
            (Builtin::ReplacePattern, [a, b, c, d])
                if a.is_textual() && b.is_textual() && c.is_textual() && d.is_textual() =>
            {
                Ok(Type::Text)
            }
            (Builtin::ReplacePattern, _) => Err(Msg::new(
                "写成 replace_pattern(文本, 正则表达式, 替换[, flags])，如 replace_pattern(s, \"(an)+\", \"x\")",
                "write replace_pattern(text, pattern, replacement[, flags]), such as replace_pattern(s, \"(an)+\", \"x\")",
            )),
            (Builtin::DurationFrom, [t]) if t.is_textual() => Ok(Type::Duration),
            (Builtin::DurationFrom, _) => Err(Msg::new(
                "duration(文本)：如 \"PT2H\" 或 \"90 minutes\"；不是时给出缺失",
                "duration(text): such as \"PT2H\" or \"90 minutes\"; missing when it is not one",
            )),
            (Builtin::DatePart(_), [Type::Date | Type::DateTime | Type::Period | Type::Time | Type::Duration]) => {
                Ok(Type::Int)
            }
            (Builtin::TimeOfDay, [Type::DateTime]) => Ok(Type::Time),
            (Builtin::OffsetOf, [Type::DateTime | Type::Time]) => Ok(Type::Duration),
            (Builtin::OffsetOf, _) => Err(Msg::new("日期时间的时区偏移", "a datetime's offset from UTC")),
            (Builtin::TimeOfDay, _) => Err(Msg::new("日期时间的时刻", "a datetime's time of day")),
            (Builtin::DatePart(_), _) => Err(Msg::new("日期的部分", "a part of a date")),
            (Builtin::Date, _) => Err(Msg::new(
                "date(x) 取日期时间 x 在策略时区中的日期；date(年, 月, 日) 组成日期；date(文本) 读取 YYYY-MM-DD",
                "date(x) gives a datetime's date in the policy's time zone; date(year, month, day) makes one; date(text) reads YYYY-MM-DD",
            )),
            (Builtin::Min | Builtin::Max, [list]) if list.element().is_some() => match list.element() {
                Some(e) if ordered(&e) => Ok(e),
                _ => Err(Msg::new("列表的值要能比较大小", "the list's items must be ordered values")),
            },
            (Builtin::Min | Builtin::Max, [first, rest @ ..]) if !rest.is_empty() => {
                let mut ty = (*first).clone();
                for t in rest {
                    ty = ty.join(t).ok_or_else(|| {
                        msg!("{ty} 和 {t} 不能放在一起比较", "{ty} and {t} cannot be compared together")
                    })?;
                }
                if !ordered(&ty) {
                    return Err(msg!("{ty} 没有大小之分", "{ty} values are not ordered"));
                }
                Ok(ty)
            }
            (Builtin::Min | Builtin::Max, _) => {
                Err(Msg::new("写成 min(a, b, …) 或 min(列表)", "write min(a, b, …) or min(list)"))
            }
            (Builtin::Abs, [t]) if t.is_numeric() || **t == Type::Duration => Ok((*t).clone()),
            (Builtin::Abs, _) => Err(Msg::new("abs 的参数是一个数字或时长", "abs takes one number or duration")),
            (b, [t] | [t, Type::Int]) if rounding(b) && t.is_numeric() => {
                if let Some(places) = args.get(1)
                    && !places.constant
                {
                    self.report(
                        Diagnostic::error(
                            codes::BAD_ARGUMENTS,
                            Msg::new("小数位数必须是常量", "the number of places must be a constant"),
                        )
                        .at(places.span),
                    );
                }
                Ok((*t).clone())
            }
            (
                Builtin::Round
                | Builtin::RoundHalfEven
                | Builtin::RoundUp
                | Builtin::RoundDown
                | Builtin::Floor
                | Builtin::Ceil,
                _,
            ) => {
                let f = b.name();
                Err(msg!(
                    "写成 {f}(x) 或 {f}(x, 位数)；位数为负时取整到十、百……",
                    "write {f}(x) or {f}(x, places); negative places round to tens, hundreds, …"
                ))
            }
            (Builtin::Count, [t]) if t.element().is_some() => Ok(Type::Int),
            (Builtin::Count, _) => Err(Msg::new("count 的参数是一个列表", "count takes a list")),
            (Builtin::Sum, [t]) if t.element().is_some() => match t.element() {
                Some(Type::Error) => Ok(Type::Int),
                Some(e) if e.is_numeric() || e == Type::Duration => Ok(e),
                _ => Err(Msg::new("sum 的参数是数字或时长的列表", "sum takes a list of numbers or durations")),
            },
            (Builtin::Sum, _) => Err(Msg::new("sum 的参数是一个列表", "sum takes a list")),
            (Builtin::Any | Builtin::All, [t]) if matches!(t.element(), Some(Type::Bool | Type::Error)) => {
                Ok(Type::Bool)
            }
            (Builtin::Any | Builtin::All, _) => Err(Msg::new("参数是真假值的列表", "the argument is a list of bools")),
            (Builtin::Coalesce, [first, rest @ ..]) if !rest.is_empty() => {
                let mut ty = (*first).clone();
                for t in rest {
                    ty = ty.join(t).ok_or_else(|| msg!("{ty} 和 {t} 类型不同", "{ty} and {t} differ"))?;
                }
                Ok(ty)
            }
            (Builtin::Coalesce, _) => Err(Msg::new("写成 coalesce(x, 默认值)", "write coalesce(x, fallback)")),
            (Builtin::Length, [t]) if t.is_textual() => Ok(Type::Int),
            (Builtin::Length, _) => {
                Err(Msg::new("length 的参数是文本；列表用 count", "length takes a text; use count for lists"))
            }
            (Builtin::Trim | Builtin::Upper | Builtin::Lower, [t]) if t.is_textual() => Ok(Type::Text),
            (Builtin::Trim | Builtin::Upper | Builtin::Lower, _) => {
                let f = b.name();
                Err(msg!("{f} 的参数是文本", "{f} takes a text"))
            }
            (Builtin::Substring, [t, Type::Int]) | (Builtin::Substring, [t, Type::Int, Type::Int])
                if t.is_textual() =>
            {
                Ok(Type::Text)
            }
            (Builtin::Substring, _) => Err(Msg::new(
                "写成 substring(文本, 开始[, 长度])：1 是第一个字符，-1 是最后一个",
                "write substring(text, start[, length]): 1 is the first character, -1 the last",
            )),
            (Builtin::StartsWith | Builtin::EndsWith, [a, b]) if a.is_textual() && b.is_textual() => Ok(Type::Bool),
            (Builtin::Contains, [a, b]) if a.is_textual() && b.is_textual() => Ok(Type::Bool),
            (Builtin::Contains, [list, item])
                if list.element().is_some_and(|e| super::ops::comparable(crate::lang::CmpOp::Eq, &e, item).is_ok()) =>
            {
                Ok(Type::Bool)
            }
            (Builtin::StartsWith | Builtin::EndsWith | Builtin::Contains, _) => {
                let f = b.name();
                Err(msg!(
                    "写成 {f}(文本, 部分)；contains 也可写 contains(列表, 值)",
                    "write {f}(text, part); contains also takes contains(list, item)"
                ))
            }
            (Builtin::Replace, [a, b, c]) if a.is_textual() && b.is_textual() && c.is_textual() => Ok(Type::Text),
            (Builtin::Replace, _) => Err(Msg::new(
                "写成 replace(文本, 旧, 新)：按原样替换每一处",
                "write replace(text, old, new): every occurrence, as written",
            )),
            (Builtin::Split, [a, b]) if a.is_textual() && b.is_textual() => Ok(Type::List(Arc::new(Type::Text))),
            (Builtin::Split, _) => Err(Msg::new("写成 split(文本, 分隔符)", "write split(text, separator)")),
            (Builtin::Matches | Builtin::MatchesCompiled(_), [a, b]) if a.is_textual() && b.is_textual() => {
                Ok(Type::Bool)
            }
            (Builtin::Matches, [a, b, c]) if a.is_textual() && b.is_textual() && c.is_textual() => Ok(Type::Bool),
            (Builtin::Sort, [list]) if list.element().is_some_and(|e| ordered(&e) || e == Type::Text) => {
                Ok((*list).clone())
            }
            (Builtin::Sort, _) => Err(Msg::new(
                "sort 排列数字、日期、时长或文本的列表；按字段排序写 sort(x.price for x in items)",
                "sort orders a list of numbers, dates, durations or texts; to sort by a field write sort(x.price for x in items)",
            )),
            (Builtin::Distinct, [list]) if list.element().is_some() => Ok((*list).clone()),
            (Builtin::Distinct, _) => Err(Msg::new("distinct 的参数是一个列表", "distinct takes a list")),
            (Builtin::Sublist, [list, Type::Int]) | (Builtin::Sublist, [list, Type::Int, Type::Int])
                if list.element().is_some() =>
            {
                Ok((*list).clone())
            }
            (Builtin::Sublist, _) => Err(Msg::new(
                "写成 sublist(列表, 开始[, 个数])：1 是第一项，-1 是最后一项",
                "write sublist(list, start[, length]): 1 is the first item, -1 the last",
            )),
            (Builtin::Index, [list, item])
                if list.element().is_some_and(|e| super::ops::comparable(crate::lang::CmpOp::Eq, &e, item).is_ok()) =>
            {
                Ok(Type::Int)
            }
            (Builtin::Index, _) => Err(Msg::new("写成 index(列表, 值)", "write index(list, item)")),
            (Builtin::Matches | Builtin::MatchesCompiled(_), _) => Err(Msg::new(
                "写成 matches(文本, 正则表达式[, flags])，如 matches(sku, \"^KB-[0-9]+$\")",
                "write matches(text, pattern[, flags]), such as matches(sku, \"^KB-[0-9]+$\")",
            )),
        }
    }

    /// Types a table call against the table's parameters.
    pub(super) fn table_call(&mut self, i: usize, name: &str, args: Vec<TExpr>, span: Span) -> TExpr {
        let (params, result, settled, missing) = match self.tables.get(i).and_then(Option::as_ref) {
            Some(t) => {
                use crate::lang::{Aggregate, HitPolicy};
                // Lists, sums and counts are never missing; others are when no row
                // matches, unless `otherwise` gives a present value (and rows do too).
                let always = matches!(
                    t.hit,
                    HitPolicy::Collect(None | Some(Aggregate::Sum | Aggregate::Count)) | HitPolicy::OutputOrder
                );
                // A row that accepts anything (a function's only row, a `_ => …` row)
                // means some row always matches.
                let catch_all = t.rows.iter().any(|r| r.cells.iter().all(|c| matches!(c, super::hir::CellDef::Any)));
                let defaulted = (catch_all || t.otherwise.as_ref().is_some_and(|o| !o.missing))
                    && t.rows.iter().all(|r| !r.result.missing);
                let missing = !always && !defaulted;
                let settled = t.rows.iter().any(|r| r.result.settled || r.cells.iter().any(cell_settled))
                    || t.otherwise.as_ref().is_some_and(|o| o.settled);
                (t.params.clone(), t.output_type(), settled, missing)
            }
            None => return TExpr::new(TKind::Table(i, args), Type::Error, span),
        };
        if args.len() != params.len() {
            let (want, got) = (params.len(), args.len());
            let list = params.iter().map(|(n, t)| format!("{n}: {t}")).collect::<Vec<_>>().join(", ");
            self.report(
                Diagnostic::error(
                    codes::BAD_ARGUMENTS,
                    msg!(
                        "表格 `{name}` 需要 {want} 个参数，这里有 {got} 个",
                        "table `{name}` takes {want} arguments, {got} given"
                    ),
                )
                .at(span)
                .help(msg!("参数：{name}({list})", "parameters: {name}({list})")),
            );
            return TExpr::new(TKind::Table(i, args), Type::Error, span);
        }
        let args: Vec<TExpr> = args
            .into_iter()
            .zip(&params)
            .map(|(a, (pname, pty))| self.coerce(a, pty, &format!("{name}({pname})")))
            .collect();
        for (arg, (pname, pty)) in args.iter().zip(&params) {
            if !(arg.ty.fits(pty) || arg.ty.is_numeric() && pty.is_numeric()) {
                let at = &arg.ty;
                self.report(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        msg!(
                            "参数 `{pname}` 应为 {pty}，这里是 {at}",
                            "argument `{pname}` must be {pty}, this is {at}"
                        ),
                    )
                    .at(arg.span),
                );
            }
            self.enum_literal_in(pty, &format!("{name}({pname})"), arg);
        }
        let mut out = TExpr::new(TKind::Table(i, args), result, span);
        out.missing |= missing;
        out.settled |= settled;
        out.constant = false;
        out
    }
}

fn cell_settled(c: &super::hir::CellDef) -> bool {
    c.exprs().iter().any(|e| e.settled)
}

impl super::hir::TableDef {
    /// The type a call of this table gives.
    pub fn output_type(&self) -> Type {
        use crate::lang::{Aggregate, HitPolicy};
        match self.hit {
            HitPolicy::Collect(None) | HitPolicy::OutputOrder => Type::List(Arc::new(self.result.clone())),
            HitPolicy::Collect(Some(Aggregate::Count)) => Type::Int,
            _ => self.result.clone(),
        }
    }
}
