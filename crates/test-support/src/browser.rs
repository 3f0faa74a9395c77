//! Headless Chromium for the checks that need a real browser (the agreement's PDF, the
//! customer's refund page): finding the tools and running Chromium off the network.
//! The flags are the agreement printer's own (`chromium-flags.txt`), so they live in one place.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The program `name` on `PATH`, if installed.
pub fn found(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.is_file())
}

/// Runs headless Chromium on `target` (a URL) with `extra` flags (`--print-to-pdf=…`,
/// `--screenshot=…`) and its own profile folder.
pub fn chromium(chromium: &Path, profile: &Path, extra: &[String], target: &str) -> Output {
    // The flags (shared with the agreement's PDF printer) keep Chromium off the network
    // this machine does not have.
    Command::new(chromium)
        .args(include_str!("../../agreement/src/chromium-flags.txt").lines())
        .arg("--window-size=900,1400")
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(target)
        .output()
        .expect("chromium runs")
}
