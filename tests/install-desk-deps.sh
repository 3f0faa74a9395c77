#!/bin/sh
# Installs what the desk's browser test (crates/server/tests/desk_browser.rs) needs:
# playwright-core from the npm registry (tests/desk-browser/package-lock.json), which
# drives the system's Chromium (installed by tests/install-pdf-deps.sh). Without them
# `cargo test` reports that test as ignored; with CI set, `--include-ignored` fails it.
set -eu
cd "$(dirname "$0")/desk-browser"
npm ci --no-audit --no-fund
node --version
