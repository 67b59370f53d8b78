"""Speed of the diffusion model on this machine: training steps/s and sampled clips/s (DDPM-1000, DDIM-50).

    nice python benchmarks/model_speed.py                       # tiny + small, writes results/model_speed.json
    nice python benchmarks/model_speed.py --presets tiny --repeats 2 --out /tmp/speed.json
    nice python benchmarks/model_speed.py --presets small --precisions float32 bf16 --ddim-steps 20 \
        --ddpm-repeats 0 --guidance 1 --clips 32 --out benchmarks/results/model_speed_faithful.json
    # the CPU presets' model (small + the interleaved temporal convolution), float32 against bf16:
    nice python benchmarks/model_speed.py --presets small --precisions float32 bf16 --ddpm-repeats 0 \
        --guidance 1 --clips 8 --ddim-steps 20 --threads 1 --model-overrides model.temporal_conv_kernel=3 \
        model.temporal_conv_placement=interleaved --out benchmarks/results/model_speed_small_conv3_bf16.json

Uses a synthetic HumanML3D-layout folder (lengths 40-196 frames, the HumanML3D range) and the hash text
encoder (text embeddings are cached per caption, so the encoder does not affect steady-state speed).
Reports medians over repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from motion_loop.cli.hydra_utils import compose_config, to_object
from motion_loop.data.dataset import MotionDataset
from motion_loop.data.features import FEATURE_DIM, features_to_joints
from motion_loop.data.humanml3d import (
    Caption,
    HumanML3DFolder,
    compute_stats,
    write_clip,
    write_splits,
    write_stats,
)
from motion_loop.model import MotionGenerator, SampleConfig, Trainer
from motion_loop.model.denoiser import count_parameters
from motion_loop.text.encoder import TextConfig, get_text_encoder


def synthetic_folder(root: Path, clips: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    ids = []
    for index in range(clips):
        T = int(rng.integers(40, 197))
        time_axis = np.linspace(0, 2 * np.pi, T)[:, None]
        features = rng.uniform(0.01, 0.1, FEATURE_DIM) * np.sin(
            time_axis + rng.uniform(0, 6.3, FEATURE_DIM)
        )
        features[:, 3] += 0.9
        ids.append(f"{index:06d}")
        write_clip(
            root,
            ids[-1],
            joints=features_to_joints(features),
            features=features,
            captions=[Caption(f"motion number {index}")],
        )
    write_splits(root, {"train": ids})
    write_stats(root, *compute_stats(HumanML3DFolder(root), ids))
    return root


def bench_preset(
    preset: str, folder: Path, args: argparse.Namespace, work: Path, on_update=None
) -> dict:  # noqa: ANN001
    config = to_object(
        compose_config("train", [f"model={preset}", "out_dir=unused", "model.text.name=hash", *args.model_overrides])
    )
    config.train.batch_size, config.train.progress, config.train.device = (
        args.batch_size,
        False,
        args.device,
    )
    dataset = MotionDataset(HumanML3DFolder(folder), "train")
    trainer = Trainer(
        config.model,
        config.diffusion,
        config.train,
        mean=dataset.mean,
        std=dataset.std,
        text_encoder=get_text_encoder(TextConfig(name="hash")),
    )
    steps = args.train_steps[preset]
    row: dict = {
        "parameters": count_parameters(trainer.denoiser),
        "model": asdict(config.model),
        "train_batch_size": args.batch_size,
        "train_steps_timed": steps,
    }
    for precision in args.precisions:
        trainer.train_config.precision = precision
        trainer.fit(dataset, work / preset, steps=trainer.step + 2)  # warm-up
        print(f"{preset}: timing training ({precision})", flush=True)
        rates = []
        for _ in range(args.repeats):
            result = trainer.fit(dataset, work / preset, steps=trainer.step + steps)
            rates.append(result.steps_per_second)
        suffix = "" if precision == "float32" else f"_{precision}"
        row[f"train_steps_per_s{suffix}"] = rates
        row[f"train_steps_per_s{suffix}_median"] = statistics.median(rates)
        print(f"{preset} train ({precision}): {statistics.median(rates):.3f} steps/s", flush=True)
    trainer.train_config.precision = "float32"
    if on_update is not None:
        on_update(row)
    generator_model = MotionGenerator.from_checkpoint(work / preset / "checkpoint.pt", device=args.device)
    rng = np.random.default_rng(1)
    lengths = [int(n) for n in rng.integers(40, 197, args.clips)]
    captions = [f"motion number {i}" for i in range(args.clips)]
    plans = (
        ("ddim", args.ddim_steps, args.repeats, args.guidance, args.clips),
        ("ddpm", 1000, args.ddpm_repeats, args.ddpm_guidance, args.ddpm_clips),
    )
    for method, steps_, repeats, guidances, clips in plans:
        if repeats < 1:
            continue
        for guidance in guidances:
            sample_config = SampleConfig(
                method=method, steps=steps_, guidance_scale=guidance, batch_size=clips, device=args.device
            )
            rates = []
            for r in range(repeats):
                start = time.perf_counter()
                generator_model.sample(
                    captions[:clips],
                    lengths[:clips],
                    sample_config,
                    generator=torch.Generator().manual_seed(r),
                )
                rates.append(clips / (time.perf_counter() - start))
            key = f"{method}{steps_}_guidance{guidance:g}"
            row[f"sample_{key}_clips_per_s"] = rates
            row[f"sample_{key}_clips_per_s_median"] = statistics.median(rates)
            row[f"sample_{key}_clips_per_call"] = clips
            if on_update is not None:
                on_update(row)
            print(f"{preset} {key}: {statistics.median(rates):.3f} clips/s", flush=True)
    return row


def write(results: dict, path: Path) -> None:
    """Write the results so far (a long run interrupted keeps what it measured)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=["tiny", "small"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ddpm-repeats", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--clips", type=int, default=8, help="clips per sampling call (one batch)")
    parser.add_argument(
        "--guidance", type=float, nargs="+", default=[2.5, 1.0], help="DDIM guidance scales"
    )
    parser.add_argument(
        "--ddpm-guidance", type=float, nargs="+", default=[1.0], help="DDPM guidance scales"
    )
    parser.add_argument("--ddpm-clips", type=int, default=4, help="clips per DDPM-1000 call")
    parser.add_argument("--ddim-steps", type=int, default=50, help="DDIM steps of the sampling timings")
    parser.add_argument("--precisions", nargs="+", default=["float32"], help="training precisions: float32, bf16")
    parser.add_argument("--train-steps", type=int, default=0, help="timed training steps (0 = per-preset default)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (training and sampling)")
    parser.add_argument(
        "--model-overrides", nargs="*", default=[],
        help="Hydra overrides of every preset, e.g. model.temporal_conv_kernel=3 model.temporal_conv_placement=interleaved",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "model_speed.json"
    )
    args = parser.parse_args()
    defaults = {"tiny": 30, "small": 8, "mdm": 3}
    args.train_steps = {name: args.train_steps or steps for name, steps in defaults.items()}
    if args.threads:
        torch.set_num_threads(args.threads)
    results: dict = {
        "machine": {
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "load_average_start": os.getloadavg(),
            "device": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu",
        },
        "settings": {k: v for k, v in vars(args).items() if k != "out"} | {"out": str(args.out)},
        "presets": {},
    }
    with tempfile.TemporaryDirectory(prefix="model_speed_") as tmp:
        folder = synthetic_folder(Path(tmp) / "data", clips=64)
        for preset in args.presets:

            def update(row: dict, preset: str = preset) -> None:
                results["presets"][preset] = row
                write(results, args.out)

            results["presets"][preset] = bench_preset(
                preset, folder, args, Path(tmp), on_update=update
            )
    results["machine"]["load_average_end"] = os.getloadavg()
    write(results, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
