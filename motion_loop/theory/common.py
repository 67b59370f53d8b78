"""Helpers shared by the theory experiments: run identity, setting folders, combined outputs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.loop.run_state import atomic_write_text, records_to_csv

# Fields left out of a run's stored config: they do not change the numbers of the generations already
# done (`generations` may grow, so that a finished run can be extended by resuming it).
_NOT_IDENTITY = ("out_dir", "progress", "generations")


def run_identity(config: Any, **setting: Any) -> dict[str, Any]:
    """The stored config of one setting's run: the experiment config (less out_dir/progress) + setting."""
    values = {key: value for key, value in asdict(config).items() if key not in _NOT_IDENTITY}
    return {**values, "setting": dict(setting)}


def setting_name(**setting: float) -> str:
    """Folder name of a setting, e.g. tau_0.7 or lambda_2_gamma_0.25."""
    return "_".join(f"{key}_{value:g}" for key, value in setting.items())


def write_outputs(
    out_dir: Path, records: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]
) -> None:
    """The experiment's combined metrics.csv (all settings) and summary.json."""
    atomic_write_text(out_dir / "metrics.csv", records_to_csv(records))
    atomic_write_text(out_dir / "summary.json", json.dumps(summary, indent=1, default=float))


def column(records: Sequence[Mapping[str, Any]], key: str, **where: Any) -> np.ndarray:
    """Values of `key` over the records matching `where`, in order; shape (R,)."""
    return np.array(
        [record[key] for record in records if all(record.get(k) == v for k, v in where.items())],
        dtype=float,
    )
