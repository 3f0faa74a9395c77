//! Checker inputs under `tests/check-inputs/`: every diagnostic of each policy, as a
//! user sees it. Files named `err_*` must have errors; `warn_*` warnings but no error;
//! the others nothing at all.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test or benchmark stops at the first surprise, and says where"
)]

use tenet::diagnostics::{Lang, Style, to_text};
use tenet::source::SourceFile;

#[test]
fn check_inputs() {
    insta::glob!("check-inputs/*.tenet", |path| {
        let text = std::fs::read_to_string(path).expect("readable input");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let file = SourceFile::new(name.clone(), text.clone());
        // Files a policy names (holiday files) are read next to the inputs.
        let folder = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        // Named as the policy names them, so snapshots do not depend on the checkout.
        let resolve = |p: &str| match tenet::source::read_source(&folder.join(p)) {
            Ok(f) => Ok(SourceFile::new(p.to_owned(), f.text().to_owned())),
            Err(tenet::source::ReadError::Io { source, .. }) => {
                Err(tenet::source::ReadError::Io { path: p.to_owned(), source })
            }
            Err(other) => Err(other),
        };
        let loaded = tenet::Policy::from_source_with(&file, &resolve);
        let diags = match &loaded {
            Ok(policy) => policy.warnings().to_vec(),
            Err(e) => e.diagnostics(),
        };
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let warnings = diags.len() - errors;
        match name.split('_').next() {
            Some("err") => assert!(errors > 0 && loaded.is_err(), "{name} should have errors"),
            Some("warn") => assert!(errors == 0 && warnings > 0 && loaded.is_ok(), "{name}: {diags:?}"),
            _ => assert!(diags.is_empty() && loaded.is_ok(), "{name}: {diags:?}"),
        }
        let rendered = to_text(&diags, Style { lang: Lang::Both, color: false, width: 100 });
        insta::with_settings!({ description => text, omit_expression => true }, {
            insta::assert_snapshot!(rendered);
        });
    });
}

/// Every fix a diagnostic carries is exact: applied to the file, that diagnostic is gone,
/// and the replaced text is the misspelt token itself (`product.pirce` → `product.price`,
/// never `product.product.price`).
#[test]
fn every_fix_applied_removes_its_diagnostic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check-inputs");
    let mut fixes = 0;
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let load = |name: &str, text: &str| {
        let file = SourceFile::new(name.to_owned(), text.to_owned());
        let resolve = |p: &str| tenet::source::read_source(&dir.join(p));
        match tenet::Policy::from_source_with(&file, &resolve) {
            Ok(policy) => policy.warnings().to_vec(),
            Err(e) => e.diagnostics(),
        }
    };
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "tenet")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        for d in load(&name, &text) {
            let Some(fix) = &d.fix else { continue };
            fixes += 1;
            let wrong = &text[fix.span.start..fix.span.end];
            assert!(
                !wrong.contains(['.', ' ']) && !fix.replacement.contains(['.', ' ']),
                "{name}: `{wrong}` → `{}` replaces more than one name",
                fix.replacement
            );
            let fixed = format!("{}{}{}", &text[..fix.span.start], fix.replacement, &text[fix.span.end..]);
            let after = load(&name, &fixed);
            let start = fix.span.start;
            assert!(
                !after.iter().any(|a| a.code == d.code && a.primary.as_ref().is_some_and(|l| l.span.start == start)),
                "{name}: applying `{wrong}` → `{}` left {:?}",
                fix.replacement,
                d
            );
        }
    }
    assert!(fixes >= 5, "only {fixes} fixes in tests/check-inputs");
}
