//! `tenet init` and `tenet.toml`: a new project passes its own check and test from any of
//! its folders; the project file marks the root (no `.git` needed) and gives the commands
//! their defaults; a bad file is refused with its line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first surprise, and says where"
)]

mod support;

use std::path::Path;
use std::process::Output;

fn tenet_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("tenet runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn init_makes_a_project_whose_check_and_test_pass() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop");
    let out = tenet_in(dir.path(), &["init", "shop"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for file in ["tenet.toml", "rules/returns.tenet", "rules/calendars/cn-2026.yaml", "tests/cases/returns"] {
        assert!(project.join(file).exists(), "{file} was written");
    }
    // From the root and from a folder below it: no `.git`, the project file marks the root.
    for at in [project.clone(), project.join("rules"), project.join("tests/cases/returns")] {
        let check = tenet_in(&at, &["check"]);
        assert_eq!(check.status.code(), Some(0), "check in {}: {}", at.display(), text(&check));
        let test = tenet_in(&at, &["test"]);
        assert_eq!(test.status.code(), Some(0), "test in {}: {}", at.display(), text(&test));
        assert!(String::from_utf8_lossy(&test.stdout).contains("2 passed, 0 failed"), "{}", text(&test));
    }
    // The starter policy is formatted as `tenet fmt` would.
    let fmt = tenet_in(&project, &["fmt", "--check"]);
    assert_eq!(fmt.status.code(), Some(0), "{}", text(&fmt));
    // A second init writes nothing over the first and says which files are in the way.
    std::fs::write(project.join("rules/returns.tenet"), "edited").unwrap();
    let again = tenet_in(dir.path(), &["init", "shop"]);
    assert_eq!(again.status.code(), Some(3), "{}", text(&again));
    assert!(text(&again).contains("tenet.toml") && text(&again).contains("nothing was written"), "{}", text(&again));
    assert_eq!(std::fs::read_to_string(project.join("rules/returns.tenet")).unwrap(), "edited");
}

/// The starter cases state the policy's answers as computed by hand, not as the engine
/// printed them: a deliberately wrong expectation makes `tenet test` fail.
#[test]
fn the_starter_cases_can_fail() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(tenet_in(dir.path(), &["init"]).status.code(), Some(0));
    let case = dir.path().join("tests/cases/returns/no-reason-in-time.yaml");
    let original = std::fs::read_to_string(&case).unwrap();
    // 399.00 less the 10.00 shipping is 389.00; 390.00 is wrong.
    assert!(original.contains("refund_amount: '389.00'"));
    std::fs::write(&case, original.replace("refund_amount: '389.00'", "refund_amount: '390.00'")).unwrap();
    let out = tenet_in(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("1 passed, 1 failed"), "{}", text(&out));
}

#[test]
fn the_project_file_gives_defaults_and_a_bad_one_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(tenet_in(dir.path(), &["init"]).status.code(), Some(0));
    let toml = dir.path().join("tenet.toml");
    // Other folders than the defaults, and English.
    std::fs::rename(dir.path().join("rules"), dir.path().join("policy")).unwrap();
    std::fs::create_dir_all(dir.path().join("examples")).unwrap();
    std::fs::rename(dir.path().join("tests/cases"), dir.path().join("examples/cases")).unwrap();
    std::fs::write(&toml, "[project]\npolicies = \"policy\"\ncases = \"examples/cases\"\nlang = \"en\"\n").unwrap();
    // The convention `cases/<name>/` → `rules/<name>.tenet` needs the policy by name.
    for case in std::fs::read_dir(dir.path().join("examples/cases/returns")).unwrap() {
        let path = case.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("policy: policy/returns.tenet\n{text}")).unwrap();
    }
    let check = tenet_in(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert_eq!(text(&check).trim(), "checked 1 file: 0 errors, 0 warnings", "English by the file");
    let test = tenet_in(&dir.path().join("examples"), &["test"]);
    assert_eq!(test.status.code(), Some(0), "{}", text(&test));
    // A flag wins over the file.
    let zh = tenet_in(dir.path(), &["--lang", "zh", "check"]);
    assert!(text(&zh).contains("检查了 1 个文件"), "{}", text(&zh));
    // An unknown key: refused before any command runs, with the file, line and the keys.
    std::fs::write(&toml, "[project]\npolicies = \"policy\"\npolicy_dir = \"x\"\n").unwrap();
    let bad = tenet_in(dir.path(), &["check"]);
    assert_eq!(bad.status.code(), Some(3), "{}", text(&bad));
    let said = text(&bad);
    assert!(said.contains("tenet.toml:3:1") && said.contains("policy_dir"), "{said}");
    assert!(said.contains("[project] policies, cases, lang"), "{said}");
}

/// An agreement rendered from its own folder in a copy of the repository without `.git`
/// finds the SLA policy it names: `tenet.toml` marks the root.
#[test]
fn render_finds_the_policy_from_the_data_files_folder_without_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = support::root();
    let copy = |rel: &str| {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root.join(rel), &to).unwrap();
    };
    for rel in [
        "tenet.toml",
        "rules/support_sla.tenet",
        "rules/signing.tenet",
        "rules/agreement.tenet",
        "rules/calendars/cn-2025.yaml",
        "rules/calendars/cn-2026.yaml",
        "examples/agreements/ts-2026-0042.yaml",
    ] {
        copy(rel);
    }
    let at = dir.path().join("examples/agreements");
    let out = tenet_in(&at, &["--lang", "zh", "render", "ts-2026-0042.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("第四条"), "the SLA clause was rendered");
    // Without the project file the folder is its own root, and the policy is not found.
    std::fs::remove_file(dir.path().join("tenet.toml")).unwrap();
    let lost = tenet_in(&at, &["--lang", "zh", "render", "ts-2026-0042.yaml"]);
    assert_ne!(lost.status.code(), Some(0), "{}", text(&lost));
}
