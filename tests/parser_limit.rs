//! The parser step limit (`syntax::limits::MAX_PARSER_CALLS`). pest's limit is
//! process-wide, so this test has a binary of its own.

use tenet::source::SourceFile;
use tenet::syntax::{self, limits};

#[test]
fn a_policy_past_the_parser_step_limit_gets_a_diagnostic() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/returns.tenet")).expect("policy");
    let file = SourceFile::new("returns.tenet", text);
    assert!(!syntax::parse(&file).incomplete, "parses under the default limit");
    limits::set_parser_calls(10_000);
    let parsed = syntax::parse(&file);
    limits::set_parser_calls(limits::MAX_PARSER_CALLS);
    assert!(parsed.incomplete);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, "parser-limit");
    assert!(parsed.diagnostics[0].message.en.contains("stopped after 10000 steps"));
}
