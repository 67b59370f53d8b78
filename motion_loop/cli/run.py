"""`motion-loop run experiment=NAME [overrides]`: the self-consuming loop on motion, as a Hydra app.

Multirun works as in any Hydra app, e.g. the three arms of the published experiment over seeds:
    motion-loop run -m experiment=cpu_small arm=baseline,synthetic,corrected loop.seed=0,1,2
"""

from __future__ import annotations

from pathlib import Path

import torch
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from motion_loop.cli.hydra_utils import run_hydra_app
from motion_loop.errors import MotionLoopError
from physics.errors import PhysicsError


def _task(cfg: DictConfig) -> None:
    from motion_loop.loop.motion.config import RunConfig, validate_run_config
    from motion_loop.loop.motion.experiment import run_experiment

    config: RunConfig = OmegaConf.to_object(cfg)  # type: ignore[assignment]
    # Before any work (dataset, evaluator, generation 0): every value, and the settings `run` ignores.
    validate_run_config(config, overrides=HydraConfig.get().overrides.task)
    out_dir = Path(config.out_dir or HydraConfig.get().runtime.output_dir)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    records = run_experiment(config, out_dir)
    last = records[-1] if records else {}
    shown = {k: round(v, 4) for k, v in last.items() if isinstance(v, float) and not k.endswith("_ci95")}
    print(f"run {config.loop.arm} finished: {out_dir} (report.html, metrics.csv, plots/, videos/)")
    print(f"last generation: {shown}")


def run(argv: list[str]) -> int:
    # Hydra prints a traceback for any exception a task raises; the tool's own errors are carried out
    # of it instead, so that the CLI reports them as one line (a bad config fails before any work).
    errors: list[Exception] = []

    def task(cfg: DictConfig) -> None:
        try:
            _task(cfg)
        except (MotionLoopError, PhysicsError) as error:
            errors.append(error)

    run_hydra_app(task, config_name="run", prog="motion-loop run", argv=argv)
    if errors:
        raise errors[0]
    return 0
