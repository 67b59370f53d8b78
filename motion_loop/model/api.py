"""Library entry points of the model: train or fine-tune on a dataset folder (or a torch dataset)."""

from __future__ import annotations

from pathlib import Path

import torch.distributed as dist
from torch.utils.data import Dataset

from motion_loop.data.config import DataConfig
from motion_loop.data.dataset import MotionDataset
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import ConfigError
from motion_loop.model.config import DiffusionConfig, ModelConfig, TrainConfig
from motion_loop.model.training import Trainer, TrainResult
from motion_loop.text.encoder import TextEncoder, get_text_encoder


def build_trainer(
    model: ModelConfig,
    diffusion: DiffusionConfig,
    train: TrainConfig,
    *,
    mean_std_from: HumanML3DFolder | None = None,
    resume_from: Path | str | None = None,
    init_from: Path | str | None = None,
    text_encoder: TextEncoder | None = None,
) -> Trainer:
    """A new trainer, one resumed from `resume_from`, or one fine-tuning `init_from` (exclusive).

    A new model takes its normalisation statistics from `mean_std_from`; resumed and fine-tuned models
    keep the checkpoint's (the loop keeps the real data's statistics across generations).
    """
    if resume_from and init_from:
        raise ConfigError(
            "give either resume_from (continue a run) or init_from (fine-tune), not both"
        )
    encoder = text_encoder or get_text_encoder(model.text)
    if resume_from or init_from:
        return Trainer.from_checkpoint(
            resume_from or init_from,
            train,
            resume=bool(resume_from),
            text_encoder=encoder,  # type: ignore[arg-type]
        )
    if mean_std_from is None:
        raise ConfigError(
            "a new model needs normalisation statistics: pass mean_std_from=a dataset folder"
        )
    mean, std = mean_std_from.mean_std()
    return Trainer(model, diffusion, train, mean=mean, std=std, text_encoder=encoder)


def train_model(
    model: ModelConfig,
    diffusion: DiffusionConfig,
    train: TrainConfig,
    data: Path | str | Dataset,
    out_dir: Path | str,
    *,
    data_config: DataConfig | None = None,
    resume_from: Path | str | None = None,
    init_from: Path | str | None = None,
    text_encoder: TextEncoder | None = None,
) -> TrainResult:
    """Train (or resume, or fine-tune) and write out_dir/checkpoint.pt.

    Args:
        model, diffusion, train: configs (model/diffusion are ignored when a checkpoint is given: the
            stored ones are used).
        data: a HumanML3D-layout folder, or a torch dataset yielding MotionDataset items normalised with
            the model's statistics.
        out_dir: where checkpoint.pt and tensorboard/ go.
        data_config: min/max frames and unit length of the cut (default DataConfig()).
        resume_from: checkpoint to continue exactly (until its step counter reaches train.steps).
        init_from: checkpoint to fine-tune (train.steps more steps from 0; fresh optimiser when
            train.reset_optimizer).
        text_encoder: reuse a loaded encoder (else built from model.text).
    """
    data_config = data_config or DataConfig()
    folder = HumanML3DFolder(data) if isinstance(data, (str, Path)) else None
    trainer = build_trainer(
        model,
        diffusion,
        train,
        mean_std_from=folder,
        resume_from=resume_from,
        init_from=init_from,
        text_encoder=text_encoder,
    )
    if folder is not None:
        rank = dist.get_rank() if dist.is_available() and dist.is_initialized() else 0
        dataset: Dataset = MotionDataset(
            folder,
            train.split,
            mean=trainer.mean,
            std=trainer.std,
            min_frames=data_config.min_frames,
            max_frames=min(data_config.max_frames, trainer.model_config.max_frames),
            unit_length=data_config.unit_length,
            seed=train.seed * 1000 + rank,
        )
    else:
        dataset = data  # type: ignore[assignment]
    return trainer.fit(dataset, out_dir)
