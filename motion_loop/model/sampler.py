"""The unrolled reverse process: ancestral DDPM over all steps or DDIM over any number of steps, with
classifier-free guidance and a sampling temperature.

Temperature tau scales both the initial noise x_T ~ N(0, tau^2 I) and every injected noise term; tau = 1 is
the model's distribution, tau = 0 with DDIM is a deterministic map of the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from tqdm.auto import tqdm

from motion_loop.errors import ConfigError
from motion_loop.model.denoiser import MotionDenoiser
from motion_loop.model.schedule import NoiseSchedule

SAMPLERS = ("ddpm", "ddim")


@dataclass(frozen=True)
class SamplerSettings:
    """Settings of one reverse-process run (the tensor-level subset of SampleConfig)."""

    method: str = "ddim"
    steps: int = 50
    eta: float = 0.0
    guidance_scale: float = 1.0
    temperature: float = 1.0
    progress: bool = False

    def check(self) -> None:
        if self.method not in SAMPLERS:
            raise ConfigError(f"sampling method must be one of {SAMPLERS}, got {self.method!r}")
        if self.temperature < 0:
            raise ConfigError(f"sampling temperature must be >= 0, got {self.temperature}")
        if self.eta < 0:
            raise ConfigError(f"DDIM eta must be >= 0, got {self.eta}")


def _noise(shape: tuple[int, ...], generator: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    """Standard normal noise drawn from `generator` (on its own device), moved to `like`'s device."""
    return torch.randn(shape, generator=generator, device=generator.device).to(
        like.device, like.dtype
    )


def guided_x0(
    denoiser: MotionDenoiser,
    x_t: torch.Tensor,
    t: torch.Tensor,
    text: torch.Tensor,
    mask: torch.Tensor,
    guidance_scale: float,
) -> torch.Tensor:
    """x0 prediction with classifier-free guidance: x0_u + s (x0_c - x0_u) (Ho & Salimans 2022).

    s = 1 runs only the conditional model (so it equals plain conditional sampling exactly).
    """
    if guidance_scale == 1.0:
        return denoiser(x_t, t, text, mask)
    B = x_t.shape[0]
    keep = torch.cat([torch.ones(B, dtype=torch.bool), torch.zeros(B, dtype=torch.bool)]).to(
        x_t.device
    )
    both = denoiser(
        torch.cat([x_t, x_t]),
        torch.cat([t, t]),
        torch.cat([text, text]),
        torch.cat([mask, mask]),
        keep_text=keep,
    )
    conditional, unconditional = both[:B], both[B:]
    return unconditional + guidance_scale * (conditional - unconditional)


@torch.no_grad()
def sample_motion(
    denoiser: MotionDenoiser,
    schedule: NoiseSchedule,
    text: torch.Tensor,
    mask: torch.Tensor,
    settings: SamplerSettings,
    *,
    generator: torch.Generator,
) -> torch.Tensor:
    """Run the reverse process for a batch.

    Args:
        denoiser: the x0-predicting model (put in eval mode by the caller).
        schedule: the training noise schedule.
        text: text embeddings (B, text_dim) on the model's device.
        mask: valid frames (B, T) bool on the model's device; padded frames stay 0.
        settings: method, steps, eta, guidance, temperature.
        generator: source of all noise (initial and injected).

    Returns:
        Normalised clean motions (B, T, 263), zero on padded frames.
    """
    settings.check()
    B, T = mask.shape  # (B, T)
    D = denoiser.config.feature_dim
    frame_mask = mask[..., None].to(text.dtype)  # (B, T, 1)
    x = settings.temperature * _noise((B, T, D), generator, text) * frame_mask
    if settings.method == "ddpm":
        timesteps = list(range(schedule.num_steps - 1, -1, -1))
    else:
        timesteps = schedule.timesteps(settings.steps)
    loop = tqdm(
        timesteps, desc=f"{settings.method} sampling", leave=False, disable=not settings.progress
    )
    for index, t in enumerate(loop):
        t_batch = torch.full((B,), t, dtype=torch.long, device=x.device)
        x0 = guided_x0(denoiser, x, t_batch, text, mask, settings.guidance_scale)
        if settings.method == "ddpm":
            noise = settings.temperature * _noise((B, T, D), generator, x) if t > 0 else None
            x = schedule.ddpm_step(x0, x, t, noise)
        else:
            t_prev = timesteps[index + 1] if index + 1 < len(timesteps) else -1
            needs_noise = settings.eta > 0 and t_prev >= 0
            noise = settings.temperature * _noise((B, T, D), generator, x) if needs_noise else None
            x = schedule.ddim_step(x0, x, t, t_prev, eta=settings.eta, noise=noise)
        x = x * frame_mask
    return x
