//! The VS Code extension (`editors/vscode/`): its grammar passes its tests
//! (`vscode-tmgrammar-test` over sample policies), it is wired to the language and to
//! `tenet lsp`, and it packs into a `.vsix` with the language client inside. Needs the
//! extension's npm packages: `sh tests/install-editor-deps.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first surprise, and says where"
)]

use std::path::PathBuf;
use std::process::Command;

fn extension() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../editors/vscode").canonicalize().unwrap()
}

#[test]
fn the_extension_is_wired_to_the_language_and_the_server() {
    let dir = extension();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    let grammar = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar["language"], "tenet");
    let grammar_file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(grammar["path"].as_str().unwrap())).unwrap()).unwrap();
    assert_eq!(grammar_file["scopeName"], grammar["scopeName"]);
    assert_eq!(manifest["contributes"]["languages"][0]["extensions"][0], ".tenet");
    let client = std::fs::read_to_string(dir.join("extension.js")).unwrap();
    assert!(client.contains("args: [\"lsp\"]"), "the client starts `tenet lsp`");
}

#[test]
#[ignore = "needs the extension's npm packages (sh tests/install-editor-deps.sh); cargo test -- --include-ignored runs it, as .ci/run does"]
fn the_grammar_passes_its_tests_and_the_extension_packs() {
    let dir = extension();
    let bin = dir.join("node_modules/.bin");
    assert!(
        bin.join("vscode-tmgrammar-test").is_file(),
        "asked for with --include-ignored: run sh tests/install-editor-deps.sh first"
    );
    let tests =
        Command::new(bin.join("vscode-tmgrammar-test")).arg("tests/*.tenet").current_dir(&dir).output().unwrap();
    let said = String::from_utf8_lossy(&tests.stdout);
    assert!(
        tests.status.success() && said.contains("run successfuly"),
        "{said}{}",
        String::from_utf8_lossy(&tests.stderr)
    );
    let out = std::env::temp_dir().join(format!("tenet-vsix-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let vsix = out.join("tenet-policies.vsix");
    let packed = Command::new(bin.join("vsce"))
        .args(["package", "--allow-missing-repository", "--skip-license", "-o"])
        .arg(&vsix)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(packed.status.success(), "{}", String::from_utf8_lossy(&packed.stderr));
    let zip = zip::ZipArchive::new(std::fs::File::open(&vsix).unwrap()).unwrap();
    let names: Vec<&str> = zip.file_names().collect();
    assert!(names.contains(&"extension/syntaxes/tenet.tmLanguage.json"), "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("extension/node_modules/vscode-languageclient/")),
        "the client ships inside"
    );
    let _ = std::fs::remove_dir_all(&out);
}
