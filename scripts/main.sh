#!/usr/bin/env bash
# The main job: set up .venv if needed, then the three arms (baseline, synthetic, corrected) of a short
# self-consuming loop on the embedded procedural dataset as one Hydra multirun into runs/main/
# (generation 0 is trained once and shared through runs/main/.cache), then the report of the sweep
# with its verdict table. Extra arguments are Hydra overrides, e.g. `bash scripts/main.sh loop.generations=4`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
out=runs/main
.venv/bin/motion-loop run -m experiment=smoke arm=baseline,synthetic,corrected --out "$out" "$@"
.venv/bin/motion-loop report "$out"
echo "open $out/report.html to compare the arms (one run per arm in $out/ARM/seed_0)"
