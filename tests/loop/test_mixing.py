"""Mixing policy math and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from motion_loop.errors import MotionLoopError
from motion_loop.loop.arrays import ArrayOps, Arrays
from motion_loop.loop.errors import MixingError
from motion_loop.loop.mixing import (
    MixingPolicy,
    build_training_set,
    fresh_count,
    next_pool,
    split_evenly,
    synthetic_count,
)


def _items(n: int, start: int = 0) -> Arrays:
    return Arrays({"x": np.arange(start, start + n)})


def test_counts_follow_the_published_loop() -> None:
    # n = 65 train ids, lambda in {.25, .5, .75, 1}: 16 / 32 / 49 / 65 synthetic clips (round, not floor).
    policy = MixingPolicy(synthetic_ratio=0.5)
    assert synthetic_count(policy, 65) == 32
    assert synthetic_count(MixingPolicy(synthetic_ratio=1.0), 65) == 65
    assert fresh_count(MixingPolicy(synthetic_ratio=1.0, fresh_fraction=0.2), 50, gets_fresh=True) == 10
    assert fresh_count(MixingPolicy(synthetic_ratio=1.0, fresh_fraction=0.2), 50, gets_fresh=False) == 0


def test_split_evenly_sums_and_balances() -> None:
    assert split_evenly(10, 3) == [4, 3, 3]
    assert split_evenly(2, 3) == [1, 1, 0]
    assert split_evenly(5, 0) == []


def test_replace_keeps_latest_batch_and_accumulate_keeps_all() -> None:
    a, b = _items(2), _items(3, 10)
    assert next_pool(MixingPolicy(synthetic_ratio=1.0, pool="replace"), [a], b) == [b]
    assert next_pool(MixingPolicy(synthetic_ratio=1.0, pool="accumulate"), [a], b) == [a, b]
    assert next_pool(MixingPolicy(synthetic_ratio=1.0, pool="replace"), [a], None) == []


def test_training_set_is_real_then_pool() -> None:
    ops, real = ArrayOps(), _items(4)
    pool = [_items(2, 100), _items(1, 200)]
    train = build_training_set(
        MixingPolicy(synthetic_ratio=1.0, keep_real=True), real=real, pool=pool, ops=ops, generation=3
    )
    assert train["x"].tolist() == [0, 1, 2, 3, 100, 101, 200]
    train = build_training_set(
        MixingPolicy(synthetic_ratio=1.0, keep_real=False), real=real, pool=pool, ops=ops, generation=3
    )
    assert train["x"].tolist() == [100, 101, 200]
    # Generation 0 always trains on the real data.
    train = build_training_set(
        MixingPolicy(synthetic_ratio=1.0, keep_real=False), real=real, pool=[], ops=ops, generation=0
    )
    assert len(train) == 4


def test_empty_training_set_raises() -> None:
    with pytest.raises(MixingError, match="training set is empty"):
        build_training_set(
            MixingPolicy(synthetic_ratio=1.0, keep_real=False), real=_items(3), pool=[], ops=ArrayOps(), generation=1
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"synthetic_ratio": -0.5},
            r"synthetic_ratio \(lambda\) must be a finite number >= 0, got -0.5",
        ),
        (
            {"synthetic_ratio": math.nan},
            r"synthetic_ratio \(lambda\) must be a finite number >= 0, got nan",
        ),
        ({"fresh_fraction": 1.5}, r"fresh_fraction must lie in \[0, 1\], got 1.5"),
        ({"pool": "forever"}, r"pool must be one of \['replace', 'accumulate'\], got 'forever'"),
    ],
)
def test_invalid_policy_names_value_and_range(kwargs: dict, message: str) -> None:
    with pytest.raises(MixingError, match=message) as error:
        MixingPolicy(**{"synthetic_ratio": 1.0, **kwargs}).validate()
    assert isinstance(error.value, MotionLoopError)
