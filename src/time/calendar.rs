//! Working calendars and clock arithmetic: how much working time lies between two
//! instants, and when a working-time duration after an instant ends.
//!
//! A day's working time is its weekly hours, none on a holiday, and on a make-up
//! working day (调休) the hours of the calendar's first working weekday. Hours are
//! local to the calendar's time zone; instants are absolute, so facts may carry any
//! offset.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// An interval of time, `[start, end)`.
pub type Interval = (DateTime<Utc>, DateTime<Utc>);

/// Days [`Calendar::add`] searches for working time before giving up.
pub const HORIZON_DAYS: i64 = 3_660;

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
}

/// Why a clock computation has no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClockError {
    /// The end is before the start.
    Backwards,
    /// No working time within [`HORIZON_DAYS`].
    NoWorkingTime,
    /// The instants are too far apart to iterate.
    TooFar,
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
        }
    }

    /// The working ranges of a local day.
    pub fn hours_on(&self, day: NaiveDate) -> &[(u32, u32)] {
        if self.holidays.contains(&day) {
            return &[];
        }
        let weekday = &self.week[day.weekday().num_days_from_monday() as usize];
        if self.workdays.contains(&day) && weekday.is_empty() {
            return self.makeup_hours();
        }
        weekday
    }

    /// The hours a make-up working day follows: those of the first working weekday.
    pub fn makeup_hours(&self) -> &[(u32, u32)] {
        self.week.iter().find(|d| !d.is_empty()).map_or(&[], Vec::as_slice)
    }

    /// The instant a local day's second-of-day falls on. A local time skipped by a
    /// daylight-saving change maps to the first instant after the gap.
    fn instant(&self, day: NaiveDate, seconds: u32) -> Option<DateTime<Utc>> {
        let midnight = day.and_hms_opt(0, 0, 0)?;
        let local = midnight.checked_add_signed(TimeDelta::seconds(i64::from(seconds)))?;
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.to_utc()),
            LocalResult::Ambiguous(first, _) => Some(first.to_utc()),
            LocalResult::None => (1..=4)
                .find_map(|h| self.tz.from_local_datetime(&(local + TimeDelta::hours(h))).earliest())
                .map(|t| t.to_utc()),
        }
    }

    fn local_day(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
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
        if (last - first).num_days() > HORIZON_DAYS * 10 {
            return Err(ClockError::TooFar);
        }
        let mut total = TimeDelta::zero();
        let mut day = first;
        while day <= last {
            for &(start, end) in self.hours_on(day) {
                let (Some(s), Some(e)) = (self.instant(day, start), self.instant(day, end)) else { continue };
                let (s, e) = (s.max(from), e.min(to));
                if e > s {
                    total += e - s;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        Ok(total)
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
            return from.checked_add_signed(duration).ok_or(ClockError::TooFar);
        }
        let mut remaining = duration;
        let mut day = self.local_day(from);
        for _ in 0..HORIZON_DAYS {
            for &(start, end) in self.hours_on(day) {
                let (Some(s), Some(e)) = (self.instant(day, start), self.instant(day, end)) else { continue };
                let s = s.max(from);
                if e <= s {
                    continue;
                }
                if e - s >= remaining {
                    return Ok(s + remaining);
                }
                remaining -= e - s;
            }
            day = day.succ_opt().ok_or(ClockError::NoWorkingTime)?;
        }
        Err(ClockError::NoWorkingTime)
    }
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

    fn business() -> Calendar {
        let mut c = Calendar::always();
        c.always = false;
        c.name = "business".into();
        c.tz = chrono_tz::Asia::Shanghai;
        for d in 0..5 {
            c.week[d] = vec![(9 * 3600, 18 * 3600)];
        }
        c.holidays = (1..=7).map(|d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap()).collect();
        c.workdays = [NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()].into();
        c
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
        let mut c = business();
        c.tz = chrono_tz::America::New_York;
        c.holidays.clear();
        // 8 March 2026 (a Sunday) springs forward at 02:00: 01:00–04:00 local is 2 hours.
        c.week[6] = vec![(3600, 4 * 3600)];
        let e = c.elapsed(at("2026-03-08T00:00:00-05:00"), at("2026-03-09T00:00:00-04:00")).unwrap();
        assert_eq!(e, TimeDelta::hours(2));
        // 1 November 2026 falls back at 02:00: 01:00–04:00 local is 4 hours.
        let e = c.elapsed(at("2026-11-01T00:00:00-04:00"), at("2026-11-02T00:00:00-05:00")).unwrap();
        assert_eq!(e, TimeDelta::hours(4));
    }

    #[test]
    fn a_calendar_without_hours_gives_up() {
        let mut c = business();
        c.week = Default::default();
        c.workdays.clear();
        assert_eq!(c.add(at("2026-11-06T17:00:00+08:00"), TimeDelta::hours(1)), Err(ClockError::NoWorkingTime));
    }
}
