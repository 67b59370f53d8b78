#!/usr/bin/env bash
# The main job: set up .venv if needed, then a short self-consuming loop on the embedded procedural
# dataset (generations 0-2 with physics self-correction), ending with plots, videos and report.html.
# Extra arguments are Hydra overrides, e.g. `bash scripts/main.sh loop.generations=4`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
.venv/bin/motion-loop run experiment=smoke "$@"
echo "open runs/smoke/corrected/seed_0/report.html (or the out_dir you gave) to see the run"
