#!/usr/bin/env bash
# Run every test in the project's own virtual environment (.venv, made on first use), never in
# the interpreter of your system: it installs what the suite needs there (idempotent, quick when
# already there), with the CPU build of PyTorch, then runs pytest. Extra arguments go to pytest.
#
# Needs, and says so before doing anything if one is missing: Python >= 3.10 with venv, Node.js
# with npm (the JS bundle is rebuilt and compared), and Chromium for the browser tests (never
# `playwright install`). It installs nothing outside .venv and js/node_modules.
#
# PYTHON picks the interpreter that makes .venv (default python3); DATAMAP_VENV another folder;
# DATAMAP_CHROMIUM the browser binary (default /usr/bin/chromium); DATAMAP_TORCH the PyTorch
# requirement (default torch==2.13.0), taken from PyTorch's CPU index.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${DATAMAP_VENV:-.venv}
CHROMIUM=${DATAMAP_CHROMIUM:-/usr/bin/chromium}
TORCH=${DATAMAP_TORCH:-torch==2.13.0}
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

missing=()
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  missing+=("Python 3.10 or newer ($PYTHON not found): install it, or set PYTHON=/path/to/python3")
elif ! "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  missing+=("Python 3.10 or newer with venv and ensurepip ($PYTHON is $("$PYTHON" -V 2>&1)," \
    "or lacks them): on Debian/Ubuntu 'sudo apt-get install python3-venv', or set PYTHON=")
fi
if ! command -v npm >/dev/null 2>&1; then
  missing+=("Node.js with npm, to rebuild the JS bundle the tests compare: https://nodejs.org" \
    "(or 'sudo apt-get install nodejs npm')")
fi
case " $* " in
  *"not browser"*) ;;  # pytest -m "not browser": no browser needed
  *)
    if [ ! -x "$CHROMIUM" ]; then
      missing+=("Chromium for the browser tests ($CHROMIUM not found): on Debian/Ubuntu" \
        "'sudo apt-get install chromium', or set DATAMAP_CHROMIUM=/path/to/chromium; to run" \
        "the other tests without it: bash scripts/test.sh -m 'not browser'")
    fi
    ;;
esac
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/test.sh: cannot run the tests, missing:" >&2
  for item in "${missing[@]}"; do echo "  - $item" >&2; done
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the test environment in $VENV ($("$PYTHON" -V 2>&1)) ..."
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
# Commands the tests start (jupyter, scripts/demo.sh's python3) come from the environment too.
export VIRTUAL_ENV="$PWD/$VENV"
export PATH="$VIRTUAL_ENV/bin:$PATH"

# PyTorch's CPU build, explicitly: a plain `pip install torch` on Linux takes the CUDA build
# (several GB). Only when the environment has no torch yet. -qq: where the CPU index cannot be
# reached (a closed network with a local wheel) pip would print a retry warning per package.
if ! "$PY" -c "import torch" >/dev/null 2>&1; then
  echo "Installing $TORCH (CPU build) into $VENV ..."
  "$PY" -m pip install -qq --retries 1 "$TORCH" --index-url "$TORCH_CPU_INDEX" \
    --extra-index-url https://pypi.org/simple
fi
# bench: cleanlab, which the label-error benchmark's smoke test compares with (never a runtime need)
"$PY" -m pip install -q -e ".[test,torch,transformers,keras,bench]"

# esbuild for the test that rebuilds the JS bundle and compares it with the committed one.
(cd js && npm ci --no-audit --no-fund --silent)

# The go_emotions tests read a local copy when one lies beside the repo (as in CI); without it
# they use the Hugging Face hub, or skip saying how to point DATAMAP_GO_EMOTIONS_DIR at a copy.
if [ -z "${DATAMAP_GO_EMOTIONS_DIR:-}" ] && [ -f ../shared/data/go_emotions/train.tsv ]; then
  DATAMAP_GO_EMOTIONS_DIR="$(cd ../shared/data/go_emotions && pwd)"
  export DATAMAP_GO_EMOTIONS_DIR
fi
export DATAMAP_CHROMIUM="$CHROMIUM"

exec "$PY" -m pytest "$@"
