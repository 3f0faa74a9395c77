//! Properties of clock arithmetic on the bundled business calendar (with the 2026
//! holidays and make-up days) and on the 24×7 calendar.

mod support;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use tenet::time::Calendar;

fn calendars() -> Vec<Arc<Calendar>> {
    support::policy("support_sla").program().calendars.clone()
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // Any second of 2026 (in UTC; the calendar is in Asia/Shanghai).
    (1_767_225_600i64..1_798_761_600).prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"))
}

fn duration() -> impl Strategy<Value = TimeDelta> {
    (0i64..400 * 3600).prop_map(TimeDelta::seconds)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

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
            let merged = tenet::time::calendar::merge(&[p1, p2], a, b).expect("valid pauses");
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
