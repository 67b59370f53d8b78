"""Self-describing checkpoints of the diffusion model: configs, normalisation, weights, EMA, optimiser,
step, RNG states and metrics in one file, written atomically behind a sha256 of its payload.

Loading verifies the checksum first (`motion_loop.io.checked`): a truncated, corrupt or garbage file
(flipped bytes in the weights or the optimiser state included) fails with the file named and the fix,
never loads silently. Loading rebuilds the configs from the stored dicts through their typed schemas (unknown or mistyped keys
are refused) and refuses a file of another format or version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from motion_loop.errors import MotionLoopError
from motion_loop.io.checked import load_torch_checked, save_torch_checked
from motion_loop.model.config import DiffusionConfig, ModelConfig, TrainConfig

CHECKPOINT_FORMAT = "motion-loop/text-to-motion-diffusion"
CHECKPOINT_VERSION = 1

_Config = TypeVar("_Config")
_DAMAGED_FIX = (
    "delete it and re-run the command that wrote it (in a run folder: delete that gen_NNN folder and every "
    "later one, then re-run the same command; the run resumes before it)"
)


class CheckpointError(MotionLoopError):
    """A checkpoint file is missing, of another format, or does not fit the requested use."""


@dataclass
class Checkpoint:
    """Everything needed to sample from, resume or fine-tune a model.

    Attributes:
        model, diffusion, train: the configs it was built and trained with.
        text_encoder: name of the text encoder (TextEncoder.name) and text_dim its width.
        mean, std: (263,) normalisation statistics the model was trained with.
        weights, ema_weights: state dicts of the denoiser (raw and EMA).
        optimizer, lr_scheduler: state dicts (None in a weights-only export).
        step: optimiser steps taken so far.
        rng: RNG states (torch generator, dropout stream, numpy dataset generators, batch order).
        metrics: last training scalars (loss, ...).
        generation: loop generation index, when the loop wrote it.
        ema_updates: how many updates the EMA has averaged (its decay warms up with them); a fine-tune
            restarts `step` at 0 but continues this count. Files without it count `step`.
        fit_progress: the state of an unfinished fit (loss windows, plateau tracker, the step it started
            at) in a checkpoint written during training, so that a killed fit resumes exactly; empty in
            the checkpoint a finished fit writes.
    """

    model: ModelConfig
    diffusion: DiffusionConfig
    train: TrainConfig
    text_encoder: str
    text_dim: int
    mean: np.ndarray
    std: np.ndarray
    weights: dict[str, torch.Tensor]
    ema_weights: dict[str, torch.Tensor]
    optimizer: dict[str, Any] | None = None
    lr_scheduler: dict[str, Any] | None = None
    step: int = 0
    rng: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    generation: int | None = None
    ema_updates: int | None = None
    fit_progress: dict[str, Any] = field(default_factory=dict)


def _to_config(schema: type[_Config], values: dict[str, Any], *, what: str, path: Path) -> _Config:
    try:
        merged = OmegaConf.merge(OmegaConf.structured(schema), values)
    except OmegaConfBaseException as error:
        raise CheckpointError(
            f"{path}: stored {what} config does not fit {schema.__name__}: {error}"
        ) from error
    return OmegaConf.to_object(merged)  # type: ignore[return-value]


def save_checkpoint(path: Path | str, checkpoint: Checkpoint) -> Path:
    """Write `checkpoint` to `path` atomically, behind the sha256 of its payload."""
    path = Path(path)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "model_config": asdict(checkpoint.model),
        "diffusion_config": asdict(checkpoint.diffusion),
        "train_config": asdict(checkpoint.train),
        "text_encoder": checkpoint.text_encoder,
        "text_dim": checkpoint.text_dim,
        "mean": torch.as_tensor(np.asarray(checkpoint.mean, dtype=np.float32)),
        "std": torch.as_tensor(np.asarray(checkpoint.std, dtype=np.float32)),
        "weights": checkpoint.weights,
        "ema_weights": checkpoint.ema_weights,
        "optimizer": checkpoint.optimizer,
        "lr_scheduler": checkpoint.lr_scheduler,
        "step": checkpoint.step,
        "rng": checkpoint.rng,
        "metrics": checkpoint.metrics,
        "generation": checkpoint.generation,
        "ema_updates": checkpoint.step if checkpoint.ema_updates is None else checkpoint.ema_updates,
        "fit_progress": checkpoint.fit_progress,
    }
    return save_torch_checked(path, payload)


def load_checkpoint(path: Path | str, *, map_location: str | torch.device = "cpu") -> Checkpoint:
    """Read a checkpoint written by `save_checkpoint`.

    Raises:
        CheckpointError: missing, truncated or corrupt file (checksum), another format/version, or configs
            that do not fit the schemas.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            f"checkpoint {path} does not exist; train one with `motion-loop train`"
        )
    # The file holds numpy RNG states and plain Python containers next to tensors.
    payload = load_torch_checked(
        path, what="model checkpoint", fix=_DAMAGED_FIX, error=CheckpointError, map_location=map_location
    )
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise CheckpointError(
            f"{path} is not a motion-loop model checkpoint (format {found!r}, expected {CHECKPOINT_FORMAT!r})"
        )
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint version {payload.get('version')}, this code reads {CHECKPOINT_VERSION}"
        )
    return Checkpoint(
        model=_to_config(ModelConfig, payload["model_config"], what="model", path=path),
        diffusion=_to_config(
            DiffusionConfig, payload["diffusion_config"], what="diffusion", path=path
        ),
        train=_to_config(TrainConfig, payload["train_config"], what="train", path=path),
        text_encoder=str(payload["text_encoder"]),
        text_dim=int(payload["text_dim"]),
        mean=payload["mean"].cpu().numpy(),
        std=payload["std"].cpu().numpy(),
        weights=payload["weights"],
        ema_weights=payload["ema_weights"],
        optimizer=payload["optimizer"],
        lr_scheduler=payload["lr_scheduler"],
        step=int(payload["step"]),
        rng=payload["rng"],
        metrics=dict(payload["metrics"]),
        generation=payload["generation"],
        ema_updates=int(payload.get("ema_updates", payload["step"])),
        fit_progress=dict(payload.get("fit_progress") or {}),
    )


def check_text_encoder(
    checkpoint: Checkpoint, name: str, dim: int, *, path: Path | str = "<checkpoint>"
) -> None:
    """Refuse a text encoder other than the one the model was trained with.

    Raises:
        CheckpointError: the names or widths differ.
    """
    if (name, dim) != (checkpoint.text_encoder, checkpoint.text_dim):
        raise CheckpointError(
            f"{path} was trained with text encoder {checkpoint.text_encoder!r} ({checkpoint.text_dim}-d); "
            f"got {name!r} ({dim}-d); configure text.name={checkpoint.text_encoder}"
        )
