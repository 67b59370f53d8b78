"""KID and FID∞: the small-sample distances beside FID (issue 13, item 1b)."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.eval.metrics import (
    MetricError,
    _fid_eigh,
    fid,
    fid_infinity,
    kid,
    mmd2_unbiased,
    polynomial_kernel,
)


def test_polynomial_kernel_is_the_kid_kernel() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 5)), rng.normal(size=(4, 5))
    expected = np.array([[(x @ y / 5 + 1) ** 3 for y in b] for x in a])
    np.testing.assert_allclose(polynomial_kernel(a, b), expected, rtol=1e-12)


def test_mmd2_is_unbiased_on_equal_distributions() -> None:
    # The mean over many small independent pairs of samples of one distribution must be 0 within its
    # standard error; the biased (V-statistic) estimate would be clearly positive at m = 10.
    rng = np.random.default_rng(1)
    estimates = [mmd2_unbiased(rng.normal(size=(10, 8)), rng.normal(size=(10, 8))) for _ in range(400)]
    mean, stderr = np.mean(estimates), np.std(estimates) / np.sqrt(len(estimates))
    assert abs(mean) < 3 * stderr


def test_kid_of_the_same_distribution_is_zero_within_its_interval() -> None:
    rng = np.random.default_rng(2)
    real, same = rng.normal(size=(300, 32)), rng.normal(size=(200, 32))
    result = kid(real, same, rng, subsets=50)
    assert abs(result.mean) < 1.96 * result.std
    shifted = kid(real, rng.normal(size=(200, 32)) + 0.3, rng, subsets=50)
    assert shifted.mean > 1.96 * shifted.std  # a real difference lies outside it


def test_kid_subsets_differ_when_the_sets_are_small() -> None:
    rng = np.random.default_rng(3)
    result = kid(rng.normal(size=(40, 8)), rng.normal(size=(40, 8)), rng, subsets=10, subset_size=1000)
    assert result.subset_size == 20 and result.std > 0


def test_kid_rejects_mismatched_dimensions() -> None:
    rng = np.random.default_rng(4)
    with pytest.raises(MetricError, match="embedding sizes differ"):
        kid(rng.normal(size=(10, 4)), rng.normal(size=(10, 5)), rng)


def test_eigh_fid_equals_the_reference_fid() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(200, 24)), rng.normal(size=(150, 24)) * 1.3 + 0.2
    assert _fid_eigh(a, b) == pytest.approx(fid(a, b), rel=1e-6)


def test_fid_infinity_removes_the_small_sample_bias_on_gaussians() -> None:
    # N(0, I) against N(shift, scale² I) in D dims: FID = D shift² + D (scale - 1)² (closed form).
    rng = np.random.default_rng(6)
    D, N, shift, scale = 16, 400, 0.1, 1.2
    closed = D * shift**2 + D * (scale - 1) ** 2  # 0.8
    plain, extrapolated = [], []
    for _ in range(4):
        a, b = rng.normal(size=(N, D)), rng.normal(size=(N, D)) * scale + shift
        plain.append(fid(a, b))
        extrapolated.append(fid_infinity(a, b, rng).value)
    plain_error, inf_error = abs(np.mean(plain) - closed), abs(np.mean(extrapolated) - closed)
    assert plain_error > 0.3  # the biased estimate is off by about half the true value at N = 400
    assert inf_error < plain_error / 3
    same = fid_infinity(rng.normal(size=(N, D)), rng.normal(size=(N, D)), rng)
    assert abs(same.value) < 0.1 < fid(rng.normal(size=(N, D)), rng.normal(size=(N, D)))


def test_fid_infinity_needs_two_sample_counts() -> None:
    rng = np.random.default_rng(7)
    with pytest.raises(MetricError, match="two distinct sample counts"):
        fid_infinity(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng, fractions=(1.0,))
