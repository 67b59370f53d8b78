"""Joint-trajectory plausibility: hand-made trajectories with known answers, and real mocap vs jitter."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.features import features_to_joints, joints_to_features
from motion_loop.eval.physics_metrics import physics_available
from motion_loop.eval.plausibility import (
    clip_plausibility,
    contact_consistency,
    jerk,
    penetrate_float,
    skate,
    skating_ratio,
)


def _standing(T: int = 40) -> np.ndarray:
    """A still body whose lowest joint is exactly on the floor, (T, 22, 3)."""
    joints = np.zeros((T, 22, 3))
    joints[:, :, 1] = np.linspace(0.0, 1.7, 22)[None]
    return joints


def test_penetrate_and_float() -> None:
    joints = _standing()
    assert penetrate_float(joints) == (0.0, 0.0)
    sunk = joints.copy()
    sunk[..., 1] -= 0.03
    assert penetrate_float(sunk) == pytest.approx((30.0, 0.0))
    lifted = joints.copy()
    lifted[:20, :, 1] += 0.1
    assert penetrate_float(lifted) == pytest.approx((0.0, 50.0))  # 100 mm on half the frames
    within = joints.copy()
    within[..., 1] -= 0.004  # inside the 5 mm tolerance
    assert penetrate_float(within) == (0.0, 0.0)


def test_skate_and_skating_ratio() -> None:
    joints = _standing()
    for foot in (7, 8, 10, 11):
        joints[:, foot, 1] = 0.02  # feet on the floor
    assert skate(joints) == 0.0 and skating_ratio(joints) == 0.0
    sliding = joints.copy()
    sliding[:, [7, 8, 10, 11], 0] += np.arange(40)[:, None] * 0.05  # 5 cm/frame = 1 m/s at 20 fps
    assert skate(sliding) == pytest.approx(50.0)
    assert skating_ratio(sliding) == pytest.approx(1.0)
    slow = joints.copy()
    slow[:, [10, 11], 0] += np.arange(40)[:, None] * 0.01  # 0.2 m/s: below 0.5 m/s
    assert skating_ratio(slow) == 0.0
    swinging = sliding.copy()
    swinging[:, [7, 8, 10, 11], 1] = 0.2  # feet in the air: not contacts
    assert skate(swinging) == 0.0 and skating_ratio(swinging) == 0.0


def test_jerk_of_cubic_motion() -> None:
    joints = _standing()
    t = np.arange(40) / 20.0
    joints[:, :, 0] += (t**3)[:, None]  # d3x/dt3 = 6 m/s^3
    assert jerk(joints) == pytest.approx(6.0, rel=1e-6)


def test_contact_consistency_is_one_on_features_from_joints(lively_motion) -> None:
    joints, _ = lively_motion
    features = joints_to_features(joints)
    recovered = features_to_joints(features)
    assert contact_consistency(recovered, features) > 0.95
    flipped = features.copy()
    flipped[:, 259:] = 1.0 - flipped[:, 259:]
    assert contact_consistency(recovered, flipped) < 0.05


def test_real_mocap_more_plausible_than_jittered(clean_motion, lively_motion) -> None:
    rng = np.random.default_rng(0)
    for joints, _ in (clean_motion, lively_motion):
        clean = clip_plausibility(joints)
        jittered = clip_plausibility(joints + rng.normal(scale=0.02, size=joints.shape))
        assert jittered.jerk > 5 * clean.jerk
        assert jittered.phys_err_mm > clean.phys_err_mm
        assert jittered.skating_ratio >= clean.skating_ratio


def test_physics_availability_is_reported() -> None:
    available, reason = physics_available()
    assert available or "not installed" in reason


@pytest.mark.slow
def test_physics_surface_metrics_when_installed(reference_clips) -> None:
    available, reason = physics_available()
    if not available:
        pytest.skip(reason)
    from motion_loop.eval.physics_metrics import SURFACE_METRICS, surface_plausibility

    joints, _ = reference_clips["012314"]
    clean = surface_plausibility(joints)
    jittered = surface_plausibility(joints + np.random.default_rng(0).normal(scale=0.02, size=joints.shape))
    assert set(clean) == set(SURFACE_METRICS) and all(np.isfinite(v) for v in clean.values())
    # 16.5 against 8.9 % BW: the jittered clip is smoothed by 2 frames before differentiation (as the
    # correction does), the rigid clip not at all; with 1 frame for both the ratio was above 2.
    assert jittered["residual_force_pct_bw"] > 1.5 * clean["residual_force_pct_bw"]
    assert jittered["surface_skate_mm"] > clean["surface_skate_mm"]
