#!/usr/bin/env bash
# Create .venv beside the checkout and install motion-loop into it (idempotent; fast when done).
# Usage: bash scripts/setup.sh [EXTRAS]   e.g. `dev` for the tests' tools (scripts/test.sh passes it);
# the main job needs none. PyTorch is pinned to the CPU build first so that no resolver pulls several
# GB of CUDA packages; on a GPU machine install the matching CUDA build of torch into .venv first.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
extras=${1:-}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.motion-loop-installed${extras:+-$extras}
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  .venv/bin/python -m pip show torch >/dev/null 2>&1 || .venv/bin/python -m pip install --quiet torch==2.13.0
  .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
