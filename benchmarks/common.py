"""Helpers shared by the benchmark scripts: where the shared data is, option parsing, JSON results."""

from __future__ import annotations

import ast
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def shared_data_dir() -> Path:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    return Path(os.environ.get("MOTION_LOOP_SHARED_DATA", default))


def parse_options(items: list[str]) -> dict[str, Any]:
    """`key=value` command-line options; values are Python literals, anything else a plain string."""
    options: dict[str, Any] = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            options[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            options[key] = value
    return options


def bootstrap_interval(values: Any, seed: int, draws: int = 2000) -> list[float]:
    """Bootstrap 95 % interval of the mean of `values` (N,) over its items (e.g. clips)."""
    return stratified_bootstrap_interval(values, [0] * len(values), seed, draws)


def stratified_bootstrap_interval(values: Any, strata: Any, seed: int, draws: int = 2000) -> list[float]:
    """Bootstrap 95 % interval of the mean of `values` (N,) when items were drawn a fixed number per
    stratum (e.g. clips per content label): each draw resamples within every stratum, keeping its size."""
    return stratified_ratio_interval(values, [1.0] * len(values), strata, seed, draws)


def stratified_ratio_interval(numerators: Any, denominators: Any, strata: Any, seed: int, draws: int = 2000) -> list[float]:
    """Bootstrap 95 % interval of mean(numerators) / mean(denominators) over paired items (N,) (e.g. a
    sample's skating over that of the real clip it was prompted from), resampled within every stratum;
    an item's numerator and denominator are always drawn together."""
    import numpy as np

    top, bottom = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    labels = np.asarray(strata)
    rng = np.random.default_rng(seed)
    top_sums, bottom_sums = np.zeros(draws), np.zeros(draws)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        picks = members[rng.integers(0, len(members), size=(draws, len(members)))]  # (draws, members)
        top_sums += top[picks].sum(axis=1)
        bottom_sums += bottom[picks].sum(axis=1)
    ratios = top_sums / bottom_sums
    return [float(np.percentile(ratios, 2.5)), float(np.percentile(ratios, 97.5))]


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write benchmarks/results/NAME.json with the machine description added."""
    payload = {
        "benchmark": name,
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
        **payload,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(payload, indent=2))
    return path
