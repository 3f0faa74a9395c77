//! Filters the agreement templates use. Each reads the document language from the
//! template's `lang` variable, so one template line serves both languages where the
//! words do not differ.

use std::str::FromStr;

use chrono::NaiveDate;
use minijinja::{Environment, Error, ErrorKind, State, Value};
use rust_decimal::Decimal;

use super::numerals;
use tenet::value::duration;

fn chinese(state: &State) -> bool {
    state.lookup("lang").is_none_or(|l| l.as_str() != Some("en"))
}

fn bad(what: &str, value: &Value) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("{what}: cannot use {value}"))
}

fn decimal(value: &Value) -> Result<Decimal, Error> {
    let text = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
    Decimal::from_str(text.trim()).map_err(|_| bad("not an amount", value))
}

fn date(value: &Value) -> Result<NaiveDate, Error> {
    value.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).ok_or_else(|| bad("not a date", value))
}

fn whole(value: &Value) -> Result<u32, Error> {
    u32::try_from(value.clone()).map_err(|_| bad("not a whole number", value))
}

/// The context's `currency` (CNY when the context has none).
fn currency(state: &State) -> Result<numerals::Currency, Error> {
    let Some(code) = state.lookup("currency").and_then(|c| c.get_attr("code").ok()) else {
        return Ok(numerals::Currency { code: "CNY", zh: "人民币", symbol: "¥" });
    };
    let code = code.as_str().unwrap_or_default().to_owned();
    numerals::currency(&code).ok_or_else(|| bad("not a currency the renderer writes", &Value::from(code)))
}

/// `人民币伍万元整（¥50,000.00）` / `CNY 50,000.00`, in the context's currency.
fn money(state: &State, value: &Value) -> Result<String, Error> {
    let d = decimal(value)?;
    let currency = currency(state)?;
    if chinese(state) {
        let capital =
            numerals::capital_in(d, currency).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
        Ok(format!("{capital}（{}{}）", currency.symbol, numerals::thousands(d)))
    } else {
        Ok(format!("{} {}", currency.code, numerals::thousands(d)))
    }
}

/// `人民币伍万元整`, in the context's currency.
fn capital(state: &State, value: &Value) -> Result<String, Error> {
    numerals::capital_in(decimal(value)?, currency(state)?)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// `50,000.00`.
fn thousands(value: &Value) -> Result<String, Error> {
    Ok(numerals::thousands(decimal(value)?))
}

/// `2026年1月1日` / `1 January 2026`.
fn longdate(state: &State, value: &Value) -> Result<String, Error> {
    let d = date(value)?;
    Ok(if chinese(state) { numerals::date_zh(d) } else { numerals::date_en(d) })
}

/// `第四条` / `Article 4`.
fn clause(state: &State, value: &Value) -> Result<String, Error> {
    let n = whole(value)?;
    Ok(if chinese(state) { numerals::clause_ordinal(n) } else { format!("Article {n}") })
}

/// `四`: a number in Chinese numerals (for sub-items such as `（四）`).
fn cn(value: &Value) -> Result<String, Error> {
    Ok(numerals::chinese_number(whole(value)?))
}

/// `30 分钟`, `2 个工作小时` / `30 minutes`, `2 business hours`: a duration (ISO 8601 or
/// words), counted on a calendar when one is named and it is not `always`.
fn words(state: &State, value: &Value, calendar: Option<&Value>) -> Result<String, Error> {
    let d = value.as_str().and_then(duration::parse).ok_or_else(|| bad("not a duration", value))?;
    let working = calendar.and_then(Value::as_str).is_some_and(|c| c != "always");
    if !working {
        return Ok(if chinese(state) { duration::words_zh(d) } else { duration::words(d) });
    }
    let minutes = d.num_minutes();
    Ok(match (chinese(state), minutes % 60 == 0) {
        (true, true) => format!("{} 个工作小时", minutes / 60),
        (true, false) => format!("{minutes} 个工作分钟"),
        (false, true) => format!("{} business hour{}", minutes / 60, if minutes == 60 { "" } else { "s" }),
        (false, false) => format!("{minutes} business minutes"),
    })
}

/// `周一至周五` / `Monday to Friday` from a list of weekday names.
fn weekdays(state: &State, value: &Value) -> Result<String, Error> {
    const EN: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const TITLE: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let days: Vec<usize> = value
        .try_iter()
        .map_err(|_| bad("not a list of weekdays", value))?
        .map(|d| d.as_str().and_then(|s| EN.iter().position(|e| *e == s)).ok_or_else(|| bad("not a weekday", &d)))
        .collect::<Result<_, _>>()?;
    let names = if chinese(state) { ZH } else { TITLE };
    let joiner = if chinese(state) { "至" } else { " to " };
    // The positions come from `EN`, which lists the same seven days as `names`.
    let name = |i: &usize| names.get(*i).copied().unwrap_or_default();
    Ok(match (days.first(), days.last()) {
        (Some(a), Some(b)) if a != b => format!("{}{joiner}{}", name(a), name(b)),
        (Some(a), _) => name(a).to_owned(),
        _ => String::new(),
    })
}

/// `amount × n`, exactly (`liability_cap_months` months of fees).
fn times(value: &Value, n: &Value) -> Result<String, Error> {
    let factor = decimal(n)?;
    decimal(value)?.checked_mul(factor).map(|d| d.to_string()).ok_or_else(|| bad("too large", value))
}

/// Every filter with what it writes, for the context reference.
pub const FILTERS: &[(&str, &str, &str)] = &[
    ("money", "金额，大写加小写：人民币伍万元整（¥50,000.00）", "an amount: CNY 50,000.00"),
    ("capital", "金额的中文大写：人民币伍万元整", "an amount in Chinese capital numerals: 人民币伍万元整"),
    ("thousands", "千分位金额：50,000.00", "an amount with thousands separators: 50,000.00"),
    ("longdate", "日期：2026年1月1日", "a date: 1 January 2026"),
    ("clause", "条款序号：第四条", "a clause number: Article 4"),
    ("cn", "中文数字：四（用于（四））", "a number in Chinese numerals: 四"),
    (
        "words",
        "时长：30 分钟；带日历参数时为工作时间：2 个工作小时",
        "a duration: 30 minutes; with a calendar argument in working time: 2 business hours",
    ),
    ("weekdays", "工作日范围：周一至周五", "a run of weekdays: Monday to Friday"),
    ("times", "金额乘以倍数，精确计算", "an amount times a whole number, exactly"),
];

/// Registers every filter on `env`.
pub fn register(env: &mut Environment<'_>) {
    env.add_filter("money", money);
    env.add_filter("capital", capital);
    env.add_filter("thousands", thousands);
    env.add_filter("longdate", longdate);
    env.add_filter("clause", clause);
    env.add_filter("cn", cn);
    env.add_filter("words", words);
    env.add_filter("weekdays", weekdays);
    env.add_filter("times", times);
}
