#!/usr/bin/env bash
# Create .venv beside the checkout and install motion-loop into it (idempotent; fast when done).
# PyTorch is pinned to the CPU build first so that no resolver pulls several GB of CUDA packages;
# on a GPU machine install the matching CUDA build of torch into .venv before running this.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.motion-loop-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip show torch >/dev/null 2>&1 || .venv/bin/python -m pip install --quiet torch==2.13.0
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  touch "$stamp"
fi
