#!/bin/sh
# Installs the VS Code extension's npm packages (editors/vscode/package-lock.json): the
# language client it ships, vscode-tmgrammar-test for its grammar tests and @vscode/vsce
# to pack it. crates/lsp/tests/vscode.rs needs them; without them `cargo test` reports
# that test as ignored, and with CI set it fails.
set -eu
cd "$(dirname "$0")/../editors/vscode"
npm ci --no-audit --no-fund
