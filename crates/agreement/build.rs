//! Decides whether the PDF check (`tests/pdf.rs`) can run on this machine: it needs
//! Debian's `chromium`, `pdfinfo` and `pdftotext`, which `sh tests/install-pdf-deps.sh`
//! installs. Without them the check is marked ignored, with the reason, so `cargo test`
//! says so in its summary — except under CI (the `CI` variable set), where `.ci/run`
//! installs them and a missing tool must fail the run.

const TOOLS: [&str; 3] = ["chromium", "pdfinfo", "pdftotext"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(pdf_tools_missing)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<std::path::PathBuf> = std::env::split_paths(&path).filter(|d| d.is_dir()).collect();
    // Installing a tool changes its folder, which runs this script again.
    for dir in &dirs {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let missing = TOOLS.iter().any(|tool| !dirs.iter().any(|d| d.join(tool).is_file()));
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if missing && !ci {
        println!("cargo::rustc-cfg=pdf_tools_missing");
    }
}
