"""`motion-loop train [overrides]`: train, resume or fine-tune the text-to-motion diffusion model.

    motion-loop train data.root=/data/bandai model=small train.steps=20000 out_dir=/tmp/run
    motion-loop train ... resume_from=/tmp/run/checkpoint.pt train.steps=40000   # continue exactly
    motion-loop train ... init_from=/tmp/run/checkpoint.pt train.reset_optimizer=false  # fine-tune
    torchrun --nproc_per_node=4 -m motion_loop.cli train ...                      # DDP

Under torchrun (WORLD_SIZE > 1) this entry point initialises the process group (nccl on GPUs, gloo on
CPU), pins each rank to its GPU, and the library trains with DistributedDataParallel.

Every command's options: --out DIR (the same as out_dir=DIR), --cfg (print the resolved configuration
and exit), --help.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

from motion_loop.cli.hydra_utils import compose_config, config_flags, print_config, to_object
from motion_loop.cli.threads import set_process_threads
from motion_loop.model.config import TrainAppConfig
from motion_loop.validation import (
    PROCEDURAL_ONLY_IN_RUN,
    at_least,
    dataset_problems,
    existing_file,
    required,
    validate_app,
)

USAGE = __doc__ or ""


def _init_distributed(device: str) -> str:
    """Initialise torch.distributed from torchrun's environment; returns the device of this rank."""
    import torch.distributed as dist

    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() and device != "cpu"
    dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    if use_cuda:
        torch.cuda.set_device(local_rank)
        return f"cuda:{local_rank}"
    return "cpu"


def _validate(config: TrainAppConfig, overrides: list[str]) -> None:
    """The whole resolved config, before any work (raises one ConfigError listing every problem)."""
    data = config.data
    extra = [
        *required("data.root", data.root, "a HumanML3D-layout folder (create one with `motion-loop data "
                  "import` or `motion-loop data procedural OUT_DIR`)"),
        *dataset_problems("data.root", data.root, splits=(config.train.split,), stats=not (config.resume_from or config.init_from)),
        *existing_file("resume_from", config.resume_from, what="checkpoint"),
        *existing_file("init_from", config.init_from, what="checkpoint"),
        *at_least("threads", config.threads, 0),
    ]  # fmt: skip
    if config.resume_from and config.init_from:
        extra.append("give resume_from (continue a run exactly) or init_from (fine-tune), not both")
    validate_app(config, command="motion-loop train", extra=extra, not_applicable=PROCEDURAL_ONLY_IN_RUN, overrides=overrides)


def run(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        print(USAGE)
        return 0
    argv, show = config_flags(argv)
    composed = compose_config("train", argv)
    if show:
        print_config(composed)
        return 0
    config: TrainAppConfig = to_object(composed)
    _validate(config, argv)
    set_process_threads(config.threads)
    config.train.progress = config.train.progress and sys.stderr.isatty()  # a bar only on a terminal
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        config.train.device = _init_distributed(config.train.device)
    from motion_loop.model.api import train_model

    try:
        result = train_model(
            config.model,
            config.diffusion,
            config.train,
            Path(config.data.root),
            Path(config.out_dir),
            data_config=config.data,
            resume_from=config.resume_from or None,
            init_from=config.init_from or None,
        )
    finally:
        if distributed:
            import torch.distributed as dist

            dist.destroy_process_group()
    print(
        f"trained to step {result.step} ({result.steps_per_second:.2f} steps/s), "
        f"loss {result.loss:.4f}; checkpoint {result.checkpoint}"
    )
    return 0
