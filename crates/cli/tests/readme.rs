//! The README's examples are real: its policy tour checks cleanly, and the output it
//! shows is what tenet prints.

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

#[test]
fn the_shown_output_is_real() {
    let text = blocks(&readme(), "text").into_iter().next().expect("an output example");
    let mut lines = text.lines();
    let command = lines.next().and_then(|l| l.strip_prefix("$ tenet ")).expect("starts with the command");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .current_dir(support::root())
        .args(command.split_whitespace())
        .output()
        .expect("tenet runs");
    let actual = String::from_utf8_lossy(&out.stdout);
    let shown: Vec<&str> = lines.take_while(|l| *l != "…").collect();
    let printed: Vec<&str> = actual.lines().take(shown.len()).collect();
    assert_eq!(shown, printed);
}
