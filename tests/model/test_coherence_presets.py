"""The published configuration stays available unchanged: GPU presets and `model=mdm` have no temporal convolution."""

from __future__ import annotations

from omegaconf import OmegaConf

from motion_loop.cli.hydra_utils import compose_config


def test_published_presets_have_no_temporal_convolution() -> None:
    for experiment in ("gpu_n64", "gpu_n2794"):
        config = OmegaConf.to_object(compose_config("run", [f"experiment={experiment}", "data.root=/data/x"]))
        assert config.model.temporal_conv_kernel == 0
    train = OmegaConf.to_object(compose_config("train", ["model=mdm", "out_dir=x"]))
    assert train.model.temporal_conv_kernel == 0 and train.train.ema_decay == 0.999


def test_cpu_presets_use_the_temporal_convolution() -> None:
    """The CPU presets add it (issue 16: without it the samples' legs flicker); the docs show its effect."""
    for experiment in ("cpu_small", "cpu_faithful"):
        config = OmegaConf.to_object(compose_config("run", [f"experiment={experiment}", "data.root=/data/x"]))
        assert (config.model.temporal_conv_kernel, config.model.temporal_conv_placement) == (3, "interleaved")
