#!/bin/bash
# The CPU sweep of issue 13 item 4 (docs/loop_measurement.md, "The CPU sweep"): the three arms x 3
# seeds of experiment=cpu_faithful at lambda = 1 on the Bandai-Namco 2 import, as two background workers,
# one per core. Each worker runs its jobs in order, and every job resumes after its last finished
# generation, so running this script again after any interruption (a killed process, a new session)
# continues the sweep where it stopped. About 64 process-hours on the 2-core machine at the fit
# lengths the plateau rule chose on the GPU sweep (benchmarks/loop_budget.py; ~34 h wall).
#
# In two stages, so that a partial sweep already answers something: stage 1 takes every run to
# generation STAGE1_LAST (default 6), seed 0's three arms first (issue 14 item 4 needs one seed's three
# arms; about 6 h), then seeds 1 and 2 (a verdict over 3 seeds at generation 6, about 12 h); stage 2
# extends every run to generation 20 (a run's planned generations may grow on resume).
# Worker 1: synthetic and baseline arms (it trains generation 0 of seed 0).
# Worker 2: generation 0 alone for seed 1 (and later seed 2), so that no worker waits on the other's
#           generation-0 lock, then the corrected arms and seed 1's baseline. The generation-0-only runs
#           also give issue 16 the preset's generation 0 for three seeds (their own metrics.csv; they live
#           outside $OUT/runs so that `motion-loop report $OUT/runs` sees only the sweep).
#
# Usage (from anywhere):
#   DATA=~/data/bandai2 EVALUATOR=~/runs/gen0/evaluator_w128.pt OUT=~/runs/cpu_faithful_cpu \
#       bash benchmarks/cpu_faithful_sweep.sh
#   motion-loop report $OUT/runs        # the verdict so far (any time; partial runs are fine)
# ML may name the motion-loop command (default: the checkout's .venv/bin/motion-loop); the sweep runs a
# frozen copy of the code (e.g. the package installed non-editable into its own venv) so that later
# commits cannot make the runs refuse to resume.
set -u
DATA=${DATA:?set DATA to a Bandai-Namco 2 import}
EVALUATOR=${EVALUATOR:?set EVALUATOR to an evaluator trained on that import (motion-loop evaluator train)}
OUT=${OUT:?set OUT to a folder outside the repository}
ML=${ML:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/motion-loop}
EXTRA=${EXTRA:-}   # more Hydra overrides for every run, e.g. loop.synthetic_ratio=0.5 (use another OUT, same CACHE)
TEXTCACHE=${TEXTCACHE:-$OUT/textcache}  # caption embeddings; keep it fixed for the life of a sweep
# Generation-0 models are cached by content (data, model, schedule, code version) and seed, not by lambda:
# a lambda = 0.5 sweep run by the same code reuses the lambda = 1 sweep's generation 0 (about 2.4 h of one
# core per seed) when CACHE names that sweep's cache, e.g. CACHE=$LAMBDA1_OUT/.cache.
CACHE=${CACHE:-$OUT/.cache}
# The arms to run. The baseline uses no synthetic data, so lambda does not change it: a lambda = 0.5 sweep
# runs ARMS="synthetic corrected" and is reported together with the lambda = 1 sweep's baseline
# (motion-loop report on a folder holding both sweeps' runs; the verdict pairs them by seed).
ARMS=${ARMS:-baseline synthetic corrected}
STAGE1=$(( ${STAGE1_LAST:-6} + 1 ))  # generations of stage 1 (0..STAGE1_LAST)

worker() {  # NAME "ARM SEED GENERATIONS" ...
  local name=$1 job arm seed gens out rc
  shift
  for job in "$@"; do
    read -r arm seed gens <<< "$job"
    case " $ARMS " in *" $arm "*) ;; *) continue ;; esac
    if [ "$gens" = 1 ]; then out=$OUT/gen0_only/${arm}_seed$seed; else out=$OUT/runs/${arm}_seed$seed; fi
    mkdir -p "$out"
    echo "$(date -u +%FT%TZ) $name start $arm seed $seed generations $gens -> $out" >> "$OUT/progress.log"
    # shellcheck disable=SC2086  # EXTRA holds several overrides
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 HF_HUB_OFFLINE=1 MPLBACKEND=Agg \
      nice -n 10 "$ML" run experiment=cpu_faithful data.root="$DATA" eval.checkpoint="$EVALUATOR" \
        arm="$arm" loop.seed="$seed" loop.generations="$gens" cache_dir="$CACHE" \
        model.text.cache_dir="$TEXTCACHE" progress=false out_dir="$out" $EXTRA >> "$out/stdout.log" 2>&1
    rc=$?
    echo "$(date -u +%FT%TZ) $name end $arm seed $seed rc $rc" >> "$OUT/progress.log"
    if [ "$rc" != 0 ]; then  # a failed run stops its worker: the error is in $out/stdout.log
      echo "$(date -u +%FT%TZ) $name stopped: see $out/stdout.log" >> "$OUT/progress.log"
      return "$rc"
    fi
  done
}

mkdir -p "$OUT"
cd /tmp || exit 1  # a run started inside a checkout would import that checkout's code first
S=$STAGE1
worker w1 "synthetic 0 $S" "baseline 0 $S" "synthetic 1 $S" "synthetic 2 $S" "baseline 2 $S" \
  "synthetic 0 21" "baseline 0 21" "synthetic 1 21" "synthetic 2 21" "baseline 2 21" \
  > "$OUT/w1.log" 2>&1 < /dev/null &
sleep 20  # worker 1 takes seed 0's generation-0 lock first
worker w2 "baseline 1 1" "corrected 0 $S" "baseline 2 1" "corrected 1 $S" "baseline 1 $S" "corrected 2 $S" \
  "corrected 0 21" "corrected 1 21" "baseline 1 21" "corrected 2 21" \
  > "$OUT/w2.log" 2>&1 < /dev/null &
echo "two workers started; progress in $OUT/progress.log; each run's log in its stdout.log"
