"""`motion-loop run experiment=NAME [overrides]`: the self-consuming loop on motion, as a Hydra app.

Multirun works as in any Hydra app, e.g. the three arms of the published experiment over seeds:
    motion-loop run -m experiment=cpu_small arm=baseline,synthetic,corrected loop.seed=0,1,2

One output root: `--out DIR` (= `out_dir=DIR`) puts everything of the command under DIR: the run
folder itself (a multirun: one sub-folder per job, ARM/seed_SEED), Hydra's .hydra/ and run.log, and
the shared cache (DIR/.cache unless cache_dir= names another; a multirun shares one cache).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from motion_loop.cli.hydra_utils import job_output_dir, output_overrides, run_hydra_app
from motion_loop.cli.threads import set_process_threads

log = logging.getLogger(__name__)


def _cache_dir(out_dir: Path) -> Path:
    """Default cache: beside the jobs of a multirun (shared by its arms and seeds), else in the run."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode == RunMode.MULTIRUN:
        return Path(hydra_cfg.sweep.dir) / ".cache"
    return out_dir / ".cache"


def _sweep_settings(config) -> dict[str, object]:  # noqa: ANN001 - RunConfig, imported lazily
    """The settings a sweep varies, as TensorBoard hparams."""
    loop = config.loop
    return {
        "arm": loop.arm, "seed": loop.seed, "synthetic_ratio": loop.synthetic_ratio, "gamma": loop.gamma,
        "n_train": loop.n_train, "generations": loop.generations, "finetune_steps": loop.finetune_steps,
        "temperature": config.sample.temperature, "experiment": config.experiment,
    }  # fmt: skip


def _task(cfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig

    from motion_loop.loop.motion.config import RunConfig, validate_run_config
    from motion_loop.loop.motion.experiment import run_experiment
    from motion_loop.loop.scalars import write_hparams
    from motion_loop.loop.summary import HEADLINE, final_table

    config: RunConfig = OmegaConf.to_object(cfg)  # type: ignore[assignment]
    # Before any work (dataset, evaluator, generation 0): every value, and the settings `run` ignores.
    validate_run_config(config, overrides=HydraConfig.get().overrides.task)
    out_dir = Path(config.out_dir) if config.out_dir else job_output_dir()
    config = dataclasses.replace(
        config,
        cache_dir=config.cache_dir or str(_cache_dir(out_dir)),
        progress=config.progress and sys.stderr.isatty(),  # bars only on a terminal, never in logs
    )
    set_process_threads(config.threads)
    log.info("run %s (experiment %s, seed %d): %s", config.loop.arm, cfg.get("experiment") or "-", config.loop.seed, out_dir)
    records = run_experiment(config, out_dir)
    if records:
        write_hparams(out_dir, _sweep_settings(config), {key: records[-1].get(key) for key, _, _ in HEADLINE})
    log.info("%s", final_table(records))
    log.info("run %s finished: %s (report.html, metrics.csv, plots/, videos/, tensorboard/)", config.loop.arm, out_dir)


def run(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        print(__doc__)
        print("Hydra's own help (config groups and overrides): motion-loop run --hydra-help")
        print("Print the resolved configuration: motion-loop run experiment=smoke --cfg job")
        return 0
    run_hydra_app(_task, config_name="run", prog="motion-loop run", argv=output_overrides(argv))
    return 0
