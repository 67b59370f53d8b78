"""Categorical model with sampling temperature ("closed-loop learning with temperature").

The model's probabilities are the empirical frequencies p of its dataset; it samples from the
temperature-scaled distribution q_k = p_k^(1/tau) / sum_j p_j^(1/tau) (softmax of log p / tau over the
outcomes with p_k > 0; an outcome that has left the data never comes back). With an accumulating pool,
p follows a stochastic approximation of dp/dt = q(p) - p whose stable points are: uniform over the
surviving outcomes for tau > 1, a single outcome for tau < 1, and (tau = 1) any p, p being a martingale.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.loop.arrays import Arrays
from motion_loop.loop.protocols import Evaluation

_STATE_FILE = "categorical.npz"


def check_temperature(temperature: float) -> None:
    """Raise ConfigError unless 0 < tau < inf."""
    if not (math.isfinite(temperature) and temperature > 0.0):
        raise ConfigError(f"temperature (tau) must be a finite number > 0, got {temperature!r}")


def tempered(probs: np.ndarray, temperature: float) -> np.ndarray:
    """q = softmax(log p / tau) over the support of p; shape (K,) -> (K,)."""
    check_temperature(temperature)
    support = probs > 0
    logits = np.full(probs.shape, -np.inf)
    logits[support] = np.log(probs[support]) / temperature
    weights = np.exp(logits - logits[support].max())
    return weights / weights.sum()


def check_truncation(top_k: int, top_p: float) -> None:
    """Raise ConfigError unless top_k >= 0 (0 = off) and 0 < top_p <= 1 (1 = off)."""
    if top_k < 0:
        raise ConfigError(f"top_k must be >= 0 (0 = no top-k truncation), got {top_k}")
    if not (math.isfinite(top_p) and 0.0 < top_p <= 1.0):
        raise ConfigError(f"top_p must lie in (0, 1] (1 = no nucleus truncation), got {top_p!r}")


def sampling_distribution(
    probs: np.ndarray, temperature: float, *, top_k: int = 0, top_p: float = 1.0
) -> np.ndarray:
    """Tempered q, then top-k and top-p (nucleus) truncation, renormalised; shape (K,) -> (K,).

    top-k keeps the k most likely outcomes; top-p keeps the smallest set of most likely outcomes whose
    tempered mass reaches top_p (ties broken by outcome index). Truncated outcomes get probability 0.
    """
    check_truncation(top_k, top_p)
    q = tempered(probs, temperature)
    order = np.argsort(-q, kind="stable")  # most likely first
    keep = np.zeros(q.shape, dtype=bool)
    count = len(q) if top_k == 0 else min(top_k, len(q))
    if top_p < 1.0:
        # Smallest prefix whose mass reaches top_p (searchsorted on the cumulative mass).
        count = min(count, int(np.searchsorted(np.cumsum(q[order]), top_p)) + 1)
    keep[order[:count]] = True
    truncated = np.where(keep, q, 0.0)
    return truncated / truncated.sum()


def entropy(probs: np.ndarray) -> float:
    """Shannon entropy [nats] of a distribution of shape (K,)."""
    nonzero = probs[probs > 0]
    return float(-(nonzero * np.log(nonzero)).sum())


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total-variation distance 0.5 * sum |p - q| of two distributions of shape (K,)."""
    return float(0.5 * np.abs(p - q).sum())


class CategoricalLearner:
    """Empirical-frequency model over outcomes 0..K-1 that samples at temperature tau (top-k/top-p optional)."""

    def __init__(
        self, num_outcomes: int, *, temperature: float, top_k: int = 0, top_p: float = 1.0
    ) -> None:
        if num_outcomes < 2:
            raise ConfigError(f"num_outcomes must be >= 2, got {num_outcomes}")
        check_temperature(temperature)
        check_truncation(top_k, top_p)
        self.num_outcomes = num_outcomes
        self.temperature = temperature
        self.top_k, self.top_p = top_k, top_p
        self.probs = np.full(num_outcomes, 1.0 / num_outcomes)  # (K,)

    def fit(self, dataset: Arrays, *, generation: int, rng: np.random.Generator) -> None:
        outcomes = dataset["x"]  # (N,) int
        if outcomes.size == 0 or outcomes.min() < 0 or outcomes.max() >= self.num_outcomes:
            raise DataFormatError(
                f"categorical data must be non-empty ints in [0, {self.num_outcomes}), got {outcomes[:5]}..."
            )
        counts = np.bincount(outcomes, minlength=self.num_outcomes)
        self.probs = counts / counts.sum()

    def sampling_probs(self) -> np.ndarray:
        return sampling_distribution(
            self.probs, self.temperature, top_k=self.top_k, top_p=self.top_p
        )

    def sample(self, prompts: Arrays, *, generation: int, rng: np.random.Generator) -> Arrays:
        draws = rng.choice(self.num_outcomes, size=len(prompts), p=self.sampling_probs())
        return Arrays({"x": draws.astype(np.int64)})

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / _STATE_FILE, probs=self.probs)

    def load(self, directory: Path) -> None:
        with np.load(directory / _STATE_FILE) as state:
            self.probs = state["probs"]


class CategoricalSource:
    """Fresh draws from the true distribution `probs` (K,)."""

    def __init__(self, probs: np.ndarray) -> None:
        self.probs = probs

    def draw(self, count: int, *, rng: np.random.Generator) -> Arrays:
        return Arrays({"x": rng.choice(len(self.probs), size=count, p=self.probs).astype(np.int64)})


class CategoricalEvaluator:
    """Entropy, max probability, effective support and distances to the truth; also each p_k."""

    def __init__(self, truth: np.ndarray) -> None:
        self.truth = truth

    def evaluate(
        self, learner: CategoricalLearner, *, generation: int, rng: np.random.Generator
    ) -> Evaluation:
        probs = learner.probs
        metrics = {
            "entropy": entropy(probs),
            "max_prob": float(probs.max()),
            "perplexity": math.exp(entropy(probs)),
            "support": float((probs > 0).sum()),
            "tv_truth": total_variation(probs, self.truth),
        }
        metrics.update({f"p_{k:02d}": float(value) for k, value in enumerate(probs)})
        return Evaluation(metrics)


def zipf_probs(num_outcomes: int, exponent: float) -> np.ndarray:
    """p_k proportional to (k+1)^-exponent, k = 0..K-1."""
    weights = np.arange(1, num_outcomes + 1, dtype=float) ** -exponent
    return weights / weights.sum()
