"""Implausible inputs (issue 14 item 5): a body far from human size, collapsed frames and teleports are
refused with a clear ImplausibleInput, or kept unchanged and flagged by the batch; never reported as
corrected. Clips come from the embedded procedural generator, so these run without real data."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.procedural import ClipParams, clip_rng, generate_clip
from physics import (
    ImplausibleInput,
    PhysicsConfig,
    PhysicsError,
    correct_motion,
    summarize,
    surface_plausibility,
)
from physics.batch import correct_batch
from physics.report import FLAG_REJECTED
from physics.validation import check_body


@pytest.fixture(scope="module")
def walk() -> np.ndarray:
    params = ClipParams(family="walk", duration=2.0, speed=1.2, seed=3)
    return generate_clip(params, clip_rng(params)).joints


def test_a_human_walk_passes_and_is_measured(walk: np.ndarray) -> None:
    body = check_body(walk, 20.0, PhysicsConfig())
    assert 0.9 < body.body_scale < 1.1
    assert 0.5 < body.max_root_speed < 3.0 and body.max_joint_speed < 10.0


@pytest.mark.parametrize("factor", [10.0, 0.1, 0.5, 2.0])
def test_a_body_far_from_human_size_is_refused(walk: np.ndarray, factor: float) -> None:
    with pytest.raises(ImplausibleInput, match=rf"body size is {factor:.2f}x HumanML3D's.*metres"):
        correct_motion(walk * factor, 20.0)
    with pytest.raises(ImplausibleInput, match="body size"):
        surface_plausibility(walk * factor, 20.0)


def test_the_size_bounds_are_settings(walk: np.ndarray) -> None:
    body = check_body(walk * 2.0, 20.0, PhysicsConfig(max_body_scale=2.5))
    assert body.body_scale == pytest.approx(2.0 * check_body(walk, 20.0, PhysicsConfig()).body_scale)
    with pytest.raises(PhysicsError, match="max_body_scale"):
        PhysicsConfig(min_body_scale=1.0, max_body_scale=0.9).validate()


def test_a_teleporting_clip_is_refused(walk: np.ndarray) -> None:
    jumped = walk.copy()
    jumped[20:, :, 0] += 1.0  # the whole body 1 m sideways between frames 19 and 20: 20 m/s
    with pytest.raises(ImplausibleInput, match="pelvis moves 2[0-9].[0-9] m/s between frames 19 and 20.*teleport"):
        correct_motion(jumped, 20.0)


def test_a_glitching_joint_is_refused(walk: np.ndarray) -> None:
    glitch = walk.copy()
    glitch[15, 21] += np.array([0.0, 1.5, 0.0])  # the right wrist 1.5 m up for one frame: 30 m/s
    with pytest.raises(ImplausibleInput, match="joint right_wrist moves .* between frames 14 and 15"):
        correct_motion(glitch, 20.0)


def test_all_zero_and_padded_frames_are_refused(walk: np.ndarray) -> None:
    with pytest.raises(ImplausibleInput, match=r"40 of 40 frames have all joints at \(nearly\) one point"):
        correct_motion(np.zeros((40, 22, 3)), 20.0)
    padded = np.concatenate([walk, np.zeros((5, 22, 3))])
    with pytest.raises(ImplausibleInput, match=f"5 of {len(padded)} frames .* first \\[{len(walk)}, "):
        correct_motion(padded, 20.0)


def test_nan_joints_are_refused(walk: np.ndarray) -> None:
    broken = walk.copy()
    broken[7, 3, 1] = np.nan
    with pytest.raises(PhysicsError, match=r"NaN or inf at frames \[7\]"):
        correct_motion(broken, 20.0)


def test_the_batch_keeps_implausible_clips_unchanged_and_counts_them(walk: np.ndarray) -> None:
    clips = [walk[:20], walk[:20] * 10.0, np.zeros((20, 22, 3))]
    results = correct_batch(clips, workers=1, on_error="keep")
    assert results[0].report.corrected and not results[0].report.flagged
    for clip, result in zip(clips[1:], results[1:], strict=True):
        assert not result.report.corrected and result.report.controller == "rejected"
        assert FLAG_REJECTED in result.report.flags and result.report.error
        assert np.array_equal(result.joints, clip)  # returned as it came, not as "corrected"
    summary = summarize([r.report for r in results])
    assert (summary.clips, summary.rejected, summary.flagged) == (3, 2, 2)
    assert summary.rejected_rate == pytest.approx(2 / 3)
    assert summary.surface_skate_mm_after == pytest.approx(results[0].report.surface_skate_mm_after)
    with pytest.raises(ImplausibleInput):
        correct_batch(clips[1:2], workers=1)
