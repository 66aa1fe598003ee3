#!/usr/bin/env bash
# Install the Debian packages the test suite needs. Idempotent: does nothing
# (and never touches the network) when everything is already present.
#
#   npm       -> tests/support/elasticsearch_node.py fetches the Elasticsearch
#                distribution with `npm pack` (the only route to it from CI).
#   chromium  -> the browser tests (Playwright drives Debian's Chromium).
#   fonts-noto-cjk -> Chinese glyphs in the browser tests' screenshots.
#   antiword  -> reading old Word .doc files, tested for real.
#   libreoffice-writer-nogui + python3-uno -> .doc/.wps/.rtf through one long-lived
#                headless LibreOffice, and the format tests' fixtures (written by it).
#   tesseract-ocr + tesseract-ocr-chi-sim + poppler-utils -> OCR of scanned PDFs.
set -euo pipefail

missing=()
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v antiword >/dev/null 2>&1 || missing+=(antiword)
[[ -d /usr/share/fonts/opentype/noto ]] || missing+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing+=(python3-uno)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
[[ -f /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata ]] || missing+=(tesseract-ocr-chi-sim)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)

if ((${#missing[@]} == 0)); then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "ensure_test_system_packages: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi

echo "ensure_test_system_packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists once, and only because something must be installed.
# Another apt/dpkg run (an engineer's, or unattended upgrades) may hold the lock: wait for it.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
