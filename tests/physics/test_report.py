"""The typed correction report, its flags, and the one summary the loop, the CLI and the benchmarks share."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from motion_loop.data.features import joints_to_features
from motion_loop.data.procedural import ClipParams, clip_rng, generate_clip
from motion_loop.loop.motion.clips import Clip, ClipSet
from motion_loop.loop.motion.corrector import PhysicsCorrector, correction_record
from physics import CorrectionReport, correct_motion, summarize
from physics.config import PhysicsConfig
from physics.report import FLAG_FALLBACK, FLAG_LARGE_CHANGE, FLAG_SKATING


@pytest.fixture(scope="module")
def walk() -> np.ndarray:
    params = ClipParams(family="walk", duration=2.0, speed=1.2, seed=5)
    return generate_clip(params, clip_rng(params)).joints[:40]


@pytest.fixture(scope="module")
def dragged(walk: np.ndarray) -> CorrectionReport:
    """A walk whose root travels 3x as far as its strides carry it (the generator's defect, exaggerated),
    tracked without planting: the base controller cannot track it, the stiff fallback drags it."""
    overtravelled = walk.copy()
    overtravelled[..., [0, 2]] += 2.0 * (walk[:, :1, [0, 2]] - walk[:1, :1, [0, 2]])
    return correct_motion(overtravelled, 20.0, plant_feet=False).report


def test_a_fallback_is_flagged_with_its_reason(dragged: CorrectionReport) -> None:
    assert dragged.base_fell and dragged.controller == "fallback" and dragged.corrected
    # base, then the stiff-servo retry (which drops it too), then the stiff root
    assert dragged.attempts == 3 and dragged.stiff_servos_fell
    assert dragged.flagged
    reason = dragged.flags[FLAG_FALLBACK]
    assert f"fell at frame {dragged.base_fall_frame}" in reason and "% body weight" in reason


def test_feet_that_still_slide_after_correction_are_flagged() -> None:
    """A body gliding at 2 m/s on still legs, tracked without gliding labels: its soles are dragged over
    the floor (more than 50 mm/frame), and the report says so instead of calling it corrected."""
    params = ClipParams(family="wave", duration=3.0, seed=2)
    glide = generate_clip(params, clip_rng(params)).joints
    glide[..., 2] += 2.0 * np.arange(len(glide))[:, None] / 20.0
    glide[..., 1] += 0.02
    dragged = correct_motion(glide, 20.0, glide_ratio=0.0).report
    assert dragged.surface_skate_mm_after > 50.0 and FLAG_SKATING in dragged.flags
    assert f"still slide {dragged.surface_skate_mm_after:.0f} mm/frame" in dragged.flags[FLAG_SKATING]
    planted = correct_motion(glide, 20.0).report  # gliding feet planted: nothing to flag
    assert planted.surface_skate_mm_after < 5.0 and FLAG_SKATING not in planted.flags
    # Without a simulated output to measure (gamma < 1 blends it with the input) there is no flag.
    blended = correct_motion(glide, 20.0, glide_ratio=0.0, gamma=0.5).report
    assert blended.surface_skate_mm_after is None and FLAG_SKATING not in blended.flags


def test_the_stiff_servo_retry_is_skipped_at_scale_one(walk: np.ndarray) -> None:
    overtravelled = walk.copy()
    overtravelled[..., [0, 2]] += 2.0 * (walk[:, :1, [0, 2]] - walk[:1, :1, [0, 2]])
    report = correct_motion(overtravelled, 20.0, plant_feet=False, retry_servo_gain_scale=1.0).report
    assert report.base_fell and report.controller == "fallback"
    assert report.attempts == 2 and report.stiff_servos_fell is None


def test_a_clean_walk_is_not_flagged_and_a_bounded_change_is(walk: np.ndarray) -> None:
    plain = correct_motion(walk, 20.0).report
    assert plain.controller == "base" and not plain.flagged
    strict = correct_motion(walk, 20.0, max_change=0.001).report
    assert set(strict.flags) == {FLAG_LARGE_CHANGE}
    assert f"changed the pose by {strict.mpjpe_local_mm:.0f} mm" in strict.flags[FLAG_LARGE_CHANGE]


def test_summary_rates_and_record(walk: np.ndarray, dragged: CorrectionReport) -> None:
    plain = correct_motion(walk, 20.0).report
    summary = summarize([plain, dragged])
    assert summary.clips == 2 and summary.rejected == 0
    assert summary.fallback_rate == 0.5 and summary.flagged == 1
    assert summary.fall_rate == (plain.fell + dragged.fell) / 2
    assert summary.residual_force_pct_bw == pytest.approx((plain.residual_force_pct_bw + dragged.residual_force_pct_bw) / 2)
    assert summary.residual_force_p95_pct_bw == pytest.approx(
        np.percentile([plain.residual_force_p95_pct_bw, dragged.residual_force_p95_pct_bw], 95))
    assert summary.surface_skate_mm_after == pytest.approx((plain.surface_skate_mm_after + dragged.surface_skate_mm_after) / 2)
    empty = summarize([])
    assert empty.clips == 0 and math.isnan(empty.fallback_rate)


def test_the_loop_record_is_one_json_line_per_clip_and_an_explicit_summary(walk: np.ndarray,
                                                                        dragged: CorrectionReport) -> None:
    features = joints_to_features(walk).astype(np.float32)
    clips = ClipSet((Clip("a", features, ("a walk",), "sample"), Clip("b", features, ("a walk",), "sample")))
    plain = correct_motion(walk, 20.0).report
    record = correction_record(clips, clips, [plain, dragged])
    lines = [json.loads(json.dumps(r)) for r in record.reports]  # JSON-able, one per clip
    assert [line["clip_id"] for line in lines] == ["a", "b"]
    assert lines[1] == {"clip_id": "b", "dropped": False, **json.loads(json.dumps(dataclasses.asdict(dragged)))}
    assert record.summary is not None
    assert record.summary["correction_fallback_rate"] == 0.5
    assert "correction_gamma" not in record.summary and "correction_fps" not in record.summary
    assert set(record.summary) == {f"correction_{f.name}" for f in dataclasses.fields(summarize([]))} | {
        "correction_dropped"}
    assert record.summary["correction_dropped"] == 0.0


def test_the_loop_corrector_leaves_out_clips_with_a_dropped_flag(walk: np.ndarray) -> None:
    """The over-travelled walk of `dragged` falls back (flag `fallback`); with drop_flags it never
    reaches the mix, and its report is still written."""
    overtravelled = walk.copy()
    overtravelled[..., [0, 2]] += 2.0 * (walk[:, :1, [0, 2]] - walk[:1, :1, [0, 2]])
    clips = ClipSet(tuple(Clip(name, joints_to_features(joints).astype(np.float32), ("a walk",), "sample")
                          for name, joints in (("walk", walk), ("overtravelled", overtravelled))))
    config, rng = PhysicsConfig(plant_feet=False), np.random.default_rng(0)
    kept = PhysicsCorrector(config, progress=False).correct(clips, gamma=1.0, rng=rng, source=None)
    assert [clip.clip_id for clip in kept.samples.clips] == ["walk", "overtravelled"]
    assert [FLAG_FALLBACK in line["flags"] for line in kept.reports] == [False, True]
    dropping = PhysicsCorrector(config, progress=False, drop_flags=(FLAG_FALLBACK,))
    dropped = dropping.correct(clips, gamma=1.0, rng=rng, source=None)
    assert [clip.clip_id for clip in dropped.samples.clips] == ["walk"]
    assert [line["dropped"] for line in dropped.reports] == [False, True]
    assert dropped.summary is not None and dropped.summary["correction_dropped"] == 1.0
    np.testing.assert_array_equal(dropped.samples.clips[0].features, kept.samples.clips[0].features)
