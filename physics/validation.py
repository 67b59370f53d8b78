"""Validation of the clips handed to the physics package."""

from __future__ import annotations

import numpy as np

from motion_loop.data import skeleton as sk
from physics.errors import PhysicsError

MIN_FRAMES = 8  # [frames] shorter clips cannot be differentiated reliably (0.4 s at 20 fps)


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
