"""The small protocols the loop engine is generic over.

The engine never looks inside a dataset: a `DatasetOps` adapter sizes, slices, concatenates, saves and
loads it, and picks prompts from it. The theory models use arrays (`motion_loop.loop.arrays`); the motion
stack will plug in a folder of clips through the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

# A dataset, a batch of prompts or a batch of samples: opaque to the engine (see DatasetOps).
Dataset = Any
Prompts = Any


class Learner(Protocol):
    """A generative model the loop retrains each generation.

    `fit` may start from the learner's current state (fine-tuning) or refit from scratch; the engine calls
    it once per generation on that generation's training set, passing the generation's index (the learner
    keeps no count of its own). Before a fit the engine may `load` the state of an earlier generation (to
    continue from the best-scored one). `save`/`load` persist the state into the generation folder so that
    a run resumes after an interruption.
    """

    def fit(self, dataset: Dataset, *, generation: int, rng: np.random.Generator) -> None: ...

    def sample(self, prompts: Prompts, *, generation: int, rng: np.random.Generator) -> Dataset: ...

    def save(self, directory: Path) -> None: ...

    def load(self, directory: Path) -> None: ...


@dataclass(frozen=True)
class Correction:
    """Corrected samples and what the corrector did.

    Attributes:
        samples: the corrected samples, same kind as the input; the same count, or fewer when the
            corrector leaves out clips it could not correct plausibly (its reports say which). The
            next generation's mix then takes what is left (its `n_incoming` records how many).
        reports: one JSON-able record per sample, or one summary record (written to correction.jsonl).
        summary: the generation's metrics of this correction (metrics.csv columns, named
            `correction_*`); None = the engine averages the numeric fields of `reports`.
    """

    samples: Dataset
    reports: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, float] | None = None


# The learner type a corrector or evaluator accepts (an OT corrector needs the Gaussian model's moments).
LearnerT_contra = TypeVar("LearnerT_contra", bound=Learner, contravariant=True)


class Corrector(Protocol[LearnerT_contra]):
    """Moves a learner's samples towards the data distribution with strength `gamma` in [0, 1].

    `source` is the learner that drew the samples (an idealised corrector may use its law; the physics
    corrector ignores it).
    """

    def correct(
        self, samples: Dataset, *, gamma: float, rng: np.random.Generator, source: LearnerT_contra
    ) -> Correction: ...


@dataclass(frozen=True)
class Evaluation:
    """What an evaluator returns for one node and generation; the engine stores it in the run folder.

    Attributes:
        metrics: named scalars (an empty dict for a generation that is not evaluated).
        artefacts: file name -> content, written into the generation's folder by the engine through the
            atomic-write helper: an ndarray for a name ending in ".npy", a JSON-able value for ".json"
            (e.g. the joints of a few generated motions, for videos across generations).
    """

    metrics: dict[str, float]
    artefacts: dict[str, Any] = field(default_factory=dict)


class Evaluator(Protocol[LearnerT_contra]):
    """Scores one node's learner after generation `generation`; it never writes into the learner."""

    def evaluate(
        self, learner: LearnerT_contra, *, generation: int, rng: np.random.Generator
    ) -> Evaluation: ...


class FreshSource(Protocol):
    """Draws new items from the true data distribution (the fresh-data share of a generation)."""

    def draw(self, count: int, *, rng: np.random.Generator) -> Dataset: ...


class DatasetOps(Protocol):
    """What the engine needs to do with datasets of one kind."""

    def size(self, dataset: Dataset) -> int: ...

    def take(self, dataset: Dataset, indices: np.ndarray) -> Dataset:
        """Rows `indices` (int array, shape (K,)) of `dataset`, in that order."""
        ...

    def concat(self, datasets: Sequence[Dataset]) -> Dataset:
        """One dataset holding the items of all `datasets` (at least one) in order."""
        ...

    def prompts(self, dataset: Dataset, count: int, *, rng: np.random.Generator) -> Prompts:
        """`count` prompts taken from the items of `dataset` (e.g. captions and lengths of real clips)."""
        ...

    def save(self, dataset: Dataset, directory: Path) -> None: ...

    def load(self, directory: Path) -> Dataset: ...
