#!/usr/bin/env bash
# The live demo: JupyterLab on notebooks/quickstart.ipynb (no network needed once installed).
# Installs the package and JupyterLab first if they are missing (`pip install -e ".[demo]"`);
# when everything is already there it starts right away. Works from any directory.
# Extra arguments go to `jupyter lab`, e.g. `bash scripts/demo.sh --port 8899`.
# PYTHON picks the interpreter (default python3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON=${PYTHON:-python3}
NOTEBOOK=notebooks/quickstart.ipynb

# Is this checkout installed, with every requirement of it and of the demo extra satisfied?
# Run from / so that the checkout itself is not importable just because it is the cwd.
installed() {
  (cd / && "$PYTHON" - "$ROOT" <<'EOF'
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

root = Path(sys.argv[1]).resolve()
import datamap_widget  # noqa: E402

if root not in Path(datamap_widget.__file__).resolve().parents:
    sys.exit(f"datamap_widget is imported from {datamap_widget.__file__}, not from {root}")
for spec in metadata.requires("datamap-widget") or []:
    req = Requirement(spec)
    if req.marker and not req.marker.evaluate({"extra": "demo"}):
        continue
    if not req.specifier.contains(metadata.version(req.name), prereleases=True):
        sys.exit(f"{req.name} {metadata.version(req.name)} does not satisfy {req}")
EOF
  ) >/dev/null 2>&1
}

if ! installed; then
  echo "Installing datamap-widget and JupyterLab (pip install -e \".[demo]\") ..."
  (cd "$ROOT" && "$PYTHON" -m pip install -q -e ".[demo]")
fi

# The go_emotions tutorial reads the hub, or a local copy named by DATAMAP_GO_EMOTIONS_DIR: use
# the copy laid beside the checkout (shared/data/go_emotions) when there is one.
if [ -z "${DATAMAP_GO_EMOTIONS_DIR:-}" ] && [ -f "$ROOT/../shared/data/go_emotions/train.tsv" ]; then
  export DATAMAP_GO_EMOTIONS_DIR="$(cd "$ROOT/../shared/data/go_emotions" && pwd)"
  echo "go_emotions tutorial: using the local copy in $DATAMAP_GO_EMOTIONS_DIR"
fi

# default_url makes the printed URL (and a browser) land on the notebook itself.
args=(--ServerApp.root_dir="$ROOT" --LabApp.default_url="/lab/tree/$NOTEBOOK")
[ "$(id -u)" = 0 ] && args+=(--allow-root)
# No display: nothing to open a browser in (and no text browser taking over the terminal).
if [ "$(uname)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  args+=(--no-browser)
  echo "No display found: open the http://... URL that JupyterLab prints below in your browser."
fi
echo "Starting JupyterLab on $NOTEBOOK (Ctrl+C to stop) ..."
cd "$ROOT"
exec "$PYTHON" -m jupyterlab "${args[@]}" "$@"
