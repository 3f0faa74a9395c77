//! Helpers shared by the integration tests.

#![allow(dead_code)]

mod repo;

pub use repo::*;
