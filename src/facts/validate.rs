//! Raw documents to typed values, checked against the policy's schema. Every problem is
//! reported with its path; nothing is evaluated on facts with a problem.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::document::Raw;
use crate::lang::{FieldCheck, RecordType, Type};
use crate::value::number::{NumberError, exact_decimal, percent_fraction};
use crate::value::{Currency, Value, duration};

/// Most problems reported for one facts file.
const MAX_PROBLEMS: usize = 100;

pub(super) struct Validator {
    pub currency: Currency,
    pub problems: Vec<Diagnostic>,
}

impl Validator {
    fn problem(&mut self, path: &str, message: Msg, help: Option<Msg>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Diagnostic::error(codes::INVALID_FACT, message).at_path(path).maybe_help(help));
        }
    }

    fn wrong(&mut self, path: &str, want: &Type, found: &Raw, help: Option<Msg>) {
        let f = found.describe();
        self.problem(path, msg!("应为 {want}，却是 {f}", "expected {want}, found {f}"), help);
    }

    /// A value the schema's check on its field refuses is a problem at its path, saying
    /// what the policy allows.
    fn check(&mut self, path: &str, name: &str, ty: &Type, check: &FieldCheck, v: &Value) {
        let holds = match v {
            Value::Text(t) => check.text_holds(t),
            other => other.as_decimal().and_then(|n| check.number_holds(n)),
        };
        if holds != Some(false) {
            return;
        }
        let shown = match v {
            Value::Text(t) => format!("\"{t}\""),
            Value::Percent(p) => format!("{}%", (*p * Decimal::ONE_HUNDRED).normalize()),
            other => other.as_decimal().map(|d| d.to_string()).unwrap_or_default(),
        };
        let allowed = check.written();
        self.problem(
            path,
            msg!(
                "{shown} 不符合策略的要求：{name}: {ty} {allowed}",
                "{shown} is not allowed here: the policy declares {name}: {ty} {allowed}"
            ),
            Some(Msg::new(
                "改正这个值；如果它确实正确，请策略作者修改字段的检查",
                "correct the value; if it is right, ask the policy's author to change the field's check",
            )),
        );
    }

    /// Validates a record's entries; keys not in `schema` are problems unless `extra`
    /// accepts them (the top level's `now`).
    pub fn record(
        &mut self,
        path: &str,
        schema: &RecordType,
        raw: &Raw,
        extra: &mut dyn FnMut(&mut Self, &str, &Raw) -> bool,
    ) -> Value {
        let Raw::Map(entries) = raw else {
            self.wrong(path, &Type::Record(Arc::new(schema.clone())), raw, None);
            return Value::Missing;
        };
        let mut fields: Vec<Option<Value>> = vec![None; schema.fields.len()];
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in entries {
            let Raw::Str(key) = key else {
                let k = key.describe();
                self.problem(path, msg!("键 {k} 不是文本", "key {k} is not a text"), None);
                continue;
            };
            let here = join(path, key);
            if seen.contains(&key.as_str()) {
                self.problem(
                    &here,
                    Msg::new("键重复出现", "this key appears twice"),
                    Some(Msg::new("只保留一个", "keep only one")),
                );
                continue;
            }
            seen.push(key);
            match schema.field(key) {
                Some((i, field)) => {
                    let v = if matches!(value, Raw::Null) {
                        if !field.optional {
                            let ty = &field.ty;
                            self.problem(
                                &here,
                                msg!("必填字段，应为 {ty}，却是 null", "required, expected {ty}, found null"),
                                None,
                            );
                        }
                        Value::Missing
                    } else {
                        self.value(&here, &field.ty, value)
                    };
                    if let Some(check) = &field.check {
                        self.check(&here, &field.name, &field.ty, check, &v);
                    }
                    if let Some(slot) = fields.get_mut(i) {
                        *slot = Some(v);
                    }
                }
                None => {
                    if extra(self, key, value) {
                        continue;
                    }
                    let help = match suggest::closest(key, schema.fields.iter().map(|f| f.name.as_str())) {
                        Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                        None => {
                            let list = schema.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
                            msg!("这里可用的键：{list}", "keys allowed here: {list}")
                        }
                    };
                    self.problem(&here, Msg::new("未知的键", "unknown key"), Some(help));
                }
            }
        }
        let mut values = Vec::with_capacity(fields.len());
        for (field, value) in schema.fields.iter().zip(fields) {
            match value {
                Some(v) => values.push(v),
                None => {
                    if !field.optional {
                        let (here, ty) = (join(path, &field.name), &field.ty);
                        self.problem(&here, msg!("缺少必填字段（{ty}）", "required field is missing ({ty})"), None);
                    }
                    values.push(Value::Missing);
                }
            }
        }
        Value::Record(values.into())
    }

    /// One value of type `ty`.
    pub fn value(&mut self, path: &str, ty: &Type, raw: &Raw) -> Value {
        match (ty, raw) {
            (Type::Bool, Raw::Bool(b)) => Value::Bool(*b),
            (Type::Int, Raw::Int(n)) => match i64::try_from(*n) {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    self.problem(path, Msg::new("整数超出范围", "integer out of range"), None);
                    Value::Missing
                }
            },
            (Type::Decimal | Type::Money | Type::Percent, Raw::Int(_) | Raw::Float(_) | Raw::Str(_)) => {
                self.number(path, ty, raw)
            }
            (Type::Text, Raw::Str(s)) => Value::text(s),
            (Type::Enum(values), Raw::Str(s)) => {
                if values.iter().any(|v| **v == **s) {
                    Value::text(s)
                } else {
                    let allowed = values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ");
                    let help = match suggest::closest(s, values.iter().map(|v| &**v)) {
                        Some(c) => {
                            msg!("你是不是想写 \"{c}\"？可选值：{allowed}", "did you mean \"{c}\"? Allowed: {allowed}")
                        }
                        None => msg!("可选值：{allowed}", "allowed: {allowed}"),
                    };
                    self.problem(
                        path,
                        msg!("\"{s}\" 不是可选值之一", "\"{s}\" is not one of the allowed values"),
                        Some(help),
                    );
                    Value::Missing
                }
            }
            (Type::Date, Raw::Str(s)) => match crate::time::parse_date(s) {
                Some(d) => Value::Date(d),
                None => {
                    self.wrong(
                        path,
                        ty,
                        raw,
                        Some(Msg::new(
                            "日期写作 YYYY-MM-DD，例如 2026-11-10",
                            "write dates as YYYY-MM-DD, e.g. 2026-11-10",
                        )),
                    );
                    Value::Missing
                }
            },
            (Type::DateTime, Raw::Str(s)) => match parse_datetime(s) {
                Ok(t) => Value::DateTime(t),
                Err(help) => {
                    self.wrong(path, ty, raw, Some(help));
                    Value::Missing
                }
            },
            (Type::Duration, Raw::Str(s)) => {
                let help = Msg::new(
                    "时长写作 \"30 minutes\"、\"2 hours\" 或 ISO 8601 \"PT30M\"",
                    "write durations as \"30 minutes\", \"2 hours\" or ISO 8601 \"PT30M\"",
                );
                self.read_or(path, ty, raw, duration::parse(s).map(Value::Duration), help)
            }
            (Type::Time, Raw::Str(s)) => {
                let help =
                    Msg::new("时刻写作 \"16:00\" 或 \"16:00:30\"", "write times of day as \"16:00\" or \"16:00:30\"");
                self.read_or(path, ty, raw, crate::value::time_value(s), help)
            }
            (Type::Period, Raw::Str(s)) => {
                let help = Msg::new(
                    "期间写作 \"12 months\"、\"1 year 6 months\" 或 ISO 8601 \"P1Y6M\"",
                    "write periods as \"12 months\", \"1 year 6 months\" or ISO 8601 \"P1Y6M\"",
                );
                self.read_or(path, ty, raw, duration::parse_period(s).map(Value::Months), help)
            }
            (Type::List(_), Raw::Seq(items)) if items.len() > super::MAX_LIST_ITEMS => {
                let (n, limit) = (items.len(), super::MAX_LIST_ITEMS);
                self.problem(
                    path,
                    msg!("列表有 {n} 项，超过上限 {limit} 项", "the list has {n} items, over the limit of {limit}"),
                    Some(Msg::new("把数据分成几份分别评估", "split the data and evaluate the parts separately")),
                );
                Value::Missing
            }
            (Type::List(elem), Raw::Seq(items)) => {
                let values: Vec<Value> =
                    items.iter().enumerate().map(|(i, item)| self.value(&format!("{path}[{i}]"), elem, item)).collect();
                Value::List(values.into())
            }
            (Type::Record(rt), Raw::Map(_)) => self.record(path, rt, raw, &mut |_, _, _| false),
            (Type::Text | Type::Enum(_), Raw::Int(_) | Raw::Float(_) | Raw::Bool(_)) => {
                let f = raw.describe();
                self.wrong(
                    path,
                    ty,
                    raw,
                    Some(msg!(
                        "文本要加引号：\"{f}\"（不加引号会被当成数字，前导零等会丢失）",
                        "quote it: \"{f}\" (unquoted, it is read as a number and leading zeros are lost)"
                    )),
                );
                Value::Missing
            }
            _ => {
                self.wrong(path, ty, raw, None);
                Value::Missing
            }
        }
    }

    /// `value` when the text was read, else the mistake reported with `help` and missing.
    fn read_or(&mut self, path: &str, ty: &Type, raw: &Raw, value: Option<Value>, help: Msg) -> Value {
        value.unwrap_or_else(|| {
            self.wrong(path, ty, raw, Some(help));
            Value::Missing
        })
    }

    /// Decimals, money and percentages, exactly: quoted decimals, integers, and plain
    /// numbers whose shortest form has at most 15 significant digits (which a binary
    /// float always reproduces exactly).
    fn number(&mut self, path: &str, ty: &Type, raw: &Raw) -> Value {
        let parsed: Result<Decimal, Msg> = match raw {
            Raw::Int(n) => Decimal::try_from_i128_with_scale(*n, 0).map_err(|_| too_large()),
            Raw::Float(f) => float(*f),
            // Spaces around a number are a sign of a field filled by hand or pasted:
            // refused, like any other text that is not a number as written.
            Raw::Str(s) if s.trim() != s => Err(Msg::new(
                "数字前后不能有空格：写作 \"399.00\"，不是 \" 399.00 \"",
                "a number has no spaces around it: write \"399.00\", not \" 399.00 \"",
            )),
            Raw::Str(s) => {
                let (number, percent) = match s.strip_suffix('%') {
                    Some(p) if *ty == Type::Percent => (p.trim(), true),
                    _ => (s.as_str(), false),
                };
                match exact_decimal(number) {
                    Ok(d) if percent => percent_fraction(d).map_err(|_| too_large()),
                    Ok(d) => Ok(d),
                    Err(NumberError::TooManyDigits) => Err(too_large()),
                    Err(NumberError::NotANumber) => Err(not_a_number()),
                }
            }
            _ => Err(not_a_number()),
        };
        let d = match parsed {
            Ok(d) => d,
            Err(help) => {
                self.wrong(path, ty, raw, Some(help));
                return Value::Missing;
            }
        };
        match ty {
            Type::Money => {
                let digits = self.currency.minor_digits;
                if d.normalize().scale() > digits {
                    let code = self.currency.code;
                    self.problem(
                        path,
                        msg!(
                            "金额 {d} 的小数位多于 {code} 的 {digits} 位",
                            "amount {d} has more decimal places than {code} allows ({digits})"
                        ),
                        Some(Msg::new(
                            "金额按最小货币单位记录，例如 129.99",
                            "amounts are recorded in the currency's minor unit, e.g. 129.99",
                        )),
                    );
                    return Value::Missing;
                }
                Value::Money(d)
            }
            Type::Percent => Value::Percent(d),
            _ => Value::Decimal(d),
        }
    }
}

pub(super) fn float(f: f64) -> Result<Decimal, Msg> {
    if !f.is_finite() {
        return Err(not_a_number());
    }
    // Rust prints the shortest text that reads back as the same float, never in
    // exponent form.
    let text = f.to_string();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    if significant > 15 {
        return Err(Msg::new(
            "这个数字的有效位数太多，作为不加引号的数字无法保证精确；请加上引号，例如 \"12345678901234567.89\"",
            "this number has too many significant digits to be exact as an unquoted number; quote it, e.g. \"12345678901234567.89\"",
        ));
    }
    exact_decimal(&text).map_err(|_| too_large())
}

fn too_large() -> Msg {
    Msg::new(
        "数字超出精确范围：小数最多 28 位小数、约 28 位有效数字；tenet 不会悄悄舍入",
        "the number has more digits than tenet keeps exactly (28 decimal places, about 28 significant digits); it is refused rather than rounded",
    )
}

fn not_a_number() -> Msg {
    Msg::new("写一个数字，例如 129.99 或 \"129.99\"", "write a number such as 129.99 or \"129.99\"")
}

/// RFC 3339 with an offset; a missing offset is refused rather than guessed.
pub(super) fn parse_datetime(s: &str) -> Result<DateTime<Utc>, Msg> {
    if s.trim() != s {
        return Err(Msg::new("日期时间前后不能有空格", "a datetime has no spaces around it"));
    }
    if let Some(t) = crate::time::parse_datetime(s) {
        return Ok(t.to_utc());
    }
    if crate::time::written_as_leap_second(s) {
        return Err(Msg::new(
            "秒数 60（闰秒）不计：tenet 的时钟没有闰秒，请写 59 秒或下一分钟",
            "second 60 (a leap second) is not counted: tenet's clocks have no leap seconds; write second 59 or the next minute",
        ));
    }
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"));
    if local.is_ok() {
        let fixed = s.replacen(' ', "T", 1);
        return Err(msg!(
            "缺少时区偏移；写成 {fixed}+08:00 这样的形式",
            "the offset is missing; write it like {fixed}+08:00"
        ));
    }
    Err(Msg::new(
        "日期时间写作 RFC 3339，例如 2026-11-10T12:00:00+08:00",
        "write datetimes in RFC 3339, e.g. 2026-11-10T12:00:00+08:00",
    ))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_exact_or_refused() {
        assert_eq!(float(129.99).unwrap().to_string(), "129.99");
        assert_eq!(float(0.1).unwrap().to_string(), "0.1");
        assert_eq!(float(1e20).unwrap().to_string(), "100000000000000000000");
        assert!(float(12345678901234567.0).is_err());
        assert!(float(f64::NAN).is_err());
    }

    #[test]
    fn datetimes_need_an_offset() {
        let instant = |text: &str| DateTime::parse_from_rfc3339(text).expect("a datetime").to_utc();
        assert_eq!(parse_datetime("2026-11-10T12:00:00+08:00"), Ok(instant("2026-11-10T04:00:00Z")));
        assert_eq!(parse_datetime("2026-11-10T12:00:00Z"), Ok(instant("2026-11-10T12:00:00Z")));
        assert!(parse_datetime("  2026-11-10T12:00+08:00 ").is_err(), "spaces around it are refused");
        assert_eq!(parse_datetime("2026-11-10T12:00+08:00"), Ok(instant("2026-11-10T04:00:00Z")), "seconds optional");
        let missing = parse_datetime("2026-11-10T12:00:00").unwrap_err();
        assert!(missing.en.contains("offset"), "{missing:?}");
    }
}
