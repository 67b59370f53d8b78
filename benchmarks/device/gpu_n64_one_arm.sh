#!/bin/bash
# Device check for issue 13 item 5: one arm (synthetic) of the published n = 64 preset (gpu_n64) with
# bf16 training, a few generations, on the device machine's GPU. Writes logs and metrics to $OUT.
# Needs .gpu/ made by benchmarks/device/prepare_carry.py (data subset, hydra/omegaconf, mujoco wheels);
# the device tool runs it from the repository root with carry=[".gpu"]. Results and the preset's
# deviations: benchmarks/results/gpu_n64_h200.json, docs/loop_measurement.md ("GPU").
set -u
T0=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/whl/*.whl || exit 3
export PYTHONPATH=$PWD:/tmp/site:$PWD/.gpu/site HF_HUB_OFFLINE=1 MPLBACKEND=Agg PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee $OUT/machine.txt
nproc >> $OUT/machine.txt
python3 -c "import torch, mujoco, hydra; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'mujoco', mujoco.__version__)" 2>&1 | tee -a $OUT/machine.txt
COMMON="data=bandai_namco data.root=$PWD/.gpu/data arm=synthetic model.text.name=hash eval.model.text_frontend=hashed loop.video_prompts=0 progress=false"
echo "== smoke (tiny model, device code paths) $(( $(date +%s) - T0 )) s"
timeout 120 python3 -m motion_loop.cli run experiment=gpu_n64 $COMMON model=tiny train.steps=20 loop.finetune_steps=10 \
  diffusion.steps=50 loop.generations=2 loop.eval_prompts=64 eval.metrics.replications=1 eval.train.epochs=2 \
  out_dir=/tmp/smoke > $OUT/smoke.log 2>&1
RC=$?; tail -5 $OUT/smoke.log
if [ $RC -ne 0 ]; then echo "smoke failed rc=$RC"; tail -60 $OUT/smoke.log; exit 1; fi
echo "== main run $(( $(date +%s) - T0 )) s"
R=/tmp/gpu_n64
( while sleep 10; do cp $R/metrics.csv $OUT/ 2>/dev/null; cp $R/run.log $OUT/ 2>/dev/null; done ) &
COPIER=$!
LEFT=$(( 500 - ($(date +%s) - T0) ))
timeout $LEFT python3 -m motion_loop.cli run experiment=gpu_n64 $COMMON train.precision=bf16 \
  loop.generations=4 loop.eval_every=3 loop.eval_prompts=256 eval.metrics.replications=1 \
  out_dir=$R > $OUT/main.log 2>&1 &
MAIN=$!
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv -l 15 > $OUT/gpu_util.csv 2>&1 &
wait $MAIN; echo "main rc=$? at $(( $(date +%s) - T0 )) s"
kill $COPIER; cp $R/metrics.csv $R/run.log $OUT/ 2>/dev/null
tail -25 $OUT/main.log
python3 - <<'PY'
import csv, os
p = os.environ["OUT"] + "/metrics.csv"
if os.path.exists(p):
    for r in csv.DictReader(open(p)):
        keys = ["generation", "fit_steps", "fit_seconds", "sample_seconds", "evaluate_seconds", "store_seconds", "n_samples", "fid", "r_precision_top3"]
        print({k: r.get(k) for k in keys})
PY
