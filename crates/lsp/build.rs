//! Decides whether the VS Code extension's test (`tests/vscode.rs`) can run: it needs the
//! extension's npm packages, which `sh tests/install-editor-deps.sh` installs. Without
//! them the test is marked ignored, with the reason — except under CI (`CI` set), where
//! `.ci/run` installs them and their absence must fail the run.

fn main() {
    let cfg = "editor_deps_missing";
    println!("cargo::rustc-check-cfg=cfg({cfg})");
    println!("cargo::rerun-if-env-changed=CI");
    let modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/vscode/node_modules");
    println!("cargo::rerun-if-changed={}", modules.display());
    let installed = modules.join(".bin/vscode-tmgrammar-test").is_file() && modules.join(".bin/vsce").is_file();
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if !installed && !ci {
        println!("cargo::rustc-cfg={cfg}");
    }
}
