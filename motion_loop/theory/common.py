"""Helpers shared by the theory experiments: run identity, setting folders, combined outputs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.loop.engine import LoopEngine, LoopSpec
from motion_loop.loop.run_state import atomic_write_text, records_to_csv

# Fields left out of a run's stored config: they do not change the numbers of the generations already
# done (`generations` may grow, so that a finished run can be extended by resuming it).
# `seeds` may grow too: each seed is its own run folder, so adding seeds keeps the runs already done.
_NOT_IDENTITY = ("out_dir", "progress", "keep_runs", "generations", "seeds", "seed")


def run_identity(config: Any, **setting: Any) -> dict[str, Any]:
    """The stored config of one (setting, seed) run: the experiment config (less out_dir, progress,
    generations and the seed list) + the setting, whose `seed` entry is this run's seed."""
    values = {key: value for key, value in asdict(config).items() if key not in _NOT_IDENTITY}
    return {**values, "setting": dict(setting)}


def runs_dir(config: Any, out_dir: Path | None, name: str) -> Path | None:
    """The folder of one setting's per-seed run folders; None (in memory) without out_dir or keep_runs."""
    return None if out_dir is None or not config.keep_runs else out_dir / name


def setting_name(**setting: float) -> str:
    """Folder name of a setting, e.g. tau_0.7 or lambda_2_gamma_0.25."""
    return "_".join(f"{key}_{value:g}" for key, value in setting.items())


def run_seeds(
    build: Callable[[int], LoopSpec],
    seeds: Sequence[int],
    *,
    generations: int,
    run_dir: Path | None,
    identity: Callable[[int], dict[str, Any]],
    progress: bool,
    desc: str,
) -> list[dict[str, Any]]:
    """Run `build(seed)` for every seed (run folders run_dir/seed_K, resumable); records carry "seed"."""
    records: list[dict[str, Any]] = []
    for seed in seeds:
        run = LoopEngine(build(seed), seed=seed).run(
            generations,
            run_dir=None if run_dir is None else run_dir / f"seed_{seed}",
            config=identity(seed),
            progress=progress,
            desc=f"{desc} seed {seed}",
        )
        records += [{"seed": seed, **record} for record in run]
    return records


def curves(
    records: Sequence[Mapping[str, Any]], key: str, seeds: Sequence[int], **where: Any
) -> np.ndarray:
    """`key` per seed and generation over the records matching `where`; shape (S, G).

    One pass over the records (summaries call this many times on long record lists).
    """
    rows: dict[int, list[float]] = {seed: [] for seed in seeds}
    for record in records:
        seed = record.get("seed")
        if seed in rows and all(record.get(k) == v for k, v in where.items()):
            rows[seed].append(record[key])
    return np.array([rows[seed] for seed in seeds], dtype=float)


def select(records: Sequence[Mapping[str, Any]], **where: Any) -> list[Mapping[str, Any]]:
    """The records matching `where` (to query one setting many times)."""
    return [r for r in records if all(r.get(k) == v for k, v in where.items())]


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
