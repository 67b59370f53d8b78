import pytest
import torch

from motion_loop.errors import ConfigError
from motion_loop.model.config import ModelConfig
from motion_loop.model.denoiser import MotionDenoiser, count_parameters

from .model_helpers import tiny_model_config


def _inputs(B: int = 3, T: int = 20, text_dim: int = 16, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([20, 12, 5])[:B]
    mask = torch.arange(T)[None] < lengths[:, None]
    return (
        torch.randn(B, T, 263, generator=g),
        torch.randint(0, 100, (B,), generator=g),
        torch.randn(B, text_dim, generator=g),
        mask,
    )


def test_shapes_and_zero_padding() -> None:
    model = MotionDenoiser(tiny_model_config(), text_dim=16, num_diffusion_steps=100).eval()
    x, t, text, mask = _inputs()
    out = model(x, t, text, mask)
    assert out.shape == (3, 20, 263)
    assert torch.all(out[~mask] == 0)


def test_padding_mask_makes_output_independent_of_padding() -> None:
    model = MotionDenoiser(tiny_model_config(), text_dim=16, num_diffusion_steps=100).eval()
    x, t, text, mask = _inputs()
    noisy_padding = x.clone()
    noisy_padding[~mask] = 100.0
    torch.testing.assert_close(model(x, t, text, mask), model(noisy_padding, t, text, mask))
    # A shorter canvas holding the same valid frames gives the same prediction.
    torch.testing.assert_close(
        model(x, t, text, mask)[1:2, :12], model(x[1:2, :12], t[1:2], text[1:2], mask[1:2, :12])
    )


def test_without_padding_mask_padding_leaks() -> None:
    model = MotionDenoiser(
        tiny_model_config(padding_mask=False), text_dim=16, num_diffusion_steps=100
    ).eval()
    x, t, text, mask = _inputs()
    noisy_padding = x.clone()
    noisy_padding[~mask] = 100.0
    assert not torch.allclose(model(x, t, text, mask), model(noisy_padding, t, text, mask))


def test_dropping_text_equals_zero_text() -> None:
    model = MotionDenoiser(tiny_model_config(), text_dim=16, num_diffusion_steps=100).eval()
    x, t, text, mask = _inputs()
    keep = torch.tensor([True, False, True])
    zeroed = text.clone()
    zeroed[1] = 0
    torch.testing.assert_close(model(x, t, text, mask, keep_text=keep), model(x, t, zeroed, mask))


def test_published_size_parameter_count() -> None:
    # 17.88 M in the reference (CLIP's 512-d text); our layers with a 512-d text input match it.
    model = MotionDenoiser(ModelConfig(), text_dim=512, num_diffusion_steps=1000)
    assert count_parameters(model) == pytest.approx(17.88e6, rel=0.01)


def test_heads_must_divide_width() -> None:
    with pytest.raises(ConfigError, match="divisible"):
        MotionDenoiser(tiny_model_config(heads=3), text_dim=16, num_diffusion_steps=10)


def test_temporal_conv_off_by_default_and_new_blocks_are_the_identity() -> None:
    assert ModelConfig().temporal_conv_kernel == 0  # the published model has no convolution
    plain = MotionDenoiser(tiny_model_config(layers=2), text_dim=16, num_diffusion_steps=100).eval()
    for placement, blocks in (("input", 1), ("interleaved", 2)):
        conv = MotionDenoiser(
            tiny_model_config(layers=2, temporal_conv_kernel=3, temporal_conv_placement=placement),
            text_dim=16, num_diffusion_steps=100,
        ).eval()  # fmt: skip
        assert len(conv.temporal_blocks) == blocks
        missing = conv.load_state_dict(plain.state_dict(), strict=False).missing_keys
        assert missing and all(key.startswith("temporal_blocks.") for key in missing)
        x, t, text, mask = _inputs()
        # Zero-initialised output projections: the layer-by-layer path equals nn.TransformerEncoder.
        torch.testing.assert_close(conv(x, t, text, mask), plain(x, t, text, mask))


def test_temporal_conv_never_sees_padding() -> None:
    model = MotionDenoiser(
        tiny_model_config(temporal_conv_kernel=3, padding_mask=True, heads=2), text_dim=16, num_diffusion_steps=100
    ).eval()
    for block in model.temporal_blocks:
        torch.nn.init.normal_(block.proj.weight, std=0.2)
    x, t, text, mask = _inputs()
    noisy_padding = x.clone()
    noisy_padding[~mask] = 100.0
    torch.testing.assert_close(model(x, t, text, mask), model(noisy_padding, t, text, mask))
    torch.testing.assert_close(
        model(x, t, text, mask)[1:2, :12], model(x[1:2, :12], t[1:2], text[1:2], mask[1:2, :12])
    )
    with pytest.raises(ConfigError, match="odd number of frames"):
        MotionDenoiser(tiny_model_config(temporal_conv_kernel=4), text_dim=16, num_diffusion_steps=10)
    with pytest.raises(ConfigError, match="temporal_conv_placement"):
        MotionDenoiser(tiny_model_config(temporal_conv_kernel=3, temporal_conv_placement="x"), text_dim=16, num_diffusion_steps=10)
