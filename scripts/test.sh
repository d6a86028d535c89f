#!/usr/bin/env bash
# Run every test on a fresh or a prepared machine: installs what the suite needs (idempotent,
# quick when already there), then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
if [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# torch==2.13.0 is the CPU build on this machine's disk; a plain `torch` would pull GBs of CUDA.
"$PYTHON" -m pip install -q torch==2.13.0
"$PYTHON" -m pip install -q -e ".[test,torch,transformers,keras]"

# esbuild for the test that rebuilds the JS bundle and compares it with the committed one.
(cd js && npm ci --no-audit --no-fund --silent)

# The go_emotions tests read a local copy when one lies beside the repo (as in CI); without it
# they use the Hugging Face hub, or skip saying how to point DATAMAP_GO_EMOTIONS_DIR at a copy.
if [ -z "${DATAMAP_GO_EMOTIONS_DIR:-}" ] && [ -f ../shared/data/go_emotions/train.tsv ]; then
  DATAMAP_GO_EMOTIONS_DIR="$(cd ../shared/data/go_emotions && pwd)"
  export DATAMAP_GO_EMOTIONS_DIR
fi

exec "$PYTHON" -m pytest "$@"
