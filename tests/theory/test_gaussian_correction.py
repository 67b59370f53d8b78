"""The Gaussian toy's corrections (Gillman's mixture pi_gamma and the W2 step) and its loop over seeds.

Setting of the loop checks (fixed, not tuned): d = 2, truth N(0, [[1, .5], [.5, 2]]), n = 50, 5 seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import Arrays
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.theory.closed_forms import mixture_fraction
from motion_loop.theory.config import GaussianCorrectionConfig
from motion_loop.theory.gaussian import (
    GaussianLearner,
    MixtureCorrector,
    OTStepCorrector,
    get_corrector,
    ot_matrix,
    w2_gaussian,
)
from motion_loop.theory.gaussian_correction import run_gaussian_correction

MEAN, COV = np.array([1.0, -1.0]), np.array([[1.0, 0.5], [0.5, 2.0]])


def model_and_samples(
    count: int, *, scale: float = 1.0
) -> tuple[GaussianLearner, Arrays, np.random.Generator]:
    model = GaussianLearner(2, sample_scale=scale)
    model.mean, model.cov = np.zeros(2), np.array([[0.3, 0.0], [0.0, 0.1]])
    rng = np.random.default_rng(0)
    return model, model.sample(Arrays({"x": np.zeros((count, 2))}), generation=1, rng=rng), rng


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


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_full_ot_step_gives_the_true_law(scale: float) -> None:
    model, samples, rng = model_and_samples(20000, scale=scale)
    corrected = (
        OTStepCorrector(MEAN, COV).correct(samples, gamma=1.0, rng=rng, source=model).samples["x"]
    )
    assert np.allclose(corrected.mean(axis=0), MEAN, atol=0.05)
    assert np.allclose(np.cov(corrected.T), COV, atol=0.08)


def test_mixture_is_pi_gamma() -> None:
    # gamma = 3: pi_gamma = (p_theta + 3 p*) / 4, a fraction w = 0.75 of the samples from the truth.
    model, samples, rng = model_and_samples(40000)
    w = mixture_fraction(3.0)
    result = MixtureCorrector(MEAN, COV).correct(samples, gamma=w, rng=rng, source=model)
    corrected = result.samples["x"]
    assert result.reports[0]["replaced"] == pytest.approx(0.75, abs=0.01)
    assert np.allclose(corrected.mean(axis=0), w * MEAN, atol=0.03)
    offset = MEAN[:, None] * MEAN[None, :]
    expected_cov = (1 - w) * model.cov + w * COV + w * (1 - w) * offset
    assert np.allclose(np.cov(corrected.T), expected_cov, atol=0.05)
    assert result.reports[0]["corrected_cov_trace"] == pytest.approx(np.trace(expected_cov))


def test_correctors_are_named_and_gamma_is_checked() -> None:
    assert (
        get_corrector("mixture") is MixtureCorrector and get_corrector("ot_step") is OTStepCorrector
    )
    with pytest.raises(
        ConfigError, match=r"unknown corrector 'ot'; available: \['mixture', 'ot_step'\]"
    ):
        get_corrector("ot")
    assert mixture_fraction(0.0) == 0.0 and mixture_fraction(1.0) == 0.5
    for bad in (-0.1, math.inf, math.nan):
        with pytest.raises(
            ConfigError, match=r"gamma \(Gillman's correction strength\) must be finite and >= 0"
        ):
            mixture_fraction(bad)
    with pytest.raises(
        ConfigError, match=r"correction fraction w = gamma / \(1 \+ gamma\) must lie in \[0, 1\]"
    ):
        model, samples, rng = model_and_samples(3)
        MixtureCorrector(MEAN, COV).correct(samples, gamma=1.5, rng=rng, source=model)


def test_stability_improves_with_gamma_in_the_fully_synthetic_loop() -> None:
    cfg = GaussianCorrectionConfig(
        seeds=5, generations=60, progress=False, lambdas=[], gammas=[0.0, 0.3, 3.0]
    )
    rows = run_gaussian_correction(cfg, out_dir=None).summary["settings"]
    late = [row["w2_late_mean"] for row in rows]
    # Without correction the fully synthetic loop collapses (covariance -> 0); gamma anchors it.
    assert rows[0]["trace_ratio_last"]["ci95"][1] < 0.5
    assert late[0]["ci95"][0] > late[1]["ci95"][1] and late[1]["ci95"][0] > late[2]["ci95"][1]


def test_accumulated_loop_improves_with_gamma() -> None:
    # Figure 2's setting at a smaller size: truth N(0, I), lambda = 0.5, synthetic data accumulated.
    cfg = GaussianCorrectionConfig(
        seeds=5,
        generations=60,
        progress=False,
        true_cov=[[1.0, 0.0], [0.0, 1.0]],
        lambdas=[0.5],
        gammas=[0.0, 5.0],
        fully_synthetic=False,
        mixing=MixingPolicy(synthetic_ratio=0.5, pool="accumulate", keep_real=True),
    )
    rows = run_gaussian_correction(cfg, out_dir=None).summary["settings"]
    assert rows[1]["w2_late_mean"]["ci95"][1] < rows[0]["w2_late_mean"]["ci95"][0]
