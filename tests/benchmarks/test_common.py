"""Interval helpers the benchmark scripts share (benchmarks/common.py)."""

from __future__ import annotations

import numpy as np

from .scripts import load_script

common = load_script("common")


def test_the_plain_bootstrap_resamples_clips_freely() -> None:
    values = np.random.default_rng(1).normal(size=40)
    draws = np.random.default_rng(3).integers(0, 40, size=(2000, 40))  # what a seed-3 bootstrap draws
    means = values[draws].mean(axis=1)
    expected = [np.percentile(means, 2.5), np.percentile(means, 97.5)]
    np.testing.assert_allclose(common.bootstrap_interval(values, seed=3), expected, rtol=1e-12)
    assert common.stratified_bootstrap_interval(values, ["a"] * 40, seed=3) == common.bootstrap_interval(values, seed=3)


def test_strata_of_different_means_give_a_narrower_interval_around_the_same_mean() -> None:
    # Ten clips of a content that skates ~40 and ninety that skate ~1, as in the generated benchmark:
    # resampling clips freely also resamples how many come from each content, which the design fixes.
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(40.0, 10.0, 10), rng.normal(1.0, 0.5, 90)])
    strata = ["run"] * 10 + ["other"] * 90
    low, high = common.stratified_bootstrap_interval(values, strata, seed=0)
    plain_low, plain_high = common.bootstrap_interval(values, seed=0)
    assert low < values.mean() < high
    assert high - low < 0.5 * (plain_high - plain_low)


def test_ratio_interval_draws_each_pair_together() -> None:
    rng = np.random.default_rng(2)
    real = rng.uniform(2.0, 8.0, 30)
    samples = 3.0 * real * rng.uniform(0.9, 1.1, 30)  # each sample ~3x the clip it was prompted from
    draws = np.random.default_rng(5).integers(0, 30, size=(2000, 30))  # one stratum: a free bootstrap
    ratios = samples[draws].sum(axis=1) / real[draws].sum(axis=1)
    expected = [np.percentile(ratios, 2.5), np.percentile(ratios, 97.5)]
    interval = common.stratified_ratio_interval(samples, real, ["a"] * 30, seed=5)
    np.testing.assert_allclose(interval, expected, rtol=1e-12)
    # Paired, the spread is that of the per-pair factor (±10 %), not of the clips' own spread (2-8).
    point = samples.sum() / real.sum()
    assert interval[0] < point < interval[1] and interval[1] - interval[0] < 0.25
