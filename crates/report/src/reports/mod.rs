//! The reports themselves: what each one computes from the engine's public API.

pub mod input;
pub mod returns;
pub mod sla;
