#!/usr/bin/env bash
# The main job on the embedded engine: install, ingest samples/, answer a
# search from the command line, then serve the portal with gunicorn.
# Usage: bash scripts/run.sh            (PORT=8000 HOST=127.0.0.1 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8000}
host=${HOST:-127.0.0.1}
# Check the port first: otherwise gunicorn fails in English after the portal was announced.
if ! python3 - "$host" "$port" <<'PY'
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((sys.argv[1], int(sys.argv[2])))
    except OSError:
        sys.exit(1)
PY
then
  echo "端口 ${port} 已被占用（可能门户已在运行）。换一个端口：PORT=8001 bash scripts/run.sh" >&2
  echo "Port ${port} on ${host} is taken (is the portal already running?). Pick another: PORT=8001 bash scripts/run.sh" >&2
  exit 1
fi
bash scripts/setup_venv.sh requirements.txt
export INDEX_DIR=${INDEX_DIR:-data/index}
sources=(samples/)
if [[ -n "${ARCHIVE_DIR:-}" && -d "$ARCHIVE_DIR" ]]; then sources+=("$ARCHIVE_DIR"); fi
rebuild=()
# An index left by an older version of the program is refused; the files are the source
# of truth, so rebuild it from them (the old index keeps serving until the new one is done).
if ! .venv/bin/python -c 'import sys; from engine import open_engine; open_engine(sys.argv[1]).stats()' \
    "$INDEX_DIR" 2>/dev/null; then
  echo "索引由旧版本建立，正在用 ${sources[*]} 重建 · rebuilding an index built by an older version from ${sources[*]}" >&2
  rebuild=(--rebuild)
fi
.venv/bin/python -m indexer ingest "${sources[@]}" --index "$INDEX_DIR" "${rebuild[@]}"
.venv/bin/python -m indexer search 困难职工 --township 鹿苑镇 --index "$INDEX_DIR" --size 2 || true
echo
echo "门户已启动 · portal: http://${host}:${port}/   (Ctrl-C 停止 · to stop)"
export PORT=$port HOST=$host
exec .venv/bin/gunicorn --config deploy/gunicorn.conf.py
