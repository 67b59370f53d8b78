"""Validation of the clips handed to the physics package.

Two levels: `check_input` refuses what is not a joint trajectory at all (shape, NaN, too short, bad
fps); `check_body` refuses a trajectory that is not a human motion the humanoid could play: a body far
from human size (a clip in the wrong units, e.g. scaled x10 or x0.1), frames whose joints collapse onto
one point (all-zero or padded frames), and teleports (a pelvis or a joint faster than any human between
two frames). The bounds are `PhysicsConfig` fields; their defaults and the data they were checked
against are in docs/physics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motion_loop.data import skeleton as sk
from physics.config import PhysicsConfig
from physics.errors import PhysicsError

MIN_FRAMES = 8  # [frames] shorter clips cannot be differentiated reliably (0.4 s at 20 fps)
_COLLAPSED = 0.05  # a frame whose bones sum to less than this fraction of the target's has collapsed
_TARGET_TOTAL = float(np.sum(sk.TARGET_BONE_LENGTHS))  # [m] summed bone lengths of HumanML3D's body


class ImplausibleInput(PhysicsError):
    """The clip is a joint trajectory, but not one of a human body (size, collapsed frames, teleports)."""


@dataclass(frozen=True)
class BodyCheck:
    """What `check_body` measured: body_scale (median bone lengths / HumanML3D target's), fastest
    pelvis and joint between two frames [m/s]."""

    body_scale: float
    max_root_speed: float
    max_joint_speed: float


def check_input(joints: np.ndarray, fps: float) -> np.ndarray:
    """Validate a clip (T, 22, 3) [m] and fps; return float64 joints or raise PhysicsError."""
    if not np.isfinite(fps) or fps <= 0:
        raise PhysicsError(f"fps must be a positive number [Hz], got {fps}")
    joints = np.asarray(joints)
    if joints.ndim != 3 or joints.shape[1:] != (sk.NUM_JOINTS, 3):
        raise PhysicsError(
            f"joints must have shape (T, {sk.NUM_JOINTS}, 3) (HumanML3D joints, metres, y-up), got {joints.shape}; "
            "convert 263-d features with motion_loop.data.features.features_to_joints first"
        )
    if joints.shape[0] < MIN_FRAMES:
        raise PhysicsError(f"clip has {joints.shape[0]} frames, need at least {MIN_FRAMES} ({MIN_FRAMES / fps:.2f} s)")
    if not np.issubdtype(joints.dtype, np.number) or not np.all(np.isfinite(joints)):
        bad = np.unique(np.nonzero(~np.isfinite(joints.astype(np.float64)))[0])
        raise PhysicsError(f"joints contain NaN or inf at frames {bad[:10].tolist()}; repair or drop the clip")
    return joints.astype(np.float64)


def check_body(joints: np.ndarray, fps: float, config: PhysicsConfig) -> BodyCheck:
    """Measure and bound the body of a validated clip (T, 22, 3) [m]; raise ImplausibleInput if not human."""
    lengths = sk.bone_lengths(joints)  # (T, 21)
    per_frame = lengths.sum(axis=1) / _TARGET_TOTAL  # (T,)
    collapsed = np.nonzero(per_frame < _COLLAPSED)[0]
    if collapsed.size:
        raise ImplausibleInput(
            f"{collapsed.size} of {len(joints)} frames have all joints at (nearly) one point, first {collapsed[:10].tolist()} "
            "(all-zero or padded frames?); drop those frames or the clip"
        )
    scale = float(np.median(lengths, axis=0).sum() / _TARGET_TOTAL)
    if not config.min_body_scale <= scale <= config.max_body_scale:
        height = scale * _STANDING_HEIGHT
        raise ImplausibleInput(
            f"body size is {scale:.2f}x HumanML3D's (head joint {height:.2f} m above the feet when standing), outside "
            f"[{config.min_body_scale}, {config.max_body_scale}]; the joints must be in metres on a human-sized "
            "skeleton (convert units, or change physics.min_body_scale / max_body_scale for unusual bodies)"
        )
    step = np.linalg.norm(np.diff(joints, axis=0), axis=-1) * fps  # (T-1, 22) [m/s]
    root_speed = float(step[:, 0].max())
    joint_speed = float(step.max())
    if root_speed > config.max_root_speed:
        frame = int(step[:, 0].argmax())
        raise ImplausibleInput(
            f"the pelvis moves {root_speed:.1f} m/s between frames {frame} and {frame + 1} (above "
            f"max_root_speed {config.max_root_speed} m/s): a teleport or a cut in the clip; split or drop it"
        )
    if joint_speed > config.max_joint_speed:
        frame, joint = np.unravel_index(int(step.argmax()), step.shape)
        raise ImplausibleInput(
            f"joint {sk.JOINT_NAMES[joint]} moves {joint_speed:.1f} m/s between frames {frame} and {frame + 1} "
            f"(above max_joint_speed {config.max_joint_speed} m/s): a teleport or a glitch; repair or drop the clip"
        )
    return BodyCheck(body_scale=scale, max_root_speed=root_speed, max_joint_speed=joint_speed)


def _target_height() -> float:
    """Standing height of HumanML3D's target body [m]: feet to head along the rest offsets."""
    offsets = sk.target_offsets()
    up = 0.0
    for chain in ((15, 12, 9, 6, 3), (10, 7, 4, 1)):  # head..spine1 above the pelvis, foot..hip below
        up += float(sum(abs(offsets[j][1]) for j in chain))
    return up


_STANDING_HEIGHT = _target_height()
