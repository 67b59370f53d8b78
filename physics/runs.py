"""Runs of consecutive True values in a boolean sequence (stances, swings, flights, glides)."""

from __future__ import annotations

import numpy as np


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of every maximal run of True in mask (T,) bool, end exclusive, in order."""
    values = np.asarray(mask, dtype=bool)
    edges = np.diff(np.concatenate([[0], values.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(start), int(end)) for start, end in zip(starts, ends, strict=True)]
