"""A small DDPM on sklearn's 8x8 digits: an MLP that predicts the noise, a cosine schedule, ancestral sampling.

Pixels are scaled from [0, 16] to [-1, 1]; x: (N, 64). Everything takes an explicit torch.Generator; the
caller sets the thread count (the CLI uses 1 thread).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.loop.arrays import Arrays

PIXELS = 64  # 8 x 8 images
PIXEL_MAX = 16.0  # sklearn's digits take values 0..16
_STATE_FILE = "digits_ddpm.pt"
_TIME_FEATURES = 32  # sinusoidal embedding size of the diffusion step
_MAX_BETA = 0.999  # the cosine schedule's cap (its last steps would otherwise reach 1)


def to_model_space(pixels: np.ndarray) -> np.ndarray:
    """[0, 16] -> [-1, 1]; (N, 64)."""
    return pixels / (PIXEL_MAX / 2) - 1.0


def to_pixels(x: np.ndarray) -> np.ndarray:
    """[-1, 1] -> [0, 16] (clipped); (N, 64)."""
    return np.clip((x + 1.0) * (PIXEL_MAX / 2), 0.0, PIXEL_MAX)


def cosine_alpha_bar(steps: int) -> torch.Tensor:
    """alpha_bar_t, t = 1..T, of the cosine schedule (Nichol & Dhariwal, eq. 17, s = 0.008); (T,)."""
    s = 0.008
    t = torch.arange(steps + 1, dtype=torch.float64) / steps
    f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    betas = torch.clamp(1 - f[1:] / f[:-1], max=_MAX_BETA)
    return torch.cumprod(1 - betas, dim=0).float()


@dataclass(frozen=True)
class DDPMSettings:
    """Size and training budget of the digits DDPM."""

    hidden: int = 128
    diffusion_steps: int = 40
    initial_steps: int = 2000  # optimiser steps of generation 0 (from scratch)
    finetune_steps: int = 150  # optimiser steps of every later generation (warm start)
    batch_size: int = 256
    learning_rate: float = 1e-3

    def validate(self) -> None:
        for name in ("hidden", "diffusion_steps", "initial_steps", "finetune_steps", "batch_size"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be > 0, got {self.learning_rate}")


class Denoiser(nn.Module):
    """eps_hat(x_t, t): MLP on [x_t, sin/cos(t)]; x_t (B, 64), t (B,) in 0..T-1 -> (B, 64)."""

    def __init__(self, hidden: int, steps: int) -> None:
        super().__init__()
        self.steps = steps
        self.net = nn.Sequential(
            nn.Linear(PIXELS + _TIME_FEATURES, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
            nn.Linear(hidden, PIXELS),
        )

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        half = _TIME_FEATURES // 2
        frequencies = torch.exp(-math.log(1000.0) * torch.arange(half) / half)  # (half,)
        angles = (t.float()[:, None] + 1) / self.steps * 1000.0 * frequencies[None, :]  # (B, half)
        return self.net(torch.cat([x, torch.sin(angles), torch.cos(angles)], dim=1))


class DigitsDDPM:
    """A `Learner` for the loop engine: fit = train (generation 0) or fine-tune; sample = ancestral DDPM."""

    def __init__(self, settings: DDPMSettings, *, init_seed: int) -> None:
        settings.validate()
        self.settings = settings
        generator = torch.Generator().manual_seed(init_seed)
        self.model = Denoiser(settings.hidden, settings.diffusion_steps)
        with torch.no_grad():  # explicit generator: no global torch seed in library code
            for parameter in self.model.parameters():
                fan_in = parameter.shape[-1] if parameter.dim() > 1 else settings.hidden
                parameter.copy_(
                    torch.randn(parameter.shape, generator=generator) / math.sqrt(fan_in)
                )
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=settings.learning_rate)
        self.alpha_bar = cosine_alpha_bar(settings.diffusion_steps)  # (T,)

    def fit(self, dataset: Arrays, *, generation: int, rng: np.random.Generator) -> None:
        data = torch.as_tensor(dataset["x"], dtype=torch.float32)  # (N, 64) in [-1, 1]
        N, D = data.shape
        if D != PIXELS or N < 1:
            raise DataFormatError(
                f"digits data must have shape (N >= 1, {PIXELS}), got {tuple(data.shape)}"
            )
        generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
        steps = self.settings.initial_steps if generation == 0 else self.settings.finetune_steps
        self.model.train()
        for _ in range(steps):
            index = torch.randint(N, (min(self.settings.batch_size, N),), generator=generator)
            x0 = data[index]
            t = torch.randint(self.settings.diffusion_steps, (len(index),), generator=generator)
            noise = torch.randn(x0.shape, generator=generator)
            a = self.alpha_bar[t][:, None]
            loss = ((self.model(a.sqrt() * x0 + (1 - a).sqrt() * noise, t) - noise) ** 2).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()

    @torch.no_grad()
    def generate(self, count: int, *, generator: torch.Generator) -> np.ndarray:
        """`count` samples in [-1, 1]; (count, 64). Ancestral sampling with sigma_t^2 = beta_t, x0 clipped."""
        self.model.eval()
        T = self.settings.diffusion_steps
        alpha_bar = self.alpha_bar
        x = torch.randn((count, PIXELS), generator=generator)
        for step in reversed(range(T)):
            t = torch.full((count,), step)
            a_t = alpha_bar[step]
            a_prev = alpha_bar[step - 1] if step > 0 else torch.tensor(1.0)
            eps = self.model(x, t)
            x0 = ((x - (1 - a_t).sqrt() * eps) / a_t.sqrt()).clamp(-1.0, 1.0)
            beta = 1 - a_t / a_prev
            # Posterior mean of q(x_{t-1} | x_t, x0) (DDPM eq. 7).
            mean = (a_prev.sqrt() * beta / (1 - a_t)) * x0 + (
                (1 - beta).sqrt() * (1 - a_prev) / (1 - a_t)
            ) * x
            x = mean + (
                beta.sqrt() * torch.randn(x.shape, generator=generator) if step > 0 else 0.0
            )
        return x.clamp(-1.0, 1.0).numpy().astype(np.float32)

    def sample(self, prompts: Arrays, *, generation: int, rng: np.random.Generator) -> Arrays:
        generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
        return Arrays({"x": self.generate(len(prompts), generator=generator)})

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        state = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
        }
        torch.save(state, directory / _STATE_FILE)

    def load(self, directory: Path) -> None:
        state = torch.load(directory / _STATE_FILE, weights_only=True)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
