"""Hydra plumbing shared by the subcommands; the only place that knows where `conf/` lives."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hydra
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from motion_loop.errors import ConfigError

CONF_ENV_VAR = "MOTION_LOOP_CONF"


def conf_dir() -> Path:
    """The folder of YAML presets: $MOTION_LOOP_CONF, else `conf/` beside the package (editable install)."""
    path = Path(os.environ.get(CONF_ENV_VAR, Path(__file__).resolve().parents[2] / "conf"))
    if not (path / "config.yaml").is_file():
        raise ConfigError(
            f"no Hydra config folder at {path} (expected {path / 'config.yaml'}); install the project "
            f"with `pip install -e .` from its checkout, or set {CONF_ENV_VAR} to its conf/ folder"
        )
    return path


def compose_config(config_name: str, overrides: list[str]) -> DictConfig:
    """Compose `config_name` with command-line overrides, without Hydra's app machinery (no chdir)."""
    from motion_loop.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base=None):
        return compose(config_name=config_name, overrides=overrides)


def run_hydra_app(task: Callable[[DictConfig], Any], *, config_name: str, prog: str, argv: list[str]) -> None:
    """Run `task` as a full Hydra app so that `-m` multirun sweeps and launchers work.

    Hydra reads its arguments from sys.argv; this CLI boundary is the one place allowed to set it.
    """
    from motion_loop.config import register_configs

    register_configs()
    sys.argv = [prog, *argv]
    hydra.main(version_base=None, config_path=str(conf_dir()), config_name=config_name)(task)()


def to_object(cfg: DictConfig) -> Any:
    """Convert a composed config to its dataclasses (Hydra stops here)."""
    return OmegaConf.to_object(cfg)
