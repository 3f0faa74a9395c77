#!/bin/sh
# Installs the second reader of the decision log's Parquet export (crates/cli/tests/
# log_export.rs): DuckDB's Python package from PyPI, into target/pydeps (not the system's
# Python). Without it `cargo test` skips that test's reading part; with CI set, it fails.
set -eu
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target target/pydeps duckdb==2.0.1
PYTHONPATH=target/pydeps python3 -c "import duckdb; print('duckdb', duckdb.__version__)"
