#!/bin/bash
# The runs of docs/model.md "Temporal coherence" (issue 16): the reference (cpu_small gen-0 settings) and
# the temporal-conv variant trained alternately in chunks with exact resume, both measured by
# benchmarks/model_coherence.py after each chunk. After STOP_AT (HH:MM) only the reference continues to
# 1500 steps; its final checkpoint is copied to $OUT/models/small_bandai2_default/checkpoint.pt (the
# default model of benchmarks/physics_generated.py's documented command).
# Usage: DATA=~/data/bandai2 OUT=~/runs bash benchmarks/coherence_runs.sh   (from the repository root)
DATA=${DATA:?set DATA to a Bandai-Namco 2 import (motion-loop data import ... --out DIR)}
OUT=${OUT:-runs}
C=$OUT/coherence
STOP_AT=${STOP_AT:-23:59}
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 MPLBACKEND=Agg OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=.venv/bin/python
train() {  # OUT STEPS overrides...
  OUT=$1; S=$2; shift 2
  RES=""; [ -f $OUT/checkpoint.pt ] && RES="resume_from=$OUT/checkpoint.pt"
  date +"%T start $OUT -> $S"
  nice -n 10 $PY -m motion_loop.cli train data.root="$DATA" model=small \
    train.steps=$S train.batch_size=32 train.lr=0.0002 train.warmup_steps=100 train.log_every=50 train.save_every=50 \
    train.progress=false threads=1 model.text.cache_dir=$C/textcache out_dir=$OUT $RES "$@" || exit 1
  cp $OUT/checkpoint.pt $OUT/step$S.pt
  date +"%T done $OUT -> $S"
}
measure() {  # NAME CKPT
  nice -n 10 $PY benchmarks/model_coherence.py "$DATA" $2 --name $1 --per-content 4 --threads 1 || true
}
for S in 200 400 600 800 1000 1200 1500; do
  if [[ "$(date +%H:%M)" > "$STOP_AT" ]]; then break; fi
  train $C/ref $S
  train $C/conv $S model.temporal_conv_kernel=3 model.temporal_conv_placement=interleaved
  measure ref $C/ref/step$S.pt
  measure conv3 $C/conv/step$S.pt
done
train $C/ref 1500
mkdir -p $OUT/models/small_bandai2_default
cp $C/ref/step1500.pt $OUT/models/small_bandai2_default/checkpoint.pt
measure ref $C/ref/step1500.pt
date +"%T all done"
