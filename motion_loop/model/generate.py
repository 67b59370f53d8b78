"""Sampling API: load a checkpoint once, then draw motions for captions and exact lengths, many times,
in one process. Outputs are de-normalised 263-d features and joints recovered from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from motion_loop.data.features import features_to_joints
from motion_loop.errors import ConfigError
from motion_loop.model.checkpoint import Checkpoint, check_text_encoder, load_checkpoint
from motion_loop.model.config import SampleConfig
from motion_loop.model.denoiser import MotionDenoiser
from motion_loop.model.sampler import SamplerSettings, sample_motion
from motion_loop.model.schedule import NoiseSchedule
from motion_loop.model.training import resolve_device
from motion_loop.text.encoder import TextEncoder, get_text_encoder


@dataclass
class SampleResult:
    """Generated motions, in the order of the prompts.

    Attributes:
        captions, lengths: the prompts and their lengths [frames of features].
        features: de-normalised features, one (length_i, 263) float32 array per prompt.
        joints: joint positions [m], one (length_i, 22, 3) float32 array per prompt (RIC recovery).
        config: the sampling settings used.
    """

    captions: list[str]
    lengths: list[int]
    features: list[np.ndarray]
    joints: list[np.ndarray]
    config: SampleConfig


class MotionGenerator:
    """A trained model ready to sample.

    Args:
        checkpoint: a loaded checkpoint.
        text_encoder: the encoder the model was trained with (default: built from the stored config).
        device: where the denoiser runs ("" = cuda when available).
    """

    def __init__(
        self, checkpoint: Checkpoint, *, text_encoder: TextEncoder | None = None, device: str = ""
    ) -> None:
        self.checkpoint = checkpoint
        self.text_encoder = text_encoder or get_text_encoder(checkpoint.model.text)
        check_text_encoder(checkpoint, self.text_encoder.name, self.text_encoder.dim)
        self.device = resolve_device(device)
        self.schedule = NoiseSchedule.from_name(
            checkpoint.diffusion.schedule, checkpoint.diffusion.steps
        )
        self.denoiser = MotionDenoiser(
            checkpoint.model,
            text_dim=checkpoint.text_dim,
            num_diffusion_steps=checkpoint.diffusion.steps,
        ).to(self.device)
        self.denoiser.eval()
        self._weights: bool | None = None  # which weights are loaded: True = EMA
        self.mean = checkpoint.mean.astype(np.float32)
        self.std = checkpoint.std.astype(np.float32)

    @classmethod
    def from_checkpoint(
        cls, path: Path | str, *, text_encoder: TextEncoder | None = None, device: str = ""
    ) -> MotionGenerator:
        return cls(load_checkpoint(path), text_encoder=text_encoder, device=device)

    def _load_weights(self, use_ema: bool) -> None:
        if self._weights is not use_ema:
            weights = self.checkpoint.ema_weights if use_ema else self.checkpoint.weights
            self.denoiser.load_state_dict(weights)
            self._weights = use_ema

    def sample(
        self,
        captions: list[str],
        lengths: list[int],
        config: SampleConfig,
        *,
        generator: torch.Generator,
    ) -> SampleResult:
        """Draw one motion per (caption, length).

        Prompts are batched by descending length (less padding); the result keeps the prompts' order.
        The same generator state, prompts and config give the same motions.

        Raises:
            ConfigError: mismatched list lengths or a length outside [1, model.max_frames].
        """
        if len(captions) != len(lengths):
            raise ConfigError(
                f"got {len(captions)} captions but {len(lengths)} lengths; give one length per caption"
            )
        max_frames = self.checkpoint.model.max_frames
        bad = [n for n in lengths if not 1 <= int(n) <= max_frames]
        if bad:
            raise ConfigError(f"lengths must be in [1, {max_frames}] frames, got {bad[:5]}")
        if config.batch_size < 1:
            raise ConfigError(f"sample.batch_size must be >= 1, got {config.batch_size}")
        self._load_weights(config.use_ema)
        settings = SamplerSettings(
            method=config.method,
            steps=config.steps,
            eta=config.eta,
            guidance_scale=config.guidance_scale,
            temperature=config.temperature,
            progress=config.progress,
        )
        lengths = [int(n) for n in lengths]
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        features: list[np.ndarray | None] = [None] * len(lengths)
        for start in range(0, len(order), config.batch_size):
            chunk = order[start : start + config.batch_size]
            chunk_lengths = torch.tensor([lengths[i] for i in chunk])
            mask = (torch.arange(int(chunk_lengths.max()))[None] < chunk_lengths[:, None]).to(
                self.device
            )
            text = self.text_encoder.encode([captions[i] for i in chunk]).to(self.device)
            motion = sample_motion(
                self.denoiser, self.schedule, text, mask, settings, generator=generator
            )
            motion = (
                motion.float().cpu().numpy() * self.std + self.mean
            )  # (B, T, 263) de-normalised
            for row, index in enumerate(chunk):
                features[index] = motion[row, : lengths[index]].astype(np.float32)
        done = [f for f in features if f is not None]
        joints = [features_to_joints(f).astype(np.float32) for f in done]
        return SampleResult(list(captions), lengths, done, joints, config)


def sample(
    checkpoint: Path | str,
    captions: list[str],
    lengths: list[int],
    config: SampleConfig,
    *,
    generator: torch.Generator,
    text_encoder: TextEncoder | None = None,
) -> SampleResult:
    """One-shot convenience: load `checkpoint` and sample (use MotionGenerator to sample many times)."""
    return MotionGenerator.from_checkpoint(
        checkpoint, text_encoder=text_encoder, device=config.device
    ).sample(captions, lengths, config, generator=generator)
