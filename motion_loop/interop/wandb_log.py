"""Weights & Biases logging of a loop run, an option when the `wandb` package is installed
(`pip install motion-loop[wandb]`).

Each generation's metrics go to one W&B run at step = generation, with keys `NODE/METRIC` as in
TensorBoard (intervals `*_ci95` included). The W&B run id is kept in `RUN/wandb/run_id`, so a resumed
run continues the same W&B run. `mode="offline"` (or WANDB_MODE=offline) writes everything under
`RUN/wandb/` for a later `wandb sync`, with no account and no network.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from motion_loop.errors import ConfigError
from motion_loop.io import atomic_write_text

_MODES = ("", "online", "offline", "disabled")
_NOT_METRICS = {"generation", "node"}
_RUN_ID_FILE = "run_id"


@dataclass
class WandbSettings:
    """W&B logging of `motion-loop run` (`wandb.enabled=true wandb.project=NAME ...`).

    Attributes:
        enabled: log to W&B (needs the `wandb` package).
        project: W&B project.
        entity: W&B team or user ("" = the account's default).
        mode: "online", "offline" or "disabled"; "" leaves it to W&B (WANDB_MODE, then online).
        group: W&B group, e.g. a sweep's name ("" = the experiment name).
        tags: W&B tags.
    """

    enabled: bool = False
    project: str = "motion-loop"
    entity: str = ""
    mode: str = ""
    group: str = ""
    tags: list[str] = field(default_factory=list)


class WandbLog:
    """An `on_generation` callback of the loop engine that logs each generation's records to W&B.

    Args:
        run_dir: the loop's run folder; W&B files go to `run_dir/wandb/`.
        settings: project, entity, mode, group and tags.
        config: the resolved run config (stored as the W&B run's config).
        name: the W&B run name (e.g. "corrected/seed_0").

    Raises:
        ConfigError: `wandb` is not installed, or an unknown mode.
    """

    def __init__(self, run_dir: Path, settings: WandbSettings, *, config: Mapping[str, Any], name: str) -> None:
        if settings.mode not in _MODES:
            raise ConfigError(f"wandb.mode must be one of {_MODES}, got {settings.mode!r}")
        try:
            import wandb
        except ImportError as error:
            raise ConfigError("wandb.enabled=true needs the wandb package: pip install 'motion-loop[wandb]'") from error
        directory = Path(run_dir) / "wandb"
        directory.mkdir(parents=True, exist_ok=True)
        id_file = directory / _RUN_ID_FILE
        if not id_file.is_file():
            atomic_write_text(id_file, uuid.uuid4().hex[:16])
        self.run_id = id_file.read_text().strip()
        self._run = wandb.init(
            project=settings.project, entity=settings.entity or None, mode=settings.mode or None,
            group=settings.group or None, tags=list(settings.tags) or None, name=name, id=self.run_id,
            resume="allow", dir=str(Path(run_dir)), config=dict(config),
        )  # fmt: skip

    def __call__(self, generation: int, records: Sequence[Mapping[str, Any]]) -> None:
        values: dict[str, float] = {}
        for record in records:
            node = str(record.get("node", "model"))
            for key, value in record.items():
                if key in _NOT_METRICS or isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                if math.isfinite(value):
                    values[f"{node}/{key}"] = float(value)
        self._run.log({"generation": generation, **values}, step=generation)

    def finish(self) -> None:
        """Close the W&B run (flushes an offline run to disk)."""
        self._run.finish()
