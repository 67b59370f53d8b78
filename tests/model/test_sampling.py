from pathlib import Path

import numpy as np
import pytest
import torch

from motion_loop.data.features import features_to_joints
from motion_loop.errors import ConfigError
from motion_loop.model import MotionGenerator, train_model

from .model_helpers import (
    tiny_diffusion_config,
    tiny_model_config,
    tiny_sample_config,
    tiny_train_config,
)

CAPTIONS = ["a person walks forward", "a person jumps up", "someone waves the right hand"]
LENGTHS = [40, 17, 64]


@pytest.fixture(scope="module")
def generator_model(
    synthetic_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> MotionGenerator:
    out = tmp_path_factory.mktemp("sampling_model")
    result = train_model(
        tiny_model_config(),
        tiny_diffusion_config(),
        tiny_train_config(steps=3),
        synthetic_folder,
        out,
    )
    return MotionGenerator.from_checkpoint(result.checkpoint, device="cpu")


def _sample(model: MotionGenerator, seed: int, **overrides: object):
    return model.sample(
        CAPTIONS,
        LENGTHS,
        tiny_sample_config(**overrides),
        generator=torch.Generator().manual_seed(seed),
    )


def test_exact_lengths_denormalised_features_and_joints(generator_model: MotionGenerator) -> None:
    result = _sample(generator_model, 0)
    assert [f.shape for f in result.features] == [(n, 263) for n in LENGTHS]
    assert [j.shape for j in result.joints] == [(n, 22, 3) for n in LENGTHS]
    np.testing.assert_allclose(result.joints[1], features_to_joints(result.features[1]), atol=1e-5)
    assert result.captions == CAPTIONS and result.lengths == LENGTHS


@pytest.mark.parametrize("method", ["ddim", "ddpm"])
def test_seeded_sampling_is_reproducible(generator_model: MotionGenerator, method: str) -> None:
    a, b, c = (
        _sample(generator_model, 3, method=method, eta=0.5),
        _sample(generator_model, 3, method=method, eta=0.5),
        _sample(generator_model, 4, method=method, eta=0.5),
    )
    for x, y in zip(a.features, b.features, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.allclose(a.features[0], c.features[0])


def test_result_does_not_depend_on_batching_order_of_prompts(
    generator_model: MotionGenerator,
) -> None:
    # Prompts are batched by length; a batch size of 1 or 3 gives each prompt the same kind of output shape.
    small = _sample(generator_model, 0, batch_size=1)
    assert [f.shape for f in small.features] == [(n, 263) for n in LENGTHS]


def test_guidance_scale_one_equals_conditional_sampling(generator_model: MotionGenerator) -> None:
    from motion_loop.model.sampler import guided_x0

    denoiser = generator_model.denoiser
    g = torch.Generator().manual_seed(0)
    x, t = torch.randn(2, 10, 263, generator=g), torch.tensor([50, 10])
    text, mask = torch.randn(2, denoiser.text_dim, generator=g), torch.ones(2, 10, dtype=torch.bool)
    with torch.no_grad():
        torch.testing.assert_close(
            guided_x0(denoiser, x, t, text, mask, 1.0), denoiser(x, t, text, mask), rtol=0, atol=0
        )
        # s = 1 through the two-branch formula gives the same up to rounding.
        both = guided_x0(denoiser, x, t, text, mask, 1.0 + 1e-12)
        torch.testing.assert_close(both, denoiser(x, t, text, mask), rtol=1e-5, atol=1e-5)
    guided = _sample(generator_model, 5, guidance_scale=1.0)
    plain = _sample(generator_model, 5, guidance_scale=1.0)
    for x1, x2 in zip(guided.features, plain.features, strict=True):
        np.testing.assert_array_equal(x1, x2)
    assert not np.allclose(
        _sample(generator_model, 5, guidance_scale=3.0).features[0], guided.features[0]
    )


def test_temperature_zero_ddim_is_deterministic(generator_model: MotionGenerator) -> None:
    for eta in (0.0, 0.7):  # with no noise injected the seed cannot matter, even with eta > 0
        a = _sample(generator_model, 1, temperature=0.0, eta=eta)
        b = _sample(generator_model, 2, temperature=0.0, eta=eta)
        for x, y in zip(a.features, b.features, strict=True):
            np.testing.assert_array_equal(x, y)


def test_temperature_scales_initial_noise(generator_model: MotionGenerator) -> None:
    hot = _sample(generator_model, 1, temperature=2.0)
    cold = _sample(generator_model, 1, temperature=0.5)
    assert not np.allclose(hot.features[0], cold.features[0])


def test_invalid_requests_fail_loudly(generator_model: MotionGenerator) -> None:
    with pytest.raises(ConfigError, match=r"lengths must be in \[1, 196\]"):
        generator_model.sample(["x"], [300], tiny_sample_config(), generator=torch.Generator())
    with pytest.raises(ConfigError, match="one length per caption"):
        generator_model.sample(["x", "y"], [40], tiny_sample_config(), generator=torch.Generator())
    with pytest.raises(ConfigError, match="sampling method must be one of"):
        generator_model.sample(
            ["x"], [40], tiny_sample_config(method="euler"), generator=torch.Generator()
        )
    with pytest.raises(ConfigError, match="temperature must be >= 0"):
        generator_model.sample(
            ["x"], [40], tiny_sample_config(temperature=-1.0), generator=torch.Generator()
        )


def test_two_generations_in_one_process(synthetic_folder: Path, tmp_path: Path) -> None:
    """The loop's pattern: train, sample, fine-tune from the checkpoint, sample again, all in-process."""
    g0 = train_model(
        tiny_model_config(),
        tiny_diffusion_config(),
        tiny_train_config(steps=2),
        synthetic_folder,
        tmp_path / "g0",
    )
    first = MotionGenerator.from_checkpoint(g0.checkpoint, device="cpu").sample(
        CAPTIONS, LENGTHS, tiny_sample_config(), generator=torch.Generator().manual_seed(0)
    )
    g1 = train_model(
        tiny_model_config(),
        tiny_diffusion_config(),
        tiny_train_config(steps=2),
        synthetic_folder,
        tmp_path / "g1",
        init_from=g0.checkpoint,
    )
    second = MotionGenerator.from_checkpoint(g1.checkpoint, device="cpu").sample(
        CAPTIONS, LENGTHS, tiny_sample_config(), generator=torch.Generator().manual_seed(0)
    )
    assert not np.allclose(first.features[0], second.features[0])
