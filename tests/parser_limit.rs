//! The parser step limit (`tenet::limits::MAX_PARSER_CALLS`). pest's limit is
//! process-wide, so this test has a binary of its own.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use tenet::Policy;
use tenet::limits;

#[test]
fn a_policy_past_the_parser_step_limit_gets_a_diagnostic() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/returns.tenet");
    assert!(Policy::load(path).is_ok(), "loads under the default limit");
    limits::set_parser_calls(10_000);
    let loaded = Policy::load(path);
    limits::set_parser_calls(limits::MAX_PARSER_CALLS);
    let diags = loaded.expect_err("stopped by the limit").diagnostics();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "parser-limit");
    assert!(diags[0].message.en.contains("stopped after 10000 steps"));
}
