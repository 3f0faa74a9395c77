//! Expressions: pest pairs to [`Expr`] with a Pratt parser for precedence.
//!
//! Every node's depth is tracked while it is built; a tree deeper than
//! [`MAX_EXPR_DEPTH`] becomes one diagnostic, so later stages may recurse freely.

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, ConstPrattParser, Op, pratt_precedence};

use super::ast::*;
use super::build::Builder;
use super::limits::MAX_EXPR_DEPTH;
use super::parser::Rule;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::TimeUnit;

/// Operator precedence, loosest first.
static PRATT: ConstPrattParser<Rule, 27> = ConstPrattParser::new_const(pratt_precedence![
    Op::infix(Rule::op_or, Assoc::Left) | Op::infix(Rule::op_oror, Assoc::Left),
    Op::infix(Rule::op_and, Assoc::Left) | Op::infix(Rule::op_andand, Assoc::Left),
    Op::prefix(Rule::op_not) | Op::prefix(Rule::op_bang),
    Op::infix(Rule::op_eq, Assoc::Left)
        | Op::infix(Rule::op_ne, Assoc::Left)
        | Op::infix(Rule::op_lt, Assoc::Left)
        | Op::infix(Rule::op_le, Assoc::Left)
        | Op::infix(Rule::op_gt, Assoc::Left)
        | Op::infix(Rule::op_ge, Assoc::Left)
        | Op::infix(Rule::op_in, Assoc::Left)
        | Op::infix(Rule::op_not_in, Assoc::Left)
        | Op::infix(Rule::op_assign, Assoc::Left),
    Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left),
    Op::infix(Rule::op_mul, Assoc::Left)
        | Op::infix(Rule::op_div, Assoc::Left)
        | Op::infix(Rule::op_of, Assoc::Left)
        | Op::infix(Rule::op_mod, Assoc::Left)
        | Op::infix(Rule::op_idiv, Assoc::Left),
    Op::prefix(Rule::op_neg),
    // Tighter than unary minus, as in mathematics: `-2 ** 2` is -4.
    Op::infix(Rule::op_pow, Assoc::Right),
    Op::postfix(Rule::op_is_missing) | Op::postfix(Rule::op_is_present) | Op::postfix(Rule::member),
]);

/// Most prefix operators allowed in a row (`not not not x`).
const MAX_PREFIX_RUN: usize = 8;

/// An expression under construction: its depth, and whether it was written in parentheses
/// (to tell `a < b < c` from `(a < b) < c`).
struct Built {
    expr: Expr,
    depth: usize,
    /// Too deep: already reported, and everything built on it is dropped.
    poisoned: bool,
}

impl Built {
    fn leaf(expr: Expr) -> Built {
        Built { expr, depth: 1, poisoned: false }
    }
}

impl Builder<'_> {
    /// Builds an `expr` pair.
    pub(crate) fn expr(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let built = self.expr_built(pair);
        if built.poisoned { Expr::new(ExprKind::Error, span) } else { built.expr }
    }

    fn expr_built(&self, pair: Pair<'_, Rule>) -> Built {
        let span = self.span(&pair);
        let inner = pair.into_inner();
        let run = longest_prefix_run(inner.clone());
        if run > MAX_PREFIX_RUN {
            self.report(
                Diagnostic::error(
                    codes::EXPRESSION_TOO_DEEP,
                    msg!("连续写了 {run} 个前缀运算符", "{run} prefix operators in a row"),
                )
                .at(span)
                .help(msg!(
                    "最多连续 {MAX_PREFIX_RUN} 个；`not not x` 就是 `x`",
                    "at most {MAX_PREFIX_RUN} are allowed; `not not x` is just `x`"
                )),
            );
            return Built { expr: Expr::new(ExprKind::Error, span), depth: 1, poisoned: true };
        }
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let op_span = self.span(&op);
                let unary = match op.as_rule() {
                    Rule::op_neg => UnaryOp::Neg,
                    Rule::op_bang => {
                        self.mistake(op_span, "!", "not");
                        UnaryOp::Not
                    }
                    Rule::op_not => UnaryOp::Not,
                    _ => {
                        self.unexpected(&op, "a prefix operator");
                        return Built::leaf(Expr::new(ExprKind::Error, op_span.to(rhs.expr.span)));
                    }
                };
                let span = op_span.to(rhs.expr.span);
                self.combine(span, [rhs], |mut c| ExprKind::Unary(unary, Box::new(c.remove(0))))
            })
            .map_postfix(|lhs, op| {
                let span = lhs.expr.span.to(self.span(&op));
                match op.as_rule() {
                    Rule::member => {
                        let field = op.into_inner().next().map(|p| self.ident(p));
                        match field {
                            Some(field) => {
                                self.combine(span, [lhs], |mut c| ExprKind::Member(Box::new(c.remove(0)), field))
                            }
                            None => Built::leaf(Expr::new(ExprKind::Error, span)),
                        }
                    }
                    Rule::op_is_missing => {
                        self.combine(span, [lhs], |mut c| ExprKind::IsMissing(Box::new(c.remove(0)), true))
                    }
                    Rule::op_is_present => {
                        self.combine(span, [lhs], |mut c| ExprKind::IsMissing(Box::new(c.remove(0)), false))
                    }
                    _ => {
                        self.unexpected(&op, "a postfix operator");
                        Built::leaf(Expr::new(ExprKind::Error, span))
                    }
                }
            })
            .map_infix(|lhs, op, rhs| {
                let op_span = self.span(&op);
                let span = lhs.expr.span.to(rhs.expr.span);
                let binary = match op.as_rule() {
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_oror => {
                        self.mistake(op_span, "||", "or");
                        BinaryOp::Or
                    }
                    Rule::op_and => BinaryOp::And,
                    Rule::op_andand => {
                        self.mistake(op_span, "&&", "and");
                        BinaryOp::And
                    }
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_assign => {
                        self.report(
                            Diagnostic::error(
                                codes::ASSIGN_IN_CONDITION,
                                Msg::new("比较相等要用 `==`", "comparison uses `==`"),
                            )
                            .at_labelled(op_span, Msg::new("这里写成了 `=`", "`=` written here"))
                            .help(Msg::new(
                                "把 `=` 改成 `==`；`=` 只用于 const、let 和 output 的定义",
                                "write `==`; a single `=` only defines a const, let or output",
                            )),
                        );
                        BinaryOp::Eq
                    }
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_in => BinaryOp::In,
                    Rule::op_not_in => BinaryOp::NotIn,
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    Rule::op_div => BinaryOp::Div,
                    Rule::op_of => BinaryOp::Of,
                    Rule::op_pow => BinaryOp::Pow,
                    Rule::op_mod => BinaryOp::Mod,
                    Rule::op_idiv => BinaryOp::IntDiv,
                    _ => {
                        self.unexpected(&op, "an operator");
                        return Built::leaf(Expr::new(ExprKind::Error, span));
                    }
                };
                if binary.is_comparison()
                    && let ExprKind::Binary(inner, ..) = &lhs.expr.node
                    && inner.is_comparison()
                {
                    self.report(
                        Diagnostic::error(
                            codes::CHAINED_COMPARISON,
                            Msg::new("比较不能连写", "comparisons cannot be chained"),
                        )
                        .at(span)
                        .help(Msg::new(
                            "用 and 连接两个比较：`a < b and b < c`",
                            "join two comparisons with `and`: `a < b and b < c`",
                        )),
                    );
                }
                self.combine(span, [lhs, rhs], |mut c| {
                    let r = c.remove(1);
                    let l = c.remove(0);
                    ExprKind::Binary(binary, Box::new(l), Box::new(r))
                })
            })
            .parse(inner)
    }

    /// Makes a node from children, enforcing the depth limit.
    fn combine<const N: usize>(
        &self,
        span: crate::source::Span,
        children: [Built; N],
        make: impl FnOnce(Vec<Expr>) -> ExprKind,
    ) -> Built {
        let depth = 1 + children.iter().map(|c| c.depth).max().unwrap_or(0);
        if children.iter().any(|c| c.poisoned) {
            return Built { expr: Expr::new(ExprKind::Error, span), depth, poisoned: true };
        }
        if depth > MAX_EXPR_DEPTH {
            self.report(
                Diagnostic::error(
                    codes::EXPRESSION_TOO_DEEP,
                    msg!("表达式嵌套超过 {MAX_EXPR_DEPTH} 层", "expression nests deeper than {MAX_EXPR_DEPTH} levels"),
                )
                .at(span)
                .help(msg!("用 let 把其中一部分拆成有名字的值", "split part of it into named values with `let`")),
            );
            return Built { expr: Expr::new(ExprKind::Error, span), depth, poisoned: true };
        }
        let exprs = children.into_iter().map(|c| c.expr).collect();
        Built { expr: Expr::new(make(exprs), span), depth, poisoned: false }
    }

    /// Depth of a nested sub-expression (parentheses, call arguments, list items).
    fn nested(&self, pair: Pair<'_, Rule>) -> Built {
        self.expr_built(pair)
    }

    /// Builds a single primary pair (a literal or a name) on its own.
    pub(crate) fn primary_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        self.primary(pair).expr
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Built {
        let span = self.span(&pair);
        let text = pair.as_str();
        let leaf = |kind| Built::leaf(Expr::new(kind, span));
        match pair.as_rule() {
            Rule::paren => match pair.into_inner().next() {
                Some(inner) => {
                    let inner = self.nested(inner);
                    self.combine(span, [inner], |mut c| ExprKind::Paren(Box::new(c.remove(0))))
                }
                None => leaf(ExprKind::Error),
            },
            Rule::if_expr => {
                let mut parts: Vec<Built> =
                    pair.into_inner().filter(|p| p.as_rule() == Rule::expr).map(|p| self.nested(p)).collect();
                if parts.len() != 3 {
                    return leaf(ExprKind::Error);
                }
                let (c, a, b) = (parts.remove(0), parts.remove(0), parts.remove(0));
                self.combine(span, [c, a, b], |mut v| {
                    let b = v.remove(2);
                    let a = v.remove(1);
                    let c = v.remove(0);
                    ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
                })
            }
            Rule::list_lit => {
                let items: Vec<Built> = pair.into_inner().map(|p| self.nested(p)).collect();
                self.combine_many(span, items, ExprKind::List)
            }
            Rule::record_lit => {
                let mut names = Vec::new();
                let mut values = Vec::new();
                for entry in pair.into_inner() {
                    let mut it = entry.into_inner();
                    if let (Some(n), Some(v)) = (it.next(), it.next()) {
                        names.push(self.ident(n));
                        values.push(self.nested(v));
                    }
                }
                self.combine_many(span, values, |vals| ExprKind::Record(names.into_iter().zip(vals).collect()))
            }
            Rule::call => {
                let mut it = pair.into_inner();
                let Some(name) = it.next().map(|p| self.ident(p)) else {
                    return leaf(ExprKind::Error);
                };
                let mut rest = it.peekable();
                if let Some(c) = rest.next_if(|p| p.as_rule() == Rule::comprehension) {
                    return self.aggregate(name, c, span);
                }
                let args: Vec<Built> = rest.map(|p| self.nested(p)).collect();
                self.combine_many(span, args, |args| ExprKind::Call(name, args))
            }
            // A list built from a list: the `list` aggregate.
            Rule::list_comp => self.aggregate(Ident::new("list".to_owned(), span), pair, span),
            Rule::ident => leaf(ExprKind::Name(text.to_owned())),
            Rule::number => leaf(self.number(text, span)),
            Rule::percent_lit => {
                let number = text.trim_end_matches('%');
                match self.decimal(number, span).map(crate::value::number::percent_fraction) {
                    Some(Ok(d)) => leaf(ExprKind::Percent(d)),
                    Some(Err(_)) => {
                        self.report(too_large(span));
                        leaf(ExprKind::Error)
                    }
                    None => leaf(ExprKind::Error),
                }
            }
            Rule::duration_lit => {
                let mut amount = None;
                let mut calendar = None;
                let mut unit = None;
                let mut months = None;
                let parts = pair.into_inner().flat_map(|p| {
                    if p.as_rule() == Rule::typo_lit { p.into_inner().collect::<Vec<_>>() } else { vec![p] }
                });
                for p in parts {
                    match p.as_rule() {
                        Rule::number => amount = self.decimal(p.as_str(), span),
                        Rule::ident => calendar = Some(self.ident(p)),
                        Rule::unit_typo => {
                            // The word itself (the rule's span runs on over the blanks
                            // its lookahead skipped).
                            let p = p.clone().into_inner().next().unwrap_or(p);
                            let word = p.as_str().trim();
                            let units = ["weeks", "days", "hours", "minutes", "seconds"];
                            let help = match crate::diagnostics::suggest::closest(word, units) {
                                Some(u) => msg!("你是不是想写 `{u}`？", "did you mean `{u}`?"),
                                None => Msg::new(
                                    "时间单位：weeks、days、hours、minutes、seconds；按日历计时写 `2 business days`",
                                    "time units are weeks, days, hours, minutes and seconds; on a calendar write `2 business days`",
                                ),
                            };
                            self.report(
                                Diagnostic::error(
                                    codes::UNKNOWN_UNIT,
                                    msg!("`{word}` 不是时间单位", "`{word}` is not a time unit"),
                                )
                                .at(self.span(&p))
                                .help(help),
                            );
                        }
                        _ => match (time_unit(p.as_str()), p.as_str().trim_end_matches('s')) {
                            (Some(u), _) => unit = Some(u),
                            (None, "month") => months = Some(rust_decimal::Decimal::ONE),
                            (None, "year") => months = Some(rust_decimal::Decimal::from(12)),
                            _ => self.unexpected(&p, "a time unit"),
                        },
                    }
                }
                match (amount, unit, months) {
                    // A period on a calendar means nothing: working months are not a thing.
                    (Some(a), None, Some(per)) if calendar.is_none() => {
                        leaf(a.checked_mul(per).map_or(ExprKind::Error, ExprKind::Months))
                    }
                    (Some(a), Some(u), _) => leaf(ExprKind::Duration(a, u, calendar)),
                    _ => leaf(ExprKind::Error),
                }
            }
            Rule::date_lit => match crate::time::parse_date(text) {
                Some(d) => leaf(ExprKind::Date(d)),
                None => {
                    self.bad_literal(
                        span,
                        "日期",
                        "date",
                        "YYYY-MM-DD，例如 2026-11-10",
                        "YYYY-MM-DD, e.g. 2026-11-10",
                    );
                    leaf(ExprKind::Error)
                }
            },
            Rule::time_lit => match crate::value::time_of_day(text) {
                Some(t) => leaf(ExprKind::Time(t)),
                None => {
                    self.bad_literal(
                        span,
                        "时刻",
                        "time of day",
                        "HH:MM 或 HH:MM:SS，例如 16:00",
                        "HH:MM or HH:MM:SS, e.g. 16:00",
                    );
                    leaf(ExprKind::Error)
                }
            },
            Rule::datetime_lit => match crate::time::parse_datetime(text) {
                Some(d) => leaf(ExprKind::DateTime(d)),
                None => {
                    self.bad_literal(
                        span,
                        "日期时间",
                        "datetime",
                        "RFC 3339，例如 2026-11-10T12:00:00+08:00",
                        "RFC 3339, e.g. 2026-11-10T12:00:00+08:00",
                    );
                    leaf(ExprKind::Error)
                }
            },
            Rule::bool_lit => leaf(ExprKind::Bool(text == "true")),
            // The checker decides where `missing` may stand (an `if` branch).
            Rule::missing_lit => leaf(ExprKind::Missing),
            Rule::string => {
                let text = self.text(pair);
                leaf(ExprKind::Text(text.node))
            }
            Rule::single_quoted => {
                let inner = &text[1..text.len().saturating_sub(1)];
                self.report(
                    Diagnostic::error(codes::SINGLE_QUOTES, Msg::new("文本要用双引号", "texts use double quotes"))
                        .at(span)
                        .help(msg!("改成 \"{inner}\"", "write \"{inner}\"")),
                );
                leaf(ExprKind::Text(vec![TextPart::Lit(inner.to_owned())]))
            }
            _ => leaf(ExprKind::Error),
        }
    }

    /// `name(body for var in list where filter)`.
    fn aggregate(&self, name: Ident, pair: Pair<'_, Rule>, span: crate::source::Span) -> Built {
        let mut body = None;
        let mut var = None;
        let mut list = None;
        let mut filter = None;
        let mut key = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::expr if var.is_none() => body = Some(self.nested(p)),
                Rule::expr if list.is_none() => list = Some(self.nested(p)),
                Rule::expr => filter = Some(self.nested(p)),
                Rule::ident => var = Some(self.ident(p)),
                Rule::sort_key => key = p.into_inner().find(|q| q.as_rule() == Rule::expr).map(|q| self.nested(q)),
                _ => {}
            }
        }
        let (Some(var), Some(list)) = (var, list) else { return Built::leaf(Expr::new(ExprKind::Error, span)) };
        let (has_body, has_filter, has_key) = (body.is_some(), filter.is_some(), key.is_some());
        let parts: Vec<Built> = body.into_iter().chain(std::iter::once(list)).chain(filter).chain(key).collect();
        self.combine_many(span, parts, |exprs| {
            let mut it = exprs.into_iter();
            let body = if has_body { it.next() } else { None };
            let Some(list) = it.next() else { return ExprKind::Error };
            let filter = if has_filter { it.next() } else { None };
            let key = if has_key { it.next() } else { None };
            ExprKind::Aggregate(name, Box::new(Comprehension { body, var, list, filter, key }))
        })
    }

    fn combine_many(
        &self,
        span: crate::source::Span,
        items: Vec<Built>,
        make: impl FnOnce(Vec<Expr>) -> ExprKind,
    ) -> Built {
        let depth = 1 + items.iter().map(|c| c.depth).max().unwrap_or(0);
        if items.iter().any(|c| c.poisoned) {
            return Built { expr: Expr::new(ExprKind::Error, span), depth, poisoned: true };
        }
        let exprs = items.into_iter().map(|c| c.expr).collect();
        Built { expr: Expr::new(make(exprs), span), depth, poisoned: false }
    }

    /// An integer or decimal literal.
    fn number(&self, text: &str, span: crate::source::Span) -> ExprKind {
        let clean = text.replace('_', "");
        if clean.contains('.') {
            return self.decimal(&clean, span).map_or(ExprKind::Error, ExprKind::Decimal);
        }
        match clean.parse::<i64>() {
            Ok(n) => ExprKind::Int(n),
            Err(_) => {
                self.report(too_large(span));
                ExprKind::Error
            }
        }
    }

    fn decimal(&self, text: &str, span: crate::source::Span) -> Option<rust_decimal::Decimal> {
        let clean = text.replace('_', "");
        match crate::value::number::exact_decimal(&clean) {
            Ok(d) => Some(d),
            Err(_) => {
                self.report(too_large(span));
                None
            }
        }
    }

    fn mistake(&self, span: crate::source::Span, wrote: &str, want: &str) {
        self.report(
            Diagnostic::error(codes::FOREIGN_OPERATOR, msg!("tenet 不用 `{wrote}`", "tenet does not use `{wrote}`"))
                .at(span)
                .help(msg!("写成 `{want}`", "write `{want}`")),
        );
    }

    fn bad_literal(&self, span: crate::source::Span, zh: &str, en: &str, form_zh: &str, form_en: &str) {
        self.report(
            Diagnostic::error(codes::BAD_LITERAL, msg!("不存在的{zh}", "not a valid {en}"))
                .at(span)
                .help(msg!("格式为 {form_zh}", "the form is {form_en}")),
        );
    }
}

fn too_large(span: crate::source::Span) -> Diagnostic {
    Diagnostic::error(codes::NUMBER_TOO_LARGE, Msg::new("数字无法精确表示：太大或位数太多", "the number cannot be held exactly: too large or too many digits"))
        .at(span)
        .help(Msg::new(
            "整数最大约 9.2×10¹⁸；小数最多 28 位小数、约 28 位有效数字，多出的位数不会被悄悄舍入",
            "integers reach about 9.2×10¹⁸; decimals keep at most 28 decimal places and about 28 significant digits, and extra digits are refused, not rounded",
        ))
}

/// The unit a `time_unit` word names (`months` and `years` are not one: they count
/// months).
pub(super) fn time_unit(word: &str) -> Option<TimeUnit> {
    Some(match word.trim_end_matches('s') {
        "week" => TimeUnit::Weeks,
        "day" => TimeUnit::Days,
        "hour" => TimeUnit::Hours,
        "minute" => TimeUnit::Minutes,
        "second" => TimeUnit::Seconds,
        _ => return None,
    })
}
/// The longest run of consecutive prefix operators among an expression's pairs.
fn longest_prefix_run(pairs: pest::iterators::Pairs<'_, Rule>) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for p in pairs {
        if matches!(p.as_rule(), Rule::op_not | Rule::op_neg | Rule::op_bang) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}
