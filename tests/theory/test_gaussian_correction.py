"""Predictions of the self-correcting loop's Gaussian toy, plus the closed forms it relies on.

Setting (fixed, not tuned): d = 2, truth N(0, [[1, .5], [.5, 2]]), n = 50 real points, seed 0,
150 generations, pool "replace"; lambda = 10 with the real data kept, and the fully synthetic loop
(lambda = 1, no real data after generation 0); gamma in {0, 0.25, 1}.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import Arrays
from motion_loop.theory.config import GaussianCorrectionConfig
from motion_loop.theory.gaussian import GaussianLearner, OTCorrector, ot_matrix, w2_gaussian
from motion_loop.theory.gaussian_correction import Setting, late_mean, run_gaussian_correction

GAMMAS = [0.0, 0.25, 1.0]


@pytest.fixture(scope="module")
def result():
    cfg = GaussianCorrectionConfig(generations=150, progress=False, lambdas=[10.0], gammas=GAMMAS)
    return run_gaussian_correction(cfg, out_dir=None)


def test_w2_closed_form() -> None:
    cov = np.array([[2.0, 0.3], [0.3, 1.0]])
    assert w2_gaussian(np.zeros(2), cov, np.zeros(2), cov) == pytest.approx(0.0, abs=1e-7)
    # 1-d: W2 = sqrt((m1 - m2)^2 + (s1 - s2)^2).
    assert w2_gaussian(
        np.array([1.0]), np.array([[4.0]]), np.array([0.0]), np.array([[1.0]])
    ) == pytest.approx(math.sqrt(2))


def test_ot_map_pushes_model_onto_truth() -> None:
    cov_from, cov_to = np.array([[1.0, 0.2], [0.2, 0.5]]), np.array([[2.0, -0.4], [-0.4, 1.0]])
    matrix = ot_matrix(cov_from, cov_to)
    assert np.allclose(matrix @ cov_from @ matrix.T, cov_to)
    assert np.allclose(matrix, matrix.T)  # OT maps between centred Gaussians are symmetric PD


def test_full_correction_gives_the_true_law() -> None:
    mean, cov = np.array([1.0, -1.0]), np.array([[1.0, 0.5], [0.5, 2.0]])
    model = GaussianLearner(2)
    model.mean, model.cov = np.zeros(2), np.array([[0.3, 0.0], [0.0, 0.1]])
    rng = np.random.default_rng(0)
    samples = model.sample(Arrays({"x": np.zeros((20000, 2))}), generation=1, rng=rng)
    corrected = (
        OTCorrector(mean, cov).correct(samples, gamma=1.0, rng=rng, source=model).samples["x"]
    )
    assert np.allclose(corrected.mean(axis=0), mean, atol=0.05)
    assert np.allclose(np.cov(corrected.T), cov, atol=0.08)


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan])
def test_invalid_gamma(bad: float) -> None:
    with pytest.raises(
        ConfigError, match=r"gamma \(correction strength\) must lie in \[0, 1\], got"
    ):
        OTCorrector(np.zeros(2), np.eye(2)).correct(
            Arrays({"x": np.zeros((3, 2))}),
            gamma=bad,
            rng=np.random.default_rng(0),
            source=GaussianLearner(2),
        )


def test_uncorrected_fully_synthetic_loop_collapses(result) -> None:
    setting = Setting(1.0, 0.0, keep_real=False)
    trace = [r["trace_ratio"] for r in result.records if r["gamma"] == 0.0 and not r["keep_real"]]
    # Prediction: the MLE variance shrinks by (n-1)/n per generation in expectation (0.98^149 ~ 0.05).
    assert trace[-1] < 0.2
    w2 = [r["w2"] for r in result.records if r["gamma"] == 0.0 and not r["keep_real"]]
    assert late_mean(result.records, "w2", setting) > 3.0 * w2[0]


@pytest.mark.parametrize("keep_real", [False, True])
def test_stability_improves_with_gamma(result, keep_real: bool) -> None:
    ratio = 10.0 if keep_real else 1.0
    errors = [late_mean(result.records, "w2", Setting(ratio, gamma, keep_real)) for gamma in GAMMAS]
    assert errors[0] > errors[1] > errors[2]


def test_real_data_keeps_the_uncorrected_loop_bounded(result) -> None:
    # Measured, and contrary to "error grows at large lambda": with the real data kept every generation,
    # lambda = 10 without correction stays near the generation-0 error (the real set anchors the fit).
    setting = Setting(10.0, 0.0, keep_real=True)
    w2 = [r["w2"] for r in result.records if r["gamma"] == 0.0 and r["keep_real"]]
    assert late_mean(result.records, "w2", setting) < 2.0 * w2[0]
