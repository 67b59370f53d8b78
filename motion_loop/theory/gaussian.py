"""Gaussian model with two idealised corrections (the self-correcting loop's toy).

The learner refits mean and covariance (maximum likelihood, divide by N) each generation and samples
N(mu, s^2 S): s = 1 is the exact model; s > 1 an imperfect, overdispersed sampler (the toy in which the
condition on lambda of Gillman et al.'s Theorem 4.3 binds, see closed_forms.critical_synthetic_ratio).

Both correctors receive from the loop engine a *fraction* w in [0, 1] (the engine's `gamma` argument):
  * `MixtureCorrector`, Gillman et al.'s correction as defined: the corrected law is
    pi_gamma = (p_theta + gamma p_theta*) / (1 + gamma), gamma in [0, inf), realised by sampling: each
    sample is replaced, with probability w = gamma / (1 + gamma), by a draw from p_theta* (the truth here,
    which the Gaussian family contains);
  * `OTStepCorrector`, a step of fraction t = w along the optimal-transport (W2) geodesic from the
    model's sampling law N(mu, C) to the truth: x -> x + t (T(x) - x), T(x) = mu* + A (x - mu),
    A = C^-1/2 (C^1/2 S* C^1/2)^1/2 C^-1/2; the corrected law is the McCann interpolant at t.
Both move a batch's mean from mu to (1 - w) mu + w mu*; they differ in the spread of the corrected law.
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


def check_fraction(fraction: float) -> None:
    """Raise ConfigError unless the engine's correction fraction w = gamma / (1 + gamma) lies in [0, 1]."""
    if not (math.isfinite(fraction) and 0.0 <= fraction <= 1.0):
        raise ConfigError(
            f"the correction fraction w = gamma / (1 + gamma) must lie in [0, 1], got {fraction!r}"
        )


class GaussianLearner:
    """Multivariate normal fitted by maximum likelihood; samples N(mean, sample_scale^2 cov)."""

    def __init__(self, dim: int, *, sample_scale: float = 1.0) -> None:
        if dim < 1:
            raise ConfigError(f"dim must be >= 1, got {dim}")
        if not (math.isfinite(sample_scale) and sample_scale > 0.0):
            raise ConfigError(f"sample_scale must be a finite number > 0, got {sample_scale!r}")
        self.dim = dim
        self.sample_scale = sample_scale
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

    @property
    def sampling_cov(self) -> np.ndarray:
        """Covariance of the samples, s^2 S; (d, d)."""
        return self.sample_scale**2 * self.cov

    def sample(self, prompts: Arrays, *, generation: int, rng: np.random.Generator) -> Arrays:
        noise = rng.standard_normal((len(prompts), self.dim))  # (B, d)
        return Arrays({"x": self.mean + noise @ psd_sqrt(self.sampling_cov)})

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


class OTStepCorrector:
    """x -> x + t (T(x) - x), T the OT map from the model's sampling law to the truth; t = engine fraction."""

    def __init__(self, mean: np.ndarray, cov: np.ndarray) -> None:
        self.mean, self.cov = mean, cov

    def correct(
        self, samples: Arrays, *, gamma: float, rng: np.random.Generator, source: GaussianLearner
    ) -> Correction:
        check_fraction(gamma)
        points = samples["x"]  # (B, d)
        step = ((1.0 - gamma) * np.eye(source.dim)) + gamma * ot_matrix(
            source.sampling_cov, self.cov
        )
        corrected = (
            points
            + gamma * (self.mean - source.mean)
            + (points - source.mean) @ (step - np.eye(source.dim)).T
        )
        report = {
            "fraction": gamma,
            "mean_shift": float(np.linalg.norm(corrected - points, axis=1).mean()),
            # tr of the corrected law's covariance B C B^T (the closed forms need it).
            "corrected_cov_trace": float(np.trace(step @ source.sampling_cov @ step.T)),
        }
        return Correction(samples=Arrays({"x": corrected}), reports=[report])


class MixtureCorrector:
    """Gillman et al.'s pi_gamma by sampling: each sample becomes a truth draw with probability w."""

    def __init__(self, mean: np.ndarray, cov: np.ndarray) -> None:
        self.mean, self.cov = mean, cov

    def correct(
        self, samples: Arrays, *, gamma: float, rng: np.random.Generator, source: GaussianLearner
    ) -> Correction:
        check_fraction(gamma)
        points = samples["x"]  # (B, d)
        B, d = points.shape
        replace = rng.random(B) < gamma  # (B,) which samples p_theta* supplies
        draws = self.mean + rng.standard_normal((B, d)) @ psd_sqrt(self.cov)  # (B, d)
        corrected = np.where(replace[:, None], draws, points)
        offset = source.mean - self.mean
        report = {
            "fraction": gamma,
            "replaced": float(replace.mean()),
            # Covariance of the mixture: (1 - w) C + w S* + w (1 - w) (mu - mu*)(mu - mu*)^T.
            "corrected_cov_trace": float(
                (1.0 - gamma) * np.trace(source.sampling_cov)
                + gamma * np.trace(self.cov)
                + gamma * (1.0 - gamma) * offset @ offset
            ),
        }
        return Correction(samples=Arrays({"x": corrected}), reports=[report])


CORRECTORS = {"mixture": MixtureCorrector, "ot_step": OTStepCorrector}


def get_corrector(name: str) -> type[MixtureCorrector] | type[OTStepCorrector]:
    """The corrector class registered as `name` ("mixture": Gillman's pi_gamma; "ot_step": W2 step)."""
    if name not in CORRECTORS:
        raise ConfigError(f"unknown corrector {name!r}; available: {sorted(CORRECTORS)}")
    return CORRECTORS[name]


class GaussianEvaluator:
    """W2 to the truth, mean error, covariance trace ratio and the mean vector (mean_0, ...) of the model."""

    def __init__(self, mean: np.ndarray, cov: np.ndarray) -> None:
        self.mean, self.cov = mean, cov

    def evaluate(
        self, learner: GaussianLearner, *, generation: int, rng: np.random.Generator
    ) -> Evaluation:
        metrics = {
            "w2": w2_gaussian(learner.mean, learner.cov, self.mean, self.cov),
            "mean_error": float(np.linalg.norm(learner.mean - self.mean)),
            "trace_ratio": float(np.trace(learner.cov) / np.trace(self.cov)),
        }
        # The mean itself, for the fixed-point check of closed_forms.gaussian_fixed_point_mean.
        metrics.update({f"mean_{k}": float(value) for k, value in enumerate(learner.mean)})
        return Evaluation(metrics)
