//! Decides whether the browser check of the HTML report (`tests/browser.rs`) can run: it
//! needs Debian's `chromium` and poppler's `pdftotext`, which
//! `sh tests/install-pdf-deps.sh` installs.

include!("../../tests/support/tools_cfg.rs");

fn main() {
    tools_cfg("browser_missing", &["chromium", "pdftotext"]);
}
