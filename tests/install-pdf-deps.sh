#!/bin/sh
# Installs what the PDF check (crates/agreement/tests/pdf.rs) needs, from Debian's
# packages: Chromium to print the agreement's HTML page, a CJK font so Chinese text is
# real text in the PDF, poppler's pdfinfo/pdftotext to read the PDF back, and python-docx
# to open the Word document with a reader other than the writer (crates/agreement/tests/docx.rs). Without
# them `cargo test` reports the check as ignored, saying why; with CI set it fails.
set -eu
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk poppler-utils python3-docx
chromium --version
pdfinfo -v 2>&1 | head -n 1
