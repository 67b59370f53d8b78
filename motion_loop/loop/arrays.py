"""Datasets made of equal-length numpy arrays, and their `DatasetOps` (used by the theory models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motion_loop.errors import DataFormatError

_FILE = "data.npz"


@dataclass(frozen=True)
class Arrays:
    """Named arrays sharing their first dimension N (the items), e.g. {"x": (N, d), "y": (N,)}."""

    fields: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        lengths = {name: len(value) for name, value in self.fields.items()}
        if not lengths or len(set(lengths.values())) != 1:
            raise DataFormatError(
                f"Arrays needs >= 1 field, all of one length; got lengths {lengths}"
            )

    def __len__(self) -> int:
        return len(next(iter(self.fields.values())))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.fields[name]


class ArrayOps:
    """`DatasetOps` for `Arrays`; prompts are items of the dataset (unconditional learners use the count)."""

    def size(self, dataset: Arrays) -> int:
        return len(dataset)

    def take(self, dataset: Arrays, indices: np.ndarray) -> Arrays:
        return Arrays({name: value[indices] for name, value in dataset.fields.items()})

    def concat(self, datasets: Sequence[Arrays]) -> Arrays:
        if not datasets:
            raise DataFormatError("concat needs at least one dataset, got none")
        names = list(datasets[0].fields)
        for dataset in datasets[1:]:
            if list(dataset.fields) != names:
                raise DataFormatError(f"cannot concat fields {list(dataset.fields)} onto {names}")
        return Arrays({name: np.concatenate([d[name] for d in datasets]) for name in names})

    def prompts(self, dataset: Arrays, count: int, *, rng: np.random.Generator) -> Arrays:
        # Without replacement while the dataset is large enough (each real item gets at most one twin,
        # as in the published loop); with replacement beyond that.
        indices = rng.choice(len(dataset), size=count, replace=count > len(dataset))
        return self.take(dataset, indices)

    def save(self, dataset: Arrays, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        # numpy's stubs type **kwds of savez like its allow_pickle flag; the arrays are fine.
        np.savez(directory / _FILE, **dict(dataset.fields))  # type: ignore[arg-type]

    def load(self, directory: Path) -> Arrays:
        with np.load(directory / _FILE) as archive:
            return Arrays({name: archive[name] for name in archive.files})
