#!/usr/bin/env bash
# Lint gate (run by .ci/run before the tests): ruff check, ruff format --check, mypy (strict).
#   bash scripts/lint.sh
# Uses the active virtual environment or the project's .venv (scripts/venv.sh); installs ruff, mypy
# and the project's test dependencies there when missing, since mypy reads their type hints.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh

if ! python -m ruff --version >/dev/null 2>&1 || ! python -m mypy --version >/dev/null 2>&1 \
  || ! python -c "import fastapi, pydantic, numpy, psycopg" >/dev/null 2>&1; then
  echo "policy-qa: installing ruff, mypy and the project's dependencies (torch CPU first) into $VIRTUAL_ENV"
  python -m pip install --quiet torch==2.13.0
  python -m pip install --quiet -e ".[test]"
fi

echo "policy-qa: ruff check"
python -m ruff check .
echo "policy-qa: ruff format --check"
python -m ruff format --check .
echo "policy-qa: mypy (strict; packages from pyproject.toml)"
python -m mypy
