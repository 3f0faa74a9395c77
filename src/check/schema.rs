//! Type expressions to types: the `input` schema, table parameters and results.

use std::collections::HashSet;
use std::sync::Arc;

use super::Checker;
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::lang::{Field, FieldCheck, NAMED_TYPES, RecordType, Type};
use crate::syntax::ast::{CheckDecl, FieldDecl, Spanned, TypeExpr, TypeKind};

impl Checker<'_> {
    /// A type where optional is not allowed (table parameters, results, list items).
    pub(super) fn type_of(&mut self, t: &TypeExpr) -> Type {
        match &t.node {
            TypeKind::Optional(inner) => {
                self.report(
                    Diagnostic::error(
                        codes::OPTIONAL_NOT_ALLOWED,
                        Msg::new("这里不能用可选类型 `?`", "an optional type `?` is not allowed here"),
                    )
                    .at(t.span)
                    .help(Msg::new(
                        "只有记录的字段可以可选：`name?: text`",
                        "only record fields can be optional: `name?: text`",
                    )),
                );
                self.type_of(inner)
            }
            TypeKind::Named(name) => match Type::named(name) {
                Some(ty) => ty,
                None => {
                    let help = match suggest::closest(name, NAMED_TYPES) {
                        Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                        None => Msg::new(
                            "可用的类型：bool、int、decimal、money、percent、text、date、datetime、duration、list<T>、{ … } 记录、\"a\" | \"b\" 枚举",
                            "types are bool, int, decimal, money, percent, text, date, datetime, duration, list<T>, { … } records and \"a\" | \"b\" enumerations",
                        ),
                    };
                    let shown = if name.is_empty() { "list" } else { name.as_str() };
                    self.report(
                        Diagnostic::error(codes::UNKNOWN_TYPE, msg!("未知的类型 `{shown}`", "unknown type `{shown}`"))
                            .at(t.span)
                            .help(help),
                    );
                    Type::Error
                }
            },
            TypeKind::List(inner) => Type::List(Arc::new(self.type_of(inner))),
            TypeKind::Record(fields) => Type::Record(Arc::new(self.record(fields))),
            TypeKind::Enum(values) => {
                let mut seen = HashSet::new();
                let mut out: Vec<Arc<str>> = Vec::new();
                for v in values {
                    if !seen.insert(v.node.as_str()) {
                        let value = &v.node;
                        self.report(
                            Diagnostic::warning(
                                codes::DUPLICATE_ENUM_VALUE,
                                msg!("枚举值 \"{value}\" 重复", "enumeration value \"{value}\" is repeated"),
                            )
                            .at(v.span),
                        );
                        continue;
                    }
                    out.push(Arc::from(v.node.as_str()));
                }
                Type::Enum(out.into())
            }
        }
    }

    /// A record type from field declarations; `name?: T` and `name: T?` are optional.
    pub(super) fn record(&mut self, fields: &[FieldDecl]) -> RecordType {
        let mut record = RecordType::default();
        let mut spans: Vec<crate::source::Span> = Vec::new();
        for f in fields {
            if let Some((i, _)) = record.field(&f.name.node) {
                let name = &f.name.node;
                self.report(
                    Diagnostic::error(
                        codes::DUPLICATE_FIELD,
                        msg!("字段 `{name}` 重复声明", "field `{name}` is declared twice"),
                    )
                    .at(f.name.span)
                    .also(
                        spans.get(i).copied().unwrap_or_default(),
                        Msg::new("第一次声明在这里", "first declared here"),
                    ),
                );
                continue;
            }
            let field = self.field(f);
            record.fields.push(field);
            spans.push(f.name.span);
        }
        record
    }

    /// One field; `name?: T` and `name: T?` are both optional.
    pub(super) fn field(&mut self, f: &FieldDecl) -> Field {
        let (ty, optional) = match &f.ty.node {
            TypeKind::Optional(inner) => (self.type_of(inner), true),
            _ => (self.type_of(&f.ty), f.optional),
        };
        let check = f.check.as_ref().and_then(|c| self.field_check(&f.name.node, &ty, c)).map(Arc::new);
        Field { name: f.name.node.clone(), ty, optional, check }
    }

    /// A field's check, when it fits the field's type: bounds and ranges on numbers
    /// (`int`, `decimal`, `money`; `percent` with `%`), patterns on texts.
    fn field_check(&mut self, name: &str, ty: &Type, c: &Spanned<CheckDecl>) -> Option<FieldCheck> {
        let numeric = matches!(ty, Type::Int | Type::Decimal | Type::Money | Type::Percent);
        let number = |this: &mut Self, text: &str| -> Option<rust_decimal::Decimal> {
            let (digits, percent) = match text.strip_suffix('%') {
                Some(d) => (d, true),
                None => (text, false),
            };
            let value = crate::value::number::exact_decimal(&digits.replace('_', "")).ok();
            let fits = match ty {
                Type::Percent => percent,
                Type::Int => !percent && value.is_some_and(|v| v.fract().is_zero()),
                _ => !percent,
            };
            if !fits {
                let help = match ty {
                    Type::Percent => Msg::new(
                        "百分比字段的界限写作百分数，如 `<= 50%`",
                        "write a percent field's bound as a percentage, such as `<= 50%`",
                    ),
                    Type::Int => Msg::new(
                        "整数字段的界限写作整数，如 `in [1..999]`",
                        "write an int field's bound as a whole number, such as `in [1..999]`",
                    ),
                    _ => Msg::new("写一个数字，如 `>= 0`", "write a number, such as `>= 0`"),
                };
                this.report(
                    Diagnostic::error(
                        codes::FIELD_CHECK,
                        msg!(
                            "`{text}` 不是字段 `{name}`（{ty}）能比较的界限",
                            "`{text}` is not a bound field `{name}` ({ty}) can be compared with"
                        ),
                    )
                    .at(c.span)
                    .help(help),
                );
                return None;
            }
            value.map(|v| if percent { v / rust_decimal::Decimal::ONE_HUNDRED } else { v })
        };
        let wrong_type = |this: &mut Self, what_zh: &str, what_en: &str| {
            this.report(
                Diagnostic::error(
                    codes::FIELD_CHECK,
                    msg!("字段 `{name}` 是 {ty}，不能{what_zh}", "field `{name}` is {ty}: it cannot be {what_en}"),
                )
                .at(c.span)
                .help(Msg::new(
                    "数字（int、decimal、money、percent）可写 `>= 0` 或 `in [1..999]`，文本可写 `matching \"模式\"`",
                    "numbers (int, decimal, money, percent) take `>= 0` or `in [1..999]`, texts `matching \"pattern\"`",
                )),
            );
        };
        match &c.node {
            CheckDecl::Bound(op, n) => {
                if !numeric {
                    wrong_type(self, "有数值界限", "bounded by a number");
                    return None;
                }
                let bound = number(self, n)?;
                let (lower, inclusive) = match op.as_str() {
                    ">=" => (true, true),
                    ">" => (true, false),
                    "<=" => (false, true),
                    _ => (false, false),
                };
                Some(FieldCheck::Bound { bound, lower, inclusive, written: format!("{op} {n}") })
            }
            CheckDecl::Range(a, b) => {
                if !numeric {
                    wrong_type(self, "有数值范围", "given a range of numbers");
                    return None;
                }
                let (low, high) = (number(self, a)?, number(self, b)?);
                if low > high {
                    self.report(
                        Diagnostic::error(
                            codes::FIELD_CHECK,
                            msg!(
                                "范围 [{a}..{b}] 是空的：下限大于上限",
                                "the range [{a}..{b}] is empty: its low end is above its high end"
                            ),
                        )
                        .at(c.span)
                        .help(Msg::new("把小的数写在前面", "write the smaller number first")),
                    );
                    return None;
                }
                Some(FieldCheck::Range { low, high, written: format!("in [{a}..{b}]") })
            }
            CheckDecl::Pattern(p) => {
                if !matches!(ty, Type::Text) {
                    wrong_type(self, "用模式检查", "checked with a pattern");
                    return None;
                }
                // The whole text must match, not a part of it.
                match crate::lang::pattern(&format!("^(?:{p})$")) {
                    Ok(regex) => Some(FieldCheck::Pattern { regex, written: format!("matching \"{p}\"") }),
                    Err(e) => {
                        // The regex crate's last line says what is wrong; the lines above
                        // quote the pattern, wrapped as tenet compiles it.
                        let e = e.lines().last().unwrap_or_default().trim_start_matches("error: ").to_owned();
                        self.report(
                            Diagnostic::error(codes::FIELD_CHECK, msg!("模式无效：{e}", "the pattern is invalid: {e}"))
                                .at(c.span)
                                .help(Msg::new("模式是 Rust regex 语法", "patterns use Rust's regex syntax")),
                        );
                        None
                    }
                }
            }
        }
    }
}
