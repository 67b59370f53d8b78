#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh venv, and run short commands from a folder
# outside the checkout, so that configs and assets can only come from the wheel:
#   a `theory` command, a `data import` of a small BVH folder, and one generation of a smoke run.
# Usage: bash scripts/check_wheel.sh [WORK_DIR]   (default: a temporary folder, removed at the end)
# BVH input: $MOTION_LOOP_SHARED_DATA/cmu-bvh (a few files) when present, else takes that
# scripts/demo_bvh.py writes. Prints the seconds of each step.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
PYTHON=${PYTHON:-python3}
if [ $# -ge 1 ]; then
  work=$(mkdir -p "$1" && cd "$1" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
step() { printf '[check_wheel %4ds] %s\n' "$SECONDS" "$*"; }
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
unset PYTHONPATH MOTION_LOOP_CONF MOTION_LOOP_ASSETS

step "fresh venv in $work/venv"
rm -rf "$work/venv" "$work/dist"
"$PYTHON" -m venv "$work/venv"
py=$work/venv/bin/python
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet torch==2.13.0  # the CPU build first: no resolver pulls CUDA packages
step "build the wheel"
"$py" -m pip wheel --quiet --no-deps -w "$work/dist" "$repo"
wheel=$(ls "$work"/dist/motion_loop-*.whl)
step "install $(basename "$wheel")"
"$py" -m pip install --quiet "$wheel"

run_dir=$work/elsewhere
rm -rf "$run_dir" && mkdir -p "$run_dir" && cd "$run_dir"
ml=$work/venv/bin/motion-loop
"$py" - <<'EOF'
import motion_loop.resources as r
conf, assets = r.conf_dir(), r.assets_dir()
assert "_bundled" in str(conf) and "_bundled" in str(assets), (conf, assets)
print(f"configs from {conf}, assets from {assets}")
EOF

step "theory heat-death"
"$ml" theory heat-death --out theory generations=20 drift_generations=5 drift_replicates=2 progress=false
test -f theory/summary.json

step "data import"
cmu=${MOTION_LOOP_SHARED_DATA:-$repo/../shared/data}/cmu-bvh
mkdir -p bvh
if [ -f "$cmu/descriptions.csv" ] && [ -d "$cmu/02" ]; then
  mkdir -p bvh/02 && cp "$cmu"/02/02_0[1-3].bvh bvh/02/ && cp "$cmu/descriptions.csv" bvh/
  echo "BVH: three CMU takes from $cmu"
else
  "$py" "$repo/scripts/demo_bvh.py" bvh
fi
"$ml" data import bvh --out bvh_set --no-preview
"$py" -c "import json; m = json.load(open('bvh_set/meta.json')); assert m['credit'] and m['extra']['clips'] > 0, m; print('meta.json credit:', m['credit'][:60])"

step "run: generation 0 of a reduced smoke preset (the point is that configs load from the wheel)"
"$ml" run experiment=smoke loop.generations=1 train.steps=20 eval.train.epochs=1 data.procedural_clips=120 --out smoke
test -f smoke/gen_000/DONE && test -f smoke/run.log && test -d smoke/.hydra && test -d smoke/.cache
test ! -e runs && test ! -e outputs  # every output under the folder named with --out
step "wheel check passed"
