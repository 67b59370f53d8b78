"""Deterministic random streams: one generator per (seed, generation, node, purpose).

Deriving every generator from its coordinates, not from a shared stream, is what makes a resumed run
give exactly the numbers of an uninterrupted one.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """What a generator is used for inside one (generation, node) step."""

    MIX = 0
    FIT = 1
    PROMPTS = 2
    SAMPLE = 3
    CORRECT = 4
    EVALUATE = 5
    SETUP = 6  # experiment set-up outside the loop (real data), generation = 0


def derive_rng(seed: int, generation: int, node_index: int, stream: Stream) -> np.random.Generator:
    """The generator of `stream` at (`generation`, `node_index`) of a run seeded with `seed`."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(generation, node_index, int(stream)))
    return np.random.default_rng(sequence)
