"""Paired comparison of two `physics_generated.py` results on the same prompts (A against B).

    python benchmarks/physics_generated_paired.py A.json B.json --names off on \
        --out benchmarks/results/physics_generated_geometric_losses.json --what "..."
    # with the root-relative foot motion of the samples (motion_loop.eval.coherence) against the real clips:
    ... --samples WORK/samples_HASH_A WORK/samples_HASH_B --data ~/data/bandai2

Both runs must have corrected the same prompts in the same order (same --seed, --split, --per-content:
the clip ids are checked). Per clip-level field, the mean of B - A over clips with a 95 % bootstrap
interval over clips (paired: each clip's two samples share a prompt and a caption); per run, the
summary rates and R@3 as `physics_generated.py` wrote them. With --samples, the pooled foot motion
per frame (median, p95) of the locomotion clips of each run against their real clips, with the
bootstrap intervals of `set_coherence`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from common import bootstrap_interval

from motion_loop.eval.coherence import set_coherence

PAIRED_FIELDS = (
    "surface_skate_mm_before", "skate_mm_before", "surface_float_mm_before", "surface_penetrate_mm_before",
    "input_residual_pct_bw", "surface_skate_mm_after", "residual_force_pct_bw", "mpjpe_mm",
)  # fmt: skip
RUN_FIELDS = ("fallback_rate", "reset_rate", "flagged_rate", "unprojectable_rate", "r3_input", "r3_input_ci95",
              "r3_corrected", "r3_corrected_ci95", "surface_skate_mm_before", "surface_skate_mm_after")
LOCOMOTION = ("run", "walk", "walk-turn-left", "walk-turn-right")
_BOOTSTRAP, _SEED = 10_000, 0


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict[str, object]:
    """Mean of b - a over clips with a 95 % bootstrap interval over clips."""
    low, high = bootstrap_interval(b - a, _SEED, _BOOTSTRAP)
    return {"a": float(a.mean()), "b": float(b.mean()), "difference": float((b - a).mean()),
            "ci95": [low, high], "detected": bool(low > 0 or high < 0)}


def coherence_of(samples: Path, data: Path, clips: list[dict]) -> dict[str, object]:
    """Pooled foot motion of the locomotion samples and of their real clips [mm/frame]."""
    picks = [k for k, clip in enumerate(clips) if clip["content"] in LOCOMOTION]
    generated = set_coherence([np.load(samples / "new_joints" / f"{k:06d}.npy") for k in picks])
    real = set_coherence([np.load(data / "new_joints" / f"{clips[k]['id']}.npy") for k in picks])
    return {"clips": len(picks), "foot_median": vars(generated.foot_median), "foot_p95": vars(generated.foot_p95),
            "real_foot_median": real.foot_median.value, "real_foot_p95": real.foot_p95.value,
            "foot_median_ratio": generated.foot_median.value / real.foot_median.value,
            "foot_p95_ratio": generated.foot_p95.value / real.foot_p95.value}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--names", nargs=2, default=["a", "b"])
    parser.add_argument("--samples", nargs=2, type=Path, help="the two runs' cached sample folders (HumanML3D layout)")
    parser.add_argument("--data", type=Path, help="the import the prompts came from (with --samples)")
    parser.add_argument("--what", default="", help="what differs between A and B, in words")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    runs = [json.loads(path.read_text()) for path in (args.a, args.b)]
    ids = [[clip["id"] for clip in run["clips"]] for run in runs]
    if ids[0] != ids[1]:
        parser.error("the two results corrected different prompts; run both with the same --seed/--split/--per-content")
    paired = {field: paired_difference(*(np.array([float(c[field]) for c in run["clips"]]) for run in runs))
              for field in PAIRED_FIELDS}
    result: dict[str, object] = {
        "what": args.what, "names": args.names, "inputs": [str(args.a), str(args.b)],
        "commands": [run["meta"]["command"] for run in runs], "clips": len(ids[0]),
        "paired_b_minus_a": paired,
        "runs": {name: {key: run["overall"].get(key) for key in RUN_FIELDS} for name, run in zip(args.names, runs, strict=True)},
        "per_content_skate_before": {
            content: {name: run["per_content"][content]["surface_skate_mm_before"] for name, run in zip(args.names, runs, strict=True)}
            for content in runs[0]["per_content"]},
    }
    if args.samples:
        if args.data is None:
            parser.error("--samples needs --data (the real clips of the prompts)")
        result["coherence_locomotion"] = {name: coherence_of(folder, args.data, runs[0]["clips"])
                                          for name, folder in zip(args.names, args.samples, strict=True)}
    for field, row in paired.items():
        print(f"{field:28s} {args.names[0]} {row['a']:7.2f}  {args.names[1]} {row['b']:7.2f}  "
              f"difference {row['difference']:+.2f} [{row['ci95'][0]:+.2f}, {row['ci95'][1]:+.2f}]")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
