"""Linear-regression learners that train on each other's outputs along a directed graph.

Each node fits y = x . w by least squares on its training set (fresh pairs from the truth and/or pairs
(x, y_hat) sampled by its in-neighbours) and samples y_hat = x . w_hat + sigma_hat * eps at prompt inputs
x, with sigma_hat^2 = RSS / (N - d) (unbiased, so that the noise level itself does not shrink by
construction). A node whose data comes, along some path, from a fresh-data node keeps a bounded error;
a group of nodes that only trains on itself does a random walk in w (error growing like sqrt(g)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.loop.arrays import Arrays
from motion_loop.loop.protocols import Evaluation

_STATE_FILE = "regression.npz"


class RegressionLearner:
    """Least-squares linear model y = x . w + noise, x of dimension d (no intercept)."""

    def __init__(self, dim: int) -> None:
        if dim < 1:
            raise ConfigError(f"dim must be >= 1, got {dim}")
        self.dim = dim
        self.weights = np.zeros(dim)  # (d,)
        self.noise_std = 1.0

    def fit(self, dataset: Arrays, *, generation: int, rng: np.random.Generator) -> None:
        inputs, targets = dataset["x"], dataset["y"]  # (N, d), (N,)
        N, d = inputs.shape
        if d != self.dim or N <= d:
            raise DataFormatError(
                f"need more than {self.dim} pairs of input dim {self.dim}, got x of shape {inputs.shape}"
            )
        self.weights, *_ = np.linalg.lstsq(inputs, targets, rcond=None)
        residual = targets - inputs @ self.weights
        self.noise_std = float(np.sqrt(residual @ residual / (N - d)))

    def sample(self, prompts: Arrays, *, generation: int, rng: np.random.Generator) -> Arrays:
        inputs = prompts["x"]  # (B, d)
        targets = inputs @ self.weights + self.noise_std * rng.standard_normal(len(inputs))
        return Arrays({"x": inputs, "y": targets})

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / _STATE_FILE, weights=self.weights, noise_std=self.noise_std)

    def load(self, directory: Path) -> None:
        with np.load(directory / _STATE_FILE) as state:
            self.weights, self.noise_std = state["weights"], float(state["noise_std"])


class RegressionSource:
    """Fresh pairs: x ~ N(0, I_d), y = x . w* + noise_std * eps."""

    def __init__(self, weights: np.ndarray, noise_std: float) -> None:
        self.weights, self.noise_std = weights, noise_std

    def draw(self, count: int, *, rng: np.random.Generator) -> Arrays:
        inputs = rng.standard_normal((count, len(self.weights)))
        targets = inputs @ self.weights + self.noise_std * rng.standard_normal(count)
        return Arrays({"x": inputs, "y": targets})


class RegressionEvaluator:
    """Parameter error |w_hat - w*| and the fitted noise level."""

    def __init__(self, weights: np.ndarray) -> None:
        self.weights = weights

    def evaluate(
        self, learner: RegressionLearner, *, generation: int, rng: np.random.Generator
    ) -> Evaluation:
        return Evaluation(
            {
                "param_error": float(np.linalg.norm(learner.weights - self.weights)),
                "noise_std": float(learner.noise_std),
            }
        )
