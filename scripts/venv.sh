# Sourced by serve.sh, test.sh and lint.sh: use the active virtual environment, or create and
# activate the project's own `.venv` (reused on the next run).
# Why: Debian 12 / Ubuntu 24.04 mark the system Python "externally managed" (PEP 668), so
# `pip install` into it is refused; a virtual environment is the supported way.
# After sourcing, `python` and `pip` are the environment's.

if [ -n "${VIRTUAL_ENV:-}" ]; then
  echo "policy-qa: using the active virtual environment $VIRTUAL_ENV"
else
  if [ ! -x .venv/bin/python ]; then
    base_python="$(command -v python3 || true)"
    if [ -z "$base_python" ]; then
      echo "policy-qa: python3 (>= 3.11) is required; install it first (apt-get install python3)" >&2
      exit 1
    fi
    echo "policy-qa: creating the virtual environment .venv with $base_python ($("$base_python" --version 2>&1))"
    rm -rf .venv
    # Debian/Ubuntu ship `venv`'s pip bootstrap (ensurepip) separately, in python3-venv.
    if ! "$base_python" -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        py_version="$("$base_python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        echo "policy-qa: '$base_python -m venv' failed; installing python3-venv (apt) and retrying"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv "python${py_version}-venv" >/dev/null \
          || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        "$base_python" -m venv .venv
      else
        echo "policy-qa: '$base_python -m venv' failed; run 'sudo apt-get install python3-venv' and retry" >&2
        exit 1
      fi
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip
  else
    echo "policy-qa: reusing the virtual environment .venv"
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
