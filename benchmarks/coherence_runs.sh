#!/bin/bash
# The runs of docs/model.md "Temporal coherence" (issue 16), as run on the shared 2-core machine:
# reference (cpu_small gen-0 settings) and temporal-conv variant alternate in chunks with exact resume,
# both measured by benchmarks/model_coherence.py after each chunk. Paths are those of that session.
# Alternating training of the reference (cpu_small gen-0 settings) and the temporal-conv variant, with
# exact resume, and a coherence measurement of both after each round. After STOP_AT (HH:MM) only the
# reference continues to 1500 steps (its final checkpoint goes to /tmp/ml-cache/models/small_bandai2_default).
C=/tmp/ml-cache/coherence
STOP_AT=${STOP_AT:-14:05}
cd /work/wt/coherence
export PYTHONPATH=/work/wt/coherence MOTION_LOOP_SHARED_DATA=/work/shared/data HF_HUB_OFFLINE=1 MPLBACKEND=Agg OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=/work/main/.venv/bin/python
train() {  # OUT STEPS overrides...
  OUT=$1; S=$2; shift 2
  RES=""; [ -f $OUT/checkpoint.pt ] && RES="resume_from=$OUT/checkpoint.pt"
  date +"%T start $OUT -> $S"
  nice -n 10 $PY -m motion_loop.cli train data.root=/tmp/ml-cache/bandai2 model=small \
    train.steps=$S train.batch_size=32 train.lr=0.0002 train.warmup_steps=100 train.log_every=50 train.save_every=50 \
    train.progress=false threads=1 model.text.cache_dir=$C/textcache out_dir=$OUT $RES "$@" || exit 1
  cp $OUT/checkpoint.pt $OUT/step$S.pt
  date +"%T done $OUT -> $S"
}
measure() {  # NAME CKPT
  nice -n 10 $PY benchmarks/model_coherence.py /tmp/ml-cache/bandai2 $2 --name $1 --per-content 4 --threads 1 || true
}
for S in 200 400 600 800 1000 1200 1500; do
  if [[ "$(date +%H:%M)" > "$STOP_AT" ]]; then break; fi
  train $C/ref $S
  train $C/conv $S model.temporal_conv_kernel=3 model.temporal_conv_placement=interleaved
  measure ref $C/ref/step$S.pt
  measure conv3 $C/conv/step$S.pt
done
train $C/ref 1500
mkdir -p /tmp/ml-cache/models/small_bandai2_default
cp $C/ref/step1500.pt /tmp/ml-cache/models/small_bandai2_default/checkpoint.pt
measure ref $C/ref/step1500.pt
date +"%T all done"
