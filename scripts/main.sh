#!/usr/bin/env bash
# The main job: set up .venv if needed, then the three arms (baseline, synthetic, corrected) of a short
# self-consuming loop on the embedded procedural dataset into runs/main/ARM/seed_0, then the report of
# the sweep with its verdict table. The three arms start side by side and share one cache
# (runs/main/.cache): the first builds the dataset, the evaluator and generation 0 under a lock while the
# others wait for them, then all three loop at once.
# Extra arguments are Hydra overrides for every arm, e.g. `bash scripts/main.sh loop.generations=4`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
out=runs/main
arm() { .venv/bin/motion-loop run -m experiment=smoke arm="$1" --out "$out" "${@:2}"; }
arm baseline "$@" & baseline=$!
arm synthetic "$@" & synthetic=$!
arm corrected "$@" & corrected=$!
status=0
wait "$baseline" || status=1
wait "$synthetic" || status=1
wait "$corrected" || status=1
if [ "$status" -ne 0 ]; then
  if grep -qs "holds a run with another config" "$out"/*/seed_0/run.log; then
    # A finished main job resumes (and re-reports); one made by another version or other overrides cannot.
    echo "$out holds a main job made with other settings (an earlier version of motion-loop, or other" \
      "overrides): move it aside (mv $out $out.old) and run again" >&2
  fi
  echo "an arm failed: see $out/*/seed_0/run.log" >&2
  exit 1
fi
.venv/bin/motion-loop report "$out"
echo "open $out/report.html to compare the arms (one run per arm in $out/ARM/seed_0)"
