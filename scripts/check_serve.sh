#!/usr/bin/env bash
# Acceptance check of the README's first command on a stock Debian/Ubuntu Python (run by .ci/run):
# a fresh copy of this tree, the system Python first on PATH and no virtual environment active,
# `bash scripts/serve.sh` must reach a healthy GET /healthz within POLICYQA_SERVE_TIMEOUT seconds
# (default 900: the first run installs into a new .venv and builds the bundled corpus's index).
#   bash scripts/check_serve.sh [PYTHON_DIR]     # PYTHON_DIR defaults to /usr/bin
set -euo pipefail
cd "$(dirname "$0")/.."
python_dir="${1:-/usr/bin}"
timeout_s="${POLICYQA_SERVE_TIMEOUT:-900}"
port="${POLICYQA_CHECK_PORT:-8765}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh clone: the tracked files of the working tree, without .venv or var/.
git ls-files -z | xargs -0 cp --parents -t "$work"
echo "policy-qa: checking 'bash scripts/serve.sh' in $work with $python_dir/python3 ($("$python_dir/python3" --version 2>&1)) first on PATH"

# setsid: the server gets its own process group, so cleanup stops it and nothing else.
(cd "$work" && exec env -u VIRTUAL_ENV PATH="$python_dir:/usr/local/bin:/usr/bin:/bin" \
  POLICYQA_PORT="$port" setsid bash scripts/serve.sh) >"$work/serve.log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + timeout_s))
while [ $SECONDS -lt $deadline ]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "policy-qa: serve.sh exited before /healthz was healthy; its log:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  if body="$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null)"; then
    echo "policy-qa: healthy after ${SECONDS}s: $body"
    exit 0
  fi
  sleep 5
done
echo "policy-qa: /healthz not healthy after ${timeout_s}s; serve.sh's log:" >&2
cat "$work/serve.log" >&2
exit 1
