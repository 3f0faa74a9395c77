//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod adversary;

pub use tenet_test_support::*;
