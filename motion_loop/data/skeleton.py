"""The 22-joint HumanML3D skeleton: joint names, tree, rest offsets, inverse and forward kinematics.

Frames: metres, y-up; a body in its rest orientation faces +Z with its left side towards +X.
Quaternions are scalar-last (x, y, z, w) throughout, as in `scipy.spatial.transform.Rotation`.

Rotations follow HumanML3D's convention: the rotation stored at joint `c` turns the rest direction of
the bone (parent(c) -> c) into its posed direction, expressed relative to the accumulated rotation of
the bones above it *in the same kinematic chain*. Every chain starts from the root rotation, including
the two arm chains that branch off spine3 (joint 9): their first local rotation is relative to the
root, not to spine3. Inverse and forward kinematics below use that same convention, so they are exact
inverses of each other up to bone lengths.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.transform import Rotation

from motion_loop.errors import DataFormatError

JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2",
    "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot", "neck",
    "left_collar", "right_collar", "head", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
)  # fmt: skip
NUM_JOINTS = 22

# Kinematic chains (right leg, left leg, spine/head, right arm, left arm).
KINEMATIC_CHAINS: tuple[tuple[int, ...], ...] = (
    (0, 2, 5, 8, 11),
    (0, 1, 4, 7, 10),
    (0, 3, 6, 9, 12, 15),
    (9, 14, 17, 19, 21),
    (9, 13, 16, 18, 20),
)
PARENTS: tuple[int, ...] = (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19)

# Unit rest direction of each bone (parent -> joint); joint 0 has none.
RAW_OFFSETS = np.array(
    [
        [0, 0, 0], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, -1, 0],
        [0, 1, 0], [0, -1, 0], [0, -1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1],
        [0, 1, 0], [1, 0, 0], [-1, 0, 0], [0, 0, 1], [0, -1, 0], [0, -1, 0],
        [0, -1, 0], [0, -1, 0], [0, -1, 0], [0, -1, 0],
    ],
    dtype=np.float64,
)  # fmt: skip

# Bone lengths [m] of HumanML3D's target skeleton (its clip 000021, frame 0), for joints 1..21 in
# order. Measured from the released `new_joints` files, where every bone has exactly this length
# (spread < 1e-6 m over all frames and clips checked).
TARGET_BONE_LENGTHS = np.array(
    [0.10307, 0.10988, 0.13157, 0.39362, 0.39019, 0.14319, 0.43243, 0.42564, 0.05736, 0.14338,
     0.14942, 0.21936, 0.13749, 0.14338, 0.10304, 0.13161, 0.12298, 0.25684, 0.26309, 0.26601,
     0.26988],
)  # fmt: skip

# Joints used for the facing direction: right hip, left hip, right shoulder, left shoulder.
FACE_JOINTS = (2, 1, 17, 16)
# Foot joints for contact labels, in feature order: left ankle, left foot, right ankle, right foot.
LEFT_FOOT_JOINTS = (7, 10)
RIGHT_FOOT_JOINTS = (8, 11)
# HumanML3D scales a source skeleton by the ratio of these two bone lengths (right thigh + shin).
LEG_JOINTS = (5, 8)
# Gaussian smoothing of the facing direction before root rotations are taken [frames].
FACING_SMOOTH_SIGMA = 20.0

# Bones closer than this to the target lengths [m] are taken as already uniform.
_SAME_LENGTH_TOLERANCE = 1e-9
_UP = np.array([0.0, 1.0, 0.0])
_FORWARD = np.array([0.0, 0.0, 1.0])


def target_offsets() -> np.ndarray:
    """Rest offsets of the target skeleton, (22, 3) metres: raw direction x bone length."""
    offsets = RAW_OFFSETS.copy()
    offsets[1:] *= TARGET_BONE_LENGTHS[:, None]
    return offsets


def bone_lengths(joints: np.ndarray) -> np.ndarray:
    """Bone lengths of joints (..., 22, 3) -> (..., 21) [m], for joints 1..21."""
    parents = np.asarray(PARENTS[1:])
    return np.linalg.norm(joints[..., 1:, :] - joints[..., parents, :], axis=-1)


def check_joints(joints: np.ndarray, *, name: str = "joints", min_frames: int = 1) -> np.ndarray:
    """Validate a joint trajectory (T, 22, 3) and return it as float64; raise a clear error if not."""
    joints = np.asarray(joints)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3):
        raise DataFormatError(
            f"{name} must have shape (T, {NUM_JOINTS}, 3) in metres, got {joints.shape}; "
            "other skeletons must be retargeted first (see motion_loop.data.bvh)"
        )
    if joints.shape[0] < min_frames:
        raise DataFormatError(f"{name} has {joints.shape[0]} frames, need at least {min_frames}")
    if not np.all(np.isfinite(joints)):
        bad = np.unique(np.nonzero(~np.isfinite(joints))[0])
        raise DataFormatError(f"{name} has NaN or inf values at frames {bad[:10].tolist()}; drop or repair them")
    return joints.astype(np.float64, copy=False)


def quaternion_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Shortest-arc rotation taking direction u to direction v, (..., 3) -> (..., 4) scalar-last.

    Uses q = (u x v, |u||v| + u.v), normalised. For opposite vectors the arc is ambiguous; any axis
    perpendicular to u is used then, rather than returning NaN.
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    u, v = np.broadcast_arrays(u, v)
    xyz = np.cross(u, v)
    w = np.sqrt((u**2).sum(-1) * (v**2).sum(-1)) + (u * v).sum(-1)
    quat = np.concatenate([xyz, w[..., None]], axis=-1)
    norm = np.linalg.norm(quat, axis=-1)
    opposite = norm < 1e-9
    if np.any(opposite):
        helper = np.where(np.abs(u[opposite][:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        axis = np.cross(u[opposite], helper)
        axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
        quat[opposite] = np.concatenate([axis, np.zeros((len(axis), 1))], axis=-1)
        norm = np.linalg.norm(quat, axis=-1)
    return quat / norm[..., None]


def _flat_copy(view: np.ndarray) -> np.ndarray:
    """A writable float64 copy (scipy refuses the read-only views that broadcasting returns)."""
    return np.array(view, dtype=np.float64)


def rotate(quat: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Rotate vectors (..., 3) by quaternions (..., 4) (broadcast)."""
    shape = np.broadcast_shapes(quat.shape[:-1], vectors.shape[:-1])
    q = _flat_copy(np.broadcast_to(quat, shape + (4,)).reshape(-1, 4))
    x = _flat_copy(np.broadcast_to(vectors, shape + (3,)).reshape(-1, 3))
    return Rotation.from_quat(q).apply(x).reshape(shape + (3,))


def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Quaternion product a * b (apply b, then a), (..., 4) x (..., 4) -> (..., 4)."""
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    ra = Rotation.from_quat(_flat_copy(np.broadcast_to(a, shape + (4,)).reshape(-1, 4)))
    rb = Rotation.from_quat(_flat_copy(np.broadcast_to(b, shape + (4,)).reshape(-1, 4)))
    return (ra * rb).as_quat().reshape(shape + (4,))


def inverse(quat: np.ndarray) -> np.ndarray:
    """Inverse (conjugate) of unit quaternions (..., 4)."""
    return quat * np.array([-1.0, -1.0, -1.0, 1.0])


def facing_direction(joints: np.ndarray) -> np.ndarray:
    """Horizontal unit forward vector of each frame, (..., 22, 3) -> (..., 3).

    Forward = up x across, where across = (right hip - left hip) + (right shoulder - left shoulder).
    HumanML3D uses this to turn a whole clip to face +Z.
    """
    r_hip, l_hip, r_sho, l_sho = FACE_JOINTS
    across = (joints[..., r_hip, :] - joints[..., l_hip, :]) + (joints[..., r_sho, :] - joints[..., l_sho, :])
    return _forward_from_across(across)


def feature_facing_direction(joints: np.ndarray, *, normalize: bool = True) -> np.ndarray:
    """The forward vector HumanML3D's features use for the per-frame root rotation, (..., 22, 3) -> (..., 3).

    HumanML3D's inverse kinematics unpacks its facing joints in a different order than its clip
    normalisation does, so its across vector is (left hip - right hip) + (right shoulder - left shoulder):
    the hip term is reversed. Every released feature file was computed this way (checked against the
    reference samples: root rotations agree to 1e-4 rad with it, and are off by up to 0.4 rad without
    it), so compatibility requires reproducing it. Without `normalize`, the vector's length is the
    horizontal part of the unit across vector: HumanML3D smooths these unnormalised vectors.
    """
    r_hip, l_hip, r_sho, l_sho = FACE_JOINTS
    across = (joints[..., l_hip, :] - joints[..., r_hip, :]) + (joints[..., r_sho, :] - joints[..., l_sho, :])
    return _forward_from_across(across, normalize=normalize)


def _forward_from_across(across: np.ndarray, *, normalize: bool = True) -> np.ndarray:
    across = across / np.linalg.norm(across, axis=-1, keepdims=True)
    forward = np.cross(_UP, across)
    return forward / np.linalg.norm(forward, axis=-1, keepdims=True) if normalize else forward


def root_rotations(joints: np.ndarray, *, smooth: bool) -> np.ndarray:
    """Root rotation per frame that turns the feature facing direction to +Z, (T, 22, 3) -> (T, 4).

    With `smooth`, the forward vector is Gaussian-filtered over time first (sigma 20 frames), as
    HumanML3D does for its features. Frame 0 is identity, matching the feature recovery, which
    assumes the clip starts facing +Z.
    """
    forward = feature_facing_direction(joints, normalize=not smooth)
    if smooth:
        forward = gaussian_filter1d(forward, FACING_SMOOTH_SIGMA, axis=0, mode="nearest")
        forward /= np.linalg.norm(forward, axis=-1, keepdims=True)
    quat = quaternion_between(forward, _FORWARD)
    quat[0] = [0.0, 0.0, 0.0, 1.0]
    return quat


def inverse_kinematics(joints: np.ndarray, *, smooth_facing: bool = False) -> np.ndarray:
    """Local joint rotations from positions, (T, 22, 3) -> (T, 22, 4); joint 0 holds the root rotation."""
    T = joints.shape[0]
    quats = np.zeros((T, NUM_JOINTS, 4))
    root = root_rotations(joints, smooth=smooth_facing)
    quats[:, 0] = root
    for chain in KINEMATIC_CHAINS:
        accumulated = root
        for parent, child in pairwise(chain):
            bone = joints[:, child] - joints[:, parent]
            bone = bone / np.linalg.norm(bone, axis=-1, keepdims=True)
            global_rot = quaternion_between(RAW_OFFSETS[child], bone)
            local = multiply(inverse(accumulated), global_rot)
            quats[:, child] = local
            accumulated = multiply(accumulated, local)
    return quats


def forward_kinematics(quats: np.ndarray, root_positions: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Joint positions from local rotations, (T, 22, 4) + root (T, 3) + offsets (22, 3) -> (T, 22, 3)."""
    T = quats.shape[0]
    joints = np.zeros((T, NUM_JOINTS, 3))
    joints[:, 0] = root_positions
    for chain in KINEMATIC_CHAINS:
        accumulated = quats[:, 0]
        for parent, child in pairwise(chain):
            accumulated = multiply(accumulated, quats[:, child])
            joints[:, child] = joints[:, parent] + rotate(accumulated, offsets[child])
    return joints


def uniform_skeleton(joints: np.ndarray, offsets: np.ndarray | None = None) -> np.ndarray:
    """Retarget positions onto the target skeleton's bone lengths, keeping every bone's direction.

    The root trajectory is scaled by the ratio of leg lengths (target / source), as HumanML3D does.
    """
    offsets = target_offsets() if offsets is None else offsets
    source = bone_lengths(joints[0])
    target = np.linalg.norm(offsets[1:], axis=-1)
    if np.abs(bone_lengths(joints) - target).max() < _SAME_LENGTH_TOLERANCE:
        return joints.copy()  # already on the target skeleton: IK + FK would only add rounding
    leg = [j - 1 for j in LEG_JOINTS]
    scale = target[leg].sum() / source[leg].sum()
    quats = inverse_kinematics(joints, smooth_facing=False)
    return forward_kinematics(quats, joints[:, 0] * scale, offsets)
