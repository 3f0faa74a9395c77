//! Running the `tenet` binary against hostile input: every run must end within a minute
//! and must not panic.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a command did.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn both(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tenet"))
}

/// Runs `tenet args` in `dir`, feeding `stdin`; fails the test when it runs longer than a
/// minute (a hang) or panics.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Ran {
    let feed = stdin.map(|bytes| {
        let bytes = bytes.to_vec();
        Box::new(move |mut pipe: std::process::ChildStdin| {
            // A command that stops reading early closes the pipe: not an error here.
            let _ = pipe.write_all(&bytes);
        }) as Feed
    });
    run_fed(dir, args, feed)
}

/// What a command reads on standard input, written from a thread of its own (so a large
/// input need never be held here).
pub type Feed = Box<dyn FnOnce(std::process::ChildStdin) + Send>;

/// [`run_in`] with standard input produced by `feed`.
pub fn run_fed(dir: &Path, args: &[&str], feed: Option<Feed>) -> Ran {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if feed.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tenet starts");
    let feeder = feed.map(|feed| {
        let pipe = child.stdin.take().expect("stdin");
        std::thread::spawn(move || feed(pipe))
    });
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let code = wait_within(&mut child, Duration::from_secs(60), args);
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let ran = Ran { code, stdout: out.join().expect("stdout"), stderr: err.join().expect("stderr") };
    assert!(!ran.stderr.contains("panicked"), "tenet {args:?} panicked:\n{}", ran.stderr);
    assert_ne!(ran.code, Some(101), "tenet {args:?} crashed:\n{}", ran.stderr);
    ran
}

/// Waits for the child, killing it after `limit`.
fn wait_within(child: &mut std::process::Child, limit: Duration, args: &[&str]) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            return status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("tenet {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A fresh folder holding a copy of the bundled `rules/` (and a `.git`, so it is a
/// project of its own).
pub fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a folder");
    copy_dir(&super::root().join("rules"), &dir.path().join("rules"));
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("lists") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copies");
        }
    }
}

pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, bytes).expect("writes");
    path
}

/// Valid facts for the return policy, as one JSON line.
pub fn return_facts() -> String {
    let batch = std::fs::read_to_string(super::root().join("tests/cli-inputs/batch.jsonl")).expect("reads");
    batch.lines().next().expect("a line").to_owned()
}
