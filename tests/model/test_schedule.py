import math

import pytest
import torch

from motion_loop.errors import ConfigError
from motion_loop.model.schedule import NoiseSchedule, cosine_betas, get_betas


def test_cosine_schedule_matches_closed_form() -> None:
    T = 1000
    schedule = NoiseSchedule(cosine_betas(T))
    f = lambda u: math.cos((u + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    for t in (0, 10, 500, 900):
        assert float(schedule.alphas_cumprod[t]) == pytest.approx(f((t + 1) / T) / f(0), rel=1e-6)
    assert float(schedule.betas.max()) <= 0.999
    assert float(schedule.alphas_cumprod[-1]) < 1e-4


def test_unknown_schedule_lists_options() -> None:
    with pytest.raises(ConfigError, match=r"available: \['cosine', 'linear'\]"):
        get_betas("quadratic", 10)


def test_timesteps_cover_ends_and_all_steps() -> None:
    schedule = NoiseSchedule.from_name("cosine", 1000)
    steps = schedule.timesteps(50)
    assert steps[0] == 999 and steps[-1] == 0 and len(steps) == 50
    assert schedule.timesteps(1000) == list(range(999, -1, -1))
    with pytest.raises(ConfigError, match=r"\[1, 1000\]"):
        schedule.timesteps(1001)


def test_ddim_with_perfect_x0_recovers_it() -> None:
    schedule = NoiseSchedule.from_name("cosine", 100)
    generator = torch.Generator().manual_seed(0)
    x0 = torch.randn(2, 7, 5, generator=generator)
    noise = torch.randn(2, 7, 5, generator=generator)
    x = schedule.add_noise(x0, noise, torch.tensor([99, 99]))
    steps = schedule.timesteps(10)
    for i, t in enumerate(steps):
        x = schedule.ddim_step(
            x0, x, t, steps[i + 1] if i + 1 < len(steps) else -1, eta=0.0, noise=None
        )
    torch.testing.assert_close(x, x0, atol=1e-5, rtol=0)


def test_ddpm_posterior_mean_at_t0_is_x0() -> None:
    schedule = NoiseSchedule.from_name("cosine", 50)
    x0, xt = torch.randn(1, 3, 4), torch.randn(1, 3, 4)
    torch.testing.assert_close(
        schedule.ddpm_step(x0, xt, 0, torch.randn(1, 3, 4)), x0, atol=1e-6, rtol=0
    )
