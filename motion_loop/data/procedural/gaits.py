"""Locomotion families: walk, run, walk backwards, side-step and turning in place.

Feet are planned first (stances under the hips along the pelvis path), then the pelvis height is
lowered wherever a leg would otherwise over-stretch, so planted feet stay exactly where they landed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.ndimage import gaussian_filter1d

from motion_loop.data.procedural.body import ANKLE_HEIGHT, LEFT, RIGHT, STAND_HEIGHT, BodyPose
from motion_loop.data.procedural.gait import (
    Stances,
    apply_tracks,
    foot_track,
    integrate_path,
    limit_pelvis_height,
    plants_from_path,
    smoothstep,
)  # fmt: skip
from motion_loop.data.procedural.params import FPS, ClipParams
from motion_loop.data.procedural.style import get_style

# Steps are planned this long before and after the clip so it can start and end mid-stride [s].
_PLAN_MARGIN_S = 3.0
# Consecutive stances closer than this are merged into one (no stepping on the spot) [m], [rad].
_STILL_DISTANCE_M = 0.02
_STILL_YAW_RAD = 0.06
# Pelvis rotation about the vertical and drop to the swing side during gait [rad].
_PELVIS_YAW_RAD = 0.07
_PELVIS_ROLL_RAD = 0.04
# Pelvis lowered per m/s of walking speed in walking gaits [m / (m/s)].
_SPEED_CROUCH = 0.02
# Sideways distance covered by one side-step cycle (lead step out, trail step in) [m].
_SIDE_STRIDE_M = 0.36


def frame_times(params: ClipParams) -> np.ndarray:
    """(T,) times [s] of the clip's joint frames."""
    return np.arange(params.frames) / FPS


def _merge_still(stances: Stances) -> Stances:
    """Merge consecutive stances that do not move the foot (the foot just stays down)."""
    keep_start = [0]
    for k in range(1, len(stances.start)):
        moved = np.linalg.norm(stances.position[k] - stances.position[keep_start[-1]])
        turned = abs(stances.yaw[k] - stances.yaw[keep_start[-1]])
        if moved > _STILL_DISTANCE_M or turned > _STILL_YAW_RAD:
            keep_start.append(k)
    idx = np.asarray(keep_start)
    ends = np.append(idx[1:] - 1, len(stances.start) - 1)
    return Stances(stances.start[idx], stances.end[ends], stances.position[idx], stances.yaw[idx])


def _cycle_gait(
    params: ClipParams,
    rng: np.random.Generator,
    *,
    cadence: float,
    duty: float,
    half_width: float,
    lift: float,
    bob: float,
    lean: float,
    arm_swing: float,
    elbow: float,
    toe_off: float = 0.0,
    heel_off: float = 0.6,
    heel_strike: float = 0.0,
    lead_time: float = 0.0,
    heading_profile: Callable[[np.ndarray], np.ndarray] | None = None,
) -> BodyPose:
    """A periodic two-legged gait along a (possibly curved) path.

    Args:
        cadence: steps per second.
        duty: fraction of the stride each foot is planted (> 0.5 walking, < 0.5 running).
        bob: vertical pelvis oscillation [m]; positive = highest at mid-stance (walking), negative =
            highest in flight (running).
    """
    style = get_style(params.style)
    t = frame_times(params)
    T = t.size
    period = 2.0 / cadence
    grid = np.arange(-_PLAN_MARGIN_S, params.duration + _PLAN_MARGIN_S, 1.0 / FPS)
    heading = params.turn * smoothstep(grid / params.duration) if heading_profile is None else heading_profile(grid)
    path = integrate_path(grid, np.full(grid.size, params.speed), heading, params.direction)
    phase = float(rng.uniform(0.0, 1.0))
    tracks = []
    for side, offset in ((LEFT, 0.0), (RIGHT, 0.5)):
        stances = plants_from_path(
            path, period=period, duty=duty, phase=phase + offset, half_width=half_width, side=side,
            until=params.duration, lead_time=lead_time,
        )  # fmt: skip
        tracks.append(
            foot_track(_merge_still(stances), t, side=side, lift=lift, toe_off=toe_off, heel_off=heel_off,
                       heel_strike=heel_strike)
        )  # fmt: skip
    pose = BodyPose.standing(T)
    apply_tracks(pose, *tracks)

    position, pelvis_heading = path.at(t)
    cycle = 2.0 * np.pi * (t / period - phase)  # 0 at the left foot's mid-stance
    pose.pelvis[:, [0, 2]] = position[:, [0, 2]]
    # Knees stay a little bent at speed (a straight-legged walk looks stiff), and the pelvis bobs twice
    # per stride.
    base = STAND_HEIGHT - style.crouch - _SPEED_CROUCH * min(params.speed, 2.0)
    pose.pelvis[:, 1] = base + bob * style.bounce * np.cos(2.0 * cycle) - abs(bob)
    # Pelvis yaw peaks at heel strike with the leading leg's hip forwards (left heel strike is near
    # cycle = -pi/2, where a negative yaw brings the left hip forwards).
    sway = _PELVIS_YAW_RAD * np.sin(cycle)
    pose.heading = pelvis_heading + sway
    pose.pelvis_tilt[:, 0] = lean * 0.5 + style.lean * 0.3
    # The pelvis drops on the swinging leg's side (the right side at the left foot's mid-stance).
    pose.pelvis_tilt[:, 1] = -_PELVIS_ROLL_RAD * np.cos(cycle)
    pose.spine[:, 0] = lean + style.lean
    pose.spine[:, 2] = -1.3 * sway  # shoulders counter-rotate
    pose.head[:, 0] = style.head - 0.5 * (lean + style.lean)
    swing = arm_swing * style.arm_swing
    direction_sign = -1.0 if np.cos(params.direction) < -0.5 else 1.0  # arms swing with the legs
    for side, arm_phase in ((LEFT, cycle), (RIGHT, cycle + np.pi)):
        forward = np.cos(arm_phase - np.pi / 2.0)  # left arm forwards while the right leg swings forwards
        pose.arms[side, :, 0] = 0.05 + direction_sign * swing * forward
        pose.arms[side, :, 1] = 0.1
        pose.arms[side, :, 3] = elbow + style.elbow + 0.25 * swing * np.maximum(forward, 0.0)
    limit_pelvis_height(pose)
    return pose


def walk(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Walking forwards (direction 0), possibly along a curve (turn)."""
    cadence = float(np.clip(0.95 + 0.7 * params.speed, 1.2, 2.3))
    style = get_style(params.style)
    return _cycle_gait(
        params, rng, cadence=cadence, duty=0.62, half_width=0.09, lift=0.09 * params.amplitude * style.lift,
        bob=0.018, lean=0.04, arm_swing=0.35 * params.amplitude, elbow=0.2,
        toe_off=0.75 * min(1.0, params.speed / 1.2), heel_off=0.5, heel_strike=0.2 * min(1.0, params.speed), lead_time=-0.06,
    )  # fmt: skip


def walk_backward(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Walking backwards (direction pi): shorter, careful steps."""
    cadence = float(np.clip(1.0 + 0.9 * params.speed, 1.2, 2.2))
    style = get_style(params.style)
    return _cycle_gait(
        params, rng, cadence=cadence, duty=0.66, half_width=0.1, lift=0.07 * params.amplitude * style.lift,
        bob=0.012, lean=0.08, arm_swing=0.18 * params.amplitude, elbow=0.3,
    )  # fmt: skip


def run(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Running: flight phases, higher knees, bent elbows, forward lean."""
    cadence = float(np.clip(2.2 + 0.2 * params.speed, 2.5, 3.2))
    style = get_style(params.style)
    return _cycle_gait(
        params, rng, cadence=cadence, duty=0.36, half_width=0.075, lift=0.2 * params.amplitude * style.lift,
        bob=-0.035, lean=0.15, arm_swing=0.55 * params.amplitude, elbow=1.35,
        toe_off=0.7, heel_off=0.4, lead_time=-0.04,
    )  # fmt: skip


def turn(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Turning on the spot by `turn` radians with small steps."""
    start = float(rng.uniform(0.2, 0.6))
    span = params.duration - start - float(rng.uniform(0.2, 0.6))

    def heading(times: np.ndarray) -> np.ndarray:
        return params.turn * smoothstep((times - start) / span)

    steps = max(2.0, abs(params.turn) / 0.5)  # at most ~30 degrees per step
    cadence = float(np.clip(steps / span, 1.0, 2.4))
    style = get_style(params.style)
    return _cycle_gait(
        params, rng, cadence=cadence, duty=0.7, half_width=0.1, lift=0.06 * params.amplitude * style.lift,
        bob=0.008, lean=0.02, arm_swing=0.08, elbow=0.25, heading_profile=heading,
    )  # fmt: skip


def side_step(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Stepping sideways towards `side`: the leading foot steps out, the trailing foot closes in."""
    style = get_style(params.style)
    t = frame_times(params)
    sign = 1.0 if params.side == "left" else -1.0
    lead, trail = (LEFT, RIGHT) if params.side == "left" else (RIGHT, LEFT)
    period = float(np.clip(_SIDE_STRIDE_M / max(params.speed, 1e-3), 0.8, 1.6))
    stride = params.speed * period
    offset = float(rng.uniform(-period, 0.0))
    k = np.arange(-2, int(params.duration / period) + 3)
    t0 = offset + k * period
    lateral = np.array([1.0, 0.0, 0.0])
    width = 0.1
    base = np.array([0.0, ANKLE_HEIGHT, 0.0])
    lead_stances = Stances(
        start=t0 + 0.3 * period, end=t0 + period, position=base + sign * (k * stride + width)[:, None] * lateral,
        yaw=np.zeros(k.size),
    )  # fmt: skip
    trail_stances = Stances(
        start=t0 + 0.8 * period, end=t0 + 1.5 * period,
        position=base + sign * (k * stride - width)[:, None] * lateral, yaw=np.zeros(k.size),
    )  # fmt: skip
    lift = 0.06 * params.amplitude * style.lift
    tracks = {
        lead: foot_track(lead_stances, t, side=lead, lift=lift),
        trail: foot_track(trail_stances, t, side=trail, lift=lift),
    }
    pose = BodyPose.standing(t.size)
    apply_tracks(pose, tracks[LEFT], tracks[RIGHT])
    centre = 0.5 * (pose.ankles[LEFT, :, 0] + pose.ankles[RIGHT, :, 0])
    pose.pelvis[:, 0] = gaussian_filter1d(centre, 3.0, mode="nearest")
    spread = np.abs(pose.ankles[LEFT, :, 0] - pose.ankles[RIGHT, :, 0]) - 2 * width
    pose.pelvis[:, 1] = STAND_HEIGHT - style.crouch - 0.01 - 0.15 * spread
    pose.pelvis_tilt[:, 1] = 0.2 * (pose.pelvis[:, 0] - centre)
    pose.spine[:, 0] = 0.03 + style.lean
    pose.head[:, 0] = style.head
    pose.head[:, 2] = sign * float(rng.uniform(0.0, 0.4))  # often looks where it goes
    for side in (LEFT, RIGHT):
        pose.arms[side, :, 1] = 0.12 + 0.3 * spread * params.amplitude * style.arm_swing
        pose.arms[side, :, 3] = 0.25 + style.elbow
    limit_pelvis_height(pose)
    return pose

