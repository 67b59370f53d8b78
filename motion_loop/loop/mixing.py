"""The data-mixing policy: which items a node trains on in each generation.

Generation 0 trains on the node's real set only. From generation g >= 1 on, each node receives an
*incoming* batch: `fresh_fraction * n_real` new items from the true distribution (fresh-data nodes only)
plus `synthetic_ratio * n_real` synthetic items, split evenly over its in-neighbours' samples of
generation g-1. The node's pool is the incoming batches so far ("accumulate") or the latest one
("replace"), and its training set is its real set (when `keep_real`) followed by its pool.

With one node, a self-edge, `keep_real=True`, `fresh_fraction=0` and `pool="replace"` this is the
published loop: n real + round(lambda * n) synthetic items, synthetic fraction lambda/(1+lambda).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from motion_loop.loop.errors import MixingError
from motion_loop.loop.protocols import Dataset, DatasetOps

POOL_MODES: tuple[str, ...] = ("replace", "accumulate")


@dataclass
class MixingPolicy:
    """How generation g's training set is built (a Hydra schema as well).

    lambda has no default here: its one definition is the caller's config (`loop.synthetic_ratio` of
    `motion-loop run`, `mixing.synthetic_ratio` or the lambda list of a theory experiment).

    Attributes:
        synthetic_ratio: lambda >= 0, synthetic items per real item and generation.
        fresh_fraction: fresh items from the true distribution per real item and generation, in [0, 1];
            only nodes marked as fresh-data nodes of the interaction graph receive them.
        pool: "replace" (train on the latest incoming batch only) or "accumulate" (on all so far).
        keep_real: whether the node's original real set stays in every generation's training set.
    """

    synthetic_ratio: float
    fresh_fraction: float = 0.0
    pool: str = "replace"
    keep_real: bool = True

    def validate(self) -> None:
        """Raise MixingError naming the bad value and its valid range."""
        if not (math.isfinite(self.synthetic_ratio) and self.synthetic_ratio >= 0.0):
            raise MixingError(
                f"synthetic_ratio (lambda) must be a finite number >= 0, got {self.synthetic_ratio!r}"
            )
        if not (math.isfinite(self.fresh_fraction) and 0.0 <= self.fresh_fraction <= 1.0):
            raise MixingError(f"fresh_fraction must lie in [0, 1], got {self.fresh_fraction!r}")
        if self.pool not in POOL_MODES:
            raise MixingError(f"pool must be one of {list(POOL_MODES)}, got {self.pool!r}")


def synthetic_count(policy: MixingPolicy, n_real: int) -> int:
    """Synthetic items a node with `n_real` real items trains on per generation: round(lambda * n)."""
    return int(round(policy.synthetic_ratio * n_real))


def fresh_count(policy: MixingPolicy, n_real: int, *, gets_fresh: bool) -> int:
    """Fresh items a node receives per generation: round(fresh_fraction * n) on fresh-data nodes."""
    return int(round(policy.fresh_fraction * n_real)) if gets_fresh else 0


def split_evenly(total: int, parts: int) -> list[int]:
    """Split `total` items over `parts` sources; the first `total % parts` sources give one more."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if k < extra else 0) for k in range(parts)]


def next_pool(
    policy: MixingPolicy, pool: Sequence[Dataset], incoming: Dataset | None
) -> list[Dataset]:
    """The pool after a generation's incoming batch: all batches ("accumulate") or the latest ("replace")."""
    batch = [] if incoming is None else [incoming]
    return [*pool, *batch] if policy.pool == "accumulate" else batch


def build_training_set(
    policy: MixingPolicy,
    *,
    real: Dataset,
    pool: Sequence[Dataset],
    ops: DatasetOps,
    generation: int,
) -> Dataset:
    """Generation `generation`'s training set: real (gen 0, or when `keep_real`) then the pool batches.

    Raises:
        MixingError: when the result would be empty (no real data kept and nothing incoming).
    """
    parts = [real] if (generation == 0 or policy.keep_real) else []
    parts += [batch for batch in pool if ops.size(batch) > 0]
    if not parts or all(ops.size(part) == 0 for part in parts):
        raise MixingError(
            f"generation {generation}'s training set is empty: keep_real={policy.keep_real}, "
            f"synthetic_ratio={policy.synthetic_ratio}, fresh_fraction={policy.fresh_fraction} and no "
            "incoming items; keep the real data, raise lambda or give the node fresh data or in-edges"
        )
    return ops.concat(parts)
