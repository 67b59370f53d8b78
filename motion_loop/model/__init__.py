"""Text-to-motion diffusion model: denoiser, noise schedule, samplers, training and sampling API."""

from motion_loop.model.api import build_trainer, train_model
from motion_loop.model.checkpoint import (
    Checkpoint,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from motion_loop.model.config import (
    DiffusionConfig,
    LossConfig,
    ModelConfig,
    SampleConfig,
    TrainConfig,
)
from motion_loop.model.denoiser import MotionDenoiser
from motion_loop.model.generate import MotionGenerator, SampleResult, sample
from motion_loop.model.schedule import NoiseSchedule
from motion_loop.model.training import Trainer, TrainResult

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "DiffusionConfig",
    "LossConfig",
    "ModelConfig",
    "MotionDenoiser",
    "MotionGenerator",
    "NoiseSchedule",
    "SampleConfig",
    "SampleResult",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "build_trainer",
    "load_checkpoint",
    "sample",
    "save_checkpoint",
    "train_model",
]
