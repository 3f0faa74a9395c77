//! Time as service agreements count it: working calendars, holiday files, clocks.

pub mod calendar;
pub mod holidays;
mod text;

pub use calendar::{Calendar, ClockError};
pub use text::parse_datetime;
