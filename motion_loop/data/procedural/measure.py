"""Measure a clip's travel parameters back from its joints, to compare with the generating parameters.

A model trained on procedural clips and prompted with their captions should produce motions whose
measured speed, travel direction and turn match the parameters stored in params.jsonl; `param_drift`
gives the differences for one clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from motion_loop.data import skeleton as sk
from motion_loop.data.procedural.params import FPS, ClipParams

# Pelvis positions are averaged over this window before speeds are taken (removes sway and bob) [s].
_SMOOTH_S = 1.0
# Below this mean speed a clip counts as in place and its travel direction is undefined [m/s].
_IN_PLACE_MPS = 0.1


@dataclass(frozen=True)
class MeasuredMotion:
    """Parameters measured from joints (T, 22, 3).

    Attributes:
        duration: (T - 1) / fps [s].
        speed: mean horizontal speed of the smoothed pelvis path [m/s].
        direction: mean travel direction relative to the body's facing [rad] (0 forward, +pi/2 left,
            pi backwards); NaN for clips in place.
        turn: change of facing from the first to the last frame [rad], positive = left.
    """

    duration: float
    speed: float
    direction: float
    turn: float


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2.0 * np.pi) - np.pi


def measure_motion(joints: np.ndarray, fps: float = FPS) -> MeasuredMotion:
    """Measure duration, speed, travel direction and turn of a clip (T, 22, 3) [m], y-up."""
    joints = sk.check_joints(joints, min_frames=2)
    T = joints.shape[0]
    forward = sk.facing_direction(joints)  # (T, 3)
    facing = np.arctan2(forward[:, 0], forward[:, 2])  # positive towards +x = the body's left at rest
    turn = float(np.sum(_wrap(np.diff(facing))))
    window = max(1, min(T, int(round(_SMOOTH_S * fps))))
    path = uniform_filter1d(joints[:, 0, [0, 2]], window, axis=0, mode="nearest")  # (T, 2) x, z
    # Only frames whose window lies inside the clip: the padded ends would shorten the path.
    inner = slice(window // 2, T - window // 2) if T > window + 1 else slice(0, T)
    step = np.diff(path[inner], axis=0)  # (n-1, 2)
    step_len = np.linalg.norm(step, axis=-1)
    duration = (T - 1) / fps
    speed = float(step_len.sum() * fps / max(len(step), 1))
    direction = float("nan")
    if speed >= _IN_PLACE_MPS:
        course = np.arctan2(step[:, 0], step[:, 1])
        heading = facing[inner]
        relative = _wrap(course - 0.5 * (heading[1:] + heading[:-1]))
        direction = float(np.angle(np.sum(step_len * np.exp(1j * relative))))
    return MeasuredMotion(duration=duration, speed=speed, direction=direction, turn=turn)


def param_drift(params: ClipParams, joints: np.ndarray, fps: float = FPS) -> dict[str, float]:
    """Measured minus generating value for duration [s], speed [m/s], direction and turn [rad].

    Direction differences are wrapped to [-pi, pi); NaN where the clip (or the motion) is in place.
    """
    measured = measure_motion(joints, fps)
    direction = float(_wrap(np.asarray(measured.direction - params.direction)))
    return {
        "duration": measured.duration - params.duration,
        "speed": measured.speed - params.speed,
        "direction": direction if params.speed >= _IN_PLACE_MPS else float("nan"),
        "turn": measured.turn - params.turn,
    }
