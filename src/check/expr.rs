//! Expression checking: resolves names, types every node, and reports mistakes.

use std::sync::Arc;

use chrono::TimeDelta;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::hir::{TExpr, TKind, TPart};

use super::{Checker, Info, Symbol, builtins, ops};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::ArithOp;
use crate::lang::{CmpOp, TimeUnit};
use crate::lang::{Field, RecordType, Type};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, TextPart, UnaryOp};
use crate::value::Value;

impl TExpr {
    /// A literal.
    pub(crate) fn lit(value: Value, ty: Type, span: Span) -> TExpr {
        TExpr { kind: TKind::Lit(value), ty, span, missing: false, constant: true, settled: false }
    }

    /// An expression that failed to check.
    pub(crate) fn error(span: Span) -> TExpr {
        TExpr { kind: TKind::Error, ty: Type::Error, span, missing: false, constant: true, settled: false }
    }

    /// The text of a literal text, if it is one.
    pub(crate) fn literal_text(&self) -> Option<&str> {
        match &self.kind {
            TKind::Lit(Value::Text(s)) => Some(s),
            _ => None,
        }
    }
}

/// How much time on a calendar `N cal UNIT` is.
pub(crate) enum CalendarAmount {
    /// Whole working days.
    Days(u32),
    /// Working time (a duration literal).
    Time(TExpr),
}

impl Checker<'_> {
    /// A calendar by name, as a constant.
    pub(crate) fn calendar_value(&mut self, name: &str, span: Span) -> TExpr {
        let expr = self.name(name, span);
        if expr.ty != Type::Calendar && expr.ty != Type::Error {
            let ty = &expr.ty;
            self.report(
                Diagnostic::error(
                    codes::NOT_A_CALENDAR,
                    msg!("`{name}` 不是日历，是 {ty}", "`{name}` is not a calendar but a {ty}"),
                )
                .at(span)
                .help(Msg::new(
                    "日历用 `calendar 名称 {{ … }}` 声明；`always` 是 7×24",
                    "declare calendars with `calendar name {{ … }}`; `always` is 24×7",
                )),
            );
            return TExpr::error(span);
        }
        expr
    }

    /// `start + N cal hours` or `start + N cal days`: when that much time on `cal` has
    /// passed after `start`, counted as a deadline counts it ([`Self::calendar_amount`]).
    fn due_after(&mut self, start: TExpr, duration: &Expr, span: Span) -> TExpr {
        let ExprKind::Duration(n, unit, Some(cal)) = duration.node.unparen() else { return TExpr::error(span) };
        let calendar = self.calendar_value(&cal.node, cal.span);
        let amount = self.calendar_amount(*n, *unit, duration.span);
        if !start.ty.fits(&Type::DateTime) {
            let ty = &start.ty;
            self.report(
                Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    msg!(
                        "工作时长只能加在日期时间上，这里是 {ty}",
                        "working time can only be added to a datetime, this is {ty}"
                    ),
                )
                .at(start.span)
                .help(Msg::new(
                    "例如 `ticket.opened_at + 2 business hours`",
                    "for example `ticket.opened_at + 2 business hours`",
                )),
            );
            return TExpr::error(span);
        }
        match amount {
            Some(CalendarAmount::Days(days)) => {
                let days = TExpr::lit(Value::Int(i64::from(days)), Type::Int, duration.span);
                self.builtin(crate::lang::Builtin::DueWorkingDays, vec![calendar, start, days], span)
            }
            Some(CalendarAmount::Time(amount)) => {
                self.builtin(crate::lang::Builtin::Due, vec![calendar, start, amount], span)
            }
            None => TExpr::error(span),
        }
    }

    /// What `N cal UNIT` means, in an expression and in a deadline alike: whole working
    /// days for `days` (the same local time on the N-th working day), working time for
    /// hours, minutes and seconds; weeks and fractions of a day are refused.
    pub(crate) fn calendar_amount(&mut self, n: Decimal, unit: TimeUnit, span: Span) -> Option<CalendarAmount> {
        match unit {
            TimeUnit::Days => match n.to_u32().filter(|_| n.fract().is_zero()) {
                Some(days) => Some(CalendarAmount::Days(days)),
                None => {
                    self.report(
                        Diagnostic::error(codes::BAD_DURATION, Msg::new("工作日数必须是整数", "working days must be a whole number"))
                            .at(span)
                            .help(Msg::new(
                                "例如 `2 business days`；不足一天的用工作小时，如 `4 business hours`",
                                "for example `2 business days`; for part of a day use working hours, such as `4 business hours`",
                            )),
                    );
                    None
                }
            },
            TimeUnit::Weeks => {
                self.report(
                    Diagnostic::error(
                        codes::BAD_DURATION,
                        Msg::new(
                            "日历上的时长按工作日或工作小时计，不按周",
                            "time on a calendar counts working days or hours, not weeks",
                        ),
                    )
                    .at(span)
                    .help(Msg::new("例如写 `10 business days`", "write e.g. `10 business days`")),
                );
                None
            }
            _ => {
                let amount = self.duration(n, unit, span);
                (amount.ty != Type::Error).then_some(CalendarAmount::Time(amount))
            }
        }
    }

    /// The absent value of `other`'s type: an `if` branch written `missing`.
    fn missing_of(&mut self, other: &TExpr, span: Span) -> TExpr {
        let mut m = TExpr::lit(Value::Missing, other.ty.clone(), span);
        m.missing = true;
        m.constant = false;
        m
    }

    /// Checks an expression.
    pub(crate) fn expr(&mut self, e: &Expr) -> TExpr {
        let span = e.span;
        match &e.node {
            ExprKind::Int(n) => TExpr::lit(Value::Int(*n), Type::Int, span),
            ExprKind::Decimal(d) => TExpr::lit(Value::Decimal(*d), Type::Decimal, span),
            ExprKind::Percent(p) => TExpr::lit(Value::Percent(*p), Type::Percent, span),
            ExprKind::Duration(n, unit, calendar) => {
                if let Some(cal) = calendar {
                    // After a datetime, `N business hours` is a due time on that calendar
                    // (see `due_after`); a workflow's deadlines read it themselves. As a
                    // value it would silently lose its calendar, so it is refused.
                    self.calendar_value(&cal.node, cal.span);
                    let text = self.file.slice(span).to_owned();
                    self.report(
                        Diagnostic::error(
                            codes::CALENDAR_DURATION,
                            msg!(
                                "`{text}` 按日历计时，只能加在日期时间之后，或用在流程的期限和进入动作中",
                                "`{text}` counts on a calendar: it can only be added to a datetime, or used in a workflow's deadline or entry"
                            ),
                        )
                        .at(span)
                        .help(Msg::new(
                            "写成 `opened_at + 2 business hours`，或用普通时长配合 due(日历, 开始, 时长)；作为常量或值时，日历会丢失",
                            "write `opened_at + 2 business hours`, or a plain duration with due(calendar, from, duration); as a const or a value it would lose its calendar",
                        )),
                    );
                }
                self.duration(*n, *unit, span)
            }
            ExprKind::Aggregate(name, c) => self.aggregate(name, c, span),
            ExprKind::Date(d) => TExpr::lit(Value::Date(*d), Type::Date, span),
            ExprKind::DateTime(d) => TExpr::lit(Value::DateTime(d.to_utc()), Type::DateTime, span),
            ExprKind::Bool(b) => TExpr::lit(Value::Bool(*b), Type::Bool, span),
            ExprKind::Text(parts) => self.text(parts, span),
            ExprKind::Name(name) => self.name(name, span),
            ExprKind::Member(base, field) => {
                let base = self.expr(base);
                self.member(base, &field.node, field.span, span)
            }
            ExprKind::Call(name, args) => self.call(&name.node, name.span, args, span),
            ExprKind::List(items) => self.list(items, span),
            ExprKind::Record(entries) => self.record_literal(entries, span),
            ExprKind::Unary(op, inner) => {
                let inner = self.expr(inner);
                self.unary(*op, inner, span)
            }
            ExprKind::Binary(BinaryOp::Add, l, r) if matches!(r.node.unparen(), ExprKind::Duration(_, _, Some(_))) => {
                let l = self.expr(l);
                self.due_after(l, r, span)
            }
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(l);
                let r = self.expr(r);
                self.binary(*op, l, r, span)
            }
            ExprKind::IsMissing(inner, missing) => {
                let inner = self.expr(inner);
                if !inner.missing && inner.ty != Type::Error {
                    let text = self.file.slice(inner.span).to_owned();
                    self.report(
                        Diagnostic::warning(codes::NEVER_MISSING, msg!("`{text}` 不会缺失", "`{text}` is never missing"))
                            .at(inner.span)
                            .help(Msg::new(
                                "它是必填事实或由必填事实算出，这个判断的结果总是一样",
                                "it is a required fact or computed from required facts, so this test always gives the same answer",
                            )),
                    );
                }
                let mut out = TExpr::new(TKind::IsMissing(Box::new(inner), *missing), Type::Bool, span);
                // The test itself always has an answer.
                out.missing = false;
                out
            }
            ExprKind::If(c, a, b) => {
                let c = self.expr(c);
                self.expect_bool(&c, "if 条件", "an `if` condition");
                // `then missing` / `else missing`: no value, of the other branch's type.
                let (a, b) = match (a.node.unparen(), b.node.unparen()) {
                    (ExprKind::Missing, ExprKind::Missing) => (self.expr(a), self.expr(b)),
                    (ExprKind::Missing, _) => {
                        let b = self.expr(b);
                        (self.missing_of(&b, a.span), b)
                    }
                    (_, ExprKind::Missing) => {
                        let a = self.expr(a);
                        let m = self.missing_of(&a, b.span);
                        (a, m)
                    }
                    _ => (self.expr(a), self.expr(b)),
                };
                let ty = match (a.literal_text(), b.literal_text(), a.ty.join(&b.ty)) {
                    // Branches that are literal texts give an enumeration, so that a
                    // later `== "typo"` is caught.
                    (Some(x), Some(y), _) => {
                        Type::Enum(if x == y { vec![Arc::from(x)] } else { vec![Arc::from(x), Arc::from(y)] }.into())
                    }
                    (Some(x), None, _) if matches!(b.ty, Type::Enum(_)) => {
                        Type::Enum([Arc::from(x)].into()).join(&b.ty).unwrap_or(Type::Text)
                    }
                    (None, Some(y), _) if matches!(a.ty, Type::Enum(_)) => {
                        a.ty.join(&Type::Enum([Arc::from(y)].into())).unwrap_or(Type::Text)
                    }
                    (_, _, Some(t)) => t,
                    (_, _, None) => {
                        let (ta, tb) = (&a.ty, &b.ty);
                        self.report(
                            Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                msg!(
                                    "if 的两个分支类型不同：{ta} 和 {tb}",
                                    "the branches of `if` differ: {ta} and {tb}"
                                ),
                            )
                            .at(span)
                            .help(Msg::new(
                                "让 then 和 else 给出同一类型的值",
                                "make `then` and `else` give values of one type",
                            )),
                        );
                        Type::Error
                    }
                };
                TExpr::new(TKind::If(Box::new(c), Box::new(a), Box::new(b)), ty, span)
            }
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Time(t) => TExpr::lit(Value::Time(*t), Type::Time, span),
            ExprKind::Months(n) => match n.to_i32().filter(|_| n.fract().is_zero()) {
                Some(m) => TExpr::lit(Value::Months(m), Type::Period, span),
                None => {
                    self.report(
                        Diagnostic::error(
                            codes::BAD_DURATION,
                            Msg::new("月数和年数必须是整数", "months and years must be whole numbers"),
                        )
                        .at(span)
                        .help(Msg::new(
                            "例如 `18 months`；不足一月的用天数",
                            "such as `18 months`; for part of a month use days",
                        )),
                    );
                    TExpr::error(span)
                }
            },
            ExprKind::Missing => {
                self.report(
                    Diagnostic::error(codes::MISSING_AS_VALUE, Msg::new("`missing` 不是一个值", "`missing` is not a value"))
                        .at(span)
                        .help(Msg::new(
                            "判断缺失要写 `x is missing`；要在某种情况下不给值，写 `if 条件 then 值 else missing`",
                            "test for absence with `x is missing`; to give no value in some case, write `if condition then value else missing`",
                        )),
                );
                TExpr::error(span)
            }
            ExprKind::Error => TExpr::error(span),
        }
    }

    fn duration(&mut self, n: Decimal, unit: TimeUnit, span: Span) -> TExpr {
        let seconds = n.checked_mul(Decimal::from(unit.seconds()));
        let whole = seconds.filter(|s| s.fract().is_zero()).and_then(|s| s.to_i64()).and_then(TimeDelta::try_seconds);
        match whole {
            Some(d) => TExpr::lit(Value::Duration(d), Type::Duration, span),
            None => {
                self.report(
                    Diagnostic::error(
                        codes::BAD_DURATION,
                        Msg::new(
                            "时长必须是整秒数，且不能过大",
                            "a duration must be a whole number of seconds and not too large",
                        ),
                    )
                    .at(span)
                    .help(Msg::new("换一个更小的单位，例如 `90 minutes`", "use a smaller unit, e.g. `90 minutes`")),
                );
                TExpr::error(span)
            }
        }
    }

    fn text(&mut self, parts: &[TextPart], span: Span) -> TExpr {
        if let [TextPart::Lit(s)] = parts {
            return TExpr::lit(Value::text(s), Type::Text, span);
        }
        if parts.is_empty() {
            return TExpr::lit(Value::text(""), Type::Text, span);
        }
        let checked: Vec<TPart> = self.parts(parts);
        TExpr::new(TKind::Text(checked), Type::Text, span)
    }

    /// Interpolation parts (any type may be shown).
    pub(crate) fn parts(&mut self, parts: &[TextPart]) -> Vec<TPart> {
        parts
            .iter()
            .map(|p| match p {
                TextPart::Lit(s) => TPart::Lit(s.clone()),
                TextPart::Expr(e) => TPart::Expr(self.expr(e)),
            })
            .collect()
    }

    fn name(&mut self, name: &str, span: Span) -> TExpr {
        if let Some((i, local)) = self.locals.iter().enumerate().rev().find(|(_, l)| l.name == name) {
            return TExpr {
                kind: TKind::Local(i),
                ty: local.ty.clone(),
                span,
                missing: local.missing,
                constant: false,
                settled: false,
            };
        }
        let Some((symbol, _)) = self.names.get(name).copied() else {
            return match name {
                "always" => match self.calendars.first() {
                    Some(always) => TExpr::lit(Value::Calendar(Arc::clone(always)), Type::Calendar, span),
                    None => TExpr::error(span),
                },
                "now" => TExpr {
                    kind: TKind::Now,
                    ty: Type::DateTime,
                    span,
                    missing: false,
                    constant: false,
                    settled: false,
                },
                "decision" => TExpr {
                    kind: TKind::Decision,
                    ty: Type::Enum(["approved", "needs_info", "rejected"].map(Arc::from).into()),
                    span,
                    missing: false,
                    constant: false,
                    settled: true,
                },
                _ => {
                    self.unknown_name(name, span);
                    TExpr::error(span)
                }
            };
        };
        let symbol = match symbol {
            Symbol::Derived(i) if self.raw_inputs => match self.derived_decls.get(i) {
                Some(super::DerivedSource::Each(_, input)) => Symbol::Input(*input),
                _ => symbol,
            },
            other => other,
        };
        self.used.insert(symbol);
        let info = self.infos.get(&symbol).cloned().unwrap_or_else(Info::error);
        match symbol {
            Symbol::Input(i) => {
                let Some(field) = self.inputs.fields.get(i) else { return TExpr::error(span) };
                TExpr {
                    kind: TKind::Input(i),
                    ty: field.ty.clone(),
                    span,
                    missing: field.optional,
                    constant: false,
                    settled: false,
                }
            }
            Symbol::Const(i) => TExpr {
                kind: TKind::Const(i),
                ty: info.ty,
                span,
                missing: info.missing,
                constant: true,
                settled: false,
            },
            Symbol::Derived(i) => TExpr {
                kind: TKind::Derived(i),
                ty: info.ty,
                span,
                missing: info.missing,
                constant: false,
                settled: info.settled,
            },
            Symbol::Table(_) => {
                self.report(
                    Diagnostic::error(
                        codes::TABLE_AS_VALUE,
                        msg!("表格 `{name}` 要带参数调用", "table `{name}` is called with arguments"),
                    )
                    .at(span)
                    .help(msg!("写成 `{name}(…)`", "write `{name}(…)`")),
                );
                TExpr::error(span)
            }
            Symbol::Calendar(i) => match self.calendars.get(i) {
                Some(cal) => TExpr::lit(Value::Calendar(Arc::clone(cal)), Type::Calendar, span),
                None => TExpr::error(span),
            },
            Symbol::Ledger(_) => {
                self.report(
                    Diagnostic::error(
                        codes::LEDGER_AS_VALUE,
                        msg!("账本 `{name}` 不是一个值", "ledger `{name}` is not a value"),
                    )
                    .at(span)
                    .help(msg!("读取账本合计写 `total({name})`", "read its total with `total({name})`")),
                );
                TExpr::error(span)
            }
        }
    }

    fn unknown_name(&mut self, name: &str, span: Span) {
        let mut candidates: Vec<&str> = self.names.keys().map(String::as_str).collect();
        candidates.extend(["now", "decision", "always"]);
        candidates.extend(self.locals.iter().map(|l| l.name.as_str()));
        let near = suggest::closest(name, candidates);
        let help = match near {
            Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
            None => Msg::new(
                "名称要先在 input、const、let 或 output 中声明",
                "names must be declared by `input`, `const`, `let` or `output` first",
            ),
        };
        self.report(
            Diagnostic::error(codes::UNKNOWN_NAME, msg!("未知的名称 `{name}`", "unknown name `{name}`"))
                .at(span)
                .help(help)
                .maybe_fix(span, near),
        );
    }

    fn member(&mut self, base: TExpr, field: &str, field_span: Span, span: Span) -> TExpr {
        // Inside `for each x in xs { … }`, `x.value` reads a value computed earlier in
        // the block.
        if let (TKind::Local(b), Some(item)) = (&base.kind, self.block_item)
            && *b == item
            && let Some((k, local)) = self.locals.iter().enumerate().skip(item + 1).find(|(_, l)| l.name == field)
        {
            let (ty, missing) = (local.ty.clone(), local.missing);
            return TExpr { kind: TKind::Local(k), ty, span, missing, constant: false, settled: false };
        }
        match &base.ty {
            Type::Error => TExpr::error(span),
            Type::Record(rt) => match rt.field(field) {
                Some((i, f)) => {
                    let ty = f.ty.clone();
                    let optional = f.optional;
                    let mut out = TExpr::new(TKind::Field(Box::new(base), i), ty, span);
                    out.missing |= optional;
                    out
                }
                None => {
                    self.unknown_field(rt.clone(), &base, field, field_span);
                    TExpr::error(span)
                }
            },
            Type::Date | Type::DateTime if let Some((part, on_date)) = crate::lang::DatePart::named(field) => {
                if base.ty == Type::Date && !on_date {
                    self.report(
                        Diagnostic::error(
                            codes::UNKNOWN_FIELD,
                            msg!("日期没有 `{field}`，日期时间才有", "a date has no `{field}`; a datetime does"),
                        )
                        .at(field_span)
                        .help(Msg::new("日期有 .year .month .day .weekday", "a date has .year .month .day .weekday")),
                    );
                    return TExpr::error(span);
                }
                let missing = base.missing;
                let mut out =
                    TExpr::new(TKind::Call(crate::lang::Builtin::DatePart(part), vec![base]), Type::Int, span);
                out.missing |= missing;
                out.constant = false;
                out
            }
            // A datetime's time of day; a time's hour, minute and second.
            Type::DateTime if field == "time" => {
                let missing = base.missing;
                let mut out = TExpr::new(TKind::Call(crate::lang::Builtin::TimeOfDay, vec![base]), Type::Time, span);
                out.missing |= missing;
                out
            }
            Type::DateTime | Type::Time if field == "offset" => {
                // A local time of day has no offset: missing.
                let missing = base.missing || base.ty == Type::Time;
                let mut out = TExpr::new(TKind::Call(crate::lang::Builtin::OffsetOf, vec![base]), Type::Duration, span);
                out.missing |= missing;
                out
            }
            Type::Time if matches!(field, "hour" | "minute" | "second") => {
                let part = match field {
                    "hour" => crate::lang::DatePart::Hour,
                    "minute" => crate::lang::DatePart::Minute,
                    _ => crate::lang::DatePart::Second,
                };
                let missing = base.missing;
                let mut out =
                    TExpr::new(TKind::Call(crate::lang::Builtin::DatePart(part), vec![base]), Type::Int, span);
                out.missing |= missing;
                out
            }
            // A period's length in whole years or in months (totals, like a duration's).
            Type::Period if matches!(field, "years" | "months") => {
                let part = if field == "years" { crate::lang::DatePart::Year } else { crate::lang::DatePart::Month };
                let missing = base.missing;
                let mut out =
                    TExpr::new(TKind::Call(crate::lang::Builtin::DatePart(part), vec![base]), Type::Int, span);
                out.missing |= missing;
                out
            }
            Type::Duration => {
                let unit = |name: &str| match name {
                    "weeks" => Some(TimeUnit::Weeks),
                    "days" => Some(TimeUnit::Days),
                    "hours" => Some(TimeUnit::Hours),
                    "minutes" => Some(TimeUnit::Minutes),
                    "seconds" => Some(TimeUnit::Seconds),
                    _ => None,
                };
                // Totals (`total_hours`: PT2H30M is 2) and a clock reading's components
                // (`hours_part`: 2, `minutes_part`: 30), named so neither is mistaken for
                // the other; a bare `.hours` is the total, and is asked to say so.
                let part = |name: &str| match name {
                    "days_part" => Some(crate::lang::DatePart::Day),
                    "hours_part" => Some(crate::lang::DatePart::Hour),
                    "minutes_part" => Some(crate::lang::DatePart::Minute),
                    "seconds_part" => Some(crate::lang::DatePart::Second),
                    _ => None,
                };
                if let Some(u) = field.strip_prefix("total_").and_then(unit) {
                    return TExpr::new(TKind::DurationPart(Box::new(base), u), Type::Int, span);
                }
                if let Some(p) = part(field) {
                    let missing = base.missing;
                    let mut out =
                        TExpr::new(TKind::Call(crate::lang::Builtin::DatePart(p), vec![base]), Type::Int, span);
                    out.missing |= missing;
                    return out;
                }
                match unit(field) {
                    Some(u) => {
                        let singular = field.trim_end_matches('s');
                        self.report(
                            Diagnostic::warning(
                                codes::DURATION_TOTAL,
                                msg!(
                                    "`.{field}` 是总共多少{singular}（向下取整），不是时钟读数的一部分",
                                    "`.{field}` is the whole duration in {field}, rounded down — not a part of a clock reading"
                                ),
                            )
                            .at(field_span)
                            .help(msg!(
                                "写 `.total_{field}` 表示总数；要时钟读数的部分写 `.{singular}s_part`（PT2H30M 的 .total_minutes 是 150，.minutes_part 是 30）",
                                "write `.total_{field}` for the total; for the part of a clock reading write `.{singular}s_part` (PT2H30M: .total_minutes is 150, .minutes_part is 30)"
                            )),
                        );
                        TExpr::new(TKind::DurationPart(Box::new(base), u), Type::Int, span)
                    }
                    None => {
                        self.report(
                            Diagnostic::error(
                                codes::UNKNOWN_FIELD,
                                msg!("时长没有 `{field}`", "a duration has no `{field}`"),
                            )
                            .at(field_span)
                            .help(Msg::new(
                                "总数：.total_weeks .total_days .total_hours .total_minutes .total_seconds；时钟读数的部分：.days_part .hours_part .minutes_part .seconds_part",
                                "totals: .total_weeks .total_days .total_hours .total_minutes .total_seconds; parts of a clock reading: .days_part .hours_part .minutes_part .seconds_part",
                            )),
                        );
                        TExpr::error(span)
                    }
                }
            }
            other => {
                let ty = other.clone();
                self.report(
                    Diagnostic::error(
                        codes::NO_FIELDS,
                        msg!("{ty} 类型的值没有字段 `{field}`", "a value of type {ty} has no field `{field}`"),
                    )
                    .at(field_span),
                );
                TExpr::error(span)
            }
        }
    }

    fn unknown_field(&mut self, rt: Arc<RecordType>, base: &TExpr, field: &str, span: Span) {
        let of = self.file.slice(base.span).to_owned();
        let names: Vec<&str> = rt.fields.iter().map(|f| f.name.as_str()).collect();
        let near = suggest::closest(field, names.iter().copied());
        let help = match near {
            Some(s) => msg!("你是不是想写 `{of}.{s}`？", "did you mean `{of}.{s}`?"),
            None => {
                let list = names.join(", ");
                msg!("`{of}` 的字段有：{list}", "the fields of `{of}` are: {list}")
            }
        };
        self.report(
            Diagnostic::error(codes::UNKNOWN_FIELD, msg!("`{of}` 没有字段 `{field}`", "`{of}` has no field `{field}`"))
                .at(span)
                .help(help)
                .maybe_fix(span, near),
        );
    }

    fn call(&mut self, name: &str, name_span: Span, args: &[Expr], span: Span) -> TExpr {
        if name == "total" {
            return self.total(args, span);
        }
        if let Some((Symbol::Table(i), _)) = self.names.get(name).copied() {
            self.used.insert(Symbol::Table(i));
            let args: Vec<TExpr> = args.iter().map(|a| self.expr(a)).collect();
            return self.table_call(i, name, args, span);
        }
        let Some(builtin) = builtins::lookup(name) else {
            let mut candidates: Vec<&str> = crate::lang::BUILTINS.iter().map(|s| s.name).collect();
            candidates.push("total");
            let tables: Vec<String> =
                self.names.iter().filter(|(_, (s, _))| matches!(s, Symbol::Table(_))).map(|(n, _)| n.clone()).collect();
            candidates.extend(tables.iter().map(String::as_str));
            let near = suggest::closest(name, candidates);
            let help = match near {
                Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                None => {
                    let all = crate::lang::BUILTINS.iter().map(|s| s.name).collect::<Vec<_>>().join(" ");
                    msg!(
                        "可用的函数：{all} total，以及策略中的表格",
                        "functions are {all} total, and the policy's tables"
                    )
                }
            };
            self.report(
                Diagnostic::error(codes::UNKNOWN_FUNCTION, msg!("未知的函数 `{name}`", "unknown function `{name}`"))
                    .at(name_span)
                    .help(help)
                    .maybe_fix(name_span, near),
            );
            for a in args {
                self.expr(a);
            }
            return TExpr::error(span);
        };
        let args: Vec<TExpr> = args.iter().map(|a| self.expr(a)).collect();
        self.builtin(builtin, args, span)
    }

    fn total(&mut self, args: &[Expr], span: Span) -> TExpr {
        if let [arg] = args
            && let ExprKind::Name(n) = &arg.node
            && let Some((Symbol::Ledger(i), _)) = self.names.get(n).copied()
        {
            self.used.insert(Symbol::Ledger(i));
            return TExpr {
                kind: TKind::LedgerTotal(i),
                ty: Type::Money,
                span,
                missing: false,
                constant: false,
                settled: true,
            };
        }
        let ledgers: Vec<String> = self.ledgers.iter().map(|l| l.name.clone()).collect();
        let list = ledgers.join(", ");
        self.report(
            Diagnostic::error(
                codes::BAD_TOTAL,
                Msg::new("total 的参数是一个账本名", "the argument of `total` is a ledger name"),
            )
            .at(span)
            .help(if ledgers.is_empty() {
                Msg::new("先声明账本：`ledger deductions`", "declare a ledger first: `ledger deductions`")
            } else {
                msg!("已声明的账本：{list}", "declared ledgers: {list}")
            }),
        );
        TExpr::error(span)
    }

    fn list(&mut self, items: &[Expr], span: Span) -> TExpr {
        let items: Vec<TExpr> = items.iter().map(|i| self.expr(i)).collect();
        let mut elem: Option<Type> = None;
        for item in &items {
            elem = match elem {
                None => Some(item.ty.clone()),
                Some(t) => match t.join(&item.ty) {
                    Some(j) => Some(j),
                    None => {
                        let (a, b) = (&t, &item.ty);
                        self.report(
                            Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                msg!("列表里混合了 {a} 和 {b}", "a list mixes {a} and {b}"),
                            )
                            .at(item.span)
                            .help(Msg::new("列表中的值要同一类型", "the items of a list share one type")),
                        );
                        Some(Type::Error)
                    }
                },
            };
        }
        let ty = match elem {
            None => Type::EmptyList,
            Some(Type::Error) => Type::Error,
            Some(t) => Type::List(Arc::new(t)),
        };
        let mut out = TExpr::new(TKind::List(items), ty, span);
        // A list holding a missing item is itself present.
        out.missing = false;
        out
    }

    fn record_literal(&mut self, entries: &[(crate::syntax::ast::Ident, Expr)], span: Span) -> TExpr {
        let mut record = RecordType::default();
        let mut values = Vec::new();
        for (name, value) in entries {
            let value = self.expr(value);
            if record.field(&name.node).is_some() {
                let n = &name.node;
                self.report(
                    Diagnostic::error(codes::DUPLICATE_FIELD, msg!("字段 `{n}` 重复", "field `{n}` is repeated"))
                        .at(name.span),
                );
                continue;
            }
            record.fields.push(Field {
                name: name.node.clone(),
                ty: value.ty.clone(),
                optional: value.missing,
                check: None,
            });
            values.push(value);
        }
        let mut out = TExpr::new(TKind::Record(values), Type::Record(Arc::new(record)), span);
        out.missing = false;
        out
    }

    fn unary(&mut self, op: UnaryOp, inner: TExpr, span: Span) -> TExpr {
        match op {
            UnaryOp::Not => {
                self.expect_bool(&inner, "not 的操作数", "the operand of `not`");
                TExpr::new(TKind::Not(Box::new(inner)), Type::Bool, span)
            }
            UnaryOp::Neg => {
                let ok = inner.ty.is_numeric() || inner.ty == Type::Duration;
                if !ok {
                    let ty = &inner.ty;
                    self.report(
                        Diagnostic::error(codes::TYPE_MISMATCH, msg!("{ty} 不能取负", "a {ty} cannot be negated"))
                            .at(span),
                    );
                }
                let ty = if ok { inner.ty.clone() } else { Type::Error };
                TExpr::new(TKind::Neg(Box::new(inner)), ty, span)
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, l: TExpr, r: TExpr, span: Span) -> TExpr {
        let cmp = |op: BinaryOp| match op {
            BinaryOp::Eq => Some(CmpOp::Eq),
            BinaryOp::Ne => Some(CmpOp::Ne),
            BinaryOp::Lt => Some(CmpOp::Lt),
            BinaryOp::Le => Some(CmpOp::Le),
            BinaryOp::Gt => Some(CmpOp::Gt),
            BinaryOp::Ge => Some(CmpOp::Ge),
            _ => None,
        };
        let arith = match op {
            BinaryOp::Add => Some(ArithOp::Add),
            BinaryOp::Sub => Some(ArithOp::Sub),
            BinaryOp::Mul => Some(ArithOp::Mul),
            BinaryOp::Div => Some(ArithOp::Div),
            BinaryOp::Of => Some(ArithOp::Of),
            BinaryOp::Pow => Some(ArithOp::Pow),
            BinaryOp::Mod => Some(ArithOp::Mod),
            BinaryOp::IntDiv => Some(ArithOp::IntDiv),
            _ => None,
        };
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let word = op.symbol();
                self.expect_bool(&l, &format!("{word} 的左边"), &format!("the left of `{word}`"));
                self.expect_bool(&r, &format!("{word} 的右边"), &format!("the right of `{word}`"));
                let kind = if op == BinaryOp::And { TKind::And } else { TKind::Or };
                TExpr::new(kind(Box::new(l), Box::new(r)), Type::Bool, span)
            }
            BinaryOp::In | BinaryOp::NotIn => self.membership(l, r, op == BinaryOp::NotIn, span),
            _ => {
                if let Some(c) = cmp(op) {
                    let mut ty = Type::Bool;
                    if let Err(help) = ops::comparable(c, &l.ty, &r.ty) {
                        let (lt, rt, sym) = (&l.ty, &r.ty, c.symbol());
                        self.report(
                            Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                msg!("不能用 `{sym}` 比较 {lt} 和 {rt}", "cannot compare {lt} with {rt} using `{sym}`"),
                            )
                            .at(span)
                            .help(help),
                        );
                        ty = Type::Error;
                    } else {
                        self.enum_literal(&l, &r);
                        self.enum_literal(&r, &l);
                    }
                    return TExpr::new(TKind::Compare(c, Box::new(l), Box::new(r)), ty, span);
                }
                let Some(a) = arith else { return TExpr::error(span) };
                let ty = match ops::arith(a, &l.ty, &r.ty) {
                    Ok(t) => t,
                    Err(help) => {
                        let (lt, rt, sym) = (&l.ty, &r.ty, a.symbol());
                        self.report(
                            Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                msg!("`{sym}` 不能用于 {lt} 和 {rt}", "`{sym}` does not apply to {lt} and {rt}"),
                            )
                            .at(span)
                            .help(help),
                        );
                        Type::Error
                    }
                };
                // A date moves by whole days: a constant part of a day is refused here,
                // not at evaluation.
                if ty == Type::Date
                    && let Some(d) = [&l, &r].into_iter().find_map(|e| match &e.kind {
                        TKind::Lit(Value::Duration(d)) if d.num_seconds() % 86_400 != 0 || d.subsec_nanos() != 0 => {
                            Some(*d)
                        }
                        _ => None,
                    })
                {
                    let shown = crate::value::duration::words(d);
                    self.report(
                        Diagnostic::error(
                            codes::PARTIAL_DAYS,
                            msg!("日期只能加减整天，{shown} 不是整天", "a date moves by whole days; {shown} is not"),
                        )
                        .at(span)
                        .help(Msg::new(
                            "用天数（如 `2 days`），或先把日期换成日期时间再加小时",
                            "use days (such as `2 days`), or add hours to a datetime instead",
                        )),
                    );
                }
                TExpr::new(TKind::Arith(a, Box::new(l), Box::new(r)), ty, span)
            }
        }
    }

    fn membership(&mut self, item: TExpr, list: TExpr, negated: bool, span: Span) -> TExpr {
        let mut ty = Type::Bool;
        match list.ty.element() {
            None => {
                let lt = &list.ty;
                self.report(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        msg!("`in` 的右边应为列表，这里是 {lt}", "the right of `in` must be a list, this is {lt}"),
                    )
                    .at(list.span)
                    .help(Msg::new("例如 `x in [\"a\", \"b\"]`", "for example `x in [\"a\", \"b\"]`")),
                );
                ty = Type::Error;
            }
            Some(elem) => {
                if let Err(help) = ops::comparable(CmpOp::Eq, &item.ty, &elem) {
                    let it = &item.ty;
                    self.report(
                        Diagnostic::error(
                            codes::TYPE_MISMATCH,
                            msg!("{it} 不能在 list<{elem}> 中查找", "a {it} cannot be looked up in a list<{elem}>"),
                        )
                        .at(span)
                        .help(help),
                    );
                    ty = Type::Error;
                } else {
                    self.enum_literal(&item, &list);
                    self.enum_literal(&list, &item);
                }
            }
        }
        TExpr::new(TKind::In(Box::new(item), Box::new(list), negated), ty, span)
    }

    /// When `typed` is an enumeration, every literal text in `other` must be one of its
    /// values: `request.desired == "refnd"` is a typo, not a rule that never fires.
    pub(crate) fn enum_literal(&mut self, typed: &TExpr, other: &TExpr) {
        let of = self.file.slice(typed.span).to_owned();
        self.enum_literal_in(&typed.ty, &of, other);
    }

    /// As [`Self::enum_literal`], for a value of type `ty` described as `of`.
    pub(crate) fn enum_literal_in(&mut self, ty: &Type, of: &str, other: &TExpr) {
        let values = match ty {
            Type::Enum(v) => v.clone(),
            Type::List(inner) => match &**inner {
                Type::Enum(v) => v.clone(),
                _ => return,
            },
            _ => return,
        };
        for (text, span) in self.literal_texts(other) {
            if values.iter().any(|v| **v == *text) {
                continue;
            }
            let allowed = values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ");
            let help = match suggest::closest(&text, values.iter().map(|v| &**v)) {
                Some(s) => {
                    msg!("你是不是想写 \"{s}\"？可选值：{allowed}", "did you mean \"{s}\"? The values are {allowed}")
                }
                None => msg!("可选值：{allowed}", "the values are {allowed}"),
            };
            self.report(
                Diagnostic::error(
                    codes::NOT_IN_ENUM,
                    msg!("\"{text}\" 不是 `{of}` 的可选值", "\"{text}\" is not a value of `{of}`"),
                )
                .at(span)
                .help(help),
            );
        }
    }

    /// Literal texts an expression consists of: a text, a list of texts, or a const
    /// holding one.
    /// `e` where a `want` is expected: a literal text (or a list of them) is read as a
    /// value of an enumeration `want` — `f("x")` for an enumerated parameter, a table row
    /// giving `"Approved"` — and one that is not among its values is reported
    /// (`not-in-enum`, with a did-you-mean). Anything else is returned as it is.
    pub(crate) fn coerce(&mut self, mut e: TExpr, want: &Type, of: &str) -> TExpr {
        // A record literal for a record type: each field, where the names line up.
        if let (TKind::Record(values), Type::Record(want_rec), Type::Record(have)) = (&mut e.kind, want, &e.ty)
            && have.fields.len() == values.len()
            && have.fields.iter().all(|a| want_rec.fields.iter().any(|b| a.name == b.name))
        {
            let mut fields = have.fields.clone();
            let taken = std::mem::take(values);
            let mut out = Vec::with_capacity(taken.len());
            // By name: a record literal may leave optional fields out.
            let wanted: Vec<&crate::lang::Field> =
                have.fields.iter().filter_map(|a| want_rec.fields.iter().find(|b| a.name == b.name)).collect();
            for ((v, f), w) in taken.into_iter().zip(fields.iter_mut()).zip(wanted) {
                let v = self.coerce(v, &w.ty, &format!("{of}.{}", w.name));
                // A number for a money or decimal field takes the field's type, as it
                // would alone (`fee: 0` in a `{ fee: money }`); the compiler converts it.
                let widens = v.ty != w.ty && v.ty.is_numeric() && matches!(w.ty, Type::Money | Type::Decimal);
                f.ty = if widens && v.ty.fits(&w.ty) { w.ty.clone() } else { v.ty.clone() };
                out.push(v);
            }
            *values = out;
            e.ty = Type::Record(Arc::new(RecordType { fields }));
            return e;
        }
        let is_enum = |t: &Type| matches!(t, Type::Enum(_));
        let fits_shape = match (&e.ty, want) {
            (Type::Text, w) => is_enum(w),
            (Type::List(inner), Type::List(w)) => **inner == Type::Text && is_enum(w),
            _ => false,
        };
        let literal = match &e.kind {
            TKind::Lit(Value::Text(_)) | TKind::Const(_) => !self.literal_texts(&e).is_empty(),
            TKind::List(items) => !items.is_empty() && items.iter().all(|i| i.literal_text().is_some()),
            _ => false,
        };
        if fits_shape && literal {
            self.enum_literal_in(want, of, &e);
            e.ty = want.clone();
        }
        e
    }

    fn literal_texts(&self, e: &TExpr) -> Vec<(String, Span)> {
        match &e.kind {
            TKind::Lit(Value::Text(s)) => vec![(s.to_string(), e.span)],
            TKind::List(items) => {
                items.iter().filter_map(|i| i.literal_text().map(|t| (t.to_owned(), i.span))).collect()
            }
            TKind::Const(i) => match self.consts.get(*i).and_then(Option::as_ref) {
                // Report at the use, where the mismatch is visible.
                Some(def) => self.literal_texts(&def.expr).into_iter().map(|(t, _)| (t, e.span)).collect(),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}
