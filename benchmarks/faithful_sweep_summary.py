"""Summarise a faithful-preset sweep (benchmarks/device/faithful_sweep.sh) into one JSON result.

    tar xzf sweep.tgz -C SWEEP && motion-loop report SWEEP
    python benchmarks/faithful_sweep_summary.py SWEEP --out benchmarks/results/faithful_sweep_h200.json \
        --what "..." --machine "..."

    # generation 0 of two sweeps paired by seed (e.g. the preset against the published layout):
    python benchmarks/faithful_sweep_summary.py SWEEP --gen0-against OTHER_SWEEP --out ... --what "..."

Holds: the verdict's comparisons (SWEEP/summary.json), per run and generation the headline metrics, the
fit (steps, passes, loss) and the correction report, median stage times per arm, and the fine-tuning
loss curves (TensorBoard `train/loss_window`) averaged per arm relative to each fit's first 50 steps:
what the plateau rule saw.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from motion_loop.eval.metrics import interval_half_width
from motion_loop.eval.verdict import find_sweep_runs, one_run_per_arm_and_seed, swept_keys

ROW_KEYS = (
    "fid", "fid_ci95", "fid_infinity", "kid", "r_precision_top3", "matching_score", "diversity", "skate_mm",
    "skating_ratio", "float_mm", "penetrate_mm", "jerk", "foot_motion_median_ratio", "foot_motion_p95_ratio",
    "fit_steps", "fit_passes", "fit_loss_start", "fit_loss_end", "fit_plateau", "fit_seconds", "sample_seconds",
    "correct_seconds", "evaluate_seconds", "correction_fallback_rate", "correction_stiff_servos_rate",
    "correction_resets", "correction_flagged_rate", "correction_surface_skate_mm_before",
    "correction_surface_skate_mm_after", "correction_surface_float_mm_after", "correction_mpjpe_mm",
    "correction_cpu_seconds",
)  # fmt: skip
GEN0_KEYS = (
    "fid", "fid_infinity", "kid", "r_precision_top3", "matching_score", "diversity", "skate_mm", "skating_ratio",
    "jerk", "foot_motion_median_mm", "foot_motion_p95_mm", "foot_motion_median_ratio", "foot_motion_p95_ratio",
)  # fmt: skip
STAGES = ("fit_seconds", "sample_seconds", "correct_seconds", "evaluate_seconds")


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def loss_curves(sweep: Path, window: int = 50, horizon: int = 600) -> dict[str, list[dict[str, float]]]:
    """Per arm: mean over fine-tuning fits of each `window`-step loss window / the fit's first window."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    ratios: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for events in sorted(sweep.glob("*/tensorboard/train/gen_*/events.out*")):
        if events.parent.name == "gen_000":
            continue
        arm = events.parts[-5].rsplit("_seed", 1)[0]
        accumulator = EventAccumulator(str(events), size_guidance={"scalars": 0})
        accumulator.Reload()
        points = accumulator.Scalars("train/loss_window")
        if len(points) < 2:
            continue
        log_every = points[1].step - points[0].step
        steps = np.array([p.step for p in points]) - (points[0].step - log_every)  # 1-based within the fit
        values = np.array([p.value for p in points])
        first = values[steps <= window].mean()
        for end in range(window, horizon + 1, window):
            inside = (steps > end - window) & (steps <= end)
            if steps.max() >= end and inside.any():
                ratios[arm][end].append(float(values[inside].mean() / first))
    return {
        arm: [{"steps": end, "loss_over_first_window": float(np.mean(v)), "fits": len(v)} for end, v in sorted(by_end.items())]
        for arm, by_end in ratios.items()
    }  # fmt: skip


def generation0_pairs(sweep: Path, other: Path, arm: str = "baseline") -> dict[str, object]:
    """Generation 0 of `arm` in two sweeps, per seed, and sweep − other paired by seed (95 % t interval)."""
    ours = {run.seed: run.rows[0] for run in find_sweep_runs(sweep) if run.arm == arm and 0 in run.rows}
    theirs = {run.seed: run.rows[0] for run in find_sweep_runs(other) if run.arm == arm and 0 in run.rows}
    seeds = sorted(set(ours) & set(theirs))
    out: dict[str, object] = {"seeds": seeds, "sweep": {}, "other": {}, "sweep_minus_other": {}}
    for key in GEN0_KEYS:
        a = np.array([ours[seed][key] for seed in seeds])
        b = np.array([theirs[seed][key] for seed in seeds])
        difference = a - b
        half = interval_half_width(difference) if difference.size > 1 else math.nan
        out["sweep"][key], out["other"][key] = a.tolist(), b.tolist()
        out["sweep_minus_other"][key] = {
            "difference": float(difference.mean()),
            "ci95": [_finite(difference.mean() - half), _finite(difference.mean() + half)],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--what", default="")
    parser.add_argument("--machine", default="")
    parser.add_argument("--command", default="")
    parser.add_argument("--deviations", default="", help="JSON object: setting -> why it differs from the preset")
    parser.add_argument("--gen0-against", type=Path, default=None,
                        help="another sweep: write only generation 0 of the baseline arm of both, paired by seed")  # fmt: skip
    args = parser.parse_args()
    if args.gen0_against is not None:
        head = {"what": args.what, "machine": args.machine, "command": args.command,
                "deviations_from_the_preset": args.deviations}  # fmt: skip
        args.out.write_text(json.dumps(head | generation0_pairs(args.sweep, args.gen0_against), indent=1) + "\n")
        print(f"{args.out}: generation 0 of {args.sweep} against {args.gen0_against}")
        return
    found = find_sweep_runs(args.sweep)
    if swept := swept_keys(found):
        raise SystemExit(f"{args.sweep} holds runs with different {', '.join(swept)}: this summary keys runs by arm "
                         "and seed, so summarise each value's runs folder on its own")  # fmt: skip
    runs, left_out = one_run_per_arm_and_seed(found)  # e.g. a generation-0-only copy beside the full run
    for note in left_out:
        print(note)
    summary = json.loads((args.sweep / "summary.json").read_text())
    per_run, stage_times = {}, defaultdict(lambda: defaultdict(list))
    for run in runs:
        name = f"{run.arm}_seed{run.seed}"
        per_run[name] = {
            str(generation): {k: _finite(row[k]) for k in ROW_KEYS if k in row}
            for generation, row in sorted(run.rows.items())
        }
        for generation, row in run.rows.items():
            for stage in STAGES:
                evaluated = math.isfinite(row.get("fid", math.nan))
                if generation > 0 and stage in row and (stage != "evaluate_seconds" or evaluated):
                    stage_times[run.arm][stage].append(row[stage])
    result = {
        "what": args.what,
        "machine": args.machine,
        "command": args.command,
        "deviations_from_the_preset": json.loads(args.deviations) if args.deviations else {},
        "generations_done": {f"{r.arm}_seed{r.seed}": max(r.rows) for r in runs},
        "comparisons": summary["comparisons"],
        "median_stage_seconds_per_generation": {
            arm: {stage: float(np.median(v)) for stage, v in stages.items()} for arm, stages in stage_times.items()
        },
        "finetune_loss_curves": loss_curves(args.sweep),
        "runs": per_run,
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{args.out}: {len(summary['comparisons'])} comparisons, {len(runs)} runs")


if __name__ == "__main__":
    main()
