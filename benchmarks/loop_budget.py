"""Wall time of a loop sweep from measured speeds: does 3 arms × 3 seeds × G generations fit in 8 hours?

    nice python benchmarks/loop_budget.py --speed benchmarks/results/model_speed_faithful.json \\
        --preset cpu_faithful --physics-s-per-clip 2.0 --processes 2

Cost model of one run of a preset (every number from the composed preset and the speed JSON):
  generation 0 = train.steps / steps_per_s (shared by the arms of a seed through the cache);
  generation g = fine-tuning steps / steps_per_s
               + synthetic clips (λ · n) / clips_per_s            (synthetic and corrected arms)
               + synthetic clips · physics_s_per_clip             (corrected arm)
               + eval_prompts · replications / clips_per_s / eval_every.
Fine-tuning steps are the cap (loop.finetune_steps) unless --finetune-steps says how many the plateau
rule used. The sweep runs on `--processes` single-threaded processes in parallel (one per core).
Writes benchmarks/results/loop_budget_PRESET.json.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from omegaconf import OmegaConf

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_result  # noqa: E402

from motion_loop.cli.hydra_utils import compose_config  # noqa: E402

ARMS = ("baseline", "synthetic", "corrected")
HOURS = 8.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed", type=Path, required=True, help="a model_speed JSON with the preset's model")
    parser.add_argument("--model", default="small")
    parser.add_argument("--preset", default="cpu_faithful")
    parser.add_argument("--precision", default="float32", choices=["float32", "bf16"])
    parser.add_argument("--sampler-key", default="ddim20_guidance1")
    parser.add_argument("--physics-s-per-clip", type=float, default=2.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--finetune-steps", type=int, default=0, help="steps per generation (0 = the preset's cap)")
    parser.add_argument("--overrides", nargs="*", default=[])
    parser.add_argument("--steps-per-s", type=float, default=0.0, help="use this training speed instead of the JSON's")
    parser.add_argument("--clips-per-s", type=float, default=0.0, help="use this sampling speed instead of the JSON's")
    parser.add_argument("--name", default="", help="suffix of the result file")
    args = parser.parse_args()
    speed = json.loads(args.speed.read_text())["presets"][args.model]
    suffix = "" if args.precision == "float32" else f"_{args.precision}"
    steps_per_s = args.steps_per_s or speed[f"train_steps_per_s{suffix}_median"]
    clips_per_s = args.clips_per_s or speed[f"sample_{args.sampler_key}_clips_per_s_median"]
    config = OmegaConf.to_object(compose_config("run", [f"experiment={args.preset}", "data.root=/x", *args.overrides]))
    loop, metrics = config.loop, config.eval.metrics
    finetune = args.finetune_steps or loop.finetune_steps
    synthetic = round(loop.synthetic_ratio * loop.n_train)
    evaluation = loop.eval_prompts * metrics.replications / clips_per_s / max(loop.eval_every, 1)
    per_generation = {
        arm: finetune / steps_per_s + evaluation
        + (synthetic / clips_per_s if arm != "baseline" else 0.0)
        + (synthetic * args.physics_s_per_clip if arm == "corrected" else 0.0)
        for arm in ARMS
    }  # fmt: skip
    generation0 = config.train.steps / steps_per_s + evaluation
    later = loop.generations - 1
    total = args.seeds * (generation0 + later * sum(per_generation.values()))
    wall = total / args.processes
    budget = HOURS * 3600 * args.processes - args.seeds * generation0
    fixed = sum(per_generation[arm] - finetune / steps_per_s for arm in ARMS)
    affordable = max(0.0, (budget / (args.seeds * later) - fixed) / len(ARMS)) * steps_per_s
    mix = loop.n_train + synthetic
    result = {
        "preset": args.preset, "overrides": args.overrides, "model": args.model, "precision": args.precision,
        "speed_file": str(args.speed), "train_steps_per_s": steps_per_s, "sample_clips_per_s": clips_per_s,
        "physics_s_per_clip": args.physics_s_per_clip, "processes": args.processes, "seeds": args.seeds,
        "generations": loop.generations, "finetune_steps": finetune,
        "finetune_passes_over_mix": finetune * config.train.batch_size / mix,
        "generation0_s": generation0, "per_generation_s": per_generation,
        "sweep_wall_hours": wall / 3600, "fits_in_8_hours": wall <= HOURS * 3600,
        "affordable_finetune_steps": math.floor(affordable),
        "affordable_finetune_passes_over_mix": math.floor(affordable) * config.train.batch_size / mix,
        "published_passes_over_mix": 1000 * 64 / 128,
    }  # fmt: skip
    write_result(f"loop_budget_{args.preset}{'_' + args.name if args.name else ''}", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
