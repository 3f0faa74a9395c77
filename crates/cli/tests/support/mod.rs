//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod adversary;

#[path = "../../../../tests/support/repo.rs"]
mod repo;

pub use repo::*;
