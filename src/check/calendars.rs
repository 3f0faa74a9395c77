//! Calendars: weekly hours (checked for empty and overlapping ranges) and holiday
//! files (read through the resolver and validated like policy text).

use std::sync::Arc;

use super::{Checker, Symbol};
use crate::diagnostics::codes;
use crate::diagnostics::msg;
use crate::diagnostics::{Diagnostic, Msg};
use crate::source::ReadError;
use crate::source::Span;
use crate::syntax::ast::{CalendarDecl, DeclKind, PolicyFile};
use crate::time::Calendar;
use crate::time::holidays::{self, HolidayFile};

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn clock(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

impl Checker<'_> {
    /// Checks every `calendar` declaration and makes its name known.
    pub(super) fn calendars(&mut self, ast: &PolicyFile) {
        for decl in &ast.decls {
            if let DeclKind::Calendar(c) = &decl.node {
                let calendar = self.calendar(c);
                if self.claim(&c.name.node, Symbol::Calendar(self.calendars.len()), c.name.span) {
                    self.used.insert(Symbol::Calendar(self.calendars.len()));
                    self.calendars.push(Arc::new(calendar));
                }
            }
        }
    }

    fn calendar(&mut self, c: &CalendarDecl) -> Calendar {
        let zone = match &c.timezone {
            Some(tz) => self.timezone_named(tz).unwrap_or(self.timezone),
            None => self.timezone,
        };
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        // Every range with its span, per weekday, to report overlaps at both places.
        let mut days: [Vec<((u32, u32), Span)>; 7] = Default::default();
        for line in &c.hours {
            let first = line.from.node.num_days_from_monday();
            let last = line.to.node.num_days_from_monday();
            let span_days = (last + 7 - first) % 7;
            for range in &line.ranges {
                let (start, end) = range.node;
                if end <= start {
                    let (s, e) = (clock(start), clock(end));
                    self.report(
                        Diagnostic::error(
                            codes::BAD_HOURS,
                            msg!("时间段 {s}-{e} 的结束不晚于开始", "the range {s}-{e} does not end after it starts"),
                        )
                        .at(range.span)
                        .help(Msg::new(
                            "跨过午夜的班次分两段写：22:00-24:00 和次日 00:00-06:00",
                            "write a shift past midnight as two ranges: 22:00-24:00, then 00:00-06:00 the next day",
                        )),
                    );
                    continue;
                }
                for k in 0..=span_days {
                    if let Some(day) = days.get_mut(((first + k) % 7) as usize) {
                        day.push(((start, end), range.span));
                    }
                }
            }
        }
        // Each overlapping pair once, with every day it happens on.
        type Range = ((u32, u32), Span);
        let mut overlaps: Vec<(Range, Range, Vec<&str>)> = Vec::new();
        for ((ranges, hours), day) in days.iter_mut().zip(week.iter_mut()).zip(DAYS) {
            ranges.sort_by_key(|r| r.0);
            for (a, b) in ranges.iter().zip(ranges.iter().skip(1)) {
                if b.0.0 < a.0.1 {
                    match overlaps.iter_mut().find(|(x, y, _)| x.1 == a.1 && y.1 == b.1) {
                        Some((_, _, on)) => on.push(day),
                        None => overlaps.push((*a, *b, vec![day])),
                    }
                }
            }
            *hours = ranges.iter().map(|r| r.0).collect();
        }
        for ((a, a_span), (b, b_span), on) in overlaps {
            let (ra, rb) = (format!("{}-{}", clock(a.0), clock(a.1)), format!("{}-{}", clock(b.0), clock(b.1)));
            let (zh, en) = (on.join("、"), on.join(", "));
            self.report(
                Diagnostic::error(
                    codes::OVERLAPPING_HOURS,
                    msg!("时间段 {ra} 和 {rb} 重叠（{zh}）", "{ra} and {rb} overlap (on {en})"),
                )
                .at(b_span)
                .also(a_span, msg!("与 {ra} 重叠", "overlaps {ra}"))
                .help(Msg::new("每个时刻只能属于一个时间段", "each moment belongs to at most one range")),
            );
        }
        if week.iter().all(Vec::is_empty) {
            let name = &c.name.node;
            self.report(
                Diagnostic::error(
                    codes::NO_HOURS,
                    msg!("日历 `{name}` 没有工作时间", "calendar `{name}` has no working hours"),
                )
                .at(c.name.span)
                .help(Msg::new(
                    "加上例如 `monday..friday 09:00-18:00`",
                    "add for example `monday..friday 09:00-18:00`",
                )),
            );
        }
        let mut days = HolidayFile::default();
        let mut files = Vec::new();
        let mut years = std::collections::BTreeSet::new();
        for file in &c.holidays {
            if let Some(name) = self.holiday_file(&mut days, &mut years, zone, &file.node, file.span) {
                files.push(name);
            }
        }
        let mut cal = Calendar::new(c.name.node.clone(), zone, week, days.holidays, days.workdays);
        cal.title = c.title.as_ref().map(|t| t.node.clone());
        cal.holiday_files = files;
        cal.covered_years = years;
        cal
    }

    /// Reads one holiday file into `days` and the years it describes into `years`;
    /// returns its name when it could be read.
    fn holiday_file(
        &mut self,
        days: &mut HolidayFile,
        years: &mut std::collections::BTreeSet<i32>,
        zone: chrono_tz::Tz,
        path: &str,
        span: Span,
    ) -> Option<String> {
        let source = match (self.resolve)(path) {
            Ok(f) => f,
            Err(ReadError::Io { path, source }) => {
                self.report(
                    Diagnostic::error(
                        codes::HOLIDAY_FILE,
                        msg!("无法读取节假日文件 {path}：{source}", "cannot read the holiday file {path}: {source}"),
                    )
                    .at(span)
                    .help(Msg::new("路径相对于策略文件所在的目录", "the path is relative to the policy file's folder")),
                );
                return None;
            }
            Err(e @ (ReadError::NotUtf8 { .. } | ReadError::TooLarge { .. })) => {
                self.diags.push(Diagnostic::from(&e).at(span));
                return None;
            }
        };
        let (file, diags) = holidays::load(&source);
        self.diags.extend(diags);
        if let Some(file_zone) = &file.timezone
            && file_zone.as_str() != zone.name()
        {
            let (zone, calendar_zone) = (file_zone, zone.name());
            self.report(
                Diagnostic::error(
                    codes::HOLIDAY_FILE,
                    msg!(
                        "节假日文件的时区是 {zone}，日历的时区是 {calendar_zone}",
                        "the holiday file is for {zone} but the calendar is in {calendar_zone}"
                    ),
                )
                .at(span)
                .help(Msg::new(
                    "给日历写上同样的 timezone，或换用对应的节假日文件",
                    "give the calendar the same timezone, or use the matching holiday file",
                )),
            );
        }
        match file.year {
            Some(year) => {
                years.insert(year);
            }
            None => years.extend(file.holidays.iter().chain(&file.workdays).map(chrono::Datelike::year)),
        }
        days.holidays.extend(file.holidays);
        days.workdays.extend(file.workdays);
        Some(source.name().to_owned())
    }
}
