"""Every command validates its whole resolved config before any work; each setting has one definition."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from motion_loop.cli import main
from motion_loop.cli.hydra_utils import compose_config, conf_dir
from motion_loop.errors import ConfigError
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.motion.config import LoopSettings, RunConfig, validate_run_config

EXPERIMENTS = sorted(path.stem for path in (conf_dir() / "experiment").glob("*.yaml"))
ARMS = sorted(path.stem for path in (conf_dir() / "arm").glob("*.yaml"))


def _run_config(overrides: list[str]) -> RunConfig:
    config = OmegaConf.to_object(compose_config("run", overrides))
    assert isinstance(config, RunConfig)
    return config


@pytest.mark.parametrize("experiment", EXPERIMENTS)
@pytest.mark.parametrize("arm", ARMS)
def test_every_preset_validates(experiment: str, arm: str) -> None:
    config = _run_config([f"experiment={experiment}", f"arm={arm}"])
    # Presets for real data name no folder of this machine; the procedural set needs none.
    config = dataclasses.replace(config, data=dataclasses.replace(config.data, root=""))
    assert validate_run_config(config) is config


def test_physics_gamma_on_run_is_refused_naming_loop_gamma() -> None:
    overrides = ["experiment=smoke", "physics.gamma=0.5"]
    with pytest.raises(ConfigError, match=r"physics.gamma does not apply to `run`; use loop.gamma"):
        validate_run_config(_run_config(overrides), overrides=overrides)
    # Given with its default value it is refused as well: the override names it.
    overrides = ["experiment=smoke", "physics.gamma=1.0"]
    with pytest.raises(ConfigError, match=r"physics.gamma does not apply"):
        validate_run_config(_run_config(overrides), overrides=overrides)
    # loop.gamma is the one that applies; selecting the physics preset sets no gamma.
    overrides = ["experiment=smoke", "loop.gamma=0.5", "physics=default"]
    assert validate_run_config(_run_config(overrides), overrides=overrides).loop.gamma == 0.5


def test_training_settings_of_the_loop_are_refused_on_train() -> None:
    overrides = ["experiment=smoke", "train.seed=3", "train.reset_optimizer=false"]
    with pytest.raises(ConfigError) as error:
        validate_run_config(_run_config(overrides), overrides=overrides)
    message = str(error.value)
    assert "train.seed does not apply to `run`; use loop.seed" in message
    assert "train.reset_optimizer does not apply to `run`; use loop.reset_optimizer" in message


def test_every_problem_is_listed_with_the_valid_options() -> None:
    overrides = ["experiment=smoke", "physics.mpc=bogus", "loop.continue_from=worst", "model.activation=tanh",
                 "sample.method=euler", "loop.gamma=2", "diffusion.schedule=square", "data.root=/nonexistent/x"]  # fmt: skip
    with pytest.raises(ConfigError) as error:
        validate_run_config(_run_config(overrides), overrides=overrides)
    message = str(error.value)
    assert "(7 problems)" in message
    assert "physics.mpc must be one of ('off', 'fallback', 'always'), got 'bogus'" in message
    assert "loop.continue_from must be one of ['last', 'best'], got 'worst'" in message
    assert "model.activation must be one of ['gelu', 'relu'], got 'tanh'" in message
    assert "sample.method must be one of ['ddpm', 'ddim'], got 'euler'" in message
    assert "loop.gamma must lie in [0.0, 1.0], got 2.0" in message
    assert "diffusion.schedule must be one of" in message and "'cosine'" in message
    assert "data.root='/nonexistent/x' does not exist" in message


def test_drop_flagged_takes_the_correction_report_flag_codes() -> None:
    overrides = ["experiment=smoke", "arm=corrected", "loop.drop_flagged=[fallback,reset]"]
    assert validate_run_config(_run_config(overrides), overrides=overrides).loop.drop_flagged == ["fallback", "reset"]
    overrides = ["experiment=smoke", "arm=corrected", "loop.drop_flagged=[fallback,dragged]"]
    with pytest.raises(ConfigError, match=r"loop.drop_flagged must be one of \[.*'reset'.*\], got 'dragged'"):
        validate_run_config(_run_config(overrides), overrides=overrides)


def test_incomplete_dataset_is_named_with_what_it_lacks(tmp_path: Path) -> None:
    (tmp_path / "new_joint_vecs").mkdir()
    (tmp_path / "train.txt").write_text("a\n")
    overrides = ["experiment=smoke", f"data.root={tmp_path}"]
    with pytest.raises(ConfigError, match=r"lacks texts/, test.txt, Mean.npy, Std.npy"):
        validate_run_config(_run_config(overrides), overrides=overrides)


def test_run_cli_fails_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", list(sys.argv))  # Hydra's app reads and sets it
    out, cache = tmp_path / "run", tmp_path / "cache"
    code = main(["run", "experiment=smoke", f"out_dir={out}", f"cache_dir={cache}", "physics.mpc=bogus"])
    assert code == 1
    err = capsys.readouterr().err
    assert "physics.mpc must be one of ('off', 'fallback', 'always'), got 'bogus'" in err
    assert "Traceback" not in err
    # No dataset generated, no evaluator trained, no generation: the check came first. The run folder
    # holds at most what Hydra writes when a job starts (.hydra/ and run.log: one output root).
    assert not cache.exists()
    assert not out.exists() or {path.name for path in out.iterdir()} <= {".hydra", "run.log"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["train", "out_dir=x", "train.steps=0", "model.heads=3"],
         ["data.root is required", "train.steps must be a finite number >= 1, got 0",
          "model.latent_dim (64) must be a multiple of heads (3)"]),
        (["train", "out_dir=x", "data.root=/nonexistent", "data.procedural_clips=5"],
         ["data.root='/nonexistent' does not exist", "data.procedural_clips does not apply to `train`"]),
        (["sample", "checkpoint=/nonexistent.pt", "out_dir=x", "length_unit=hours", "sample.temperature=0"],
         ["checkpoint='/nonexistent.pt' does not exist (expected: checkpoint)", "length_unit must be one of ['seconds', 'frames']",
          "sample.temperature must be a finite number > 0", "no prompt"]),
        (["evaluate", "evaluator=/nonexistent.pt", "data.root=/nonexistent", "split=dev"],
         ["evaluator='/nonexistent.pt' does not exist (expected: evaluator checkpoint)", "split must be one of ['train', 'val', 'test']"]),
        (["evaluate", "evaluator=/nonexistent.pt", "data.root=/nonexistent", "generated=/nonexistent", "split=val",
          "t2m.glove_dir=/g"],
         ["split='val' does not apply with generated=DIR", "t2m.glove_dir does not apply without t2m.checkpoint"]),
        (["evaluator", "train", "out=x.pt", "train.loss=hinge", "model.text_frontend=bert"],
         ["data.root is required", "train.loss must be one of ['infonce', 'margin']",
          "model.text_frontend must be one of"]),
    ],
)  # fmt: skip
def test_other_commands_list_every_problem(argv: list[str], expected: list[str], capsys) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, err


def test_correct_refuses_settings_of_other_commands(tmp_path: Path, capsys) -> None:
    assert main(["correct", str(tmp_path), str(tmp_path / "out"), "loop.gamma=0.5"]) == 1
    assert "loop.gamma does not apply to `correct`: it takes physics.* overrides only" in capsys.readouterr().err
    assert main(["correct", str(tmp_path), str(tmp_path / "out"), "physics.mpc=bogus", "--fps", "0"]) == 1
    assert "mpc must be one of ('off', 'fallback', 'always')" in capsys.readouterr().err


def test_lambda_has_one_definition() -> None:
    # The mixing policy takes lambda from its caller's config; the run's one default lives in LoopSettings.
    with pytest.raises(TypeError, match="synthetic_ratio"):
        MixingPolicy()  # type: ignore[call-arg]
    policy = MixingPolicy(synthetic_ratio=LoopSettings.synthetic_ratio)
    settings = LoopSettings()
    assert (policy.fresh_fraction, policy.pool, policy.keep_real) == (
        settings.fresh_fraction, settings.pool, settings.keep_real
    )
