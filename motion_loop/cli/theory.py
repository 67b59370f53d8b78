"""`motion-loop theory NAME [overrides]`: the cheap closed-loop models on the loop engine.

    motion-loop theory heat-death generations=500 'temperatures=[0.5,1.0,2.0]'
    motion-loop theory gaussian-correction out_dir=/tmp/g lambdas=[10] gammas=[0,0.5,1]
    motion-loop theory interaction-graph -m seed=0,1,2

Without `-m` the config is composed directly and the results go to `out_dir` (default
outputs/theory/NAME/TIMESTAMP); with `-m` Hydra runs the sweep, one job folder per setting.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from motion_loop.cli.hydra_utils import (
    compose_config,
    config_flags,
    output_overrides,
    print_config,
    run_hydra_app,
    to_object,
)
from motion_loop.errors import ConfigError

# name -> (primary config under conf/, one-line help)
EXPERIMENTS: dict[str, tuple[str, str]] = {
    "heat-death": (
        "theory/heat_death",
        "categorical model with temperature: tau>1 to uniform, tau<1 collapses, tau=1 martingale",
    ),
    "gaussian-correction": (
        "theory/gaussian_correction",
        "Gaussian refit on real + lambda x corrected synthetic: W2 vs gamma",
    ),
    "interaction-graph": (
        "theory/interaction_graph",
        "regression learners on a directed graph: anchored iff a path from fresh data",
    ),
}
_MULTIRUN_FLAGS = ("-m", "--multirun")


def _usage() -> str:
    width = max(len(name) for name in EXPERIMENTS)
    lines = ["usage: motion-loop theory NAME [-m] [hydra overrides]", "", "experiments:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in EXPERIMENTS.items()]
    lines += [
        "",
        "common overrides: seed=, generations=, out_dir= (or --out DIR), progress=false; see conf/theory/*.yaml;",
        "--cfg prints the resolved configuration",
    ]
    return "\n".join(lines)


def _runner(name: str) -> Callable[[Any, Path], Any]:
    # Imported here so that `motion-loop theory --help` does not load matplotlib.
    if name == "heat-death":
        from motion_loop.theory.heat_death import run_heat_death

        return run_heat_death
    if name == "gaussian-correction":
        from motion_loop.theory.gaussian_correction import run_gaussian_correction

        return run_gaussian_correction
    from motion_loop.theory.interaction_graph import run_interaction_graph

    return run_interaction_graph


def _execute(name: str, cfg: DictConfig, default_out: Path) -> Path:
    config = to_object(cfg)
    out_dir = Path(config.out_dir) if config.out_dir else default_out
    _runner(name)(config, out_dir)
    print(f"motion-loop theory {name}: wrote {out_dir} (metrics.csv, summary.json, plots/)")
    return out_dir


def run(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, overrides = argv[0], argv[1:]
    if name not in EXPERIMENTS:
        raise ConfigError(
            f"unknown theory experiment {name!r}; available: {', '.join(EXPERIMENTS)}"
        )
    config_name = EXPERIMENTS[name][0]
    if any(flag in overrides for flag in _MULTIRUN_FLAGS):

        def task(cfg: DictConfig) -> None:
            from hydra.core.hydra_config import HydraConfig

            _execute(name, cfg, Path(HydraConfig.get().runtime.output_dir))

        run_hydra_app(
            task, config_name=config_name, prog=f"motion-loop theory {name}", argv=output_overrides(overrides)
        )
        return 0
    overrides, show = config_flags(overrides)
    cfg = compose_config(config_name, overrides)
    if show:
        print_config(cfg)
        return 0
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    _execute(name, cfg, Path("outputs") / "theory" / name / stamp)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
