"""Gaussian model with an idealised correction (the self-correcting loop's toy).

The learner refits mean and covariance (maximum likelihood, divide by N) each generation. The corrector
moves each sample along the optimal-transport (W2) geodesic from the model's law towards the truth:
    x -> x + gamma * (T(x) - x),   T(x) = mu* + A (x - mu),
    A = S^-1/2 (S^1/2 S* S^1/2)^1/2 S^-1/2,
where N(mu, S) is the current model and N(mu*, S*) the truth. T pushes N(mu, S) exactly onto the truth,
so the corrected law is the McCann interpolant at fraction gamma: gamma = 0 is no correction, gamma = 1
turns the samples into draws from the truth.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.loop.arrays import Arrays
from motion_loop.loop.protocols import Correction, Evaluation

_STATE_FILE = "gaussian.npz"


def psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a PSD matrix (d, d)."""
    values, vectors = np.linalg.eigh(0.5 * (matrix + matrix.T))
    # Round-off can leave eigenvalues of a PSD matrix at about -1e-16; they are zero.
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def w2_gaussian(
    mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray
) -> float:
    """Wasserstein-2 distance between N(mean_a, cov_a) and N(mean_b, cov_b) (closed form).

    W2^2 = |m_a - m_b|^2 + tr(S_a + S_b - 2 (S_b^1/2 S_a S_b^1/2)^1/2).
    """
    root_b = psd_sqrt(cov_b)
    cross = psd_sqrt(root_b @ cov_a @ root_b)
    squared = float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * cross))
    return math.sqrt(max(squared, 0.0))  # round-off can give -1e-16 for equal laws


def ot_matrix(cov_from: np.ndarray, cov_to: np.ndarray) -> np.ndarray:
    """A with T(x) = m_to + A (x - m_from) the OT map N(m_from, cov_from) -> N(m_to, cov_to); (d, d)."""
    values, vectors = np.linalg.eigh(0.5 * (cov_from + cov_from.T))
    if values.min() <= 0.0:
        raise DataFormatError(
            f"the model covariance is singular (eigenvalues {values}); no OT map exists"
        )
    root = (vectors * np.sqrt(values)) @ vectors.T
    inv_root = (vectors / np.sqrt(values)) @ vectors.T
    return inv_root @ psd_sqrt(root @ cov_to @ root) @ inv_root


def check_gamma(gamma: float) -> None:
    if not (math.isfinite(gamma) and 0.0 <= gamma <= 1.0):
        raise ConfigError(f"gamma (correction strength) must lie in [0, 1], got {gamma!r}")


class GaussianLearner:
    """Multivariate normal fitted by maximum likelihood; samples N(mean, cov)."""

    def __init__(self, dim: int) -> None:
        if dim < 1:
            raise ConfigError(f"dim must be >= 1, got {dim}")
        self.dim = dim
        self.mean = np.zeros(dim)  # (d,)
        self.cov = np.eye(dim)  # (d, d)

    def fit(self, dataset: Arrays, *, generation: int, rng: np.random.Generator) -> None:
        points = dataset["x"]  # (N, d)
        N, d = points.shape
        if d != self.dim or N < 2:
            raise DataFormatError(
                f"expected >= 2 points of dim {self.dim}, got shape {points.shape}"
            )
        self.mean = points.mean(axis=0)
        centred = points - self.mean
        self.cov = centred.T @ centred / N  # MLE (divide by N): the estimator whose loop collapses

    def sample(self, prompts: Arrays, *, generation: int, rng: np.random.Generator) -> Arrays:
        noise = rng.standard_normal((len(prompts), self.dim))  # (B, d)
        return Arrays({"x": self.mean + noise @ psd_sqrt(self.cov)})

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / _STATE_FILE, mean=self.mean, cov=self.cov)

    def load(self, directory: Path) -> None:
        with np.load(directory / _STATE_FILE) as state:
            self.mean, self.cov = state["mean"], state["cov"]


class GaussianSource:
    """Draws from the true law N(mean, cov)."""

    def __init__(self, mean: np.ndarray, cov: np.ndarray) -> None:
        self.mean, self.cov = mean, cov

    def draw(self, count: int, *, rng: np.random.Generator) -> Arrays:
        noise = rng.standard_normal((count, len(self.mean)))
        return Arrays({"x": self.mean + noise @ psd_sqrt(self.cov)})


class OTCorrector:
    """Idealised correction: x -> x + gamma (T(x) - x), T the OT map from the model's law to the truth."""

    def __init__(self, mean: np.ndarray, cov: np.ndarray) -> None:
        self.mean, self.cov = mean, cov

    def correct(
        self, samples: Arrays, *, gamma: float, rng: np.random.Generator, source: GaussianLearner
    ) -> Correction:
        check_gamma(gamma)
        points = samples["x"]  # (B, d)
        if gamma == 0.0:
            return Correction(samples=samples, reports=[{"gamma": 0.0, "mean_shift": 0.0}])
        matrix = ot_matrix(source.cov, self.cov)
        mapped = self.mean + (points - source.mean) @ matrix.T
        corrected = points + gamma * (mapped - points)
        shift = float(np.linalg.norm(corrected - points, axis=1).mean())
        return Correction(
            samples=Arrays({"x": corrected}), reports=[{"gamma": gamma, "mean_shift": shift}]
        )


class GaussianEvaluator:
    """W2 to the truth, mean error and covariance trace ratio of the model."""

    def __init__(self, mean: np.ndarray, cov: np.ndarray) -> None:
        self.mean, self.cov = mean, cov

    def evaluate(self, learner: GaussianLearner, *, generation: int, rng: np.random.Generator) -> Evaluation:
        return Evaluation({
            "w2": w2_gaussian(learner.mean, learner.cov, self.mean, self.cov),
            "mean_error": float(np.linalg.norm(learner.mean - self.mean)),
            "trace_ratio": float(np.trace(learner.cov) / np.trace(self.cov)),
        })
