"""`motion-loop sample [overrides]`: motions from a checkpoint for captions and lengths.

    motion-loop sample checkpoint=/tmp/run/checkpoint.pt out_dir=/tmp/samples \
        'captions=["a person walks forward","a person jumps"]' lengths=[4,2.5]
    motion-loop sample checkpoint=... out_dir=... captions_file=prompts.txt length_unit=frames \
        sample.method=ddpm sample.guidance_scale=1 sample.temperature=0.8

captions_file: one prompt per line, `caption` or `caption#length` (in length_unit).
Writes out_dir/new_joint_vecs/ID.npy (T, 263), new_joints/ID.npy (T, 22, 3), texts/ID.txt, SPLIT.txt,
all.txt, Mean.npy/Std.npy (the model's), meta.json, and videos/ID.mp4 (stick figure) unless video=false.

Every command's options: --out DIR (the same as out_dir=DIR), --cfg (print the resolved configuration
and exit), --help.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from motion_loop.cli.hydra_utils import compose_config, config_flags, print_config, to_object
from motion_loop.cli.threads import set_process_threads
from motion_loop.data.humanml3d import SPLITS
from motion_loop.errors import ConfigError
from motion_loop.model.config import SampleAppConfig
from motion_loop.validation import at_least, choice, existing_file, positive, validate_app

USAGE = __doc__ or ""
_UNITS = ("seconds", "frames")


def _prompts(config: SampleAppConfig) -> tuple[list[str], list[float | None]]:
    captions: list[str] = list(config.captions)
    lengths: list[float | None] = [None] * len(captions)
    if config.lengths:
        if len(config.lengths) == 1:
            lengths = [float(config.lengths[0])] * len(captions)
        elif len(config.lengths) == len(captions):
            lengths = [float(v) for v in config.lengths]
        else:
            raise ConfigError(
                f"give one length per caption or one for all: {len(captions)} captions, {len(config.lengths)} lengths"
            )
    if config.captions_file:
        path = Path(config.captions_file)
        if not path.is_file():
            raise ConfigError(f"captions_file {path} does not exist")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            text, _, length = line.partition("#")
            try:
                lengths.append(float(length) if length.strip() else None)
            except ValueError as error:
                raise ConfigError(
                    f"{path}:{number}: expected 'caption' or 'caption#length', got {line!r}"
                ) from error
            captions.append(text.strip())
    if not captions:
        raise ConfigError("no prompt: give captions=[...] or captions_file=FILE")
    return captions, lengths


def _validate(config: SampleAppConfig, overrides: list[str]) -> None:
    """The whole resolved config, before any work (raises one ConfigError listing every problem)."""
    extra = [
        *existing_file("checkpoint", config.checkpoint, what="checkpoint"),
        *existing_file("captions_file", config.captions_file, what="captions file"),
        *choice("length_unit", config.length_unit, _UNITS),
        *positive("default_length", config.default_length),
        *[p for n in config.lengths for p in positive("lengths[]", n)],
        *at_least("repetitions", config.repetitions, 1),
        *choice("split", config.split, (*SPLITS, "all")),
        *positive("fps", config.fps),
        *at_least("threads", config.threads, 0),
    ]
    if not (config.captions or config.captions_file):
        extra.append("no prompt: give captions=[...] or captions_file=FILE")
    validate_app(config, command="motion-loop sample", extra=extra, overrides=overrides)


def run(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        print(USAGE)
        return 0
    argv, show = config_flags(argv)
    composed = compose_config("sample", argv)
    if show:
        print_config(composed)
        return 0
    config: SampleAppConfig = to_object(composed)
    _validate(config, argv)
    set_process_threads(config.threads)
    captions, lengths = _prompts(config)
    scale = config.fps if config.length_unit == "seconds" else 1.0
    frames = [int(round((config.default_length if n is None else n) * scale)) for n in lengths]
    captions = [c for c in captions for _ in range(config.repetitions)]
    frames = [n for n in frames for _ in range(config.repetitions)]

    from motion_loop.data.humanml3d import (
        Caption,
        DatasetMeta,
        write_clip,
        write_meta,
        write_splits,
        write_stats,
    )
    from motion_loop.model.generate import MotionGenerator

    model = MotionGenerator.from_checkpoint(config.checkpoint, device=config.sample.device)
    generator = torch.Generator().manual_seed(config.seed)
    result = model.sample(captions, frames, config.sample, generator=generator)
    out = Path(config.out_dir)
    width = max(6, len(str(len(captions))))
    ids = [f"{i:0{width}d}" for i in range(len(captions))]
    for clip_id, caption, features, joints in zip(
        ids, result.captions, result.features, result.joints, strict=True
    ):
        write_clip(out, clip_id, joints=joints, features=features, captions=[Caption(caption)])
    write_splits(out, {config.split: ids})
    write_stats(out, model.mean, model.std)
    write_meta(
        out,
        DatasetMeta(
            source="motion-loop sample",
            licence="generated",
            fps=config.fps,
            importer="motion_loop.cli.sample",
            extra={
                "checkpoint": str(config.checkpoint),
                "sample": asdict(config.sample),
                "seed": config.seed,
            },
        ),
    )
    if config.video:
        from motion_loop.viz.stick import render_stick_video

        for clip_id, caption, joints in zip(ids, result.captions, result.joints, strict=True):
            render_stick_video(
                [joints], out / "videos" / f"{clip_id}.mp4", fps=config.fps, titles=[caption]
            )
    print(f"wrote {len(ids)} clips to {out}")
    return 0
