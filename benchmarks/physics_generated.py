"""Physics correction on the diffusion model's own motion (issue 14), reproducible from one command.

    nice python benchmarks/physics_generated.py --data ~/data/bandai2 \
        --checkpoint ~/runs/models/small_bandai2_default/checkpoint.pt \
        --work ~/runs/physics/generated --per-content 10 \
        --out benchmarks/results/physics_generated.json [key=value physics options]

1. The `small` model: `--checkpoint` when it exists, else trained there first with the cpu_small
   preset's settings (1500 steps; about 45-75 min on two cores).
2. Prompts: up to `--per-content` clips of each content label of the data's test split (the content
   is the label field of Bandai-Namco ids, `dataset-2_{content}_...`), each with a caption drawn at
   random and its own length clipped to [40, 196] frames, as the loop draws prompts.
3. Samples: drawn by `motion-loop sample` with the loop's sampling settings (the cpu_small preset's
   `sample`: DDIM 20 steps, guidance 1, EMA weights), cached under `--work` by checkpoint, prompts and
   settings (regenerated, never committed); `--sampler-code DIR` samples with another checkout's code
   (a checkpoint from a branch with model options this one lacks).
   `--inputs real` corrects the prompts' own motion-capture clips instead, `--inputs overtravel` the
   same with the root's horizontal travel x`--overtravel` (a generator's defect on real motion).
4. Every clip is corrected with `physics.correct_motion` (defaults plus the key=value options), one
   clip at a time in this process (one core).
5. The tool's evaluator (the loop's: cpu_small evaluator settings, trained on the data's train split
   and cached under `--work`) embeds the captions, the input clips and the corrected clips.
   R-precision@3 uses batches of 32 as the evaluation does; the batches are re-drawn `--shuffles`
   times, which gives each clip a top-3 hit rate; R@3 is their mean, with a bootstrap 95 % interval
   over clips, and the paired difference corrected - input with its own interval.

The JSON holds per content and overall: the `physics.summarize` record (fallback, reset, fall,
flagged and rejected rates; residual force mean and p95; surface penetration / floating / skating
before and after; distance to the input), R@3 of input, corrected and real clips, and CPU seconds
per 196-frame clip (median, p95); plus every clip's report.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bootstrap_interval, parse_options, stratified_bootstrap_interval  # noqa: E402

from motion_loop.cli.hydra_utils import compose_config, to_object  # noqa: E402
from motion_loop.data.features import features_to_joints, joints_to_features  # noqa: E402
from motion_loop.data.humanml3d import HumanML3DFolder  # noqa: E402
from motion_loop.eval.metrics import R_PRECISION_BATCH  # noqa: E402
from motion_loop.loop.motion.corrector import extend_one_frame  # noqa: E402
from physics import correct_motion, summarize  # noqa: E402
from physics.config import with_options  # noqa: E402
from physics.errors import PhysicsError  # noqa: E402

_CLIP_FRAMES = 196
_BOOTSTRAP = 2000


def content_of(clip_id: str) -> str:
    match = re.match(r"dataset-\d_(.+?)_", clip_id)
    return match.group(1) if match else "other"


def run_config(data: Path) -> Any:
    """The loop's resolved cpu_small configuration on `data` (sampling and evaluator settings)."""
    return to_object(compose_config("run", ["experiment=cpu_small", f"data.root={data}"]))


def train_command(checkpoint: Path, data: Path, config: Any) -> list[str]:
    """`motion-loop train` of the cpu_small preset's model and schedule, written next to `checkpoint`.

    The preset changes the `small` model (a temporal convolution, issue 16); those fields travel with
    `model=small`, or the benchmark would train the published layout instead of the loop's model.
    """
    train, model = config.train, config.model
    return [sys.executable, "-m", "motion_loop.cli", "train", f"data.root={data}", "model=small",
            f"model.temporal_conv_kernel={model.temporal_conv_kernel}",
            f"model.temporal_conv_placement={model.temporal_conv_placement}",
            f"train.steps={train.steps}", f"train.batch_size={train.batch_size}", f"train.lr={train.lr}",
            f"train.warmup_steps={train.warmup_steps}", "train.progress=false", "threads=1",
            f"out_dir={checkpoint.parent}"]


def ensure_checkpoint(checkpoint: Path, data: Path, config: Any) -> None:
    """Train the `small` model with the cpu_small preset's settings when `checkpoint` is absent."""
    if checkpoint.is_file():
        return
    command = train_command(checkpoint, data, config)
    print(f"no checkpoint at {checkpoint}: training it ({' '.join(command[2:])})", file=sys.stderr, flush=True)
    subprocess.run(command, check=True)
    produced = checkpoint.parent / "checkpoint.pt"
    if produced != checkpoint:
        produced.replace(checkpoint)


def pick_prompts(folder: HumanML3DFolder, split: str, per_content: int, seed: int) -> list[dict[str, Any]]:
    """Up to `per_content` test clips per content, evenly spread; a random caption each, its own length."""
    by_content: dict[str, list[str]] = defaultdict(list)
    for clip_id in folder.ids(split):
        by_content[content_of(clip_id)].append(clip_id)
    rng = np.random.default_rng(seed)
    prompts = []
    for content in sorted(by_content):
        ids = sorted(by_content[content])
        chosen = [ids[int(i)] for i in np.linspace(0, len(ids) - 1, min(per_content, len(ids))).round()]
        for clip_id in dict.fromkeys(chosen):
            captions = [c.text for c in folder.captions(clip_id)]
            length = int(np.clip(folder.features(clip_id).shape[0], 40, _CLIP_FRAMES))
            prompts.append({"id": clip_id, "content": content, "caption": captions[int(rng.integers(len(captions)))],
                            "length": length})
    return prompts


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def draw_samples(checkpoint: Path, prompts: list[dict[str, Any]], config: Any, seed: int, work: Path,
                 code: Path | None) -> list[np.ndarray]:
    """Features (T_i, 263) of one sample per prompt, cached under `work` by everything they depend on.

    Drawn by `motion-loop sample` in a subprocess (one thread), with the code at `code` when given
    (a checkpoint written by a branch whose model options this one lacks), else this checkout's.
    """
    key = hashlib.sha256(json.dumps([_sha(checkpoint), prompts, dataclasses.asdict(config.sample), seed],
                                    sort_keys=True).encode()).hexdigest()[:16]
    cache = work / f"samples_{key}"
    if not (cache / "DONE").is_file():
        work.mkdir(parents=True, exist_ok=True)
        captions_file = work / f"prompts_{key}.txt"
        captions_file.write_text("".join(f"{p['caption'].replace('#', ' ')}#{p['length']}\n" for p in prompts))
        sample = config.sample
        command = [sys.executable, "-m", "motion_loop.cli", "sample", f"checkpoint={checkpoint}",
                   f"captions_file={captions_file}", "length_unit=frames", f"out_dir={cache}", f"seed={seed}",
                   "video=false", "threads=1", f"sample.method={sample.method}", f"sample.steps={sample.steps}",
                   f"sample.eta={sample.eta}", f"sample.guidance_scale={sample.guidance_scale}",
                   f"sample.temperature={sample.temperature}", f"sample.use_ema={sample.use_ema}"]
        env = dict(os.environ, OMP_NUM_THREADS="1")
        if code is not None:
            env["PYTHONPATH"] = str(code)
        # python -m puts the working directory first on sys.path: run from the checkout that samples.
        subprocess.run(command, check=True, env=env, cwd=code)
        (cache / "DONE").write_text("")
    folder = HumanML3DFolder(cache)
    ids = sorted(folder.ids("test"))
    if len(ids) != len(prompts):
        raise RuntimeError(f"{cache} holds {len(ids)} samples for {len(prompts)} prompts; delete it and rerun")
    return [folder.features(clip_id) for clip_id in ids]


def _hit_rates(text: np.ndarray, motion: np.ndarray, shuffles: int, seed: int) -> np.ndarray:
    """Per clip, the fraction of `shuffles` random batchings of 32 in which its motion ranks in the top 3
    for its caption (clips left over by a batching do not count for it)."""
    rng = np.random.default_rng(seed)
    n = len(text)
    hits, seen = np.zeros(n), np.zeros(n)
    for _ in range(shuffles):
        order = rng.permutation(n)
        for b in range(n // R_PRECISION_BATCH):
            index = order[b * R_PRECISION_BATCH:(b + 1) * R_PRECISION_BATCH]
            distances = np.linalg.norm(text[index, None, :] - motion[None, index, :], axis=-1)  # (B, B)
            rank = (distances < np.diag(distances)[:, None]).sum(axis=1)  # motions strictly closer
            hits[index] += rank < 3
            seen[index] += 1
    return hits / np.maximum(seen, 1)


def r_precision(evaluator: Any, captions: list[str], arms: dict[str, list[np.ndarray]], shuffles: int,
                seed: int) -> dict[str, np.ndarray]:
    """Per-clip top-3 hit rates of each arm's motions (features) against the captions."""
    text = evaluator.embed_text(captions)
    return {arm: _hit_rates(text, evaluator.embed_motion(features), shuffles, seed) for arm, features in arms.items()}


def summary_of(rows: list[dict[str, Any]], reports: list[Any], hits: dict[str, np.ndarray], seed: int) -> dict[str, Any]:
    out: dict[str, Any] = dataclasses.asdict(summarize(reports))
    cpu = np.array([r.cpu_seconds * _CLIP_FRAMES / r.frames for r in reports if r.corrected])
    if cpu.size:
        out.update(cpu_per_196_median=float(np.median(cpu)), cpu_per_196_p95=float(np.percentile(cpu, 95)))
    # The prompts are drawn a fixed number per content, so the intervals resample within contents.
    for name in ("surface_skate_mm_after", "surface_float_mm_after", "surface_penetrate_mm_after"):
        known = [(getattr(r, name), row["content"]) for r, row in zip(reports, rows, strict=True)
                 if getattr(r, name) is not None]
        if known:
            values, contents = zip(*known, strict=True)
            out[f"{name}_ci95"] = stratified_bootstrap_interval(values, contents, seed, _BOOTSTRAP)
    index = np.array([row["index"] for row in rows])
    for arm, rates in hits.items():
        values = rates[index]
        out[f"r3_{arm}"] = float(values.mean())
        out[f"r3_{arm}_ci95"] = bootstrap_interval(values, seed, _BOOTSTRAP)
    if "corrected" in hits and "input" in hits:
        difference = hits["corrected"][index] - hits["input"][index]
        out["r3_corrected_minus_input"] = float(difference.mean())
        out["r3_corrected_minus_input_ci95"] = bootstrap_interval(difference, seed, _BOOTSTRAP)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True,
                        help="a Bandai-Namco import (motion-loop data import ... --out DIR), e.g. ~/data/bandai2")
    parser.add_argument("--checkpoint", type=Path, required=True,
                        help="the `small` model: loaded when the file exists, else trained there first")
    parser.add_argument("--work", type=Path, required=True, help="cache of samples and the evaluator")
    parser.add_argument("--sampler-code", type=Path, default=None,
                        help="checkout whose code samples the checkpoint (default: this one)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--per-content", type=int, default=10)
    parser.add_argument("--inputs", choices=("samples", "real", "overtravel"), default="samples")
    parser.add_argument("--overtravel", type=float, default=1.5, help="root travel factor of --inputs overtravel")
    parser.add_argument("--shuffles", type=int, default=50, help="random batchings of the R-precision")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("options", nargs="*", help="physics options key=value (Python literals)")
    args = parser.parse_args(argv)
    options = parse_options(args.options)
    if not (args.data / "meta.json").is_file():
        print(f"no complete HumanML3D-layout dataset at {args.data} (meta.json missing)")
        return 1
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    folder = HumanML3DFolder(args.data)
    config = run_config(args.data)
    prompts = pick_prompts(folder, args.split, args.per_content, args.seed)
    real = [folder.features(p["id"])[:p["length"]] for p in prompts]
    if args.inputs == "samples":
        ensure_checkpoint(args.checkpoint, args.data, config)
        inputs = draw_samples(args.checkpoint, prompts, config, args.seed, args.work, args.sampler_code)
    else:
        inputs = real
    if args.inputs == "samples":
        joints_in = [features_to_joints(f).astype(np.float64) for f in inputs]
    else:  # the recorded joints themselves (rigid), one frame more than the features
        joints_in = [folder.joints(p["id"])[:p["length"] + 1].astype(np.float64) for p in prompts]
    if args.inputs == "overtravel":
        for joints in joints_in:
            joints[..., [0, 2]] += (args.overtravel - 1.0) * (joints[:, :1, [0, 2]] - joints[:1, :1, [0, 2]])
        inputs = [joints_to_features(extend_one_frame(j)) for j in joints_in]
    rows, reports, corrected = [], [], []
    start = time.perf_counter()
    for index, (prompt, joints) in enumerate(zip(prompts, joints_in, strict=True)):
        try:
            result = correct_motion(joints, 20.0, **options)
            report, out = result.report, result.joints
        except PhysicsError as error:  # refused input: kept unchanged and counted, as the loop does
            from physics.report import CorrectionReport

            report, out = CorrectionReport.rejected(len(joints), 20.0, 1.0, str(error)), joints
        reports.append(report)
        corrected.append(joints_to_features(extend_one_frame(out)))
        rows.append({"index": index, **prompt, **dataclasses.asdict(report)})
        print(f"[{index + 1}/{len(prompts)}] {prompt['content']:<22} {report.controller:<9} skate "
              f"{report.surface_skate_mm_before or float('nan'):6.1f} -> {report.surface_skate_mm_after or float('nan'):6.1f}"
              f"  {time.perf_counter() - start:5.0f}s", file=sys.stderr, flush=True)
    from motion_loop.loop.motion.experiment import prepare_evaluator

    evaluator = prepare_evaluator(config, folder, args.work / "cache")
    arms = {"input": inputs, "corrected": corrected, "real": real}
    hits = r_precision(evaluator, [p["caption"] for p in prompts], arms, args.shuffles, args.seed)
    per_content: dict[str, Any] = {}
    for content in sorted({p["content"] for p in prompts}):
        chosen = [i for i, p in enumerate(prompts) if p["content"] == content]
        per_content[content] = summary_of([rows[i] for i in chosen], [reports[i] for i in chosen], hits, args.seed)
    overall = summary_of(rows, reports, hits, args.seed)
    _print_table(per_content, overall)
    if args.out:
        meta = {"command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
                "inputs": args.inputs, "data": str(args.data), "checkpoint": str(args.checkpoint),
                "options": options, "physics": dataclasses.asdict(with_options(None, options)),
                "sample": dataclasses.asdict(config.sample), "clips": len(prompts),
                "load_average_1min_at_end": os.getloadavg()[0], "seconds": time.perf_counter() - start}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"meta": meta, "overall": overall, "per_content": per_content, "clips": rows},
                                       indent=1, default=float) + "\n")
        print(f"wrote {args.out}")
    return 0


def _print_table(per_content: dict[str, Any], overall: dict[str, Any]) -> None:
    head = (f"{'content':<22} {'n':>3} {'fallb':>5} {'reset':>5} {'flag':>5} {'unpro':>5} {'pen b>a':>11} {'float b>a':>11} "
            f"{'skate b>a':>13} {'res %BW':>11} {'to in':>6} {'R3 in':>6} {'R3 cor':>6} {'s/196':>11}")
    print(head)
    for name, s in [*per_content.items(), ("ALL", overall)]:
        print(f"{name:<22} {s['clips']:>3} {s['fallback_rate']:5.2f} {s['reset_rate']:5.2f} {s['flagged_rate']:5.2f} "
              f"{s['unprojectable_rate']:5.2f} "
              f"{s['surface_penetrate_mm_before']:5.1f}>{s['surface_penetrate_mm_after']:4.1f} "
              f"{s['surface_float_mm_before']:5.1f}>{s['surface_float_mm_after']:4.1f} "
              f"{s['surface_skate_mm_before']:6.1f}>{s['surface_skate_mm_after']:5.1f} "
              f"{s['residual_force_pct_bw']:4.1f}({s['residual_force_p95_pct_bw']:4.0f}) {s['mpjpe_mm']:6.0f} "
              f"{s.get('r3_input', float('nan')):6.2f} {s.get('r3_corrected', float('nan')):6.2f} "
              f"{s.get('cpu_per_196_median', float('nan')):4.2f}/{s.get('cpu_per_196_p95', float('nan')):5.2f}")


if __name__ == "__main__":
    sys.exit(main())
