"""Every `motion-loop run` preset and arm composes into a valid RunConfig (types checked by OmegaConf)."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from motion_loop.cli.hydra_utils import compose_config, conf_dir
from motion_loop.loop.motion.config import RunConfig

EXPERIMENTS = sorted(path.stem for path in (conf_dir() / "experiment").glob("*.yaml"))
ARMS = sorted(path.stem for path in (conf_dir() / "arm").glob("*.yaml"))


@pytest.mark.parametrize("experiment", EXPERIMENTS)
@pytest.mark.parametrize("arm", ARMS)
def test_preset_composes(experiment: str, arm: str) -> None:
    config = OmegaConf.to_object(compose_config("run", [f"experiment={experiment}", f"arm={arm}", "data.root=/data/x"]))
    assert isinstance(config, RunConfig)
    assert config.experiment == experiment and config.loop.arm == arm
    assert config.loop.correct == (arm == "corrected")
    assert config.loop.use_synthetic == (arm != "baseline")
    assert config.loop.generations >= 3


def test_published_presets_follow_the_published_settings() -> None:
    n64 = OmegaConf.to_object(compose_config("run", ["experiment=gpu_n64", "data.root=/data/x"]))
    n2794 = OmegaConf.to_object(compose_config("run", ["experiment=gpu_n2794", "data.root=/data/x"]))
    for config, steps, finetune in ((n64, 5000, 1000), (n2794, 200000, 40000)):
        assert (config.model.latent_dim, config.model.layers, config.model.heads, config.model.ff_dim) == (512, 8, 4, 1024)
        assert (config.diffusion.steps, config.diffusion.schedule) == (1000, "cosine")
        assert (config.train.batch_size, config.train.lr, config.train.steps) == (64, 1e-4, steps)
        assert config.loop.finetune_steps == finetune and config.loop.generations == 51
        assert config.sample.method == "ddpm" and config.sample.guidance_scale == 1.0


def test_smoke_runs_the_corrected_arm_by_default() -> None:
    config = compose_config("run", ["experiment=smoke"])
    assert config.loop.arm == "corrected" and config.loop.correct and config.loop.synthetic_ratio == 0.25


def test_experiments_exist() -> None:
    assert {"smoke", "cpu_small", "gpu_n64", "gpu_n2794"} <= set(EXPERIMENTS)
    assert set(ARMS) == {"baseline", "synthetic", "corrected"}


@pytest.mark.parametrize("experiment", ["gpu_n64", "gpu_n2794"])
def test_gpu_presets_evaluate_with_the_published_protocol(experiment: str) -> None:
    from motion_loop.eval.config import get_protocol

    config = OmegaConf.to_object(compose_config("run", [f"experiment={experiment}", "data.root=/data/x"]))
    published = get_protocol("published")
    assert (published.clips, published.replications, published.diversity_times, published.batch_size) == (1000, 20, 300, 32)
    metrics = config.eval.metrics
    assert (config.loop.eval_prompts, metrics.replications, metrics.diversity_times, metrics.batch_size) == (
        published.clips, published.replications, published.diversity_times, published.batch_size,
    )  # fmt: skip
