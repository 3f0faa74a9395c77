//! The `tenet` command end to end on arbitrary files: the input is split into a policy,
//! a data file (facts, a batch, a case, agreement data) and a choice of command, written
//! into a fresh folder beside a copy of the bundled rules, and the command line is run
//! in-process through `tenet_cli::run`. Whatever the files hold, nothing may panic.
//! Run with `-close_fd_mask=3`: the commands print.
#![no_main]

use std::ffi::OsString;
use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// A folder with the bundled rules, shared by every run (commands only read it).
static PROJECT: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a folder");
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
    copy(Path::new(rules), &dir.path().join("rules"));
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    dir
});

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("lists").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copies");
        }
    }
}

/// Command lines; `P` is the fuzzed policy, `D` the fuzzed data file, `O` an output.
const COMMANDS: &[&[&str]] = &[
    &["check", "P"],
    &["--lang", "en", "check", "P", "--format", "json"],
    &["fmt", "--check", "P"],
    &["fmt", "P"],
    &["eval", "P", "D.yaml", "--now", "2026-11-10T12:00:00+08:00"],
    &["eval", "P", "D.json", "--format", "json", "--now", "2026-11-10T12:00:00+08:00"],
    &["eval", "rules/returns.tenet", "D.yaml"],
    &["eval", "rules/support_sla.tenet", "D.json", "--format", "json"],
    &["eval", "rules/returns.tenet", "--batch", "D.jsonl", "--out", "O.jsonl"],
    &["eval", "P", "--batch", "D.jsonl", "--now", "2026-11-10T12:00:00+08:00"],
    &["case", "rules/returns.tenet", "D.yaml", "--now", "2026-11-30T00:00:00+08:00"],
    &["case", "D.yaml"],
    &["render", "D.yaml"],
    &["--lang", "en", "render", "D.yaml", "--format", "html", "--out", "O.html"],
    &["test", "D.yaml"],
    &["diff", "rules/returns.tenet", "P", "--cases", "D.yaml"],
    &["explain", "D"],
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    // The policy, then the data, split at the first NUL byte.
    let split = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    let (policy, data) = (&rest[..split], rest.get(split + 1..).unwrap_or_default());
    let Ok(dir) = tempfile::tempdir_in(PROJECT.path()) else { return };
    let command = COMMANDS[usize::from(choice) % COMMANDS.len()];
    let name = |s: &str| dir.path().join(s).into_os_string();
    let _ = std::fs::write(dir.path().join("P.tenet"), policy);
    for ext in ["yaml", "json", "jsonl"] {
        let _ = std::fs::write(dir.path().join(format!("D.{ext}")), data);
    }
    let mut args: Vec<OsString> = vec!["tenet".into()];
    for a in command {
        args.push(match *a {
            "P" => name("P.tenet"),
            "D" => String::from_utf8_lossy(data).into_owned().into(),
            "O.jsonl" | "O.html" => name(a),
            d if d.starts_with("D.") => name(d),
            "rules/returns.tenet" | "rules/support_sla.tenet" => PROJECT.path().join(a).into_os_string(),
            other => other.into(),
        });
    }
    let code = tenet_cli::run(args);
    assert!(code <= 4, "exit codes are 0-4, got {code}");
});
