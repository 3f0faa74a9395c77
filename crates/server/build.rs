//! Decides whether the browser check of the customer's page (`tests/browser.rs`) can run:
//! it needs Debian's `chromium` and poppler's `pdftotext`, which
//! `sh tests/install-pdf-deps.sh` installs. Without them the check is marked ignored,
//! with the reason — except under CI (`CI` set), where a missing tool must fail the run.

const TOOLS: [&str; 2] = ["chromium", "pdftotext"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(browser_missing)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<std::path::PathBuf> = std::env::split_paths(&path).filter(|d| d.is_dir()).collect();
    for dir in &dirs {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let missing = TOOLS.iter().any(|tool| !dirs.iter().any(|d| d.join(tool).is_file()));
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if missing && !ci {
        println!("cargo::rustc-cfg=browser_missing");
    }
}
