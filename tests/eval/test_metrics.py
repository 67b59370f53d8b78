"""Metric definitions: closed forms, chance levels and exact reference behaviour."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import linalg

from motion_loop.eval.metrics import (
    MetricError,
    diversity,
    euclidean_distance_matrix,
    fid,
    frechet_distance,
    gaussian_stats,
    multimodality,
    r_precision_and_matching,
    summarize,
)


def _random_spd(rng: np.random.Generator, D: int) -> np.ndarray:
    A = rng.normal(size=(D, D))
    return A @ A.T / D + 0.1 * np.eye(D)


def test_frechet_distance_matches_closed_form_for_commuting_gaussians() -> None:
    # Diagonal covariances commute: FID = |mu1-mu2|^2 + sum (sqrt(s1) - sqrt(s2))^2.
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=8), rng.normal(size=8)
    s1, s2 = rng.uniform(0.5, 2, 8), rng.uniform(0.5, 2, 8)
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(s1) - np.sqrt(s2)) ** 2).sum()
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_matches_general_closed_form() -> None:
    # W2^2 between Gaussians: Tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2), symmetric form.
    rng = np.random.default_rng(1)
    D = 6
    s1, s2 = _random_spd(rng, D), _random_spd(rng, D)
    mu1, mu2 = rng.normal(size=D), rng.normal(size=D)
    root2 = linalg.sqrtm(s2).real
    expected = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * linalg.sqrtm(root2 @ s1 @ root2).real)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-7)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-8)


def test_fid_on_gaussian_embeddings_converges_to_closed_form() -> None:
    rng = np.random.default_rng(2)
    D, N = 4, 20000
    shift, scale = 0.5, 1.5
    a = rng.normal(size=(N, D))
    b = rng.normal(size=(N, D)) * scale + shift
    expected = D * shift**2 + D * (scale - 1) ** 2
    assert fid(a, b) == pytest.approx(expected, rel=0.05)
    assert fid(a, a) == pytest.approx(0.0, abs=1e-8)


def test_fid_eps_fallback_on_singular_covariances() -> None:
    # Rank-deficient covariances (N < D): sqrtm is non-finite or inaccurate; the result must be finite.
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(5, 16)), rng.normal(size=(5, 16))
    value = fid(a, b)
    assert np.isfinite(value) and value > 0


def test_fid_rejects_mismatched_statistics() -> None:
    with pytest.raises(MetricError, match="mismatched statistics"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_gaussian_stats_uses_unbiased_covariance() -> None:
    x = np.random.default_rng(4).normal(size=(50, 3))
    stats = gaussian_stats(x)
    np.testing.assert_allclose(stats.sigma, np.cov(x, rowvar=False))
    assert stats.count == 50


def test_distance_matrix() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(9, 5))
    np.testing.assert_allclose(euclidean_distance_matrix(a, b), np.linalg.norm(a[:, None] - b[None], axis=2), atol=1e-9)


def test_diversity_of_unit_gaussian() -> None:
    # E||x - y|| for x, y ~ N(0, I_D) is close to sqrt(2 D) for large D.
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2000, 256))
    assert diversity(x, 300, rng) == pytest.approx(np.sqrt(2 * 256), rel=0.02)
    with pytest.raises(MetricError, match="diversity_times=300"):
        diversity(x[:100], 300, rng)


def test_r_precision_perfect_and_chance() -> None:
    rng = np.random.default_rng(7)
    motion = rng.normal(size=(640, 16))
    perfect = r_precision_and_matching(motion, motion, rng)
    np.testing.assert_allclose(perfect.r_precision, [1, 1, 1])
    assert perfect.matching_score == pytest.approx(0.0, abs=1e-6)
    text = rng.normal(size=(640, 16))  # unrelated: chance is k / 32
    chance = r_precision_and_matching(text, motion, rng)
    np.testing.assert_allclose(chance.r_precision, [1 / 32, 2 / 32, 3 / 32], atol=0.03)
    assert chance.count == 640 and chance.dropped == 0


def test_r_precision_drops_partial_batch_and_requires_a_full_one() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=(70, 4))
    result = r_precision_and_matching(x, x, rng)
    assert result.count == 64 and result.dropped == 6
    with pytest.raises(MetricError, match="batch of 32"):
        r_precision_and_matching(x[:31], x[:31], rng)


def test_matching_score_is_mean_true_pair_distance() -> None:
    rng = np.random.default_rng(9)
    text = rng.normal(size=(64, 8))
    motion = text + 0.5
    result = r_precision_and_matching(text, motion, None)
    assert result.matching_score == pytest.approx(np.sqrt(8 * 0.25))


def test_multimodality() -> None:
    rng = np.random.default_rng(10)
    same = np.repeat(rng.normal(size=(10, 1, 8)), 30, axis=1)
    assert multimodality(same, 10, rng) == pytest.approx(0.0)
    spread = rng.normal(size=(10, 30, 128))
    # Reference behaviour: the same two index draws serve every prompt (an index may pair with itself).
    replay = np.random.default_rng(11)
    first, second = replay.choice(30, 10, replace=False), replay.choice(30, 10, replace=False)
    expected = np.linalg.norm(spread[:, first] - spread[:, second], axis=2).mean()
    assert multimodality(spread, 10, np.random.default_rng(11)) == pytest.approx(expected)
    assert expected == pytest.approx(16.0 * np.mean(first != second), rel=0.1)  # ~ sqrt(2*128)
    with pytest.raises(MetricError, match="mm_times=10"):
        multimodality(spread[:, :5], 10, rng)


def test_summarize_interval() -> None:
    record = summarize("fid", [1.0, 2.0, 3.0, 4.0])
    assert record.mean == 2.5
    # t interval with R - 1 = 3 degrees of freedom: 3.182 * std(ddof=1) / sqrt(4)
    assert record.ci95 == pytest.approx(3.1824463 * np.std([1, 2, 3, 4], ddof=1) / 2)
    reference = summarize("fid", [1.0, 2.0, 3.0, 4.0], interval="reference")
    assert reference.ci95 == pytest.approx(1.96 * np.std([1, 2, 3, 4]) / 2)
    # Two replications: the reference formula is about 9.2x narrower than the t interval.
    pair = [1.0, 2.0]
    assert summarize("fid", pair).ci95 / summarize("fid", pair, interval="reference").ci95 == pytest.approx(9.17, rel=0.01)
    with pytest.raises(MetricError, match="unknown interval"):
        summarize("fid", pair, interval="z")
    assert math.isnan(summarize("fid", [5.0]).ci95)  # one value: no interval, not ± 0
    assert summarize("fid", [5.0]).to_dict()["ci95"] is None
