"""Statistics over seeds: every theory number is a mean over S independent seeds with a 95 % interval.

The interval is Student's t on the mean (S - 1 degrees of freedom), computed per generation for the
bands of the plots and per setting for the summaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from motion_loop.errors import ConfigError

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Band:
    """Mean over seeds and its two-sided 95 % t-interval; arrays of one shape (a scalar or (G,))."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    seeds: int

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly: {"mean", "ci95": [low, high], "seeds"} (lists for curves)."""
        return {
            "mean": self.mean.tolist(),
            "ci95": [self.low.tolist(), self.high.tolist()],
            "seeds": self.seeds,
        }

    def contains(self, value: float) -> bool:
        """Whether `value` lies inside the interval (scalar bands only)."""
        return bool(self.low <= value <= self.high)


def band(values: np.ndarray | Sequence[float], *, confidence: float = CONFIDENCE) -> Band:
    """Band over the first axis: values (S,) or (S, G) -> mean and interval of shape () or (G,).

    Raises:
        ConfigError: with fewer than 2 seeds (no interval can be computed).
    """
    data = np.asarray(values, dtype=float)
    seeds = data.shape[0]
    if seeds < 2:
        raise ConfigError(f"an interval over seeds needs seeds >= 2, got {seeds}")
    mean = data.mean(axis=0)
    half = stats.t.ppf(0.5 + confidence / 2, seeds - 1) * data.std(axis=0, ddof=1) / np.sqrt(seeds)
    return Band(mean=mean, low=mean - half, high=mean + half, seeds=seeds)


def seed_list(seed: int, seeds: int) -> list[int]:
    """The seeds of a theory command: seed, seed + 1, ..., seed + seeds - 1 (checked: seeds >= 2)."""
    if seeds < 2:
        raise ConfigError(
            f"seeds must be >= 2 (every theory number comes with an interval over seeds), got {seeds}"
        )
    return list(range(seed, seed + seeds))


def late_slice(length: int, fraction: float) -> slice:
    """The last `fraction` of a curve of `length` generations (at least one generation)."""
    if not 0.0 < fraction <= 1.0:
        raise ConfigError(f"late_fraction must lie in (0, 1], got {fraction!r}")
    return slice(length - max(1, int(round(length * fraction))), length)
