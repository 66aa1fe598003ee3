#!/usr/bin/env bash
# The main job on the embedded engine: install, ingest samples/, answer a
# search from the command line, then serve the portal with gunicorn.
# Usage: bash scripts/run.sh            (PORT=8000 HOST=127.0.0.1 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements.txt
export INDEX_DIR=${INDEX_DIR:-data/index}
.venv/bin/python -m indexer ingest samples/ --index "$INDEX_DIR"
.venv/bin/python -m indexer search 困难职工 --township 鹿苑镇 --index "$INDEX_DIR" --size 2 || true
port=${PORT:-8000}
echo
echo "门户已启动 · portal: http://${HOST:-127.0.0.1}:${port}/   (Ctrl-C 停止 · to stop)"
exec .venv/bin/gunicorn --config deploy/gunicorn.conf.py
