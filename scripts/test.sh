#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
# Installs what the tests need: the Python packages into ./.venv, and the
# Debian packages for a real Elasticsearch node (and the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements-dev.txt
bash scripts/ensure_test_system_packages.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
