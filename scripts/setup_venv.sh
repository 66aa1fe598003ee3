#!/usr/bin/env bash
# Create ./.venv (if missing) and install the pinned requirements file given as $1.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}
if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
fi
# Reinstall only when the requirements changed since the last install.
stamp=".venv/.installed-$(basename "$requirements")"
if [[ ! -f $stamp ]] || ! cmp -s <(cat requirements*.txt) "$stamp"; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cat requirements*.txt >"$stamp"
fi
