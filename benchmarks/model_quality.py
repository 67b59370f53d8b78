"""Quality of the diffusion model on a real dataset, scored by the tool's evaluator.

    nice python benchmarks/model_quality.py /tmp/bandai1 --minutes 40 --work /tmp/model_quality

Stages (each cached under --work, so a re-run continues):
1. train the model (preset --preset, default small) on DATASET's train split for a wall-clock budget,
   resuming from work/model/checkpoint.pt when present;
2. train the evaluator on the same train split (or load --evaluator);
3. prompts = every clip of the held-out split (val + test) with one of its captions and its true length;
   sample DDPM-1000 and DDIM-50 with --sample-seeds seeds each (the metrics' intervals are over seeds);
4. evaluate against the held-out split: the model's samples, real held-out clips (upper bound), real
   clips with shuffled captions, and a mean-pose baseline (the dataset mean, still, at the true length);
   the samples' temporal coherence (root-relative foot motion per frame) next to the prompts' real clips.
Writes benchmarks/results/model_quality.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from motion_loop.cli.hydra_utils import compose_config, to_object
from motion_loop.data.dataset import MotionDataset
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.config import (
    EvaluatorModelConfig,
    EvaluatorTrainConfig,
    MetricsConfig,
    PlausibilityConfig,
)
from motion_loop.eval.evaluation import (
    GeneratedMotion,
    evaluate_motions,
    reference_embeddings,
    split_motions,
)
from motion_loop.eval.evaluator import Evaluator, train_evaluator
from motion_loop.model import MotionGenerator, SampleConfig, Trainer
from motion_loop.text.encoder import TextConfig, get_text_encoder

HELDOUT = "heldout"
_KEYS = (
    "fid",
    "r_precision_top1",
    "r_precision_top2",
    "r_precision_top3",
    "matching_score",
    "diversity",
    # Temporal coherence (issue 16): root-relative motion per frame, and generated / real of the prompts.
    "foot_motion_median_mm",
    "foot_motion_p95_mm",
    "foot_motion_median_ratio",
    "foot_motion_p95_ratio",
)


def summary(result) -> dict[str, dict[str, float]]:  # noqa: ANN001
    return {
        k: {"mean": result[k].mean, "ci95": result[k].to_dict()["ci95"]}
        for k in _KEYS
        if k in result.records and result[k].available
    }


def train_model(folder: HumanML3DFolder, args: argparse.Namespace, encoder) -> dict:  # noqa: ANN001
    out = args.work / "model"
    checkpoint = out / "checkpoint.pt"
    overrides = [
        f"model={args.preset}",
        "out_dir=unused",
        f"train.batch_size={args.batch_size}",
        f"train.lr={args.lr}",
    ]
    config = to_object(compose_config("train", overrides))
    config.train.progress, config.train.device, config.train.log_every = False, "cpu", 50
    if checkpoint.is_file():
        trainer = Trainer.from_checkpoint(
            checkpoint, config.train, resume=True, text_encoder=encoder
        )
    else:
        mean, std = folder.mean_std()
        trainer = Trainer(
            config.model, config.diffusion, config.train, mean=mean, std=std, text_encoder=encoder
        )
    dataset = MotionDataset(folder, "train", mean=trainer.mean, std=trainer.std, seed=0)
    deadline = time.perf_counter() + args.minutes * 60
    log = []
    while time.perf_counter() < deadline and trainer.step < args.max_steps:
        result = trainer.fit(dataset, out, steps=min(trainer.step + args.chunk, args.max_steps))
        log.append(
            {"step": result.step, "loss": result.loss, "steps_per_s": result.steps_per_second}
        )
        print(
            f"model step {result.step} loss {result.loss:.4f} ({result.steps_per_second:.2f} steps/s)",
            flush=True,
        )
    return {
        "preset": args.preset,
        "model": dataclasses.asdict(config.model),
        "steps": trainer.step,
        "train_items": len(dataset),
        "log": log,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/model_quality"))
    parser.add_argument("--preset", default="small")
    parser.add_argument("--minutes", type=float, default=40.0, help="training budget of this call")
    parser.add_argument("--max-steps", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=200, help="steps between checkpoints")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--evaluator", type=Path, default=None)
    parser.add_argument("--eval-epochs", type=int, default=40)
    parser.add_argument(
        "--guidance", type=float, nargs="+", default=[2.5, 1.0], help="guidance scales of DDIM-50"
    )
    parser.add_argument("--ddpm", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument(
        "--sample-seeds", type=int, default=3, help="sample sets per method; intervals are over them"
    )
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "model_quality.json"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    folder = HumanML3DFolder(args.dataset)
    # The held-out split = val + test (R-precision batches need >= 32 clips).
    heldout_ids = [
        i
        for split in ("val", "test")
        if (folder.root / f"{split}.txt").is_file()
        for i in folder.ids(split)
    ]
    (folder.root / f"{HELDOUT}.txt").write_text("".join(f"{i}\n" for i in heldout_ids))
    encoder = get_text_encoder(TextConfig(name="minilm", cache_dir=str(args.work / "text_cache")))
    payload: dict = {"dataset": str(args.dataset), "heldout_clips": len(heldout_ids)}
    payload["training"] = train_model(folder, args, encoder)

    if args.evaluator is not None and args.evaluator.is_file():
        evaluator = Evaluator.load(args.evaluator)
    else:
        evaluator, history = train_evaluator(
            folder,
            EvaluatorModelConfig(),
            EvaluatorTrainConfig(epochs=args.eval_epochs),
            log=lambda m: print(m, flush=True),
        )
        payload["evaluator_history"] = dataclasses.asdict(history)
        if args.evaluator is not None:
            evaluator.save(args.evaluator)
    rng = np.random.default_rng(0)
    reference = reference_embeddings(evaluator, folder, HELDOUT)
    cfg = MetricsConfig(replications=args.replications)
    plaus = PlausibilityConfig(enabled=False)

    real_sets = [split_motions(folder, HELDOUT, rng) for _ in range(args.replications)]
    results = {
        "real_heldout": summary(
            evaluate_motions(evaluator, real_sets, reference, cfg, rng, plausibility=plaus)
        )
    }
    shuffled = [
        [
            dataclasses.replace(m, caption=s[j].caption)
            for m, j in zip(s, rng.permutation(len(s)), strict=True)
        ]
        for s in real_sets
    ]
    results["real_shuffled_captions"] = summary(
        evaluate_motions(evaluator, shuffled, reference, cfg, rng, plausibility=plaus)
    )
    mean, _ = folder.mean_std()
    mean_pose = [
        [GeneratedMotion(np.repeat(mean[None], m.length, 0), m.caption, m.length) for m in s]
        for s in real_sets
    ]
    results["mean_pose"] = summary(
        evaluate_motions(evaluator, mean_pose, reference, cfg, rng, plausibility=plaus)
    )
    print(json.dumps(results, indent=1), flush=True)
    payload["results"] = results
    payload["chance_r_precision"] = [1 / 32, 2 / 32, 3 / 32]
    payload["settings"] = {k: str(v) for k, v in vars(args).items()}
    write(payload, args.out)

    generator_model = MotionGenerator.from_checkpoint(
        args.work / "model" / "checkpoint.pt", text_encoder=encoder, device="cpu"
    )
    prompts = real_sets[0]
    captions, lengths = [m.caption for m in prompts], [int(m.length) for m in prompts]
    timing: dict[str, float] = {}
    methods = [
        (
            f"ddim50_guidance{g:g}",
            SampleConfig(method="ddim", steps=50, guidance_scale=g, device="cpu"),
        )
        for g in args.guidance
    ]
    if args.ddpm:
        g = args.guidance[0]
        methods.append(
            (f"ddpm1000_guidance{g:g}", SampleConfig(method="ddpm", guidance_scale=g, device="cpu"))
        )
    for name, sample_config in methods:
        start = time.perf_counter()
        sets = []
        for seed in range(args.sample_seeds):
            sampled = generator_model.sample(
                captions, lengths, sample_config, generator=torch.Generator().manual_seed(seed)
            )
            sets.append([
                GeneratedMotion(f, c, n)
                for f, c, n in zip(sampled.features, captions, lengths, strict=True)
            ])  # fmt: skip
        timing[name] = (time.perf_counter() - start) / args.sample_seeds
        # One replication per sampling seed: the intervals say how much the seed moves each metric.
        # The prompts are crops of real held-out clips: those crops are the coherence reference.
        results[f"model_{name}"] = summary(
            evaluate_motions(
                evaluator, sets, reference, cfg, rng, plausibility=plaus, coherence_real=prompts
            )
        )
        print(name, json.dumps(results[f"model_{name}"]), f"{timing[name]:.0f} s", flush=True)
        payload["results"], payload["sampling_seconds_per_set"] = results, timing
        write(payload, args.out)
    g = args.guidance[0]
    if f"model_ddpm1000_guidance{g:g}" in results:
        ddim = results[f"model_ddim50_guidance{g:g}"]["fid"]
        ddpm = results[f"model_ddpm1000_guidance{g:g}"]["fid"]
        payload["ddim50_vs_ddpm1000_fid_relative_difference"] = abs(ddim["mean"] - ddpm["mean"]) / ddpm["mean"]
        # Whether the gap exceeds what the seeds alone produce: the two 95 % intervals combined.
        intervals = (ddim["ci95"], ddpm["ci95"])  # None: one replication, no interval
        payload["ddim50_vs_ddpm1000_fid_gap_ci95"] = None if None in intervals else float(np.hypot(*intervals))
    write(payload, args.out)
    print(f"wrote {args.out}")
    return 0


def write(payload: dict, path: Path) -> None:
    """Write what is measured so far (an interrupted run keeps its numbers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
