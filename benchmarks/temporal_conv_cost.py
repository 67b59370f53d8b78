"""Training-step cost of the temporal convolution blocks against the published layout, same process and load.

    nice python benchmarks/temporal_conv_cost.py --preset small --rounds 4 --threads 1
    # torch.compile as a lever (issue 13 item 2): the CPU presets' layout eager against compiled
    nice python benchmarks/temporal_conv_cost.py --compile --rounds 4 --threads 1 \
        --out benchmarks/results/torch_compile_cost.json

One AdamW step (forward, backward, update) of the denoiser at batch 32 on a canvas of `--frames` frames
(random features and text; the cost does not depend on their values), alternating the variants
round by round (ABAB...) so a change of machine load hits both alike. Reports the median seconds per
step of each variant, their ratio, and the parameter counts. Writes benchmarks/results/temporal_conv_cost.json.
`--compile` adds the interleaved layout under torch.compile (default inductor backend; its first two
steps, which compile, are timed apart as `compile_seconds` and not in the median).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

from motion_loop.cli.hydra_utils import compose_config, to_object
from motion_loop.model.denoiser import MotionDenoiser, count_parameters

_TEXT_DIM = 384  # MiniLM


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--kernel", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--frames", type=int, default=196)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=3, help="timed steps per variant per round")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--compile", action="store_true", help="add the interleaved layout under torch.compile")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "temporal_conv_cost.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    base = to_object(compose_config("train", [f"model={args.preset}", "out_dir=unused"])).model
    variants = {
        "published": base,
        f"conv{args.kernel}_input": dataclasses.replace(base, temporal_conv_kernel=args.kernel, temporal_conv_placement="input"),
        f"conv{args.kernel}_interleaved": dataclasses.replace(base, temporal_conv_kernel=args.kernel, temporal_conv_placement="interleaved"),
    }  # fmt: skip
    generator = torch.Generator().manual_seed(0)
    B, T = args.batch_size, args.frames
    x = torch.randn(B, T, base.feature_dim, generator=generator)  # (B, T, 263)
    text = torch.randn(B, _TEXT_DIM, generator=generator)
    t = torch.randint(0, 1000, (B,), generator=generator)
    mask = torch.ones(B, T, dtype=torch.bool)
    models = {name: MotionDenoiser(cfg, text_dim=_TEXT_DIM, num_diffusion_steps=1000).train() for name, cfg in variants.items()}
    optimizers = {name: torch.optim.AdamW(m.parameters(), lr=1e-4) for name, m in models.items()}
    compiled = f"conv{args.kernel}_interleaved_compiled"
    calls = dict(models)  # what each variant calls: the model itself, or its compiled wrapper
    compile_seconds = None
    if args.compile:
        twin = MotionDenoiser(variants[f"conv{args.kernel}_interleaved"], text_dim=_TEXT_DIM, num_diffusion_steps=1000).train()
        models[compiled], calls[compiled] = twin, torch.compile(twin)
        optimizers[compiled] = torch.optim.AdamW(twin.parameters(), lr=1e-4)

    def step(name: str) -> float:
        start = time.perf_counter()
        loss = (calls[name](x, t, text, mask) - x).square().mean()
        optimizers[name].zero_grad(set_to_none=True)
        loss.backward()
        optimizers[name].step()
        return time.perf_counter() - start

    if args.compile:
        compile_seconds = step(compiled) + step(compiled)
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.rounds):
        for name in models:
            times[name] += [step(name) for _ in range(args.steps)]
    result = {
        "settings": {**vars(args), "out": str(args.out)},
        "load_average_1min": os.getloadavg()[0],
        "torch": torch.__version__,
        "compile_seconds": compile_seconds,
        "variants": {
            name: {"median_s_per_step": float(np.median(v)), "params": count_parameters(models[name]),
                   "relative_to_published": float(np.median(v) / np.median(times["published"]))}
            for name, v in times.items()
        },  # fmt: skip
    }
    print(json.dumps(result["variants"], indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
