"""Runs of consecutive True values (physics.runs), the building block of stances, swings and flights."""

from __future__ import annotations

import numpy as np

from physics.runs import true_runs


def test_runs_are_maximal_end_exclusive_and_in_order() -> None:
    mask = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert true_runs(mask) == [(0, 2), (4, 5), (6, 9)]
    for start, end in true_runs(mask):
        assert mask[start:end].all()
        assert start == 0 or not mask[start - 1]
        assert end == len(mask) or not mask[end]


def test_no_runs_in_an_empty_or_all_false_mask() -> None:
    assert true_runs(np.zeros(0, dtype=bool)) == []
    assert true_runs(np.zeros(5, dtype=bool)) == []
    assert true_runs(np.ones(3, dtype=bool)) == [(0, 3)]
