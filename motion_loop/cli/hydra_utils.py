"""Hydra plumbing shared by the subcommands; the only place the CLI learns where `conf/` lives.

Configs are found by `motion_loop.resources.conf_dir()`: the checkout's top-level `conf/`, or the copy
a wheel carries inside the package (read through importlib.resources), or $MOTION_LOOP_CONF.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hydra
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from motion_loop.resources import CONF_ENV_VAR, conf_dir

__all__ = [
    "CONF_ENV_VAR",
    "compose_config",
    "conf_dir",
    "config_flags",
    "output_overrides",
    "print_config",
    "run_hydra_app",
    "to_object",
]

_CFG_FLAG = "--cfg"
_MULTIRUN_FLAGS = ("-m", "--multirun")
_OUT = "out_dir="
_CFG_PARTS = ("job", "hydra", "all")


def config_flags(argv: list[str]) -> tuple[list[str], bool]:
    """Split `--cfg [job|hydra|all]` (print the resolved config and exit) from the overrides."""
    overrides: list[str] = []
    show = False
    previous = ""
    for item in argv:
        if item in (_CFG_FLAG, "-c"):
            show = True
        elif item.startswith(f"{_CFG_FLAG}="):
            show = True
        elif not (previous in (_CFG_FLAG, "-c") and item in _CFG_PARTS):
            overrides.append(item)
        previous = item
    return overrides, show


def output_overrides(argv: list[str]) -> list[str]:
    """Make `out_dir=DIR` name Hydra's folder too, so that nothing of a Hydra app lands elsewhere.

    A single run: Hydra's run dir (its .hydra/ and log) becomes DIR. A multirun: DIR becomes the sweep
    folder (one sub-folder per job) and out_dir is dropped (one value cannot name every job's folder).
    """
    outs = [k for k, item in enumerate(argv) if item.startswith(_OUT)]
    if not outs:
        return argv
    # In place: Hydra's parser wants every override together, before or after its flags (--cfg job).
    last = outs[-1]
    folder = argv[last].removeprefix(_OUT)
    if any(flag in argv for flag in _MULTIRUN_FLAGS):
        kept = [item for k, item in enumerate(argv) if k not in outs or k == last]
        return [f"hydra.sweep.dir={folder}" if item.startswith(_OUT) else item for item in kept]
    return [*argv[: last + 1], f"hydra.run.dir={folder}", *argv[last + 1 :]]


def print_config(cfg: DictConfig) -> None:
    """The resolved configuration as YAML on stdout (what `--cfg` shows)."""
    print(OmegaConf.to_yaml(cfg, resolve=False), end="")


def compose_config(config_name: str, overrides: list[str]) -> DictConfig:
    """Compose `config_name` with command-line overrides, without Hydra's app machinery (no chdir)."""
    from motion_loop.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base=None):
        return compose(config_name=config_name, overrides=overrides)


class _JobErrors:
    """The first tool error raised inside a Hydra job, re-raised once Hydra has returned.

    Hydra prints any exception of a job with its traceback and exits; the CLI wants one line instead
    (motion_loop.cli.main), so the job catches the error, logs it (into the job's run.log), and the
    error leaves Hydra as a normal return.
    """

    def __init__(self, prog: str) -> None:
        self.prog = prog
        self.first: BaseException | None = None
        # A launcher may run the job in another process (joblib, submitit): there the error must
        # propagate, so that the launcher marks the job failed.
        self.pid = os.getpid()

    def wrap(self, task: Callable[[DictConfig], Any]) -> Callable[[DictConfig], Any]:
        import functools
        import logging

        from motion_loop.cli.errors import TOOL_ERRORS, describe

        @functools.wraps(task)
        def job(cfg: DictConfig) -> Any:
            try:
                return task(cfg)
            except TOOL_ERRORS as error:
                if os.environ.get("HYDRA_FULL_ERROR") == "1" or os.getpid() != self.pid:
                    raise
                logging.getLogger("motion_loop.cli").error("%s: error: %s", self.prog, describe(error))
                if self.first is None:
                    self.first = error
                return None

        return job


class ReportedError(Exception):
    """A job's tool error, already written to the console and the job's log."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def run_hydra_app(task: Callable[[DictConfig], Any], *, config_name: str, prog: str, argv: list[str]) -> None:
    """Run `task` as a full Hydra app so that `-m` multirun sweeps and launchers work.

    Hydra reads its arguments from sys.argv; this CLI boundary is the one place allowed to set it.
    A tool error inside a job ends the command as `ReportedError` after Hydra returns (in a
    multirun, after the other jobs ran).
    """
    from motion_loop.config import register_configs

    register_configs()
    errors = _JobErrors(prog)
    saved = sys.argv
    sys.argv = [prog, *argv]
    try:
        hydra.main(version_base=None, config_path=str(conf_dir()), config_name=config_name)(errors.wrap(task))()
    finally:
        sys.argv = saved
    if errors.first is not None:
        raise ReportedError(errors.first)


def to_object(cfg: DictConfig) -> Any:
    """Convert a composed config to its dataclasses (Hydra stops here)."""
    return OmegaConf.to_object(cfg)


def job_output_dir() -> Path:
    """The output folder of the running Hydra job."""
    from hydra.core.hydra_config import HydraConfig

    return Path(HydraConfig.get().runtime.output_dir)
