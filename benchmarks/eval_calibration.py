"""Calibration of the evaluation: which metric detects which degradation at which sample count N.

    nice python benchmarks/eval_calibration.py DATASET EVALUATOR.pt [--name bandai2] [--draws 8]

Real held-out clips (val + test) are compared with the real train split (the same distribution) and
with degraded copies of the held-out clips (motion_loop.eval.degrade):
  * noise σ: Gaussian noise σ · Std on every feature (σ = 0.1, 0.2, 0.4);
  * overtravel: the root's planar velocity (features 1-2) × 1.3, i.e. the feet skate;
  * mode_drop: only clips of half of the content labels (the collapse a self-consuming loop produces);
  * leg_jitter: the legs' features (hips, knees, ankles, feet, foot contacts) of each frame taken from
    a frame up to ±5 frames away, drawn frame by frame (legs jumping between gait phases, issue 16);
  * window_shuffle: frames shuffled within consecutive windows of 4 frames.
For each condition and N, `--draws` random subsets of N held-out clips (one random caption each) are
scored against the train split: FID, FID∞, KID, R-precision top-3, matching score, diversity, the
coherence measure (root-relative foot motion per frame, median and p95 [mm]) and the foot skate of the
joints (PhysDiff, mm/frame). The interval of a
condition is mean ± 1.96 std over the draws: the range of one evaluation at N. A degradation is
detected at N when that interval excludes the real-vs-real mean; `detected_r3` uses the interval of
the mean of 3 replications (1.96 std / √3); `separated` asks more: the difference exceeds 1.96 times
the pooled std of one real and one degraded evaluation. At N = all held-out clips (and for mode_drop
at N above its pool) subsets would all be the same set, so each draw is a bootstrap sample (with
repeats, flagged `bootstrap`): FID and KID of a sample with repeats are biased, equally for the real
and the degraded sets at the same N.
Writes benchmarks/results/eval_calibration_NAME.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_result  # noqa: E402

from motion_loop.data import skeleton as sk  # noqa: E402
from motion_loop.data.features import features_to_joints  # noqa: E402
from motion_loop.data.humanml3d import HumanML3DFolder  # noqa: E402
from motion_loop.eval.degrade import (  # noqa: E402
    LEG_JITTER_FRAMES,
    LEG_JOINTS,
    SHUFFLE_WINDOW,
    feature_noise,
    leg_jitter,
    root_overtravel,
    window_shuffle,
)
from motion_loop.eval.evaluation import reference_embeddings  # noqa: E402
from motion_loop.eval.evaluator import MAX_FRAMES, Evaluator  # noqa: E402
from motion_loop.eval.metrics import (  # noqa: E402
    _fid_eigh,
    diversity,
    fid_infinity,
    kid,
    r_precision_and_matching,
)
from motion_loop.eval.plausibility import clip_plausibility  # noqa: E402

OVERTRAVEL = 1.3
NOISE_SIGMAS = (0.1, 0.2, 0.4)
METRICS = ("fid", "fid_infinity", "kid", "r_precision_top3", "matching_score", "diversity",
           "feet_rel_mm_median", "feet_rel_mm_p95", "skate_mm")  # fmt: skip


def clip_defects(clip: np.ndarray) -> tuple[np.ndarray, float]:
    """Root-relative foot displacement per frame [mm] (all foot joints and frames) and the PhysDiff
    foot skate [mm/frame] of one clip's features (T, 263)."""
    feet = list(sk.LEFT_FOOT_JOINTS + sk.RIGHT_FOOT_JOINTS)
    joints = features_to_joints(clip)  # (T, 22, 3) [m]
    relative = joints[:, feet] - joints[:, :1]
    steps = 1000.0 * np.linalg.norm(np.diff(relative, axis=0), axis=-1).reshape(-1)
    return steps, float(clip_plausibility(joints, features=clip).skate_mm)


def degraded_sets(clips: list[np.ndarray], std: np.ndarray, rng: np.random.Generator) -> dict[str, list[np.ndarray]]:
    sets = {"real": clips}
    for sigma in NOISE_SIGMAS:
        sets[f"noise_{sigma:g}"] = [feature_noise(c, sigma, std, rng) for c in clips]
    sets["overtravel"] = [root_overtravel(c, OVERTRAVEL) for c in clips]
    sets["leg_jitter"] = [leg_jitter(c, rng) for c in clips]
    sets["window_shuffle"] = [window_shuffle(c, rng) for c in clips]
    return sets


def score(
    motion: np.ndarray, text: np.ndarray, defects: list[tuple[np.ndarray, float]], reference: np.ndarray,
    ref_stats_rng: np.random.Generator,
) -> dict[str, float]:
    N = motion.shape[0]
    out = {"fid": _fid_eigh(reference, motion)}
    out["fid_infinity"] = fid_infinity(reference, motion, ref_stats_rng, draws=1).value
    out["kid"] = kid(reference, motion, ref_stats_rng, subsets=50).mean
    matching = r_precision_and_matching(text, motion, ref_stats_rng)
    out["r_precision_top3"], out["matching_score"] = float(matching.r_precision[-1]), matching.matching_score
    out["diversity"] = diversity(motion, min(300, N), ref_stats_rng)
    steps = np.concatenate([d[0] for d in defects])
    out["feet_rel_mm_median"], out["feet_rel_mm_p95"] = float(np.median(steps)), float(np.percentile(steps, 95))
    out["skate_mm"] = float(np.mean([d[1] for d in defects]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("evaluator", type=Path)
    parser.add_argument("--name", default="bandai2")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--draws", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--conditions", nargs="+", default=[], help="only these conditions (real is always kept)")
    parser.add_argument("--max-clips", type=int, default=0, help="use only this many held-out clips (a quick check)")
    args = parser.parse_args()
    start = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    folder = HumanML3DFolder(args.dataset)
    evaluator = Evaluator.load(args.evaluator)
    _, std = folder.mean_std()
    ids = [i for split in ("val", "test") for i in folder.ids(split)]
    if args.max_clips:
        ids = list(np.random.default_rng(args.seed).permutation(ids)[: args.max_clips])
    clips, captions, labels = [], [], []
    for clip_id in ids:
        features = folder.features(clip_id)[:MAX_FRAMES]
        if len(features) < 40:
            continue
        clips.append(features.astype(np.float64))
        captions.append([c.text for c in folder.captions(clip_id)])
        labels.append(clip_id.split("_")[1])  # dataset-2_<content>_<style>_...
    total = len(clips)
    sizes = sorted({min(n, total) for n in args.sizes} | {total})
    content = sorted(set(labels))
    kept = set(np.random.default_rng(args.seed + 1).permutation(content)[: len(content) // 2])
    mode_pool = np.array([i for i, label in enumerate(labels) if label in kept])
    print(f"{total} held-out clips, {len(content)} contents; mode_drop keeps {sorted(kept)} ({len(mode_pool)} clips)", flush=True)
    reference = reference_embeddings(evaluator, folder, "train").motion  # (N_train, D)
    sets = degraded_sets(clips, std, rng)
    if args.conditions:
        sets = {name: motions for name, motions in sets.items() if name == "real" or name in args.conditions}
    embedded = {name: evaluator.embed_motion(motions) for name, motions in sets.items()}
    defects = {name: [clip_defects(m) for m in motions] for name, motions in sets.items()}
    print(f"embedded {len(sets)} conditions in {time.perf_counter() - start:.0f} s", flush=True)
    conditions = [*sets] + (["mode_drop"] if not args.conditions or "mode_drop" in args.conditions else [])
    results: dict[str, dict[str, dict[str, object]]] = {}
    for name in conditions:
        source = "real" if name == "mode_drop" else name
        pool = mode_pool if name == "mode_drop" else np.arange(total)
        results[name] = {}
        for N in sizes:
            # Subsets of the whole pool would all be the same set: draw a bootstrap sample instead.
            bootstrap = N >= len(pool)
            values: dict[str, list[float]] = {m: [] for m in METRICS}
            for _ in range(args.draws):
                index = rng.choice(pool, N, replace=bootstrap)
                text = evaluator.embed_text([captions[i][rng.integers(len(captions[i]))] for i in index])
                row = score(embedded[source][index], text, [defects[source][i] for i in index], reference, rng)
                for metric, value in row.items():
                    values[metric].append(value)
            results[name][str(N)] = {"bootstrap": bootstrap} | {
                metric: {"mean": float(np.mean(v)), "std": float(np.std(v, ddof=1)), "values": v} for metric, v in values.items()
            }
            print(f"{name} N={N}: " + ", ".join(f"{m} {np.mean(v):.4g}±{1.96 * np.std(v, ddof=1):.2g}" for m, v in values.items()), flush=True)
    detection = detect(results, sizes)
    write_result(f"eval_calibration_{args.name}", {
        "dataset": str(args.dataset), "evaluator": str(args.evaluator), "evaluator_info": {
            k: v for k, v in evaluator.info.items() if k != "history"}, "held_out_clips": total,
        "sizes": sizes, "draws": args.draws, "mode_drop_contents": sorted(kept), "mode_drop_pool": int(len(mode_pool)),
        "settings": {"noise_sigmas": NOISE_SIGMAS, "overtravel": OVERTRAVEL, "jitter_frames": LEG_JITTER_FRAMES,
                     "shuffle_window": SHUFFLE_WINDOW, "leg_joints": LEG_JOINTS},
        "results": results, "detection": detection, "seconds": time.perf_counter() - start,
    })  # fmt: skip
    print(markdown(results, detection, sizes))
    return 0


def detect(results: dict, sizes: list[int]) -> dict[str, dict[str, dict[str, dict[str, bool]]]]:
    """Per condition, N and metric: does its 95 % interval (1 and 3 replications) exclude real's mean?"""
    out: dict = {}
    for name, by_size in results.items():
        if name == "real":
            continue
        out[name] = {}
        for N in sizes:
            cell, real = by_size.get(str(N), {}), results["real"].get(str(N), {})
            out[name][str(N)] = {}
            for metric in METRICS:
                mean, std, base = cell[metric]["mean"], cell[metric]["std"], real[metric]["mean"]
                pooled = np.hypot(std, real[metric]["std"])
                out[name][str(N)][metric] = {
                    "detected": bool(abs(mean - base) > 1.96 * std),
                    "detected_r3": bool(abs(mean - base) > 1.96 * std / np.sqrt(3)),
                    "separated": bool(abs(mean - base) > 1.96 * pooled),
                }
    return out


def markdown(results: dict, detection: dict, sizes: list[int]) -> str:
    lines = ["| condition | N | " + " | ".join(METRICS) + " |", "|---|---|" + "---|" * len(METRICS)]
    for name, by_size in results.items():
        for N in sizes:
            cell = by_size[str(N)]
            parts = []
            for metric in METRICS:
                mark = ""
                if name != "real":
                    flags = detection[name][str(N)][metric]
                    mark = " **✓✓**" if flags["separated"] else (" **✓**" if flags["detected"] else (" (✓3)" if flags["detected_r3"] else ""))
                parts.append(f"{cell[metric]['mean']:.3g} ± {1.96 * cell[metric]['std']:.2g}{mark}")
            lines.append(f"| {name} | {N} | " + " | ".join(parts) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
