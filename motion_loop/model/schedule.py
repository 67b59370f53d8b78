"""Noise schedule of the Gaussian diffusion: betas, forward noising and one reverse step (DDPM or DDIM).

Notation of Ho et al. 2020 (DDPM) and Song et al. 2021 (DDIM): alpha_bar_t = prod_{s<=t} (1 - beta_s),
x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps. Steps are 0-based: t = 0 .. T-1.
The model predicts x0; both reverse steps take that prediction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from motion_loop.errors import ConfigError

# Nichol & Dhariwal 2021, eq. 17: offset s keeps beta_0 from being tiny; betas are capped below 1.
_COSINE_OFFSET = 0.008
_MAX_BETA = 0.999


def cosine_betas(steps: int) -> torch.Tensor:
    """Improved-DDPM cosine schedule: alpha_bar(t) = cos^2(((t/T) + s) / (1 + s) * pi/2), (T,) float64."""

    def alpha_bar(u: float) -> float:
        return math.cos((u + _COSINE_OFFSET) / (1 + _COSINE_OFFSET) * math.pi / 2) ** 2

    betas = [
        min(1 - alpha_bar((i + 1) / steps) / alpha_bar(i / steps), _MAX_BETA) for i in range(steps)
    ]
    return torch.tensor(betas, dtype=torch.float64)


def linear_betas(steps: int) -> torch.Tensor:
    """DDPM linear schedule scaled to `steps` (1e-4 .. 0.02 at T = 1000), (T,) float64."""
    scale = 1000 / steps
    return torch.linspace(scale * 1e-4, scale * 0.02, steps, dtype=torch.float64)


BETA_SCHEDULES: dict[str, Callable[[int], torch.Tensor]] = {
    "cosine": cosine_betas,
    "linear": linear_betas,
}


def get_betas(name: str, steps: int) -> torch.Tensor:
    """Betas (T,) of a named schedule.

    Raises:
        ConfigError: unknown name (lists the valid ones) or steps < 1.
    """
    if name not in BETA_SCHEDULES:
        raise ConfigError(f"unknown beta schedule {name!r}; available: {sorted(BETA_SCHEDULES)}")
    if steps < 1:
        raise ConfigError(f"diffusion steps must be >= 1, got {steps}")
    return BETA_SCHEDULES[name](steps)


def _gather(values: torch.Tensor, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """values[t] shaped (B, 1, 1) for broadcasting against x (B, T, D), in x's dtype and device."""
    return (
        values.to(like.device)[t.to(like.device)]
        .to(like.dtype)
        .reshape(-1, *([1] * (like.ndim - 1)))
    )


class NoiseSchedule:
    """Betas and the closed forms derived from them (kept in float64, cast at use).

    Args:
        betas: (T,) noise variances of the forward process.
    """

    def __init__(self, betas: torch.Tensor) -> None:
        self.betas = betas.to(torch.float64)
        self.num_steps = int(betas.shape[0])
        self.alphas_cumprod = torch.cumprod(1.0 - self.betas, dim=0)  # alpha_bar_t
        self.alphas_cumprod_prev = torch.cat(
            [torch.ones(1, dtype=torch.float64), self.alphas_cumprod[:-1]]
        )
        # DDPM posterior q(x_{t-1} | x_t, x0) (Ho et al. eq. 6-7); "fixed small" variance beta~_t.
        self.posterior_variance = (
            self.betas * (1 - self.alphas_cumprod_prev) / (1 - self.alphas_cumprod)
        )
        self.posterior_coef_x0 = (
            self.betas * self.alphas_cumprod_prev.sqrt() / (1 - self.alphas_cumprod)
        )
        self.posterior_coef_xt = (
            (1 - self.alphas_cumprod_prev) * (1 - self.betas).sqrt() / (1 - self.alphas_cumprod)
        )

    @classmethod
    def from_name(cls, name: str, steps: int) -> NoiseSchedule:
        return cls(get_betas(name, steps))

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Sample q(x_t | x0): sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise; x0, noise (B, T, D), t (B,)."""
        ab = _gather(self.alphas_cumprod, t, x0)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def timesteps(self, num_inference_steps: int) -> list[int]:
        """Descending timesteps of a sampler with `num_inference_steps` steps, from T-1 down to 0.

        Evenly spaced over [0, T-1] and always including both ends; `T` steps give every step.

        Raises:
            ConfigError: num_inference_steps outside [1, T].
        """
        if not 1 <= num_inference_steps <= self.num_steps:
            raise ConfigError(
                f"sampling steps must be in [1, {self.num_steps}] (the training steps), got {num_inference_steps}"
            )
        if num_inference_steps == 1:
            return [self.num_steps - 1]
        grid = torch.linspace(self.num_steps - 1, 0, num_inference_steps, dtype=torch.float64)
        steps = sorted({int(round(v)) for v in grid.tolist()}, reverse=True)
        return steps

    def ddpm_step(
        self, x0_pred: torch.Tensor, x_t: torch.Tensor, t: int, noise: torch.Tensor | None
    ) -> torch.Tensor:
        """One ancestral step x_t -> x_{t-1} ~ q(x_{t-1} | x_t, x0_pred) with "fixed small" variance.

        Args:
            x0_pred: predicted clean sample (B, T, D).
            x_t: current sample (B, T, D).
            t: current step; at t = 0 the mean is returned (no noise).
            noise: standard normal (B, T, D), already multiplied by the sampling temperature; None = 0.
        """
        tt = torch.full((x_t.shape[0],), t, dtype=torch.long)
        mean = (
            _gather(self.posterior_coef_x0, tt, x_t) * x0_pred
            + _gather(self.posterior_coef_xt, tt, x_t) * x_t
        )
        if t == 0 or noise is None:
            return mean
        return mean + _gather(self.posterior_variance, tt, x_t).sqrt() * noise

    def ddim_step(
        self,
        x0_pred: torch.Tensor,
        x_t: torch.Tensor,
        t: int,
        t_prev: int,
        *,
        eta: float,
        noise: torch.Tensor | None,
    ) -> torch.Tensor:
        """One DDIM step x_t -> x_{t_prev} (Song et al. 2021, eq. 12; t_prev = -1 means alpha_bar = 1).

        x_{t'} = sqrt(ab') x0 + sqrt(1 - ab' - sigma^2) eps_hat + sigma noise, with
        eps_hat = (x_t - sqrt(ab) x0) / sqrt(1 - ab) and
        sigma = eta sqrt((1 - ab') / (1 - ab)) sqrt(1 - ab / ab').

        Args:
            noise: standard normal (B, T, D) times the temperature, or None (no injected noise).
        """
        ab = float(self.alphas_cumprod[t])
        ab_prev = float(self.alphas_cumprod[t_prev]) if t_prev >= 0 else 1.0
        eps_hat = (x_t - math.sqrt(ab) * x0_pred) / math.sqrt(1 - ab)
        sigma = eta * math.sqrt((1 - ab_prev) / (1 - ab)) * math.sqrt(1 - ab / ab_prev)
        direction = math.sqrt(max(1 - ab_prev - sigma**2, 0.0)) * eps_hat
        x_prev = math.sqrt(ab_prev) * x0_pred + direction
        if sigma > 0 and noise is not None:
            x_prev = x_prev + sigma * noise
        return x_prev
