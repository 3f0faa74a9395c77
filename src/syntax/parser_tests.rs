//! Parser inputs under `tests/parser-inputs/`: each file's AST (expressions as
//! S-expressions) and syntax diagnostics are snapshotted. Files named `err_*` must
//! produce at least one error; the others none.

use crate::diagnostics::{Style, to_text};
use crate::source::SourceFile;
use crate::syntax::{self, dump};

#[test]
fn parser_inputs() {
    insta::glob!("../../tests/parser-inputs", "*.tenet", |path| {
        let text = std::fs::read_to_string(path).expect("readable input");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let file = SourceFile::new(name.clone(), text.clone());
        let parsed = syntax::parse(&file);
        let errors = parsed.diagnostics.iter().filter(|d| d.is_error()).count();
        if name.starts_with("err_") {
            assert!(errors > 0, "{name} should not parse cleanly");
        } else {
            assert_eq!(errors, 0, "{name}: {:?}", parsed.diagnostics);
        }
        let mut out = dump::file(&parsed.file);
        if !parsed.diagnostics.is_empty() {
            out.push_str("---\n");
            out.push_str(&to_text(&parsed.diagnostics, Style::default()));
        }
        insta::with_settings!({ description => text, omit_expression => true }, {
            insta::assert_snapshot!(out);
        });
    });
}

/// The bundled policies parse, and their trees are part of the review when they change.
#[test]
fn bundled_policies() {
    for path in crate::test_support::files(&crate::test_support::root().join("rules"), "tenet") {
        let file = crate::source::read_source(&path).expect("readable policy");
        let parsed = syntax::parse(&file);
        assert!(parsed.diagnostics.is_empty(), "{}: {:?}", path.display(), parsed.diagnostics);
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        insta::assert_snapshot!(format!("bundled_{name}"), dump::file(&parsed.file));
    }
}
