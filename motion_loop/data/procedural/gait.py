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
    TOE_OUT,
    BodyPose,
    pelvis_rotation,
)  # fmt: skip

# Planned reach stays this much inside the IK limit so the IK never has to pull a planted ankle [1].
_REACH_MARGIN = 0.995
# Fraction of a stance during which a heel-strike foot rolls down flat.
_STRIKE_FRACTION = 0.15
# A foot this many frames before landing already limits the pelvis height (no reach jump at landing).
_LANDING_FRAMES = 1
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
    (extra toe-down); contact (T,) the foot is planted, heel (T,) the ankle is still, toe (T,) the toe is still."""

    ankle: np.ndarray
    yaw: np.ndarray
    pitch: np.ndarray
    contact: np.ndarray
    heel: np.ndarray
    toe: np.ndarray


def smoothstep(s: np.ndarray) -> np.ndarray:
    """Minimum-jerk profile 10s^3 - 15s^4 + 6s^5 on [0, 1] (clipped outside)."""
    s = np.clip(s, 0.0, 1.0)
    return s**3 * (10.0 - 15.0 * s + 6.0 * s**2)


def foot_track(
    stances: Stances,
    times: np.ndarray,
    *,
    side: int,
    lift: float,
    toe_off: float = 0.0,
    heel_off: float = 0.6,
    heel_strike: float = 0.0,
) -> FootTrack:
    """Sample a foot at `times` (T,) [s]: planted inside a stance, a lifted arc between two stances.

    Within a stance the heel (ankle) stays put until `heel_off`, then the foot rolls over its toe
    (which stays put) up to `toe_off` pitch at lift-off. The swing carries the ankle from there to the
    next plant, pitching the toe from `toe_off` down to `heel_strike` up, which is undone in the first
    part of the next stance.

    Args:
        side: LEFT or RIGHT (for the toe-out angle of the foot).
        lift: peak ankle rise of a swing above the straight line between plants [m].
        toe_off: toe-down pitch at lift-off [rad] (0: the foot lifts flat).
        heel_off: fraction of the stance at which the heel starts to rise.
        heel_strike: toe-up pitch at landing [rad].
    """
    K = len(stances.start)
    k = np.searchsorted(stances.start, times, side="right") - 1  # last stance started at or before t
    k = np.clip(k, 0, K - 1)
    planted = (times >= stances.start[k]) & (times <= stances.end[k])
    nxt = np.minimum(k + 1, K - 1)
    gap = np.maximum(stances.start[nxt] - stances.end[k], 1e-9)
    raw = np.where(planted | (nxt == k), 0.0, np.clip((times - stances.end[k]) / gap, 0.0, 1.0))
    s = smoothstep(raw)

    flat = float(np.arcsin(ANKLE_HEIGHT / FOOT[side]))
    sign = 1.0 if side == LEFT else -1.0

    def roll(yaw: np.ndarray, pitch: np.ndarray) -> np.ndarray:
        """Ankle displacement (n, 3) when the foot pitches toe-down by `pitch` about its planted toe."""
        fwd = np.stack([np.sin(yaw + sign * TOE_OUT), np.zeros_like(yaw), np.cos(yaw + sign * TOE_OUT)], -1)
        horizontal = FOOT[side] * (np.cos(flat) - np.cos(flat + pitch))
        vertical = FOOT[side] * (np.sin(flat + pitch) - np.sin(flat))
        return horizontal[:, None] * fwd + vertical[:, None] * np.array([0.0, 1.0, 0.0])

    duration = np.maximum(stances.end[k] - stances.start[k], 1e-9)
    u = np.clip((times - stances.start[k]) / duration, 0.0, 1.0)
    rise = np.where(planted, toe_off * smoothstep((u - heel_off) / max(1.0 - heel_off, 1e-9)), 0.0)
    lift_off = stances.position + roll(stances.yaw, np.full(K, toe_off))  # (K, 3) ankle at lift-off
    swing_from = lift_off[k]
    ankle = np.where(
        planted[:, None],
        stances.position[k] + roll(stances.yaw[k], rise),
        swing_from + s[:, None] * (stances.position[nxt] - swing_from),
    )
    step = np.linalg.norm(stances.position[nxt] - stances.position[k], axis=-1)
    # Steps in place (turning) lift less; long steps lift the full amount.
    ankle[:, 1] += np.where(planted, 0.0, lift * np.minimum(1.0, 0.4 + step / 0.3) * np.sin(np.pi * raw))
    yaw_from, yaw_to = stances.yaw[k], stances.yaw[nxt]
    yaw = np.where(planted, yaw_from, yaw_from + s * _wrap(yaw_to - yaw_from))
    strike = heel_strike * (1.0 - smoothstep(u / _STRIKE_FRACTION))
    pitch = np.where(planted, rise - strike, toe_off + (-heel_strike - toe_off) * s)
    toe_planted = planted & (u >= _STRIKE_FRACTION) if heel_strike > 0 else planted
    heel_planted = planted & (u <= heel_off) if toe_off > 0 else planted
    return FootTrack(ankle=ankle, yaw=yaw, pitch=pitch, contact=planted, heel=heel_planted, toe=toe_planted)


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2.0 * np.pi) - np.pi


@dataclass(frozen=True)
class GroundPath:
    """A pelvis ground path sampled on a time grid that extends beyond the clip (for step planning)."""

    times: np.ndarray  # (N,) [s]
    position: np.ndarray  # (N, 3) [m], y = 0
    heading: np.ndarray  # (N,) [rad]

    def at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position (n, 3) and heading (n,) at times t (n,), linearly interpolated."""
        pos = np.stack([np.interp(t, self.times, self.position[:, i]) for i in range(3)], -1)
        return pos, np.interp(t, self.times, self.heading)


def integrate_path(times: np.ndarray, speed: np.ndarray, heading: np.ndarray, direction: float) -> GroundPath:
    """Ground path of a body moving at `speed` (N,) [m/s] towards heading + direction [rad]."""
    course = heading + direction
    velocity = speed[:, None] * np.stack([np.sin(course), np.zeros_like(course), np.cos(course)], -1)
    dt = np.diff(times)[:, None]
    steps = 0.5 * (velocity[1:] + velocity[:-1]) * dt
    position = np.concatenate([np.zeros((1, 3)), np.cumsum(steps, axis=0)])
    zero = np.argmin(np.abs(times))
    return GroundPath(times=times, position=position - position[zero], heading=heading)


def plants_from_path(
    path: GroundPath,
    *,
    period: float,
    duty: float,
    phase: float,
    half_width: float,
    side: int,
    until: float,
    lead_time: float = 0.0,
) -> Stances:
    """Stances of one foot for a periodic gait along a path: planted under its hip at mid-stance.

    Args:
        period: stride period [s] (two steps).
        duty: fraction of the stride the foot is planted.
        phase: the foot's mid-stance times are (k + phase) * period.
        half_width: lateral distance of the ankle from the path [m].
        side: LEFT or RIGHT.
        until: last time the clip needs [s].
        lead_time: plants land this much travel time ahead of the hip at mid-stance [s], so the heel
            strikes closer to the body and the rolling-off foot trails further behind.
    """
    first = int(np.floor(path.times[0] / period))
    last = int(np.ceil(until / period)) + 1
    centre = (np.arange(first, last + 1) + phase) * period
    centre = centre[(centre >= path.times[0]) & (centre <= path.times[-1])]
    pos, heading = path.at(centre)
    sign = 1.0 if side == LEFT else -1.0
    lateral = np.stack([np.cos(heading), np.zeros_like(heading), -np.sin(heading)], -1)  # body +x
    ahead, _ = path.at(centre + lead_time)
    position = pos + sign * half_width * lateral + (ahead - pos)
    position[:, 1] = ANKLE_HEIGHT
    half = 0.5 * duty * period
    return Stances(start=centre - half, end=centre + half, position=position, yaw=heading)


def limit_pelvis_height(pose: BodyPose) -> None:
    """Lower the pelvis where needed so planted (or about to land) ankles stay within reach (in place, smooth).

    A swinging foot far behind the body does not pull the pelvis down: its knee bends instead, and the
    IK reaches as far as it can.
    """
    desired = pose.pelvis[:, 1].copy()
    limit = _height_limit(pose)
    height = np.minimum(desired, limit)
    height = gaussian_filter1d(height, _HEIGHT_SMOOTH_SIGMA, mode="nearest")
    pose.pelvis[:, 1] = np.minimum(height, limit)


def _constrained(contact: np.ndarray) -> np.ndarray:
    """Frames where a foot's reach limits the pelvis: planted, or landing within _LANDING_FRAMES."""
    mask = contact.copy()
    for shift in range(1, _LANDING_FRAMES + 1):
        mask[:-shift] |= contact[shift:]
    return mask


def _height_limit(pose: BodyPose) -> np.ndarray:
    rot = pelvis_rotation(pose)
    limit = np.full(pose.pelvis.shape[0], np.inf)
    for side in (LEFT, RIGHT):
        offset = BONE[HIP[side]] * (rot @ REST_DIRECTION[HIP[side]])  # (T, 3) hip relative to pelvis
        hip_xz = pose.pelvis[:, [0, 2]] + offset[:, [0, 2]]
        horizontal = np.linalg.norm(pose.ankles[side][:, [0, 2]] - hip_xz, axis=-1)
        reach = (THIGH[side] + SHIN[side]) * MAX_REACH * _REACH_MARGIN
        vertical = np.sqrt(np.maximum(reach**2 - horizontal**2, 0.0))
        side_limit = pose.ankles[side][:, 1] + vertical - offset[:, 1]
        limit = np.where(_constrained(pose.contact[side]), np.minimum(limit, side_limit), limit)
    return limit


def apply_tracks(pose: BodyPose, left: FootTrack, right: FootTrack) -> None:
    """Copy two foot tracks into a pose (in place)."""
    for side, track in ((LEFT, left), (RIGHT, right)):
        pose.ankles[side] = track.ankle
        pose.foot_yaw[side] = track.yaw
        pose.foot_pitch[side] = track.pitch
        pose.contact[side] = track.contact
        pose.heel_contact[side] = track.heel
        pose.toe_contact[side] = track.toe

