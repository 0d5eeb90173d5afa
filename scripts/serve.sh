#!/usr/bin/env bash
# Install policy-qa and run the web service on the bundled corpus (index built on first run).
#   bash scripts/serve.sh            -> http://127.0.0.1:8000  (POLICYQA_HOST / POLICYQA_PORT to change)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e .
exec policyqa serve --host "${POLICYQA_HOST:-127.0.0.1}" --port "${POLICYQA_PORT:-8000}"
