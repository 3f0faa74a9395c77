//! The documentation's examples are real (the README and the book in `docs/`): its policy
//! tours check cleanly, the output it shows is what tenet prints, and every link between
//! its pages (and to files of the repository) leads somewhere.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

mod support;

use tenet::source::SourceFile;

/// The README and every page of the book, in the book's order, as (path, text).
fn pages() -> Vec<(std::path::PathBuf, String)> {
    let root = support::root();
    let mut paths = vec![root.join("README.md")];
    let summary = std::fs::read_to_string(root.join("docs/src/SUMMARY.md")).expect("docs/src/SUMMARY.md");
    for (_, target) in links(&summary) {
        paths.push(root.join("docs/src").join(target));
    }
    paths
        .into_iter()
        .map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))))
        .collect()
}

/// All of the documentation, one page after another.
fn readme() -> String {
    pages().into_iter().map(|(_, text)| text).collect::<Vec<_>>().join("\n")
}

/// The `[text](target)` links of a Markdown text, outside code blocks and code spans.
fn links(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        // Code spans hold no links.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            let label_start = rest[..i].rfind('[').unwrap_or(0);
            out.push((rest[label_start..i].trim_start_matches('[').to_owned(), after[..end].to_owned()));
            rest = &after[end..];
        }
    }
    out
}

/// GitHub's and mdBook's anchor for a heading: lower case, spaces to `-`, punctuation gone.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_link_leads_somewhere() {
    let root = support::root();
    let mut broken = Vec::new();
    let mut pages_seen = 0;
    for (path, text) in pages() {
        pages_seen += 1;
        for (label, target) in links(&text) {
            if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let file_path = if file.is_empty() { path.clone() } else { path.parent().unwrap().join(file) };
            let Ok(file_path) = file_path.canonicalize() else {
                broken.push(format!("{}: [{label}]({target}): no such file", path.display()));
                continue;
            };
            if !file_path.starts_with(&root) {
                broken.push(format!("{}: [{label}]({target}) leads outside the repository", path.display()));
                continue;
            }
            if !fragment.is_empty() {
                let page = std::fs::read_to_string(&file_path).unwrap_or_default();
                let anchors: Vec<String> =
                    page.lines().filter(|l| l.starts_with('#')).map(|l| anchor(l.trim_start_matches('#'))).collect();
                if !anchors.iter().any(|a| a == fragment) {
                    broken.push(format!("{}: [{label}]({target}): no heading `#{fragment}` there", path.display()));
                }
            }
        }
    }
    assert!(pages_seen >= 10, "the README and the book's pages: {pages_seen}");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    // Every page of the book is in its table of contents.
    let summary = std::fs::read_to_string(root.join("docs/src/SUMMARY.md")).unwrap();
    let listed: Vec<String> = links(&summary).into_iter().map(|(_, t)| t).collect();
    let mut unlisted = Vec::new();
    for entry in std::fs::read_dir(root.join("docs/src")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != "SUMMARY.md" && !listed.contains(&name) {
            unlisted.push(name);
        }
    }
    assert!(unlisted.is_empty(), "pages missing from docs/src/SUMMARY.md: {unlisted:?}");
}

/// No wording from plans in what users read: help texts, the book, crate docs.
#[test]
fn no_plan_wording() {
    let root = support::root();
    let mut found = Vec::new();
    let mut texts: Vec<(String, String)> = pages().into_iter().map(|(p, t)| (p.display().to_string(), t)).collect();
    for dir in ["src", "crates"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() && !p.ends_with("target") && !p.ends_with("node_modules") {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "rs") && !p.to_string_lossy().contains("/tests/") {
                    texts.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
    }
    for (name, text) in texts {
        for phrase in ["(to come)", "stage 7", "第 7 阶段", "../shared/"] {
            if text.contains(phrase) {
                found.push(format!("{name}: {phrase}"));
            }
        }
    }
    assert!(found.is_empty(), "plan wording where users read it:\n{}", found.join("\n"));
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
        // Named as if at the root, where the tours' holiday paths start.
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
