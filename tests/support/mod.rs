//! Helpers shared by the integration tests: the workspace's test-support crate.

pub use tenet_test_support::*;
