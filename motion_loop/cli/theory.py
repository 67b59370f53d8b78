"""`motion-loop theory NAME [overrides]`: the cheap closed-loop models on the loop engine.

    motion-loop theory heat-death generations=500 'temperatures=[0.5,1.0,2.0]' seeds=10
    motion-loop theory gaussian-correction out_dir=/tmp/g lambdas=[10] gammas=[0,0.3,3]
    motion-loop theory gaussian-figure2          # Gillman et al.'s Figure 2, bands over seeds
    motion-loop theory stability-map             # lambda x gamma map where Theorem 4.3's condition binds
    motion-loop theory interaction-graph -m seed=0,10,20
    motion-loop theory digits seeds=3            # Gillman et al.'s Figure 3 analogue on 8x8 digits

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
from motion_loop.cli.threads import set_process_threads
from motion_loop.errors import ConfigError
from motion_loop.theory.config import register_theory_configs

# name -> (primary config under conf/, one-line help); presets of one schema share its runner.
EXPERIMENTS: dict[str, tuple[str, str]] = {
    "heat-death": (
        "theory/heat_death",
        "categorical model with temperature: tau>1 to uniform, tau<1 collapses, tau=1 martingale",
    ),
    "gaussian-correction": (
        "theory/gaussian_correction",
        "Gaussian refit on real + lambda x corrected synthetic: W2 vs Gillman's gamma",
    ),
    "gaussian-figure2": (
        "theory/gaussian_figure2",
        "Gillman et al. Figure 2: n=50, d=2, lambda=0.5, 8 gammas, 500 generations, accumulated",
    ),
    "stability-map": (
        "theory/stability_map",
        "lambda x gamma map of late W2, overdispersed sampler: diverges iff lambda > lambda_c(gamma)",
    ),
    "digits": (
        "theory/digits",
        "small DDPM on sklearn's 8x8 digits, 150% augmentation, with/without cluster correction",
    ),
    "interaction-graph": (
        "theory/interaction_graph",
        "regression learners on a directed graph: bounded iff no closed fresh-free group upstream",
    ),
}
_RUNNERS = {
    "heat-death": "heat-death",
    "gaussian-correction": "gaussian-correction",
    "gaussian-figure2": "gaussian-correction",
    "stability-map": "gaussian-correction",
    "interaction-graph": "interaction-graph",
    "digits": "digits",
}
_MULTIRUN_FLAGS = ("-m", "--multirun")


def _usage() -> str:
    width = max(len(name) for name in EXPERIMENTS)
    lines = ["usage: motion-loop theory NAME [-m] [hydra overrides]", "", "experiments:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in EXPERIMENTS.items()]
    lines += [
        "",
        "common overrides: seed=, seeds=, generations=, out_dir= (or --out DIR), progress=false; see conf/theory/*.yaml;",
        "--cfg prints the resolved configuration",
    ]
    return "\n".join(lines)


def _runner(name: str) -> Callable[[Any, Path], Any]:
    # Imported here so that `motion-loop theory --help` does not load matplotlib.
    name = _RUNNERS[name]
    if name == "heat-death":
        from motion_loop.theory.heat_death import run_heat_death

        return run_heat_death
    if name == "gaussian-correction":
        from motion_loop.theory.gaussian_correction import run_gaussian_correction

        return run_gaussian_correction
    if name == "digits":
        from motion_loop.theory.digits import run_digits

        def run_digits_with_threads(config: Any, out_dir: Path) -> Any:
            # Thread count is process state: set here, in the entry point, never in the library.
            set_process_threads(config.threads)
            return run_digits(config, out_dir)

        return run_digits_with_threads
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
    register_theory_configs()
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
