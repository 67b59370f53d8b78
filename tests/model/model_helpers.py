"""Helpers of the model tests: a small synthetic HumanML3D-layout folder and tiny configs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motion_loop.data.features import FEATURE_DIM, features_to_joints
from motion_loop.data.humanml3d import (
    Caption,
    HumanML3DFolder,
    compute_stats,
    write_clip,
    write_splits,
    write_stats,
)
from motion_loop.model.config import DiffusionConfig, ModelConfig, SampleConfig, TrainConfig
from motion_loop.text.encoder import TextConfig

CAPTIONS = [
    "a person walks forward",
    "a person jumps up",
    "someone waves the right hand",
    "a man turns around",
]


def make_synthetic_folder(
    root: Path, *, clips: int = 8, frames: tuple[int, int] = (40, 80), seed: int = 0
) -> Path:
    """Smooth random features (sums of sinusoids) with captions; splits all train."""
    rng = np.random.default_rng(seed)
    ids = []
    for index in range(clips):
        T = int(rng.integers(frames[0], frames[1] + 1))
        time = np.linspace(0, 2 * np.pi, T)[:, None]
        phase, amplitude = (
            rng.uniform(0, 2 * np.pi, FEATURE_DIM),
            rng.uniform(0.01, 0.1, FEATURE_DIM),
        )
        features = amplitude * np.sin(time * (1 + index % 3) + phase)
        features[:, 3] += 0.9  # root height [m]
        clip_id = f"{index:06d}"
        ids.append(clip_id)
        write_clip(
            root,
            clip_id,
            joints=features_to_joints(features),
            features=features,
            captions=[Caption(CAPTIONS[index % len(CAPTIONS)])],
        )
    write_splits(root, {"train": ids})
    folder = HumanML3DFolder(root)
    write_stats(root, *compute_stats(folder, ids))
    return root


def tiny_model_config(**overrides: object) -> ModelConfig:
    config = ModelConfig(
        latent_dim=32, layers=1, heads=2, ff_dim=64, dropout=0.1, text=TextConfig(name="hash")
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def tiny_train_config(**overrides: object) -> TrainConfig:
    config = TrainConfig(steps=4, batch_size=4, lr=1e-3, log_every=2, progress=False, device="cpu")
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def tiny_diffusion_config() -> DiffusionConfig:
    return DiffusionConfig(steps=100)


def tiny_sample_config(**overrides: object) -> SampleConfig:
    config = SampleConfig(method="ddim", steps=5, guidance_scale=1.0, device="cpu", batch_size=3)
    for key, value in overrides.items():
        setattr(config, key, value)
    return config
