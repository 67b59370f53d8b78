from __future__ import annotations

import numpy as np
import pytest

from physics import PhysicsConfig, PhysicsError, correct_motion
from physics.plausibility import joint_ground_metrics


def _still(pose: np.ndarray, frames: int) -> np.ndarray:
    return np.repeat(pose[None], frames, axis=0)


def test_standing_pose_is_held_for_5_seconds(standing: np.ndarray) -> None:
    joints = _still(standing, 101)  # 5 s at 20 fps
    result = correct_motion(joints, 20.0)
    report = result.report
    assert not report.fell and report.resets == 0 and report.attempts == 1
    assert report.mpjpe_mm < 50.0
    pelvis_drop = joints[-1, 0, 1] - result.joints[-1, 0, 1]
    assert abs(pelvis_drop) < 0.03  # [m] still standing at the end
    assert result.joints.shape == joints.shape


def test_clean_clip_stays_close(reference_clips) -> None:
    joints = reference_clips["000000"][0]
    report = correct_motion(joints, 20.0).report
    assert not report.fell and report.resets == 0
    assert report.mpjpe_local_mm < 50.0
    assert report.mpjpe_mm < 100.0
    assert report.surface_penetrate_mm_after < 5.0 and report.surface_float_mm_after < 5.0


def test_sunken_clip_comes_out_above_the_floor(standing: np.ndarray) -> None:
    joints = _still(standing, 41)
    joints[..., 1] -= 0.05  # 5 cm into the floor
    result = correct_motion(joints, 20.0)
    before, after = joint_ground_metrics(joints), joint_ground_metrics(result.joints)
    assert before.penetrate_mm > 40.0
    assert after.penetrate_mm < 5.0
    assert result.report.surface_penetrate_mm_after < 5.0


def test_gamma_blends_per_frame(standing: np.ndarray) -> None:
    joints = _still(standing, 21)
    joints[..., 1] += 0.04  # floating: the correction moves it down
    none = correct_motion(joints, gamma=0.0)
    assert np.array_equal(none.joints, joints) and none.qpos is None
    full = correct_motion(joints, gamma=1.0)
    half = correct_motion(joints, gamma=0.5)
    assert np.allclose(half.joints, 0.5 * (joints + full.joints), atol=1e-9)
    assert full.report.float_mm_after < full.report.float_mm_before


@pytest.mark.parametrize(
    ("joints", "message"),
    [
        (np.full((30, 22, 3), np.nan), "NaN"),
        (np.zeros((3, 22, 3)), "at least"),
        (np.zeros((30, 21, 3)), r"\(T, 22, 3\)"),
        (np.zeros((30, 22)), r"\(T, 22, 3\)"),
    ],
)
def test_bad_input_fails_clearly(joints: np.ndarray, message: str) -> None:
    with pytest.raises(PhysicsError, match=message):
        correct_motion(joints)


def test_bad_options_fail_clearly(standing: np.ndarray) -> None:
    joints = _still(standing, 10)
    with pytest.raises(PhysicsError, match="gamma"):
        correct_motion(joints, gamma=1.5)
    with pytest.raises(PhysicsError, match="unknown physics options"):
        correct_motion(joints, gama=0.5)
    with pytest.raises(PhysicsError, match="servo_gain_scale must be positive"):
        correct_motion(joints, servo_gain_scale=0.0)
    with pytest.raises(PhysicsError, match="fps"):
        correct_motion(joints, fps=0.0)
    with pytest.raises(PhysicsError, match="refloor"):
        PhysicsConfig(refloor="sometimes").validate()
