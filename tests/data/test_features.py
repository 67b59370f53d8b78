"""Conformance of the 263-d features with the HumanML3D release, on its reference samples."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data import skeleton as sk
from motion_loop.data.features import (
    FEATURE_DIM,
    FEATURE_GROUPS,
    canonicalize,
    features_to_joints,
    grouped_std,
    joints_to_features,
)
from motion_loop.errors import DataFormatError

# The reference features were computed from one more joint frame than new_joints holds; the facing
# direction is smoothed with a Gaussian of sigma 20 frames (truncated at 4 sigma), so the last 80
# frames see the missing frame. Away from them the definitions must agree tightly.
_EDGE = 80
_INTERIOR_TOLERANCE = {"root": 1e-4, "positions": 2e-4, "rotations": 5e-4, "velocities": 1e-4, "contacts": 0.0}
_FULL_TOLERANCE = {"root": 1e-3, "positions": 1e-2, "rotations": 2e-2, "velocities": 1e-3, "contacts": 0.0}


@pytest.mark.parametrize("clip_id", ["012314", "000000"])
def test_features_to_joints_reproduces_reference_joints(reference_clips, clip_id):
    joints, features = reference_clips[clip_id]
    assert np.abs(features_to_joints(features) - joints).max() < 1e-4


@pytest.mark.parametrize("clip_id", ["012314", "000000"])
def test_joints_to_features_matches_reference_features(reference_clips, clip_id):
    joints, reference = reference_clips[clip_id]
    features = joints_to_features(joints)
    assert features.shape == (len(joints) - 1, FEATURE_DIM)
    reference = reference[: len(features)]
    for name, dims in FEATURE_GROUPS.items():
        interior = np.abs(features[:-_EDGE, dims] - reference[:-_EDGE, dims]).max()
        full = np.abs(features[:, dims] - reference[:, dims]).max()
        assert interior <= _INTERIOR_TOLERANCE[name], (name, interior)
        assert full <= _FULL_TOLERANCE[name], (name, full)


def test_round_trip_on_a_moved_and_rescaled_clip(reference_clips):
    """joints -> features -> joints gives back the canonical clip, whatever its placement and size."""
    joints, _ = reference_clips["012314"]
    turn = np.array([0.0, np.sin(0.6), 0.0, np.cos(0.6)])  # 1.2 rad about y
    moved = sk.rotate(turn, joints * 1.1) + np.array([2.0, 0.3, -1.0])
    recovered = features_to_joints(joints_to_features(moved))
    canonical = canonicalize(moved).joints[:-1]
    assert np.abs(recovered - canonical).max() < 1e-4
    assert np.abs(sk.bone_lengths(canonical) - sk.TARGET_BONE_LENGTHS).max() < 1e-6
    assert canonical[..., 1].min() == pytest.approx(0.0, abs=1e-9)
    forward = sk.facing_direction(canonical[0])
    assert forward == pytest.approx([0.0, 0.0, 1.0], abs=1e-9)


def test_grouped_std_matches_reference_statistics_layout(reference_dir):
    std = np.load(reference_dir / "Std.npy")
    for dims in [slice(0, 1), slice(1, 3), slice(3, 4), slice(4, 67), slice(67, 193), slice(193, 259), slice(259, 263)]:
        assert np.ptp(std[dims]) < 1e-6  # the release's Std is constant within each group
    frames = np.random.default_rng(0).normal(size=(500, FEATURE_DIM)) * np.linspace(0.1, 2.0, FEATURE_DIM)
    ours = grouped_std(frames)
    assert ours[4] == pytest.approx(frames[:, 4:67].std(0).mean())


@pytest.mark.parametrize(
    ("joints", "message"),
    [
        (np.zeros((10, 21, 3)), "shape"),
        (np.zeros((1, 22, 3)), "at least 2"),
        (np.where(np.arange(10)[:, None, None] == 3, np.nan, np.ones((10, 22, 3))), "NaN"),
    ],
)
def test_bad_joints_fail_clearly(joints, message):
    with pytest.raises(DataFormatError, match=message):
        joints_to_features(joints)


def test_bad_features_fail_clearly():
    with pytest.raises(DataFormatError, match=r"\(T, 263\)"):
        features_to_joints(np.zeros((10, 251)))
    bad = np.zeros((5, FEATURE_DIM))
    bad[2, 7] = np.inf
    with pytest.raises(DataFormatError, match="rows \\[2\\]"):
        features_to_joints(bad)
