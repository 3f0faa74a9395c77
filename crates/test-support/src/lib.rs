//! What the tests of every tenet crate share, in one place instead of files included by
//! path: the repository's root and files, the bundled policies, and headless Chromium for
//! the checks that need a real browser. Tests only (`publish = false`); a test stops at the
//! first surprise, so these helpers panic with a message where a library would return.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test and benchmark helpers: a failure is the test's failure, said where it happened"
)]

pub mod browser;
pub mod served;
pub mod workloads;

use std::path::{Path, PathBuf};

use tenet::Policy;

/// The repository's root: the folder of this workspace's `Cargo.toml` that holds `rules/`.
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().find(|p| p.join("rules").is_dir()).unwrap_or(here).to_path_buf()
}

/// The bundled policy `rules/<name>.tenet`.
pub fn policy_path(name: &str) -> PathBuf {
    root().join("rules").join(format!("{name}.tenet"))
}

/// Loads a policy under `rules/`, panicking with its diagnostics when it is invalid.
pub fn policy(name: &str) -> Policy {
    match Policy::load(policy_path(name)) {
        Ok(p) => p,
        Err(e) => {
            panic!("{name} is invalid:\n{}", tenet::diagnostics::to_text(&e.diagnostics(), Default::default()))
        }
    }
}

/// The header of the small policies tests write: name `t`, Beijing time, yuan.
pub const HEADER: &str = "policy t version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n";

/// A small policy: [`HEADER`], then `body`; panics with its diagnostics when invalid.
pub fn policy_of(body: &str) -> Policy {
    let text = format!("{HEADER}{body}");
    match Policy::from_text("t.tenet", &text) {
        Ok(p) => p,
        Err(e) => panic!("{text}\nis invalid:\n{}", tenet::diagnostics::to_text(&e.diagnostics(), Default::default())),
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
