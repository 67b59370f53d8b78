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


def _task(cfg: DictConfig) -> None:
    from motion_loop.loop.motion.config import RunConfig
    from motion_loop.loop.motion.experiment import run_experiment

    config: RunConfig = OmegaConf.to_object(cfg)  # type: ignore[assignment]
    out_dir = Path(config.out_dir or HydraConfig.get().runtime.output_dir)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    records = run_experiment(config, out_dir)
    last = records[-1] if records else {}
    shown = {k: round(v, 4) for k, v in last.items() if isinstance(v, float) and not k.endswith("_ci95")}
    print(f"run {config.loop.arm} finished: {out_dir} (report.html, metrics.csv, plots/, videos/)")
    print(f"last generation: {shown}")


def run(argv: list[str]) -> int:
    run_hydra_app(_task, config_name="run", prog="motion-loop run", argv=argv)
    return 0
