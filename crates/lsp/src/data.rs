//! Case and facts files (`*.yaml`, `*.json` naming a `policy:`): checked against the
//! named policy's schema as `tenet case` and `tenet eval` would, so a typo in a fact
//! shows in the editor. Problems found by data path are placed on that path's key.

use std::path::Path;
use std::sync::Arc;

use tenet::Policy;
use tenet::diagnostics::{Diagnostic, Label, Msg};
use tenet::facts::Format;
use tenet::source::{SourceFile, Span};
use tenet::workflow::Case;

/// The `policy:` a data file names at its top level, with where the value is.
fn named_policy(text: &str) -> Option<(String, Span)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("policy:") {
            let value = rest.trim().trim_matches(|c| c == '"' || c == '\'');
            let start = offset + line.find(value).unwrap_or(0);
            return Some((value.to_owned(), Span::new(start, start + value.len())));
        }
        offset += line.len();
    }
    None
}

/// Where a data path's key is written: each step searched after the one before.
pub fn locate_path(text: &str, path: &str) -> Option<Span> {
    let mut from = 0usize;
    let mut found = None;
    for step in path.split('.') {
        let step = step.split('[').next().unwrap_or(step);
        if step.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let rest = text.get(from..)?;
        let at = [format!("{step}:"), format!("\"{step}\":")].iter().filter_map(|k| rest.find(k.as_str())).min()?;
        let start = from + at + usize::from(rest.get(at..).is_some_and(|r| r.starts_with('"')));
        found = Some(Span::new(start, start + step.len()));
        from = start + step.len();
    }
    found
}

fn at_path(file: &Arc<SourceFile>, d: Diagnostic) -> Diagnostic {
    if d.primary.is_some() {
        return d;
    }
    let span = d.path.as_deref().and_then(|p| locate_path(file.text(), p)).unwrap_or(Span::new(0, 0));
    let mut d = d;
    d.primary = Some(Label { span, text: None });
    d
}

/// The problems of a data file; nothing when it names no policy.
pub fn diagnose(file: &Arc<SourceFile>) -> Vec<Diagnostic> {
    let Some((name, name_span)) = named_policy(file.text()) else { return Vec::new() };
    let located = match tenet::source::locate(Path::new(file.name()), &name) {
        Ok(p) => p,
        Err(e) => {
            let mut d = Diagnostic::error("invalid-case", e.message());
            d.primary = Some(Label { span: name_span, text: None });
            return vec![d];
        }
    };
    let policy = match Policy::load(&located) {
        Ok(p) => p,
        Err(_) => {
            let shown = located.display();
            let mut d = Diagnostic::error(
                "invalid-policy",
                Msg::new(
                    format!("策略 {shown} 有错误：打开它查看"),
                    format!("the policy {shown} has errors: open it to see them"),
                ),
            );
            d.primary = Some(Label { span: name_span, text: None });
            return vec![d];
        }
    };
    let format = Format::from_path(file.name());
    let is_case = file.text().lines().any(|l| l.starts_with("facts:") || l.starts_with("events:"));
    let found = if is_case {
        case_problems(file, format, &policy)
    } else {
        // A facts file: the `policy:` line blanked (offsets kept), the rest are facts.
        let blanked: String = file
            .text()
            .split_inclusive('\n')
            .map(|l| {
                if l.starts_with("policy:") { " ".repeat(l.trim_end_matches('\n').len()) + "\n" } else { l.to_owned() }
            })
            .collect();
        let copy = SourceFile::new(file.name().to_owned(), blanked);
        policy.facts(&copy, format).err().unwrap_or_default()
    };
    found.into_iter().map(|d| at_path(file, d)).collect()
}

fn case_problems(file: &Arc<SourceFile>, format: Format, policy: &Policy) -> Vec<Diagnostic> {
    let case = match Case::parse(file, format) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    // The events' data: replayed at the case's `now`, else at its last event (never the
    // clock: the editor shows what the file says).
    let Some(now) = case.now.or_else(|| case.events.iter().map(|e| e.at).max()) else { return Vec::new() };
    match policy.replay(&case, now) {
        Ok(replay) => {
            let mut found = replay.problems().to_vec();
            // An event that could not apply (unknown, wrong stage, bad data): on its name.
            let events_at = file.text().find("events:").unwrap_or(0);
            let names: Vec<usize> =
                file.text().match_indices("event:").map(|(i, _)| i).filter(|i| *i > events_at).collect();
            for step in replay.trail().iter().filter(|s| s.outcome() == tenet::workflow::Outcome::Illegal) {
                let why =
                    step.reason().cloned().unwrap_or_else(|| Msg::new("这个事件无法应用", "this event cannot apply"));
                let mut d = Diagnostic::warning("illegal-event", why);
                if let Some(at) = names.get(step.index()) {
                    let name = step.event();
                    let start = file.text().get(*at..).and_then(|r| r.find(name)).map_or(*at, |i| at + i);
                    d.primary = Some(Label { span: Span::new(start, start + name.len()), text: None });
                }
                found.push(d);
            }
            found
        }
        Err(tenet::workflow::ReplayError::InvalidFacts(problems)) => problems
            .into_iter()
            .map(|d| {
                let path = d.path.as_deref().map(|p| format!("facts.{p}")).unwrap_or_else(|| "facts".into());
                d.at_path(path)
            })
            .collect(),
        Err(e) => e.diagnostics(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_found_key_by_key() {
        let text = "policy: p.tenet\nfacts:\n  request:\n    quantity: 2\n    reason: x\n";
        let span = locate_path(text, "facts.request.reason").unwrap_or(Span::new(0, 0));
        assert_eq!(text.get(span.start..span.end), Some("reason"));
        assert_eq!(named_policy(text).map(|(n, _)| n), Some("p.tenet".to_owned()));
    }
}
