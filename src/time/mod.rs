//! Time as service agreements count it: working calendars, holiday files, clocks.

pub mod calendar;
#[cfg(test)]
mod clock_tests;
pub mod holidays;
mod shift;
mod text;

pub use calendar::{Calendar, ClockError, HORIZON_DAYS};
pub use shift::{shift, within_years};
pub use text::{in_years, parse_date, parse_datetime, rfc3339, written_as_leap_second};
