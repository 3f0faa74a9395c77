//! The README's examples are real: its policy tour checks cleanly, and the output it
//! shows is what tenet prints.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use tenet::source::SourceFile;

fn readme() -> String {
    std::fs::read_to_string(support::root().join("README.md")).expect("README.md")
}

/// The fenced blocks of a language, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    text.split(&fence).skip(1).filter_map(|rest| rest.split("```").next().map(str::to_owned)).collect()
}

#[test]
fn the_tour_policy_checks_cleanly() {
    let tours: Vec<String> = blocks(&readme(), "tenet")
        .into_iter()
        .filter(|b| b.starts_with("policy ") || b.contains("\npolicy "))
        .collect();
    assert!(tours.len() >= 2, "the README has a whole policy in its tour and in the SLA section");
    for tour in tours {
        let file = SourceFile::new(support::root().join("README.md").display().to_string(), tour);
        match tenet::Policy::from_source(&file) {
            Ok(policy) => assert!(policy.warnings().is_empty(), "{:#?}", policy.warnings()),
            Err(e) => panic!("{:#?}", e.diagnostics()),
        }
    }
}

/// Every transcript in the README (a `text` block starting with `$ tenet …`) is what
/// that command prints, whole: nothing left out, nothing added.
#[test]
fn the_shown_output_is_real() {
    let transcripts: Vec<String> =
        blocks(&readme(), "text").into_iter().filter(|b| b.starts_with("$ tenet ")).collect();
    assert!(!transcripts.is_empty(), "the README shows at least one command with its output");
    for text in transcripts {
        let (command, shown) = text.split_once('\n').expect("a command line, then its output");
        let args: Vec<&str> = command.trim_start_matches("$ tenet ").split_whitespace().collect();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
            .current_dir(support::root())
            .args(&args)
            .env_remove("NO_COLOR")
            .output()
            .expect("tenet runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), shown, "the README's output of `{command}`");
    }
}
