//! The repository's files for integration tests: its root, its policies and its test
//! inputs. Every crate's `tests/support` and the engine's unit tests include this one file, so they stay one.

use std::path::{Path, PathBuf};

use tenet::Policy;

/// The repository's root: the nearest folder above the testing crate that holds `rules/`.
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().find(|p| p.join("rules").is_dir()).unwrap_or(here).to_path_buf()
}

/// Loads a policy under `rules/`, panicking with its diagnostics when it is invalid.
pub fn policy(name: &str) -> Policy {
    let path = root().join("rules").join(format!("{name}.tenet"));
    match Policy::load(&path) {
        Ok(p) => p,
        Err(e) => {
            panic!("{name} is invalid:\n{}", tenet::diagnostics::to_text(&e.diagnostics(), Default::default()))
        }
    }
}

/// The policy a case file belongs to: `tests/cases/<policy>/…`.
pub fn policy_name_for(case: &Path) -> String {
    let rel = case.strip_prefix(root().join("tests/cases")).expect("case lives under tests/cases");
    rel.components().next().expect("case is in a policy folder").as_os_str().to_string_lossy().into_owned()
}

/// Every file under `dir` with extension `ext`, sorted.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
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
