"""Closed forms of the lab's three models, derived for the lab's exact loop (docs/theory.md has the steps).

Notation: n real items, lambda synthetic items per real item and generation (m = round(lambda n)), f fresh
items per real item (fresh-data nodes), gamma Gillman's correction strength and w = gamma / (1 + gamma)
(or t, the fraction of the optimal-transport step): both move the mean of a synthetic batch from mu to
(1 - w) mu + w mu*.
"""

from __future__ import annotations

import math

import numpy as np

from motion_loop.errors import ConfigError
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.theory.categorical import sampling_distribution, tempered

_FIXED_POINT_TOLERANCE = 1e-12  # max |change| of p between two mean-field iterations
_FIXED_POINT_ITERATIONS = 100_000


def mixture_fraction(gamma: float) -> float:
    """w = gamma / (1 + gamma): the weight of p_theta* in pi_gamma = (p_theta + gamma p_theta*) / (1 + gamma)."""
    if not (math.isfinite(gamma) and gamma >= 0.0):
        raise ConfigError(
            f"gamma (Gillman's correction strength) must be finite and >= 0, got {gamma!r}"
        )
    return gamma / (1.0 + gamma)


# --- Gaussian toy (keep_real, pool "replace"): the mean's fixed point and stationary fluctuation ---------


def gaussian_fixed_point_mean(
    real_mean: np.ndarray, true_mean: np.ndarray, *, synthetic_ratio: float, fraction: float
) -> np.ndarray:
    """mu_fp = mu* + (mu_R - mu*) / (1 + lambda w); (d,).

    From mu' = (mu_R + lambda ((1 - w) mu + w mu*)) / (1 + lambda) with the sampling noise averaged out.
    """
    return true_mean + (real_mean - true_mean) / (1.0 + synthetic_ratio * fraction)


def gaussian_stationary_excess(
    *, synthetic_ratio: float, fraction: float, corrected_trace: float, real_size: int
) -> float:
    """E|mu_g - mu_fp|^2 at stationarity = lambda tr C / (n ((1 + lambda)^2 - lambda^2 (1 - w)^2)).

    C is the covariance of one corrected synthetic sample. The batch mean of lambda n samples has
    covariance C / (lambda n); the deviation follows delta' = c delta + lambda / (1 + lambda) * noise with
    c = lambda (1 - w) / (1 + lambda), a stationary AR(1). At w = 0 this is lambda / (1 + 2 lambda) tr S / n.
    """
    lam, w = synthetic_ratio, fraction
    return lam * corrected_trace / (real_size * ((1.0 + lam) ** 2 - lam**2 * (1.0 - w) ** 2))


def covariance_growth_factor(*, synthetic_ratio: float, gamma: float, sample_scale: float) -> float:
    """rho = lambda s^2 / ((1 + lambda)(1 + gamma)): per-generation factor of the model covariance.

    For a sampler that draws N(mu, s^2 S) instead of the fitted N(mu, S) (s > 1: an imperfect, overdispersed
    generator), with Gillman's mixture correction and the real data kept: S' = (S_R + lambda ((1 - w) s^2 S
    + w S* + ...)) / (1 + lambda). The loop is stable iff rho < 1.
    """
    return synthetic_ratio * sample_scale**2 / ((1.0 + synthetic_ratio) * (1.0 + gamma))


def critical_synthetic_ratio(*, gamma: float, sample_scale: float) -> float:
    """lambda_c(gamma) = (1 + gamma) / (s^2 - 1 - gamma): the loop diverges for lambda > lambda_c (inf: never).

    Theorem 4.3's message in a closed form: a correction of strength gamma raises the admissible lambda.
    """
    excess = sample_scale**2 - 1.0 - gamma
    return math.inf if excess <= 0.0 else (1.0 + gamma) / excess


# --- Regression on a graph: the random walk of a lone self-consuming node ------------------------------


def regression_random_walk_mse(
    generation: np.ndarray, *, noise_std: float, dim: int, real_size: int
) -> np.ndarray:
    """E|w_g - w*|^2 = (g + 1) sigma^2 d / (n - d - 1) for a node that only trains on its own samples.

    Prompts are the node's n real inputs X (every generation the same set), so each refit adds
    (X^T X)^-1 X^T sigma_g eps; sigma_g^2 = RSS / (n - d) is unbiased, hence E sigma_g^2 = sigma^2 (a
    martingale), the increments are uncorrelated and E tr (X^T X)^-1 = d / (n - d - 1) for Gaussian X.
    Generation 0 (the fit on real data) contributes the first sigma^2 d / (n - d - 1).
    """
    if real_size <= dim + 1:
        raise ConfigError(f"the closed form needs real_size > dim + 1, got n={real_size}, d={dim}")
    return (np.asarray(generation, dtype=float) + 1.0) * noise_std**2 * dim / (real_size - dim - 1)


# --- Categorical model with temperature (Marchi et al.) --------------------------------------------------


def mean_field_trajectory(
    real_probs: np.ndarray,
    truth: np.ndarray,
    *,
    temperature: float,
    policy: MixingPolicy,
    real_size: int,
    generations: int,
    top_k: int = 0,
    top_p: float = 1.0,
) -> np.ndarray:
    """The loop with every random draw replaced by its expectation; p per generation, shape (G, K).

    Mirrors the mixing policy exactly: incoming counts m q(p) + f n p*, pool accumulate or replace, real
    counts kept or not. Its limit is Marchi's mean-field fixed point (see `mean_field_fixed_point`).
    """
    m = round(policy.synthetic_ratio * real_size)
    fresh = round(policy.fresh_fraction * real_size)
    real_counts = real_size * real_probs  # (K,)
    pool = np.zeros_like(real_probs)
    probs = [real_probs]
    for _ in range(1, generations):
        sampled = sampling_distribution(probs[-1], temperature, top_k=top_k, top_p=top_p)
        incoming = m * sampled + fresh * truth
        pool = pool + incoming if policy.pool == "accumulate" else incoming
        counts = pool + (real_counts if policy.keep_real else 0.0)
        probs.append(counts / counts.sum())
    return np.array(probs)


def mean_field_fixed_point(
    truth: np.ndarray, *, temperature: float, synthetic_ratio: float, fresh_fraction: float
) -> np.ndarray:
    """p with (lambda + f) p = lambda q(p) + f p*, q = softmax(log p / tau): the limit of the accumulating loop.

    Found by following the mean-field ODE dp/dt = (lambda q(p) + f p*) / (lambda + f) - p from p* (Marchi's
    Remark 1 with a fresh share f / (lambda + f) of the new items).
    """
    total = synthetic_ratio + fresh_fraction
    if total <= 0.0:
        raise ConfigError("the fixed point needs lambda + f > 0")
    probs = truth.copy()
    for _ in range(_FIXED_POINT_ITERATIONS):
        target = (synthetic_ratio * tempered(probs, temperature) + fresh_fraction * truth) / total
        update = 0.5 * (target - probs)
        probs = probs + update
        if np.abs(update).max() < _FIXED_POINT_TOLERANCE:
            return probs
    raise ConfigError(
        f"the mean-field iteration did not converge for tau={temperature}, lambda={synthetic_ratio}, "
        f"f={fresh_fraction} (no stable interior fixed point reached from p*)"
    )


def unit_temperature_variance(
    real_probs: np.ndarray, *, policy: MixingPolicy, real_size: int, generations: int
) -> np.ndarray:
    """E sum_k (p_g,k - p_0,k)^2 at tau = 1, accumulating pool, no fresh data; shape (G,).

    p_{j+1} = (N_j p_j + X_j) / (N_j + m), X_j ~ Multinomial(m, p_j), N_j the items of generation j's set
    that stay (n + j m with keep_real, j m without): p is a martingale with E[|dp|^2 | p] =
    m (1 - |p|^2) / (N_j + m)^2, and h_j = E(1 - |p_j|^2) shrinks by (1 - m / (N_j + m)^2) a step, so
    E|p_g - p_0|^2 = (1 - |p_0|^2) (1 - prod_{j<g} (1 - m / (N_j + m)^2)).
    """
    if policy.pool != "accumulate" or policy.fresh_fraction > 0.0:
        raise ConfigError(
            "the tau = 1 variance formula holds for pool=accumulate without fresh data, got "
            f"pool={policy.pool!r}, fresh_fraction={policy.fresh_fraction}"
        )
    m = round(policy.synthetic_ratio * real_size)
    kept = np.array(
        [(real_size if policy.keep_real else 0) + j * m for j in range(max(generations - 1, 0))],
        dtype=float,
    )
    survive = np.concatenate([[1.0], np.cumprod(1.0 - m / (kept + m) ** 2)])
    return (1.0 - float(real_probs @ real_probs)) * (1.0 - survive)
