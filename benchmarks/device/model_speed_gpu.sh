#!/bin/bash
# Device check: training steps/s (float32 vs bf16, batch 64) and DDIM-50 sampling clips/s at batch 64 and
# 1024 for the published-size model (mdm) and small, on the GPU. JSON to $OUT.
set -u
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/whl/*.whl || exit 3
export PYTHONPATH=$PWD:/tmp/site:$PWD/.gpu/site HF_HUB_OFFLINE=1 MPLBACKEND=Agg PYTHONUNBUFFERED=1
timeout 140 python3 benchmarks/model_speed.py --device cuda --presets mdm small --precisions float32 bf16 \
  --batch-size 64 --train-steps 40 --repeats 3 --clips 64 --ddpm-repeats 0 --guidance 1 --ddim-steps 50 \
  --out $OUT/model_speed_h200_clips64.json 2>&1 | grep -v "^Loading"
timeout 90 python3 benchmarks/model_speed.py --device cuda --presets mdm --precisions bf16 \
  --batch-size 64 --train-steps 5 --repeats 3 --clips 1024 --ddpm-repeats 0 --guidance 1 --ddim-steps 50 \
  --out $OUT/model_speed_h200_clips1024.json 2>&1 | grep -v "^Loading"
