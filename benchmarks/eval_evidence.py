"""Evidence that the evaluator and metrics behave: numbers for one HumanML3D-layout dataset.

    nice python benchmarks/eval_evidence.py DATASET NAME [--evaluator PATH] [--heldout SPLIT] [overrides]

Trains an evaluator on DATASET's train split (or loads --evaluator), then measures against the
held-out split (default test):
* heldout vs itself (random crops/captions): FID ~ 0; train split vs heldout: FID small;
* R-precision top-1/2/3 of real pairs and with shuffled captions (chance: 1/32, 2/32, 3/32);
* the noise curve: Gaussian noise sigma * Std added to the held-out features -> FID, R@3, plausibility;
* plausibility of the real joints vs jittered copies (joint noise 1, 2, 5 cm);
* FID of Gaussian embeddings vs the closed form.
Writes benchmarks/results/eval_NAME.json (and docs/eval_noise_curve_NAME.png with --plot).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_result  # noqa: E402

from motion_loop.data.humanml3d import HumanML3DFolder  # noqa: E402
from motion_loop.eval.config import (  # noqa: E402
    EvaluatorModelConfig,
    EvaluatorTrainConfig,
    MetricsConfig,
    PlausibilityConfig,
)
from motion_loop.eval.evaluation import evaluate_motions, reference_embeddings, split_motions  # noqa: E402
from motion_loop.eval.evaluator import Evaluator, train_evaluator  # noqa: E402
from motion_loop.eval.metrics import frechet_distance, gaussian_stats  # noqa: E402
from motion_loop.eval.plausibility import clip_plausibility  # noqa: E402

NOISE_SIGMAS = (0.0, 0.05, 0.1, 0.2, 0.4, 0.8)  # x dataset Std, in feature space
JITTER_M = (0.0, 0.01, 0.02, 0.05)  # joint jitter [m]
PLAUS_KEYS = ("penetrate_mm", "float_mm", "skate_mm", "skating_ratio", "jerk", "contact_consistency")


def _summary(result) -> dict[str, dict[str, float]]:  # noqa: ANN001
    return {name: {"mean": r.mean, "ci95": r.to_dict()["ci95"]} for name, r in result.records.items() if r.available}


def gaussian_fid_check(rng: np.random.Generator, D: int = 512, N: int = 4000) -> dict[str, float]:
    shift, scale = 0.1, 1.2
    a = rng.normal(size=(N, D))
    b = rng.normal(size=(N, D)) * scale + shift
    closed = D * shift**2 + D * (scale - 1) ** 2
    sa, sb = gaussian_stats(a), gaussian_stats(b)
    empirical = frechet_distance(sa.mu, sa.sigma, sb.mu, sb.sigma)
    # the same from the exact population statistics: must equal the closed form to rounding
    exact = frechet_distance(np.zeros(D), np.eye(D), np.full(D, shift), np.eye(D) * scale**2)
    return {"D": D, "N": N, "closed_form": closed, "fid_population_stats": exact, "fid_samples": empirical}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("name")
    parser.add_argument("--evaluator", type=Path, default=None, help="load instead of training")
    parser.add_argument("--save", type=Path, default=None, help="save the trained evaluator here")
    parser.add_argument("--heldout", default="test")
    parser.add_argument("--frontend", default="minilm")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--width", type=int, default=256, help="motion conv channels and GRU hidden size")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--diversity-times", type=int, default=300)
    parser.add_argument("--plot", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1: shared CPUs)")
    args = parser.parse_args()
    # On a loaded shared machine 2 intra-op threads were 15x slower per step than 1 (spin contention).
    torch.set_num_threads(args.threads)

    folder = HumanML3DFolder(args.dataset)
    rng = np.random.default_rng(0)
    payload: dict[str, object] = {"dataset": str(args.dataset), "heldout_split": args.heldout}
    if args.evaluator is not None:
        evaluator = Evaluator.load(args.evaluator)
        payload["evaluator"] = {"loaded": str(args.evaluator), **evaluator.info.get("history", {})}
    else:
        model = EvaluatorModelConfig(text_frontend=args.frontend, motion_conv=args.width, motion_hidden=args.width)
        train = EvaluatorTrainConfig(epochs=args.epochs, batch_size=args.batch_size)
        evaluator, history = train_evaluator(folder, model, train, log=lambda m: print(m, file=sys.stderr, flush=True))
        payload["evaluator"] = {"model": asdict(model), "train": asdict(train), "torch_threads": args.threads, **asdict(history)}
        if args.save is not None:
            evaluator.save(args.save)
    cfg = MetricsConfig(replications=args.replications, diversity_times=args.diversity_times)
    plaus = PlausibilityConfig(physics="off")

    start = time.perf_counter()
    reference = reference_embeddings(evaluator, folder, args.heldout)
    payload["reference_seconds"] = time.perf_counter() - start
    payload["reference_clips"] = int(reference.motion.shape[0])
    heldout_sets = [split_motions(folder, args.heldout, rng) for _ in range(args.replications)]
    start = time.perf_counter()
    itself = evaluate_motions(evaluator, heldout_sets, reference, cfg, rng, plausibility=plaus)
    payload["evaluate_seconds"] = time.perf_counter() - start
    payload["heldout_vs_itself"] = _summary(itself)
    train_sets = [split_motions(folder, "train", rng) for _ in range(2)]
    payload["train_vs_heldout"] = _summary(evaluate_motions(evaluator, train_sets, reference, cfg, rng))
    shuffled = [[replace(m, caption=s[i].caption, tokens=s[i].tokens) for m, i in zip(s, rng.permutation(len(s)), strict=True)] for s in heldout_sets]
    payload["heldout_shuffled_captions"] = _summary(evaluate_motions(evaluator, shuffled, reference, cfg, rng))
    payload["chance_r_precision"] = [1 / 32, 2 / 32, 3 / 32]

    _, std = folder.mean_std()
    curve = []
    for sigma in NOISE_SIGMAS:
        noisy = [[replace(m, features=m.features + sigma * std * rng.normal(size=m.features.shape)) for m in s] for s in heldout_sets]
        result = evaluate_motions(evaluator, noisy, reference, cfg, rng, plausibility=plaus)
        row = {"sigma": sigma, **{k: result[k].mean for k in ("fid", "r_precision_top3", "matching_score", "diversity", *PLAUS_KEYS)}}
        row["fid_ci95"] = result["fid"].to_dict()["ci95"]
        curve.append(row)
        print(f"noise {sigma}: {row}", file=sys.stderr, flush=True)
    payload["noise_curve"] = curve
    payload["noise_curve_monotonic"] = {
        k: bool(np.all(np.diff([row[k] for row in curve]) > 0)) for k in ("fid", "jerk", "skate_mm", "penetrate_mm")
    }

    jitter_rows = []
    ids = folder.ids(args.heldout)
    for jitter in JITTER_M:
        values: dict[str, list[float]] = {}
        for clip_id in ids:
            joints = folder.joints(clip_id)
            joints = joints + jitter * rng.normal(size=joints.shape)
            clip = clip_plausibility(joints)
            for key in PLAUS_KEYS[:-1]:
                values.setdefault(key, []).append(getattr(clip, key))
        jitter_rows.append({"jitter_m": jitter, "clips": len(ids), **{k: float(np.mean(v)) for k, v in values.items()}})
    payload["real_vs_jittered_joints"] = jitter_rows
    payload["gaussian_fid_check"] = gaussian_fid_check(rng)
    write_result(f"eval_{args.name}", payload)
    if args.plot:
        plot_curve(curve, Path(__file__).resolve().parents[1] / "docs" / f"eval_noise_curve_{args.name}.png", args.name)


def plot_curve(curve: list[dict[str, float]], path: Path, name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sigma = [row["sigma"] for row in curve]
    keys = ("fid", "r_precision_top3", "jerk", "skate_mm", "penetrate_mm", "contact_consistency")
    fig, axes = plt.subplots(1, len(keys), figsize=(3.0 * len(keys), 2.6))
    for ax, key in zip(axes, keys, strict=True):
        ax.plot(sigma, [row[key] for row in curve], "o-")
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("noise sigma (x Std)", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"metrics vs injected feature noise ({name}, held-out split)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
