//! Working calendars and clock arithmetic: how much working time lies between two
//! instants, and when a working-time duration after an instant ends.
//!
//! A day's working time is its weekly hours, none on a holiday, and on a make-up
//! working day (调休) the hours of the calendar's first working weekday. Hours are
//! local to the calendar's time zone; instants are absolute, so facts may carry any
//! offset. The inner loops run on integers (nanoseconds, day numbers): a month of
//! tickets walks thousands of days.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::diagnostics::msg;
use crate::diagnostics::{Lang, Msg};

/// Days a working-time clock searches for working time before giving up (a calendar
/// with almost no hours).
pub const HORIZON_DAYS: i64 = 3_660;

/// An interval of time, `[start, end)`.
pub type Interval = (DateTime<Utc>, DateTime<Utc>);

/// The span over which a zone is tested for a steady offset.
pub const STEADY_FROM: (i32, u32, u32) = (2000, 1, 1);
/// End of that span (inclusive).
pub const STEADY_TO: (i32, u32, u32) = (2050, 12, 31);

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SECOND;

/// A calendar: 24×7, or weekly hours with holidays and make-up working days.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    /// Its name in the policy.
    pub name: String,
    /// A human title.
    pub title: Option<String>,
    /// Every instant counts (the built-in `always`).
    pub always: bool,
    /// The zone its hours are in.
    pub tz: Tz,
    /// Working ranges per weekday, Monday first, as seconds since local midnight,
    /// sorted and disjoint.
    pub week: [Vec<(u32, u32)>; 7],
    /// Days off.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are worked.
    pub workdays: BTreeSet<NaiveDate>,
    /// The holiday files it read, for documents.
    pub holiday_files: Vec<String>,
    /// The years its holiday files describe (a file's `year:`, else the years of its
    /// dates). Days of other years are counted by the weekly hours alone.
    pub covered_years: BTreeSet<i32>,
    /// The zone's UTC offset in seconds when it keeps one offset over the whole of
    /// [`STEADY_FROM`, `STEADY_TO`]: days in that span are placed by arithmetic.
    steady_offset: Option<i32>,
    /// Holidays (`true`) and make-up days (`false`) by day number, sorted.
    special: Vec<(i32, bool)>,
    steady_days: (i32, i32),
}

/// Why a clock computation has no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClockError {
    /// The end is before the start.
    #[error("{}", self.message("").get(Lang::Both))]
    Backwards,
    /// No working time within [`HORIZON_DAYS`].
    #[error("{}", self.message("").get(Lang::Both))]
    NoWorkingTime,
    /// The instants are too far apart to iterate.
    #[error("{}", self.message("").get(Lang::Both))]
    TooFar,
}

impl ClockError {
    /// The message in both languages, naming the calendar where it matters.
    pub fn message(&self, calendar: &str) -> Msg {
        match self {
            ClockError::Backwards => Msg::new(
                "结束时间早于开始时间（或暂停的结束早于开始）",
                "the end is before the start (or a pause ends before it starts)",
            ),
            ClockError::NoWorkingTime if calendar.is_empty() => {
                Msg::new("日历在十年内没有工作时间", "the calendar has no working time within ten years")
            }
            ClockError::NoWorkingTime => {
                msg!("日历 {calendar} 在十年内没有工作时间", "calendar {calendar} has no working time within ten years")
            }
            ClockError::TooFar => Msg::new("两个时刻相距太远", "the two instants are too far apart"),
        }
    }
}

fn nanos(t: DateTime<Utc>) -> i128 {
    i128::from(t.timestamp()) * NANOS_PER_SECOND + i128::from(t.timestamp_subsec_nanos())
}

fn delta(n: i128) -> Result<TimeDelta, ClockError> {
    let secs = i64::try_from(n.div_euclid(NANOS_PER_SECOND)).map_err(|_| ClockError::TooFar)?;
    let sub = u32::try_from(n.rem_euclid(NANOS_PER_SECOND)).map_err(|_| ClockError::TooFar)?;
    TimeDelta::new(secs, sub).ok_or(ClockError::TooFar)
}

fn instant_at(n: i128) -> Result<DateTime<Utc>, ClockError> {
    let secs = i64::try_from(n.div_euclid(NANOS_PER_SECOND)).map_err(|_| ClockError::TooFar)?;
    let sub = u32::try_from(n.rem_euclid(NANOS_PER_SECOND)).map_err(|_| ClockError::TooFar)?;
    DateTime::from_timestamp(secs, sub).ok_or(ClockError::TooFar)
}

fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

impl Calendar {
    /// The built-in 24×7 calendar.
    pub fn always() -> Calendar {
        Calendar {
            name: "always".into(),
            title: Some("7×24".into()),
            always: true,
            tz: Tz::UTC,
            week: Default::default(),
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
            holiday_files: Vec::new(),
            covered_years: BTreeSet::new(),
            steady_offset: Some(0),
            special: Vec::new(),
            steady_days: (0, 0),
        }
    }

    /// A working calendar: weekly hours in a zone, holidays and make-up days.
    pub fn new(
        name: impl Into<String>,
        tz: Tz,
        week: [Vec<(u32, u32)>; 7],
        holidays: BTreeSet<NaiveDate>,
        workdays: BTreeSet<NaiveDate>,
    ) -> Calendar {
        let mut special: Vec<(i32, bool)> = holidays
            .iter()
            .map(|d| (day_number(*d), true))
            .chain(workdays.iter().filter(|d| !holidays.contains(d)).map(|d| (day_number(*d), false)))
            .collect();
        special.sort_unstable();
        let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).map_or(0, day_number);
        Calendar {
            name: name.into(),
            title: None,
            always: false,
            tz,
            week,
            holidays,
            workdays,
            holiday_files: Vec::new(),
            covered_years: BTreeSet::new(),
            steady_offset: steady_offset(tz),
            special,
            steady_days: (day(STEADY_FROM), day(STEADY_TO)),
        }
    }

    /// The first local year of `[from, to]` that its holiday files do not describe,
    /// when it has holiday files: a clock that ran through that year counted its public
    /// holidays as working days.
    pub fn uncovered_year(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<i32> {
        self.uncovered_years(from, to).next()
    }

    /// Every local year of `[from, to]` its holiday files do not describe (none when
    /// it has no holiday files).
    pub fn uncovered_years(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = i32> + '_ {
        let (first, last) = if self.always || self.covered_years.is_empty() {
            (1, 0)
        } else {
            (from.min(to).with_timezone(&self.tz).year(), from.max(to).with_timezone(&self.tz).year())
        };
        (first..=last).filter(|y| !self.covered_years.contains(y))
    }

    /// The working ranges of a local day.
    pub fn hours_on(&self, day: NaiveDate) -> &[(u32, u32)] {
        self.hours_on_number(day_number(day))
    }

    fn hours_on_number(&self, n: i32) -> &[(u32, u32)] {
        let special =
            self.special.binary_search_by_key(&n, |s| s.0).ok().and_then(|i| self.special.get(i)).map(|s| s.1);
        if special == Some(true) {
            return &[];
        }
        // Day 1 of the common era was a Monday.
        let weekday = self.week.get(usize::try_from((n - 1).rem_euclid(7)).unwrap_or(0)).map_or(&[][..], Vec::as_slice);
        if special == Some(false) && weekday.is_empty() {
            return self.makeup_hours();
        }
        weekday
    }

    /// The hours a make-up working day follows: those of the first working weekday.
    pub fn makeup_hours(&self) -> &[(u32, u32)] {
        self.week.iter().find(|d| !d.is_empty()).map_or(&[], Vec::as_slice)
    }

    /// The instant a local day's second-of-day falls on, in nanoseconds. A local time
    /// skipped by a daylight-saving change maps to the first instant after the gap.
    fn instant(&self, n: i32, seconds: u32) -> Option<i128> {
        if let Some(offset) = self.steady_offset
            && (self.steady_days.0..=self.steady_days.1).contains(&n)
        {
            let local = i128::from(n - 719_163) * 86_400 + i128::from(seconds);
            return Some((local - i128::from(offset)) * NANOS_PER_SECOND);
        }
        let local = NaiveDate::from_num_days_from_ce_opt(n)?
            .and_hms_opt(0, 0, 0)?
            .checked_add_signed(TimeDelta::seconds(i64::from(seconds)))?;
        let utc = match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => t.to_utc(),
            LocalResult::Ambiguous(first, _) => first.to_utc(),
            LocalResult::None => {
                (1..=4).find_map(|h| self.tz.from_local_datetime(&(local + TimeDelta::hours(h))).earliest())?.to_utc()
            }
        };
        Some(nanos(utc))
    }

    fn local_day(&self, t: DateTime<Utc>) -> i32 {
        day_number(t.with_timezone(&self.tz).date_naive())
    }

    /// Calls `f` with each working interval (nanoseconds) of the days from `first` on,
    /// until `f` returns false or `days` days have passed.
    fn walk(&self, first: i32, days: i64, mut f: impl FnMut(i128, i128) -> bool) {
        let last = first.saturating_add(i32::try_from(days).unwrap_or(i32::MAX));
        let mut start = self.instant(first, 0);
        for n in first..=last {
            let next = self.instant(n + 1, 0);
            // One zone lookup a day: ranges are offsets from the day's start, except on
            // a day that is not 24 hours long (a daylight-saving change).
            let regular = matches!((start, next), (Some(s), Some(e)) if e - s == NANOS_PER_DAY);
            for &(a, b) in self.hours_on_number(n) {
                let bounds = match start {
                    Some(s) if regular => {
                        Some((s + i128::from(a) * NANOS_PER_SECOND, s + i128::from(b) * NANOS_PER_SECOND))
                    }
                    _ => self.instant(n, a).zip(self.instant(n, b)),
                };
                if let Some((s, e)) = bounds
                    && !f(s, e)
                {
                    return;
                }
            }
            start = next;
        }
    }

    /// Working time in `[from, to)`.
    pub fn elapsed(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<TimeDelta, ClockError> {
        if to < from {
            return Err(ClockError::Backwards);
        }
        if self.always {
            return Ok(to - from);
        }
        let (first, last) = (self.local_day(from), self.local_day(to));
        let days = i64::from(last - first);
        if days > HORIZON_DAYS * 10 {
            return Err(ClockError::TooFar);
        }
        let (f, t) = (nanos(from), nanos(to));
        let mut total: i128 = 0;
        self.walk(first, days, |s, e| {
            let (s, e) = (s.max(f), e.min(t));
            if e > s {
                total += e - s;
            }
            true
        });
        delta(total)
    }

    /// Working time in `[from, to)` outside the paused intervals (which are merged
    /// first, so overlapping pauses are not subtracted twice).
    pub fn elapsed_excluding(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        pauses: &[Interval],
    ) -> Result<TimeDelta, ClockError> {
        let mut total = self.elapsed(from, to)?;
        for (start, end) in merge(pauses, from, to)? {
            total -= self.elapsed(start, end)?;
        }
        Ok(total)
    }

    /// The instant at which `duration` of working time after `from` has passed. With a
    /// zero duration, the first working instant at or after `from`.
    pub fn add(&self, from: DateTime<Utc>, duration: TimeDelta) -> Result<DateTime<Utc>, ClockError> {
        if duration < TimeDelta::zero() {
            return Err(ClockError::Backwards);
        }
        if self.always {
            return from.checked_add_signed(duration).filter(crate::time::within_years).ok_or(ClockError::TooFar);
        }
        let f = nanos(from);
        let mut remaining = i128::from(duration.num_seconds()) * NANOS_PER_SECOND + i128::from(duration.subsec_nanos());
        let mut due = None;
        self.walk(self.local_day(from), HORIZON_DAYS, |s, e| {
            let s = s.max(f);
            if e <= s {
                return true;
            }
            if e - s >= remaining {
                due = Some(s + remaining);
                return false;
            }
            remaining -= e - s;
            true
        });
        due.map_or(Err(ClockError::NoWorkingTime), instant_at)
    }
}

impl Calendar {
    /// The same local time of day on the `days`-th working day after `from`'s local
    /// date (`2 business days` after Friday 17:00 is Tuesday 17:00). A day counts when it
    /// has working hours; the built-in `always` calendar counts every day.
    pub fn add_working_days(&self, from: DateTime<Utc>, days: u32) -> Result<DateTime<Utc>, ClockError> {
        let local = from.with_timezone(&self.tz);
        let mut n = day_number(local.date_naive());
        let mut left = days;
        let mut steps = 0;
        while left > 0 {
            n += 1;
            steps += 1;
            if steps > HORIZON_DAYS {
                return Err(ClockError::NoWorkingTime);
            }
            if self.always || !self.hours_on_number(n).is_empty() {
                left -= 1;
            }
        }
        let seconds = local.time().num_seconds_from_midnight();
        let at = self.instant(n, seconds).ok_or(ClockError::TooFar)?;
        let sub = i128::from(from.timestamp_subsec_nanos());
        instant_at(at + sub)
    }
}

/// The zone's offset when it is the same at noon UTC on every day of the steady span.
/// The zone's UTC offset in seconds when it keeps one over the whole of
/// [`STEADY_FROM`, `STEADY_TO`]; worked out once per zone (it takes a lookup per day of
/// the span) and remembered for every later calendar and policy.
pub(crate) fn steady_offset(tz: Tz) -> Option<i32> {
    static KNOWN: OnceLock<Mutex<HashMap<Tz, Option<i32>>>> = OnceLock::new();
    let known = KNOWN.get_or_init(Mutex::default);
    if let Ok(map) = known.lock()
        && let Some(offset) = map.get(&tz)
    {
        return *offset;
    }
    let offset = find_steady_offset(tz);
    if let Ok(mut map) = known.lock() {
        map.insert(tz, offset);
    }
    offset
}

/// Seconds since the Unix epoch of local midnight on [`STEADY_FROM`] and of the day
/// after [`STEADY_TO`]: local times in this range are placed by a steady offset.
pub(crate) const STEADY_LOCAL_SECONDS: std::ops::Range<i64> = 946_684_800..2_556_144_000;

fn find_steady_offset(tz: Tz) -> Option<i32> {
    let from = NaiveDate::from_ymd_opt(STEADY_FROM.0, STEADY_FROM.1, STEADY_FROM.2)?;
    let to = NaiveDate::from_ymd_opt(STEADY_TO.0, STEADY_TO.1, STEADY_TO.2)?;
    let offset_on = |day: NaiveDate| {
        day.and_hms_opt(12, 0, 0).map(|noon| tz.offset_from_utc_datetime(&noon).fix().local_minus_utc())
    };
    let first = offset_on(from)?;
    let mut day = from;
    while day <= to {
        if offset_on(day)? != first {
            return None;
        }
        day = day.succ_opt()?;
    }
    Some(first)
}

/// Pauses clipped to `[from, to)`, sorted, with overlapping or touching ones merged.
pub fn merge(pauses: &[Interval], from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Interval>, ClockError> {
    if pauses.iter().any(|(s, e)| e < s) {
        return Err(ClockError::Backwards);
    }
    let mut clipped: Vec<_> = pauses.iter().map(|&(s, e)| (s.max(from), e.min(to))).filter(|(s, e)| e > s).collect();
    clipped.sort();
    let mut merged: Vec<Interval> = Vec::with_capacity(clipped.len());
    for (s, e) in clipped {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(days: std::ops::Range<usize>, from: u32, to: u32) -> [Vec<(u32, u32)>; 7] {
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for d in days {
            week[d] = vec![(from, to)];
        }
        week
    }

    fn business() -> Calendar {
        Calendar::new(
            "business",
            chrono_tz::Asia::Shanghai,
            week(0..5, 9 * 3600, 18 * 3600),
            (1..=7).map(|d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap()).collect(),
            [NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()].into(),
        )
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn friday_evening_to_monday_morning() {
        let c = business();
        let e = c.elapsed(at("2026-11-06T17:00:00+08:00"), at("2026-11-09T10:30:00+08:00")).unwrap();
        assert_eq!(e, TimeDelta::minutes(150));
    }

    #[test]
    fn offsets_in_the_facts_do_not_matter() {
        let c = business();
        let e = c.elapsed(at("2026-11-06T09:00:00Z"), at("2026-11-09T02:30:00Z")).unwrap();
        assert_eq!(e, TimeDelta::minutes(150), "the same instants written in UTC");
    }

    #[test]
    fn holidays_and_makeup_days() {
        let c = business();
        // 30 Sep 17:00 → 8 Oct 17:00: 1 h on 30 Sep, National Day off, 8 h on 8 Oct.
        let e = c.elapsed(at("2026-09-30T17:00:00+08:00"), at("2026-10-08T17:00:00+08:00")).unwrap();
        assert_eq!(e, TimeDelta::hours(9));
        // Saturday 10 Oct is a make-up working day.
        let e = c.elapsed(at("2026-10-10T00:00:00+08:00"), at("2026-10-11T00:00:00+08:00")).unwrap();
        assert_eq!(e, TimeDelta::hours(9));
    }

    #[test]
    fn due_times() {
        let c = business();
        let due = c.add(at("2026-11-06T17:00:00+08:00"), TimeDelta::hours(2)).unwrap();
        assert_eq!(due, at("2026-11-09T10:00:00+08:00"));
        let due = c.add(at("2026-11-07T10:00:00+08:00"), TimeDelta::zero()).unwrap();
        assert_eq!(due, at("2026-11-09T09:00:00+08:00"), "the clock starts at the next working minute");
        let due = c.add(at("2026-11-06T17:00:00+08:00"), TimeDelta::hours(1)).unwrap();
        assert_eq!(due, at("2026-11-06T18:00:00+08:00"), "ends exactly at closing time");
    }

    #[test]
    fn pauses_merge_and_clip() {
        let c = Calendar::always();
        let (a, b) = (at("2026-11-10T08:00:00+08:00"), at("2026-11-10T13:30:00+08:00"));
        let pauses = [
            (at("2026-11-10T08:10:00+08:00"), at("2026-11-10T08:40:00+08:00")),
            (at("2026-11-10T08:30:00+08:00"), at("2026-11-10T09:00:00+08:00")),
            (at("2026-11-10T13:00:00+08:00"), at("2026-11-10T15:00:00+08:00")),
        ];
        let e = c.elapsed_excluding(a, b, &pauses).unwrap();
        assert_eq!(e, TimeDelta::minutes(330 - 50 - 30));
        assert_eq!(c.elapsed(b, a), Err(ClockError::Backwards));
        assert_eq!(c.elapsed_excluding(a, b, &[(b, a)]), Err(ClockError::Backwards));
    }

    #[test]
    fn daylight_saving_days_count_real_time() {
        // Sundays 01:00–04:00 in New York.
        let c = Calendar::new(
            "night",
            chrono_tz::America::New_York,
            week(6..7, 3600, 4 * 3600),
            BTreeSet::new(),
            BTreeSet::new(),
        );
        // 8 March 2026 springs forward at 02:00: 01:00–04:00 local is 2 hours.
        let e = c.elapsed(at("2026-03-08T00:00:00-05:00"), at("2026-03-09T00:00:00-04:00")).unwrap();
        assert_eq!(e, TimeDelta::hours(2));
        // 1 November 2026 falls back at 02:00: 01:00–04:00 local is 4 hours.
        let e = c.elapsed(at("2026-11-01T00:00:00-04:00"), at("2026-11-02T00:00:00-05:00")).unwrap();
        assert_eq!(e, TimeDelta::hours(4));
    }

    #[test]
    fn steady_zones_are_recognised() {
        assert_eq!(steady_offset(chrono_tz::Asia::Shanghai), Some(8 * 3600));
        assert_eq!(steady_offset(chrono_tz::America::New_York), None);
        // Before the steady span, the zone lookup is used: Shanghai had daylight saving
        // in 1988 (UTC+9 in summer).
        let c = business();
        let day = day_number(NaiveDate::from_ymd_opt(1988, 7, 3).unwrap());
        assert_eq!(c.instant(day, 0), Some(nanos(at("1988-07-03T00:00:00+09:00"))));
        let day = day_number(NaiveDate::from_ymd_opt(2026, 7, 3).unwrap());
        assert_eq!(c.instant(day, 0), Some(nanos(at("2026-07-03T00:00:00+08:00"))));
    }

    #[test]
    fn a_calendar_without_hours_gives_up() {
        let c = Calendar::new("never", chrono_tz::Asia::Shanghai, Default::default(), BTreeSet::new(), BTreeSet::new());
        assert_eq!(c.add(at("2026-11-06T17:00:00+08:00"), TimeDelta::hours(1)), Err(ClockError::NoWorkingTime));
    }

    #[test]
    fn years_without_holiday_data_are_named_in_local_time() {
        let mut c = business();
        assert_eq!(
            c.uncovered_year(at("2025-12-31T17:00:00+08:00"), at("2027-01-04T10:00:00+08:00")),
            None,
            "no files, nothing claimed"
        );
        c.covered_years = [2026].into();
        assert_eq!(c.uncovered_year(at("2026-03-01T00:00:00+08:00"), at("2026-12-31T23:59:59+08:00")), None);
        // 2026-12-31T17:00Z is already 1 January 2027 in Shanghai.
        assert_eq!(c.uncovered_year(at("2026-12-31T10:00:00Z"), at("2026-12-31T17:00:00Z")), Some(2027));
        assert_eq!(c.uncovered_year(at("2025-12-31T09:00:00+08:00"), at("2026-01-05T09:00:00+08:00")), Some(2025));
        assert_eq!(Calendar::always().uncovered_year(at("2025-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z")), None);
    }
}
