"""Footstep planning: stance intervals with planted ankle positions, swing trajectories between them,
and a pelvis height that keeps both legs within reach (so a planted foot never has to slide).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from motion_loop.data.procedural.body import (
    ANKLE_HEIGHT,
    BONE,
    FOOT,
    HIP,
    LEFT,
    MAX_REACH,
    REST_DIRECTION,
    RIGHT,
    SHIN,
    THIGH,
    BodyPose,
    pelvis_rotation,
)  # fmt: skip

# Planned reach stays this much inside the IK limit so the IK never has to pull a planted ankle [1].
_REACH_MARGIN = 0.995
# Smoothing of the reach-limited pelvis height [frames].
_HEIGHT_SMOOTH_SIGMA = 1.5


@dataclass(frozen=True)
class Stances:
    """The planted phases of one foot, sorted in time and not overlapping.

    Attributes:
        start, end: (K,) times [s] the foot lands and lifts off.
        position: (K, 3) ankle position while planted [m].
        yaw: (K,) foot heading while planted [rad].
    """

    start: np.ndarray
    end: np.ndarray
    position: np.ndarray
    yaw: np.ndarray


@dataclass(frozen=True)
class FootTrack:
    """A foot's trajectory at the clip's frames: ankle (T, 3) [m], yaw (T,) [rad], pitch (T,) [rad]
    (extra toe-down), contact (T,) planted flag."""

    ankle: np.ndarray
    yaw: np.ndarray
    pitch: np.ndarray
    contact: np.ndarray


def smoothstep(s: np.ndarray) -> np.ndarray:
    """Minimum-jerk profile 10s^3 - 15s^4 + 6s^5 on [0, 1] (clipped outside)."""
    s = np.clip(s, 0.0, 1.0)
    return s**3 * (10.0 - 15.0 * s + 6.0 * s**2)


def foot_track(stances: Stances, times: np.ndarray, *, lift: float, swing_pitch: float = 0.0) -> FootTrack:
    """Sample a foot at `times` (T,) [s]: planted inside a stance, a lifted arc between two stances.

    Args:
        lift: peak ankle rise of a swing above the straight line between plants [m].
        swing_pitch: toe-down then toe-up pitch amplitude during a swing [rad] (push-off, heel strike).
    """
    K = len(stances.start)
    k = np.searchsorted(stances.start, times, side="right") - 1  # last stance started at or before t
    k = np.clip(k, 0, K - 1)
    planted = (times >= stances.start[k]) & (times <= stances.end[k])
    nxt = np.minimum(k + 1, K - 1)
    gap = np.maximum(stances.start[nxt] - stances.end[k], 1e-9)
    raw = np.where(planted | (nxt == k), 0.0, np.clip((times - stances.end[k]) / gap, 0.0, 1.0))
    s = smoothstep(raw)
    ankle = stances.position[k] + s[:, None] * (stances.position[nxt] - stances.position[k])
    step = np.linalg.norm(stances.position[nxt] - stances.position[k], axis=-1)
    # Steps in place (turning) lift less; long steps lift the full amount.
    ankle[:, 1] += lift * np.minimum(1.0, 0.4 + step / 0.3) * np.sin(np.pi * raw)
    yaw_from, yaw_to = stances.yaw[k], stances.yaw[nxt]
    yaw = yaw_from + s * _wrap(yaw_to - yaw_from)
    pitch = swing_pitch * np.sin(2.0 * np.pi * raw)
    return FootTrack(ankle=ankle, yaw=yaw, pitch=pitch, contact=planted)


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2.0 * np.pi) - np.pi


@dataclass(frozen=True)
class Path:
    """A pelvis ground path sampled on a time grid that extends beyond the clip (for step planning)."""

    times: np.ndarray  # (N,) [s]
    position: np.ndarray  # (N, 3) [m], y = 0
    heading: np.ndarray  # (N,) [rad]

    def at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position (n, 3) and heading (n,) at times t (n,), linearly interpolated."""
        pos = np.stack([np.interp(t, self.times, self.position[:, i]) for i in range(3)], -1)
        return pos, np.interp(t, self.times, self.heading)


def integrate_path(times: np.ndarray, speed: np.ndarray, heading: np.ndarray, direction: float) -> Path:
    """Ground path of a body moving at `speed` (N,) [m/s] towards heading + direction [rad]."""
    course = heading + direction
    velocity = speed[:, None] * np.stack([np.sin(course), np.zeros_like(course), np.cos(course)], -1)
    dt = np.diff(times)[:, None]
    steps = 0.5 * (velocity[1:] + velocity[:-1]) * dt
    position = np.concatenate([np.zeros((1, 3)), np.cumsum(steps, axis=0)])
    zero = np.argmin(np.abs(times))
    return Path(times=times, position=position - position[zero], heading=heading)


def plants_from_path(
    path: Path, *, period: float, duty: float, phase: float, half_width: float, side: int, until: float
) -> Stances:
    """Stances of one foot for a periodic gait along a path: planted under its hip at mid-stance.

    Args:
        period: stride period [s] (two steps).
        duty: fraction of the stride the foot is planted.
        phase: the foot's mid-stance times are (k + phase) * period.
        half_width: lateral distance of the ankle from the path [m].
        side: LEFT or RIGHT.
        until: last time the clip needs [s].
    """
    first = int(np.floor(path.times[0] / period))
    last = int(np.ceil(until / period)) + 1
    centre = (np.arange(first, last + 1) + phase) * period
    centre = centre[(centre >= path.times[0]) & (centre <= path.times[-1])]
    pos, heading = path.at(centre)
    sign = 1.0 if side == LEFT else -1.0
    lateral = np.stack([np.cos(heading), np.zeros_like(heading), -np.sin(heading)], -1)  # body +x
    position = pos + sign * half_width * lateral
    position[:, 1] = ANKLE_HEIGHT
    half = 0.5 * duty * period
    return Stances(start=centre - half, end=centre + half, position=position, yaw=heading)


def limit_pelvis_height(pose: BodyPose) -> None:
    """Lower the pelvis where needed so both ankle targets stay within reach (in place, smooth)."""
    desired = pose.pelvis[:, 1].copy()
    limit = _height_limit(pose)
    height = np.minimum(desired, limit)
    height = gaussian_filter1d(height, _HEIGHT_SMOOTH_SIGMA, mode="nearest")
    pose.pelvis[:, 1] = np.minimum(height, limit)


def _height_limit(pose: BodyPose) -> np.ndarray:
    rot = pelvis_rotation(pose)
    limit = np.full(pose.pelvis.shape[0], np.inf)
    for side in (LEFT, RIGHT):
        offset = BONE[HIP[side]] * (rot @ REST_DIRECTION[HIP[side]])  # (T, 3) hip relative to pelvis
        hip_xz = pose.pelvis[:, [0, 2]] + offset[:, [0, 2]]
        horizontal = np.linalg.norm(pose.ankles[side][:, [0, 2]] - hip_xz, axis=-1)
        reach = (THIGH[side] + SHIN[side]) * MAX_REACH * _REACH_MARGIN
        vertical = np.sqrt(np.maximum(reach**2 - horizontal**2, 0.0))
        limit = np.minimum(limit, pose.ankles[side][:, 1] + vertical - offset[:, 1])
    return limit


def apply_tracks(pose: BodyPose, left: FootTrack, right: FootTrack) -> None:
    """Copy two foot tracks into a pose (in place)."""
    for side, track in ((LEFT, left), (RIGHT, right)):
        pose.ankles[side] = track.ankle
        pose.foot_yaw[side] = track.yaw
        pose.foot_pitch[side] = track.pitch
        pose.contact[side] = track.contact


__all__ = [
    "FOOT", "FootTrack", "Path", "Stances", "apply_tracks", "foot_track", "integrate_path",
    "limit_pelvis_height", "plants_from_path", "smoothstep", "RIGHT",
]  # fmt: skip
