#!/bin/bash
# Device check for issue 13 item 3 (and issue 14 item 4): the faithful preset's sweep, 3 arms x 3 seeds,
# all nine runs at once on one GPU, for as many generations as fit before DEADLINE seconds; then the
# sweep's verdict (`motion-loop report`). Writes $OUT/sweep.tgz (each run's config.yaml, metrics.csv,
# run.log, tensorboard; summary.json and report.html), refreshed every 30 s so a killed call still
# returns what was done.
#
# Needs .gpu/ made by benchmarks/device/prepare_carry.py with --text-cache (data subset, MiniLM caption
# cache, hydra/omegaconf, mujoco wheels) and an evaluator trained on the full import's train split in
# .gpu/evaluator.pt; the device tool runs it from the repository root with carry=[".gpu"]. Since
# session 7 a MiniLM-front-end evaluator works there too (it reads the carried caption cache, as the
# generator does): use it for metrics comparable with the CPU runs (session 7's sweep used a hashed one).
# Deviations from the preset (forced by the 64 MiB that travel) and results: docs/loop_measurement.md.
#
# ARMS, SEEDS and EXTRA (Hydra overrides for every run) narrow or change the sweep, e.g. generation 0
# of the published layout: ARMS=baseline EXTRA="model.temporal_conv_kernel=0 loop.generations=1".
# COHERENCE=1 adds benchmarks/model_coherence.py (4 prompts per content) on every run's generation 0.
# Dry run on this CPU (tiny settings, a few minutes):
#   PY=.venv/bin/python OUT=/tmp/dry DEADLINE=150 \
#     EXTRA="model=tiny train.steps=30 loop.finetune_steps=40 loop.plateau_min_passes=2 loop.eval_prompts=32" \
#     bash benchmarks/device/faithful_sweep.sh
set -u
T0=$(date +%s)
PY=${PY:-python3}
DEADLINE=${DEADLINE:-480}   # seconds after start at which the runs are stopped
EXTRA=${EXTRA:-}
ARMS=${ARMS:-baseline synthetic corrected}
SEEDS=${SEEDS:-0 1 2}
mkdir -p "$OUT"
if ! $PY -c "import mujoco" 2>/dev/null; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/whl/*.whl || exit 3
fi
export PYTHONPATH=$PWD:/tmp/site:$PWD/.gpu/site HF_HUB_OFFLINE=1 MPLBACKEND=Agg PYTHONUNBUFFERED=1
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null; nproc;
  $PY -c "import torch, mujoco; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'mujoco', mujoco.__version__)"; } > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"
S=/tmp/faithful_sweep
rm -rf "$S" /tmp/faithful_cache
COMMON="experiment=cpu_faithful data.root=$PWD/.gpu/data eval.checkpoint=$PWD/.gpu/evaluator.pt \
  model.text.cache_dir=$PWD/.gpu/textcache cache_dir=/tmp/faithful_cache loop.video_prompts=0 progress=false \
  train.log_every=10"
pack() {  # the small files of every run, atomically replaced
  (cd "$S" && find . \( -name metrics.csv -o -name config.yaml -o -name run.log -o -name 'events.out*' \
     -o -name summary.json -o -name report.html -o -name dropped_clips.json -o -name stdout.log -o -name coherence.json \) -print0 2>/dev/null |
     tar czf "$OUT/sweep.tgz.part" --null -T - 2>/dev/null) && mv "$OUT/sweep.tgz.part" "$OUT/sweep.tgz"
}
LEFT=$(( DEADLINE - ($(date +%s) - T0) ))
PIDS=()
for seed in $SEEDS; do
  for arm in $ARMS; do
    workers=""; [ $arm = corrected ] && workers="physics_execution.workers=3"
    mkdir -p "$S/${arm}_seed$seed"
    # shellcheck disable=SC2086
    timeout -k 10 $LEFT $PY -m motion_loop.cli run $COMMON arm=$arm loop.seed=$seed $workers $EXTRA \
      out_dir="$S/${arm}_seed$seed" > "$S/${arm}_seed$seed/stdout.log" 2>&1 &
    PIDS+=($!)
  done
done
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv -l 30 > "$OUT/gpu_util.csv" 2>/dev/null &
alive() { local n=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done; echo $n; }
while [ "$(alive)" -gt 0 ]; do sleep 30; pack; done
echo "runs stopped at $(( $(date +%s) - T0 )) s"
for f in "$S"/*/stdout.log; do echo "== $f"; tail -3 "$f"; done
if [ -n "${COHERENCE:-}" ]; then  # per-content coherence of each run's generation 0 (issue 16)
  for checkpoint in "$S"/*/gen_000/checkpoint.pt; do
    run=$(basename "$(dirname "$(dirname "$checkpoint")")")
    timeout 50 $PY benchmarks/model_coherence.py .gpu/data "$checkpoint" --per-content 4 --name "$run" \
      --out "$S/$run/coherence.json" --samples-dir "/tmp/coherence_samples/$run" > "$S/$run/coherence.log" 2>&1 &
  done
  wait
  tail -n 2 "$S"/*/coherence.log
fi
timeout 30 $PY -m motion_loop.cli report "$S" > "$OUT/report.log" 2>&1; echo "report rc=$?"
tail -30 "$OUT/report.log"
pack
echo "done at $(( $(date +%s) - T0 )) s"
