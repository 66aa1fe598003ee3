#!/usr/bin/env bash
# The main job on the embedded engine: install, ingest samples/, answer a
# search, then serve the portal. Usage: bash scripts/run.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements.txt
.venv/bin/python -m indexer ingest samples/
.venv/bin/python -m indexer search 送温暖 --size 3
