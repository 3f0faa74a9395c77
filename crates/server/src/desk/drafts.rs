//! A signing case's agreement draft: the data file its `agreement.number` names in the
//! folder `tenet serve --agreements DIR` was given, rendered by the agreement crate as
//! `tenet render` renders it (a draft: the signing is still under way).

use std::path::{Path, PathBuf};

use serde_json::Value;
use tenet_agreement::{DocFormat, DocLang, Options};

/// The data file for `number` in `dir` (`TS-2026-0042` → `ts-2026-0042.yaml`, `.yml` or
/// `.json`); `None` for a number that could name a path outside `dir`.
pub fn data_file(dir: &Path, number: &str) -> Option<PathBuf> {
    let plain = !number.is_empty()
        && !number.starts_with('.')
        && number.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain {
        return None;
    }
    let stem = number.to_ascii_lowercase();
    ["yaml", "yml", "json"].iter().map(|ext| dir.join(format!("{stem}.{ext}"))).find(|p| p.is_file())
}

/// The draft of the agreement a case's facts name: `None` when the case names none or
/// no file is found; the rendered text, or why it could not be rendered.
pub fn draft(dir: &Path, facts: &Value, format: DocFormat, lang: DocLang) -> Option<Result<String, String>> {
    let number = facts.get("agreement")?.get("number")?.as_str()?;
    let file = data_file(dir, number)?;
    let rendered = tenet::source::read_source(&file).map_err(|e| e.to_string()).and_then(|data| {
        tenet_agreement::render(&data, Options { lang: Some(lang), format, ..Options::default() })
            .map(|d| d.text)
            .map_err(|e| e.to_string())
    });
    Some(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_names_a_file_in_the_folder_and_nothing_outside_it() {
        let dir = tenet_test_support::root().join("examples/agreements");
        assert_eq!(data_file(&dir, "TS-2026-0042"), Some(dir.join("ts-2026-0042.yaml")));
        for outside in ["../rules/returns", "..", "/etc/passwd", "a/b", "", ".hidden"] {
            assert_eq!(data_file(&dir, outside), None, "{outside}");
        }
    }
}
