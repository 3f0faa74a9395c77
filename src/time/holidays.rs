//! Holiday files: a year's public holidays and make-up working days (调休).
//!
//! ```yaml
//! year: 2026
//! timezone: Asia/Shanghai
//! holidays: [2026-01-01, 2026-01-02]   # days off, weekend days inside a block included
//! workdays: [2026-01-04]               # weekend days that are worked
//! ```
//!
//! Every problem is reported with the file and line of the value.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Msg};
use crate::document::{Format, Raw, parse_raw};
use crate::source::{SourceFile, Span};

/// The contents of a holiday file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HolidayFile {
    /// `year:`, when given.
    pub year: Option<i32>,
    /// `timezone:`, when given.
    pub timezone: Option<String>,
    /// Days off.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are worked.
    pub workdays: BTreeSet<NaiveDate>,
}

/// The years a holiday file may describe: wide enough for any real schedule, narrow
/// enough to catch a mistyped year (`20266`).
const YEARS: std::ops::RangeInclusive<i128> = 1900..=2199;

const KEYS: [&str; 4] = ["year", "timezone", "holidays", "workdays"];

/// Reads and validates a holiday file. Errors and warnings come back together; the
/// file is usable when none of them is an error.
pub fn load(file: &Arc<SourceFile>) -> (HolidayFile, Vec<Diagnostic>) {
    let mut out = HolidayFile::default();
    let mut diags = Vec::new();
    let raw = match parse_raw(file, Format::Yaml) {
        Ok(raw) => raw,
        Err(d) => return (out, vec![d]),
    };
    let Raw::Map(entries) = raw else {
        diags.push(
            Diagnostic::error(codes::HOLIDAY_FILE, Msg::new("节假日文件应是一个映射", "a holiday file is a mapping"))
                .help(Msg::new(
                    "写 `holidays:` 和 `workdays:` 两个日期列表",
                    "write two date lists, `holidays:` and `workdays:`",
                ))
                .in_file(file),
        );
        return (out, diags);
    };
    let mut locator = Locator::new(file);
    for (key, value) in &entries {
        let Raw::Str(key) = key else { continue };
        match (key.as_str(), value) {
            ("year", Raw::Int(y)) if YEARS.contains(y) => out.year = i32::try_from(*y).ok(),
            ("year", Raw::Int(y)) => {
                let (first, last) = (YEARS.start(), YEARS.end());
                diags.push(
                    Diagnostic::error(codes::HOLIDAY_FILE, msg!("年份 {y} 不合理", "year {y} is not a plausible year"))
                        .help(msg!(
                            "节假日文件描述 {first} 到 {last} 之间的某一年，例如 `year: 2026`",
                            "a holiday file describes one year from {first} to {last}, such as `year: 2026`"
                        ))
                        .at_path("year")
                        .at(locator.find("year"))
                        .in_file(file),
                );
            }
            ("timezone", Raw::Str(tz)) => out.timezone = Some(tz.clone()),
            ("holidays" | "workdays", Raw::Seq(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let text = match item {
                        Raw::Str(s) => s.clone(),
                        other => other.describe(),
                    };
                    let span = locator.find(&text);
                    let path = format!("{key}[{i}]");
                    let Some(day) = super::parse_date(text.trim()) else {
                        diags.push(
                            Diagnostic::error(
                                codes::HOLIDAY_FILE,
                                msg!("{text} 不是有效日期", "{text} is not a valid date"),
                            )
                            .help(Msg::new("日期写作 YYYY-MM-DD，且须真实存在", "dates are YYYY-MM-DD and must exist"))
                            .at_path(path.clone())
                            .at(span)
                            .in_file(file),
                        );
                        continue;
                    };
                    let set = if key == "holidays" { &mut out.holidays } else { &mut out.workdays };
                    if !set.insert(day) {
                        diags.push(
                            Diagnostic::warning(codes::HOLIDAY_FILE, msg!("{day} 重复列出", "{day} is listed twice"))
                                .at_path(path.clone())
                                .at(span)
                                .in_file(file),
                        );
                    }
                    if key == "workdays" && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                        let weekday = day.weekday();
                        diags.push(
                            Diagnostic::warning(
                                codes::HOLIDAY_FILE,
                                msg!("{day}（{weekday}）本来就是工作日", "{day} ({weekday}) is a working day anyway"),
                            )
                            .help(Msg::new(
                                "workdays 只列需要上班的周末（调休）",
                                "workdays lists only weekend days that are worked",
                            ))
                            .at_path(path)
                            .at(span)
                            .in_file(file),
                        );
                    }
                }
            }
            ("year" | "timezone" | "holidays" | "workdays", other) => {
                let want = match key.as_str() {
                    "year" => "an int",
                    "timezone" => "a text",
                    _ => "a list of dates",
                };
                let found = other.describe();
                diags.push(
                    Diagnostic::error(
                        codes::HOLIDAY_FILE,
                        msg!("`{key}` 应为 {want}，却是 {found}", "`{key}` must be {want}, found {found}"),
                    )
                    .at_path(key.clone())
                    .at(locator.find(key))
                    .in_file(file),
                );
            }
            (other, _) => {
                let help = match suggest::closest(other, KEYS) {
                    Some(s) => msg!("你是不是想写 `{s}`？", "did you mean `{s}`?"),
                    None => Msg::new(
                        "可用的键：year、timezone、holidays、workdays",
                        "keys are year, timezone, holidays, workdays",
                    ),
                };
                diags.push(
                    Diagnostic::error(codes::HOLIDAY_FILE, msg!("未知的键 `{other}`", "unknown key `{other}`"))
                        .help(help)
                        .at_path(other.to_owned())
                        .at(locator.find(other))
                        .in_file(file),
                );
            }
        }
    }
    for day in out.holidays.intersection(&out.workdays) {
        diags.push(
            Diagnostic::error(
                codes::HOLIDAY_FILE,
                msg!("{day} 既是假日又是调休工作日", "{day} is both a holiday and a working day"),
            )
            .at(locator.first(&day.to_string()))
            .in_file(file),
        );
    }
    if let Some(year) = out.year {
        for day in out.holidays.iter().chain(&out.workdays).filter(|d| d.year() != year) {
            diags.push(
                Diagnostic::error(codes::HOLIDAY_FILE, msg!("{day} 不在 {year} 年", "{day} is not in {year}"))
                    .help(Msg::new("每一年用一个文件，或改正年份", "use one file per year, or correct the year"))
                    .at(locator.first(&day.to_string()))
                    .in_file(file),
            );
        }
    }
    (out, diags)
}

/// Finds the line of a value in the file's text, in document order, so that repeated
/// values point at their own lines.
struct Locator<'a> {
    text: &'a str,
    from: usize,
}

impl<'a> Locator<'a> {
    fn new(file: &'a SourceFile) -> Locator<'a> {
        Locator { text: file.text(), from: 0 }
    }

    fn find(&mut self, needle: &str) -> Span {
        match self.text.get(self.from..).and_then(|rest| rest.find(needle)) {
            Some(i) => {
                let start = self.from + i;
                self.from = start + needle.len();
                Span::new(start, start + needle.len())
            }
            None => self.first(needle),
        }
    }

    fn first(&self, needle: &str) -> Span {
        self.text.find(needle).map_or(Span::new(0, 0), |i| Span::new(i, i + needle.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (HolidayFile, Vec<Diagnostic>) {
        load(&SourceFile::new("h.yaml", text))
    }

    #[test]
    fn reads_the_official_format() {
        let (f, diags) = load_text(
            "year: 2026\ntimezone: Asia/Shanghai\nholidays:\n  - 2026-10-01 # 国庆\nworkdays:\n  - 2026-10-10\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(f.holidays.len(), 1);
        assert_eq!(f.workdays.len(), 1);
        assert_eq!(f.timezone.as_deref(), Some("Asia/Shanghai"));
    }

    #[test]
    fn bad_dates_point_at_their_line() {
        let (_, diags) = load_text("holidays:\n  - 2026-01-01\n  - 2026-02-30\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].position().map(|p| p.0), Some((3, 5)));
        assert_eq!(diags[0].path.as_deref(), Some("holidays[1]"));
    }

    #[test]
    fn contradictions_and_typos() {
        let (_, diags) = load_text(
            "year: 2026\nholidays: [2026-10-10, 2027-01-01]\nworkdays: [2026-10-10, 2026-10-12]\nholiday: []\n",
        );
        let messages: Vec<String> = diags.iter().map(|d| d.message.en.clone()).collect();
        assert!(messages.iter().any(|m| m.contains("both a holiday and a working day")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("is not in 2026")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("working day anyway")), "{messages:?}");
        assert!(diags.iter().any(|d| d.help.as_ref().is_some_and(|h| h.en.contains("`holidays`"))), "{diags:?}");
    }
}
