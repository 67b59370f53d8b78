"""Small per-clip differences between people: posture, arm carriage, head and a slow trunk sway.

Only the trunk, head and arms change, so planted feet and the reach-limited pelvis are untouched.
All amounts are drawn from the clip's own generator, so a clip is still fully determined by its params.
"""

from __future__ import annotations

import numpy as np

from motion_loop.data.procedural.body import BodyPose
from motion_loop.data.procedural.params import FPS

# Ranges of the constant offsets [rad].
_LEAN_RAD = (-0.03, 0.06)
_HEAD_FLEX_RAD = (-0.1, 0.12)
_HEAD_TURN_RAD = 0.12
_ARM_ABDUCT_RAD = (0.0, 0.12)
_ELBOW_RAD = (0.0, 0.25)
# Slow sway of the trunk: amplitude [rad] and frequency [Hz].
_SWAY_RAD = 0.025
_SWAY_HZ = (0.15, 0.5)


def vary_upper_body(pose: BodyPose, rng: np.random.Generator) -> None:
    """Add a random but constant posture and a slow sway to a pose (in place)."""
    T = pose.pelvis.shape[0]
    t = np.arange(T) / FPS
    pose.spine[:, 0] += rng.uniform(*_LEAN_RAD)
    pose.head[:, 0] += rng.uniform(*_HEAD_FLEX_RAD)
    pose.head[:, 2] += rng.uniform(-_HEAD_TURN_RAD, _HEAD_TURN_RAD)
    for axis in (0, 1):  # forward and sideways sway with independent phases
        frequency = rng.uniform(*_SWAY_HZ)
        pose.spine[:, axis] += _SWAY_RAD * np.sin(2.0 * np.pi * frequency * t + rng.uniform(0.0, 2.0 * np.pi))
    for side in (0, 1):
        pose.arms[side, :, 1] += rng.uniform(*_ARM_ABDUCT_RAD)
        pose.arms[side, :, 3] += rng.uniform(*_ELBOW_RAD)
