//! Time as service agreements count it: working calendars, holiday files, clocks.

pub mod calendar;
pub mod holidays;

pub use calendar::{Calendar, ClockError};
