"""The generated-motion benchmark trains the loop's own model when its checkpoint is absent."""

from __future__ import annotations

from pathlib import Path

from motion_loop.cli.hydra_utils import compose_config, to_object

from .scripts import load_script


def test_the_training_command_carries_the_presets_model(tmp_path: Path) -> None:
    benchmark = load_script("physics_generated")
    config = benchmark.run_config(tmp_path / "bandai2")
    command = benchmark.train_command(tmp_path / "model" / "checkpoint.pt", tmp_path / "bandai2", config)
    assert config.model.temporal_conv_kernel == 3  # cpu_small's temporal convolution (issue 16)
    assert "model.temporal_conv_kernel=3" in command and "model.temporal_conv_placement=interleaved" in command
    assert f"train.steps={config.train.steps}" in command
    # The overrides compose into the train command's own config: the model it trains is the loop's.
    overrides = [item for item in command[4:] if item.startswith(("model", "train.steps", "data.root", "out_dir"))]
    trained = to_object(compose_config("train", overrides))
    assert trained.model.temporal_conv_kernel == 3 and trained.model.temporal_conv_placement == "interleaved"
