"""Joint positions <-> HumanML3D's 263-d motion features, exactly as the HumanML3D release defines them.

Layout of one feature row (T joint frames give T-1 rows):

    dims      size  content
    0         1     root angular velocity about y [half-angle rad/frame]
    1:3       2     root linear velocity (x, z) in the root-facing frame [m/frame]
    3         1     root height y [m]
    4:67      63    joints 1..21 relative to the root's xz, rotated into the facing frame [m]
    67:193    126   joints 1..21 local rotations, continuous 6D (first two matrix columns)
    193:259   66    joints 0..21 velocity in the facing frame [m/frame]
    259:263   4     foot contacts (left ankle, left foot, right ankle, right foot) in {0, 1}
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.spatial.transform import Rotation

from motion_loop.data import skeleton as sk
from motion_loop.errors import DataFormatError

FEATURE_DIM = 263
ROOT_DIMS = slice(0, 4)
RIC_DIMS = slice(4, 67)
ROTATION_DIMS = slice(67, 193)
VELOCITY_DIMS = slice(193, 259)
CONTACT_DIMS = slice(259, 263)

# The 7 groups HumanML3D averages its per-dimension std over (see `grouped_std`).
STD_GROUPS: tuple[slice, ...] = (
    slice(0, 1), slice(1, 3), slice(3, 4), RIC_DIMS, ROTATION_DIMS, VELOCITY_DIMS, CONTACT_DIMS
)  # fmt: skip
FEATURE_GROUPS: dict[str, slice] = {
    "root": ROOT_DIMS,
    "positions": RIC_DIMS,
    "rotations": ROTATION_DIMS,
    "velocities": VELOCITY_DIMS,
    "contacts": CONTACT_DIMS,
}

# A foot joint is in contact when its squared displacement per frame is below this [m^2].
CONTACT_THRESHOLD = 0.002


class CanonicalMotion(NamedTuple):
    """A clip after HumanML3D's normalisation: uniform skeleton, on the floor, starting at the origin facing +Z."""

    joints: np.ndarray  # (T, 22, 3) metres


def canonicalize(joints: np.ndarray) -> CanonicalMotion:
    """Uniform skeleton, floor at y=0, frame-0 root at the xz origin, frame-0 facing +Z."""
    joints = sk.uniform_skeleton(joints)
    joints[..., 1] -= joints[..., 1].min()
    joints = joints - joints[0, 0] * np.array([1.0, 0.0, 1.0])
    forward = sk.facing_direction(joints[0])
    turn = sk.quaternion_between(forward, np.array([0.0, 0.0, 1.0]))
    return CanonicalMotion(sk.rotate(turn, joints))


def foot_contacts(joints: np.ndarray, threshold: float = CONTACT_THRESHOLD) -> np.ndarray:
    """Contact labels (T-1, 4) for left ankle, left foot, right ankle, right foot: 1 if slow."""
    feet = list(sk.LEFT_FOOT_JOINTS + sk.RIGHT_FOOT_JOINTS)
    displacement = joints[1:, feet] - joints[:-1, feet]  # (T-1, 4, 3)
    return ((displacement**2).sum(-1) < threshold).astype(np.float64)


def quaternions_to_cont6d(quats: np.ndarray) -> np.ndarray:
    """(..., 4) scalar-last -> (..., 6): the first two columns of the rotation matrix."""
    matrices = Rotation.from_quat(quats.reshape(-1, 4)).as_matrix().reshape(quats.shape[:-1] + (3, 3))
    return np.concatenate([matrices[..., 0], matrices[..., 1]], axis=-1)


def joints_to_features(joints: np.ndarray, *, original_root_turn: bool = False) -> np.ndarray:
    """HumanML3D features of a joint trajectory, (T, 22, 3) metres y-up 20 fps -> (T-1, 263).

    Applies HumanML3D's full processing: the skeleton is made uniform (target bone lengths, root scaled
    by leg ratio), put on the floor, moved to start at the xz origin and turned to face +Z.

    Args:
        joints: (T, 22, 3) joint positions [m], y-up, 20 fps.
        original_root_turn: reproduce HumanML3D's script exactly for dim 0 (root angular velocity): it
            takes the arcsin of the frame-to-frame root turn quaternion without first making its w
            non-negative, so at a frame where the facing crosses 180 degrees the turn gets the wrong
            sign and its own recovery drifts from there on. Default False: the turn is taken with
            w >= 0 (same rotation), which recovers the clip. Released HumanML3D data carries the
            original behaviour.

    Raises:
        DataFormatError: wrong shape, fewer than 2 frames, or NaN/inf values.
    """
    joints = sk.check_joints(joints, min_frames=2)
    positions = canonicalize(joints).joints
    T = positions.shape[0]

    quats = sk.inverse_kinematics(positions, smooth_facing=True)  # (T, 22, 4)
    root_rot = quats[:, 0]  # (T, 4)
    rotations = quaternions_to_cont6d(quats[:, 1:]).reshape(T, -1)  # (T, 126)

    root_step = sk.rotate(root_rot[1:], positions[1:, 0] - positions[:-1, 0])  # (T-1, 3)
    turn = sk.multiply(root_rot[1:], sk.inverse(root_rot[:-1]))  # (T-1, 4)
    if not original_root_turn:
        turn *= np.sign(turn[:, 3:4]) + (turn[:, 3:4] == 0)  # same rotation, w >= 0, so arcsin is the angle
    angular = np.arcsin(np.clip(turn[:, 1], -1.0, 1.0))  # (T-1,) half-angle about y

    local = positions.copy()
    local[..., 0] -= positions[:, :1, 0]
    local[..., 2] -= positions[:, :1, 2]
    local = sk.rotate(root_rot[:, None], local)  # (T, 22, 3)

    velocity = sk.rotate(root_rot[:-1, None], positions[1:] - positions[:-1])  # (T-1, 22, 3)

    return np.concatenate(
        [
            angular[:, None],
            root_step[:, [0, 2]],
            local[:-1, 0, 1:2],
            local[:-1, 1:].reshape(T - 1, -1),
            rotations[:-1],
            velocity.reshape(T - 1, -1),
            foot_contacts(positions),
        ],
        axis=-1,
    )


def check_features(features: np.ndarray, *, name: str = "features") -> np.ndarray:
    """Validate a feature array (T, 263); return it as float64."""
    features = np.asarray(features)
    if features.ndim != 2 or features.shape[1] != FEATURE_DIM:
        raise DataFormatError(f"{name} must have shape (T, {FEATURE_DIM}), got {features.shape}")
    if not np.all(np.isfinite(features)):
        bad = np.unique(np.nonzero(~np.isfinite(features))[0])
        raise DataFormatError(f"{name} has NaN or inf values at rows {bad[:10].tolist()}")
    return features.astype(np.float64, copy=False)


def recover_root(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Root rotation (T, 4) and position (T, 3) by integrating dims 0-3 of (T, 263) features."""
    T = features.shape[0]
    angle = np.zeros(T)
    angle[1:] = np.cumsum(features[:-1, 0])
    root_rot = np.zeros((T, 4))
    root_rot[:, 1] = np.sin(angle)
    root_rot[:, 3] = np.cos(angle)
    steps = np.zeros((T, 3))
    steps[1:, [0, 2]] = features[:-1, 1:3]
    position = np.cumsum(sk.rotate(sk.inverse(root_rot), steps), axis=0)
    position[:, 1] = features[:, 3]
    return root_rot, position


def features_to_joints(features: np.ndarray) -> np.ndarray:
    """Joint positions from features by the RIC recovery (dims 0-66 only), (T, 263) -> (T, 22, 3).

    Raises:
        DataFormatError: wrong shape or NaN/inf values.
    """
    features = check_features(features)
    T = features.shape[0]
    root_rot, root_pos = recover_root(features)
    local = features[:, RIC_DIMS].reshape(T, sk.NUM_JOINTS - 1, 3)
    joints = sk.rotate(sk.inverse(root_rot)[:, None], local)
    joints[..., 0] += root_pos[:, None, 0]
    joints[..., 2] += root_pos[:, None, 2]
    return np.concatenate([root_pos[:, None], joints], axis=1)


def grouped_std(features: np.ndarray) -> np.ndarray:
    """Per-dimension std (N, 263) -> (263,), replaced by its mean within each of the 7 HumanML3D groups."""
    std = features.std(axis=0)
    for group in STD_GROUPS:
        std[group] = std[group].mean()
    return std
