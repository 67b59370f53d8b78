"""HumanML3D's original root-turn sign (no w >= 0 before the arcsin) beside the default that fixes it."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data import skeleton as sk
from motion_loop.data.features import canonicalize, features_to_joints, joints_to_features
from motion_loop.data.procedural import clip_rng, generate_clip
from motion_loop.data.procedural.sampling import sample_one


@pytest.fixture(scope="module")
def walk() -> np.ndarray:
    """A procedural walk (T, 22, 3) that never faces backwards."""
    params = sample_one("walk", np.random.default_rng(0), seed=7)
    return generate_clip(params, clip_rng(params)).joints


def _spun(joints: np.ndarray, total_turn: float) -> np.ndarray:
    """The clip turned about its own root by an angle growing steadily from 0 to `total_turn` [rad]."""
    T = len(joints)
    half = np.linspace(0.0, total_turn, T) / 2
    zeros = np.zeros(T)
    turn = np.stack([zeros, np.sin(half), zeros, np.cos(half)], -1)  # (T, 4) about +y, scalar last
    root_xz = joints[:, :1] * np.array([1.0, 0.0, 1.0])
    return sk.rotate(turn[:, None], joints - root_xz) + root_xz


def test_both_paths_agree_while_the_clip_never_faces_backwards(walk):
    default = joints_to_features(walk)
    assert np.array_equal(default, joints_to_features(walk, original_root_turn=False))
    assert np.array_equal(default, joints_to_features(walk, original_root_turn=True))


def test_past_180_degrees_the_original_flips_one_turn_and_its_recovery_drifts(walk):
    spun = _spun(walk, 4 * np.pi)
    fixed = joints_to_features(spun)
    original = joints_to_features(spun, original_root_turn=True)
    differ = np.nonzero(fixed[:, 0] != original[:, 0])[0]
    assert len(differ) >= 1
    # Same rotation, other quaternion sign: the original's angular velocity is the negative there.
    np.testing.assert_allclose(original[differ, 0], -fixed[differ, 0], atol=1e-12)
    assert np.abs(fixed[differ, 0]).min() > 1e-3
    assert np.array_equal(fixed[:, 1:], original[:, 1:])
    canonical = canonicalize(spun).joints[:-1]
    assert np.abs(features_to_joints(fixed) - canonical).max() < 1e-6
    assert np.abs(features_to_joints(original) - canonical).max() > 0.01  # [m]
