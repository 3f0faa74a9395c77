//! Helpers shared by the integration tests.

#![allow(dead_code)]

#[path = "../../../../tests/support/repo.rs"]
mod repo;

pub use repo::*;
