//! Helpers for the unit tests that read the repository's policies and case files.

use std::path::{Path, PathBuf};

use crate::Policy;

/// The repository's root (the engine's crate).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a policy under `rules/`, panicking with its diagnostics when it is invalid.
pub(crate) fn policy(name: &str) -> Policy {
    match Policy::load(root().join("rules").join(format!("{name}.tenet"))) {
        Ok(p) => p,
        Err(e) => {
            panic!("{name} is invalid:\n{}", crate::diagnostics::to_text(&e.diagnostics(), Default::default()))
        }
    }
}

/// Every file under `dir` with extension `ext`, sorted.
pub(crate) fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable test directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
