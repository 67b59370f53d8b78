"""evaluate_motions: records, replications, caching, and the sanity properties of the metrics."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.config import MetricsConfig, PlausibilityConfig
from motion_loop.eval.evaluation import (
    GeneratedMotion,
    evaluate_motions,
    reference_embeddings,
    split_motions,
)

CFG = MetricsConfig(replications=2, diversity_times=30)


@pytest.fixture(scope="module")
def setup(trained, synthetic_root: Path):
    evaluator, _, _ = trained
    folder = HumanML3DFolder(synthetic_root)
    return evaluator, folder, reference_embeddings(evaluator, folder, "test")


def test_split_against_itself(setup) -> None:
    evaluator, folder, reference = setup
    rng = np.random.default_rng(0)
    sets = [split_motions(folder, "test", rng) for _ in range(2)]
    result = evaluate_motions(evaluator, sets, reference, CFG, rng, plausibility=PlausibilityConfig(physics_max_clips=2))
    noisy = [[replace(m, features=m.features + rng.normal(scale=0.3, size=m.features.shape)) for m in s] for s in sets]
    worse = evaluate_motions(evaluator, noisy, reference, CFG, rng)
    assert result["fid"].mean < 0.2 * worse["fid"].mean
    assert len(result["fid"].values) == 2 and result["fid"].ci95 >= 0
    assert result["r_precision_top3"].mean > 0.25
    assert result["multimodality"].available is False
    assert "not available" in result["multimodality"].note
    # the surface metrics say whether they were computed, never a silent zero
    assert result["surface_penetrate_mm"].available == (result.info["physics_metrics"] == "computed")
    assert result["jerk"].mean > 0 and result["contact_consistency"].mean > 0.5
    payload = result.to_dict()
    assert payload["metrics"]["fid"]["name"] == "fid" and payload["info"]["replications"] == 2


def test_shuffled_captions_fall_to_chance(setup) -> None:
    evaluator, folder, reference = setup
    rng = np.random.default_rng(1)
    motions = split_motions(folder, "test", rng)
    captions = [m.caption for m in motions]
    shuffled = [replace(m, caption=captions[i]) for m, i in zip(motions, rng.permutation(len(motions)), strict=True)]
    real = evaluate_motions(evaluator, motions, reference, replace(CFG, replications=8), rng)
    control = evaluate_motions(evaluator, shuffled, reference, replace(CFG, replications=8), rng)
    assert control["r_precision_top3"].mean < real["r_precision_top3"].mean
    assert control["r_precision_top1"].mean < 0.2  # chance 1/32 (8 actions: a shuffle keeps ~1/8 right)
    assert control["fid"].mean == pytest.approx(real["fid"].mean)  # motions only
    assert "one set reused" in real["fid"].note and math.isnan(real["fid"].ci95)  # no interval, not ± 0


def test_too_few_motions_reports_r_precision_unavailable(setup) -> None:
    evaluator, folder, reference = setup
    motions = split_motions(folder, "test", np.random.default_rng(2))[:10]
    result = evaluate_motions(evaluator, motions, reference, CFG, np.random.default_rng(2))
    assert not result["r_precision_top1"].available
    assert "batch of 32" in result["r_precision_top1"].note
    assert "S = 10 pairs" in result["diversity"].note


def test_multimodality_from_repeats(setup) -> None:
    evaluator, folder, reference = setup
    rng = np.random.default_rng(3)
    base = split_motions(folder, "test", rng)[:4]
    repeats = [[replace(m, features=m.features + rng.normal(scale=0.05, size=m.features.shape)) for _ in range(12)] for m in base]
    identical = [[m] * 12 for m in base]
    spread = evaluate_motions(evaluator, base, reference, CFG, rng, multimodal=repeats)["multimodality"]
    none = evaluate_motions(evaluator, base, reference, CFG, rng, multimodal=identical)["multimodality"]
    assert spread.mean > 0 and none.mean == pytest.approx(0.0, abs=1e-6)


def test_reference_embeddings_are_cached(setup, tmp_path: Path) -> None:
    evaluator, folder, reference = setup
    assert reference_embeddings(evaluator, folder, "test") is reference
    evaluator.reference_cache.clear()
    first = reference_embeddings(evaluator, folder, "test", cache_dir=tmp_path)
    assert len(list(tmp_path.glob("ref_*.npy"))) == 1
    evaluator.reference_cache.clear()
    again = reference_embeddings(evaluator, folder, "test", cache_dir=tmp_path)
    np.testing.assert_array_equal(first.motion, again.motion)
    np.testing.assert_allclose(first.motion, reference.motion, atol=1e-9)


def test_generated_motion_length_cuts_features(setup) -> None:
    evaluator, folder, reference = setup
    clip = folder.features(folder.ids("test")[0])
    padded = np.concatenate([clip, np.full((40, 263), 99.0)])
    a = evaluator.embed_motion([clip], [len(clip)])
    b = evaluator.embed_motion([GeneratedMotion(padded, "x", len(clip)).features], [len(clip)])
    np.testing.assert_allclose(a, b, atol=1e-9)
