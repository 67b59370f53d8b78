"""TensorBoard scalars of a loop run: every numeric metric of every node, at step = generation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_NOT_METRICS = {"generation", "node"}


class ScalarLog:
    """Writes `RUN/tensorboard/` as generations finish (`tensorboard --logdir RUN_OR_SWEEP_DIR`).

    Tags are `NODE/METRIC`, e.g. `model/fid`; intervals (`*_ci95`) are left to metrics.csv.
    """

    def __init__(self, run_dir: Path) -> None:
        self.directory = Path(run_dir) / "tensorboard"

    def __call__(self, generation: int, records: Sequence[Mapping[str, Any]]) -> None:
        from torch.utils.tensorboard import SummaryWriter

        # One writer per generation: nothing stays open across a long generation or a kill.
        with SummaryWriter(str(self.directory)) as writer:
            for record in records:
                node = str(record.get("node", "model"))
                for name, value in record.items():
                    if name in _NOT_METRICS or name.endswith("_ci95") or isinstance(value, bool):
                        continue
                    if isinstance(value, int | float) and math.isfinite(value):
                        writer.add_scalar(f"{node}/{name}", float(value), global_step=generation)


def write_hparams(run_dir: Path, hparams: Mapping[str, Any], metrics: Mapping[str, Any]) -> None:
    """One TensorBoard hparams entry for the run (HPARAMS tab: compare the runs of a sweep).

    `hparams`: the settings that differ across a sweep (arm, lambda, gamma, n, seed, ...);
    `metrics`: the last generation's headline metrics, tagged `final/NAME`.
    """
    from torch.utils.tensorboard import SummaryWriter

    settings = {k: v if isinstance(v, int | float | str | bool) else str(v) for k, v in hparams.items()}
    finals = {
        f"final/{name}": float(value)
        for name, value in metrics.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    }
    with SummaryWriter(str(Path(run_dir) / "tensorboard")) as writer:
        writer.add_hparams(settings, finals, run_name="hparams")
