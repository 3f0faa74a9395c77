//! Decides whether the PDF check (`tests/pdf.rs`) can run on this machine: it needs
//! Debian's `chromium`, `pdfinfo` and `pdftotext`, which `sh tests/install-pdf-deps.sh`
//! installs. Without them the check is marked ignored, with the reason, so `cargo test`
//! says so in its summary — except under CI (the `CI` variable set), where `.ci/run`
//! installs them and a missing tool must fail the run.

include!("../../tests/support/tools_cfg.rs");

fn main() {
    tools_cfg("pdf_tools_missing", &["chromium", "pdfinfo", "pdftotext"]);
}
