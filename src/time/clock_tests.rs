//! Properties of clock arithmetic on the bundled business calendar (with the 2026
//! holidays and make-up days), on the 24×7 calendar and on a daylight-saving zone, and
//! agreement with a slow day-by-day count made from the calendar's data alone.

use std::sync::Arc;

use crate::time::Calendar;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

fn calendars() -> Vec<Arc<Calendar>> {
    crate::test_support::policy("support_sla").program().calendars.clone()
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // Any second of 2026 (in UTC; the calendar is in Asia/Shanghai).
    (1_767_225_600i64..1_798_761_600).prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"))
}

fn duration() -> impl Strategy<Value = TimeDelta> {
    (0i64..400 * 3600).prop_map(TimeDelta::seconds)
}

/// A calendar in a zone with daylight saving (Berlin changes its offset on 29 March and
/// 25 October 2026), with a lunch break, a Saturday morning, a holiday and a make-up day,
/// so the day-by-day path of the clock is tested as well as the steady-offset one.
fn berlin() -> Calendar {
    let h = |a: u32, b: u32| (a * 3600, b * 3600);
    let weekday = vec![h(8, 12), h(13, 17)];
    let week = [weekday.clone(), weekday.clone(), weekday.clone(), weekday.clone(), weekday, vec![h(9, 12)], vec![]];
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("a date");
    Calendar::new("berlin", Tz::Europe__Berlin, week, [day(4, 3)].into(), [day(3, 29)].into())
}

/// Working time in `[from, to)` counted the slow, obvious way, from the calendar's public
/// data alone: every local day in the range, each of its working ranges placed on the
/// time line by chrono-tz, intersected with the interval.
fn oracle(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
    if cal.always {
        return to - from;
    }
    let tz = cal.tz;
    let mut day = from.with_timezone(&tz).date_naive() - TimeDelta::days(1);
    let last = to.with_timezone(&tz).date_naive() + TimeDelta::days(1);
    let mut total = TimeDelta::zero();
    while day <= last {
        let ranges: &[(u32, u32)] = if cal.holidays.contains(&day) {
            &[]
        } else {
            let weekday = &cal.week[day.weekday().num_days_from_monday() as usize];
            if weekday.is_empty() && cal.workdays.contains(&day) { cal.makeup_hours() } else { weekday }
        };
        for &(a, b) in ranges {
            let at = |s: u32| {
                let local = day.and_hms_opt(0, 0, 0).expect("midnight") + TimeDelta::seconds(i64::from(s));
                tz.from_local_datetime(&local).earliest().expect("working hours avoid the DST gap").to_utc()
            };
            let (s, e) = (at(a).max(from), at(b).min(to));
            if e > s {
                total += e - s;
            }
        }
        day += TimeDelta::days(1);
    }
    total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn elapsed_agrees_with_counting_day_by_day(a in instant(), d in duration()) {
        let b = a + d;
        let mut all = calendars();
        all.push(Arc::new(berlin()));
        for cal in all {
            prop_assert_eq!(cal.elapsed(a, b).expect("forwards"), oracle(&cal, a, b), "calendar {}", cal.name);
        }
    }

    #[test]
    fn add_is_the_first_instant_with_that_much_working_time(a in instant(), d in duration()) {
        let mut all = calendars();
        all.push(Arc::new(berlin()));
        for cal in all {
            let due = cal.add(a, d).expect("working time exists");
            prop_assert_eq!(oracle(&cal, a, due), d, "calendar {}", cal.name);
            // One second earlier there was less (unless nothing was asked for).
            if d > TimeDelta::zero() {
                prop_assert!(oracle(&cal, a, due - TimeDelta::seconds(1)) < d, "calendar {}", cal.name);
            }
        }
    }

    #[test]
    fn elapsed_undoes_add(a in instant(), d in duration()) {
        for cal in calendars() {
            let b = cal.add(a, d).expect("working time exists");
            prop_assert_eq!(cal.elapsed(a, b).expect("forwards"), d, "calendar {}", cal.name);
        }
    }

    #[test]
    fn elapsed_is_additive(a in instant(), x in duration(), y in duration()) {
        let b = a + x;
        let c = b + y;
        for cal in calendars() {
            let whole = cal.elapsed(a, c).expect("forwards");
            let parts = cal.elapsed(a, b).expect("forwards") + cal.elapsed(b, c).expect("forwards");
            prop_assert_eq!(whole, parts, "calendar {}", cal.name);
        }
    }

    #[test]
    fn elapsed_is_never_negative_nor_more_than_wall_time(a in instant(), d in duration()) {
        let b = a + d;
        for cal in calendars() {
            let e = cal.elapsed(a, b).expect("forwards");
            prop_assert!(e >= TimeDelta::zero());
            prop_assert!(e <= b - a);
        }
    }

    #[test]
    fn pauses_only_take_time_away_and_merge(a in instant(), d in duration(), p in duration(), q in duration(), len in duration()) {
        let b = a + d;
        let p1 = (a + p, a + p + len);
        let p2 = (a + q, a + q + len);
        for cal in calendars() {
            let full = cal.elapsed(a, b).expect("forwards");
            let paused = cal.elapsed_excluding(a, b, &[p1, p2]).expect("forwards");
            prop_assert!(paused >= TimeDelta::zero() && paused <= full);
            // Overlapping pauses count once: the result equals pausing their union.
            let merged = crate::time::calendar::merge(&[p1, p2], a, b).expect("valid pauses");
            let by_union = cal.elapsed_excluding(a, b, &merged).expect("forwards");
            prop_assert_eq!(paused, by_union);
        }
    }
}

#[test]
fn backwards_intervals_are_errors_not_zero() {
    let a = DateTime::from_timestamp(1_767_225_600, 0).expect("in range");
    for cal in calendars() {
        assert!(cal.elapsed(a + TimeDelta::hours(1), a).is_err());
        assert!(cal.elapsed_excluding(a, a + TimeDelta::hours(2), &[(a + TimeDelta::hours(1), a)]).is_err());
    }
}
