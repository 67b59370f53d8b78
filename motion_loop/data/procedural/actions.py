"""Actions in place: jump, squat, wave, kick, punch, bow. Feet stay planted unless the action lifts them."""

from __future__ import annotations

import numpy as np

from motion_loop.data.procedural.body import ANKLE_HEIGHT, LEFT, RIGHT, BodyPose
from motion_loop.data.procedural.gait import limit_pelvis_height, smoothstep
from motion_loop.data.procedural.gaits import frame_times
from motion_loop.data.procedural.params import ClipParams
from motion_loop.data.procedural.style import get_style
from motion_loop.data.procedural.timeline import (
    REST_RANGE_S,
    cycle_keys,
    hermite,
    keyframes,
    repetition_windows,
)

GRAVITY = 9.81  # [m/s^2]
# Jump phases [s]: crouch before take-off, push-off, landing absorption.
JUMP_CROUCH_S, JUMP_PUSH_S, JUMP_ABSORB_S = 0.4, 0.18, 0.25
# Time to raise (and to lower) the arm for waving [s].
WAVE_RAISE_S = 0.5
# Duration of one kick from lift-off to landing [s].
KICK_S = 1.1


def jump_rise(amplitude: float) -> float:
    """Rise of the pelvis above take-off height at the apex of a jump [m]."""
    return 0.08 + 0.14 * amplitude


def flight_time(amplitude: float) -> float:
    """Time in the air of a jump [s] (ballistic: 2 sqrt(2 h / g))."""
    return 2.0 * np.sqrt(2.0 * jump_rise(amplitude) / GRAVITY)


def _base(params: ClipParams) -> tuple[BodyPose, np.ndarray]:
    style = get_style(params.style)
    t = frame_times(params)
    pose = BodyPose.standing(t.size)
    pose.pelvis[:, 1] -= style.crouch
    pose.spine[:, 0] = style.lean
    pose.head[:, 0] = style.head
    pose.arms[:, :, 3] += style.elbow
    pose.arms[:, :, 1] = 0.08
    return pose, t


def jump(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Jumping `repetitions` times, in place (speed 0) or forwards; crouch, push, flight, landing."""
    pose, t = _base(params)
    amp = params.amplitude * get_style(params.style).amplitude
    rise, flight = jump_rise(amp), flight_time(amp)
    start, period = repetition_windows(params.duration, params.repetitions, rng)
    distance = params.speed * flight
    stand = pose.pelvis[0, 1]
    depth = 0.1 + 0.08 * amp
    vz = np.sqrt(2.0 * GRAVITY * rise)
    takeoff_height = stand + 0.01
    y = np.full(t.size, stand)
    z = np.zeros(t.size)
    feet_z = np.zeros(t.size)
    feet_lift = np.zeros(t.size)
    contact = np.ones(t.size, dtype=bool)
    arm_keys_t, arm_keys_v = [0.0], [0.0]
    spine_keys_v = [0.0]
    for i in range(params.repetitions):
        c0 = start + i * period
        p0 = c0 + JUMP_CROUCH_S
        tk = p0 + JUMP_PUSH_S
        tl = tk + flight
        a1 = tl + JUMP_ABSORB_S
        r1 = min(a1 + 0.35, start + (i + 1) * period)
        z0 = i * distance
        m = (t >= c0) & (t < p0)
        y[m] = stand - depth * smoothstep((t[m] - c0) / JUMP_CROUCH_S)
        m = (t >= p0) & (t < tk)
        y[m] = hermite((t[m] - p0) / JUMP_PUSH_S, stand - depth, takeoff_height, 0.0, vz, JUMP_PUSH_S)
        m = (t >= tk) & (t < tl)
        tau = t[m] - tk
        y[m] = takeoff_height + vz * tau - 0.5 * GRAVITY * tau**2
        contact[m] = False
        feet_z[m] = z0 + distance * smoothstep(tau / flight)
        feet_lift[m] = (vz * tau - 0.5 * GRAVITY * tau**2) + 0.1 * amp * np.sin(np.pi * tau / flight)
        m = (t >= tl) & (t < a1)
        y[m] = hermite((t[m] - tl) / JUMP_ABSORB_S, takeoff_height, stand - 0.7 * depth, -vz, 0.0, JUMP_ABSORB_S)
        m = (t >= a1) & (t < r1)
        y[m] = stand - 0.7 * depth + 0.7 * depth * smoothstep((t[m] - a1) / (r1 - a1))
        m = t >= tl
        feet_z[m] = z0 + distance
        m = t >= p0
        z[m] = z0 + distance * smoothstep((t[m] - p0) / (a1 - p0))
        arm_keys_t += [c0, p0, tk, tl, a1, r1]
        arm_keys_v += [0.0, -0.7, 1.3 * amp, 0.9, 0.3, 0.0]
        spine_keys_v += [0.0, 0.45, 0.05, 0.0, 0.3, 0.0]
    arm_t = np.asarray(arm_keys_t)
    pose.pelvis[:, 1], pose.pelvis[:, 2] = y, z
    arms = keyframes(t, arm_t, np.asarray(arm_keys_v))
    pose.arms[:, :, 0] = arms
    pose.arms[:, :, 3] += 0.3 * np.abs(arms)
    pose.spine[:, 0] += keyframes(t, arm_t, np.asarray(spine_keys_v))
    pose.head[:, 0] -= 0.5 * keyframes(t, arm_t, np.asarray(spine_keys_v))
    for side in (LEFT, RIGHT):
        pose.ankles[side, :, 2] = feet_z
        pose.ankles[side, :, 1] = ANKLE_HEIGHT + feet_lift
        pose.set_contact(side, contact)
        pose.foot_pitch[side] = np.where(contact, 0.0, 0.35 * np.sin(np.pi * np.clip(feet_lift / 0.3, 0, 1)))
    limit_pelvis_height(pose)
    return pose


def squat(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Squatting down and up `repetitions` times; hips go back, trunk leans, arms reach forwards."""
    pose, t = _base(params)
    amp = params.amplitude * get_style(params.style).amplitude
    start, period = repetition_windows(params.duration, params.repetitions, rng)
    depth = min(0.5, 0.18 + 0.2 * amp)  # pelvis drop [m]
    keys = cycle_keys(start, period, params.repetitions, [0.0, 0.4, 0.55, 0.95])
    bump = keyframes(t, keys, np.tile([0.0, 1.0, 1.0, 0.0], params.repetitions))
    arms_forward = bool(rng.uniform() < 0.7)
    for side, sign in ((LEFT, 1.0), (RIGHT, -1.0)):
        pose.ankles[side, :, 0] = sign * 0.15
        pose.foot_yaw[side] = sign * 0.2
        if arms_forward:
            pose.arms[side, :, 0] = 1.35 * bump
        else:  # hands on the hips
            pose.arms[side, :, 1] = 0.45
            pose.arms[side, :, 3] = 1.7
            pose.arms[side, :, 2] = -0.6
    pose.pelvis[:, 1] -= depth * bump
    pose.pelvis[:, 2] = -0.4 * depth * bump
    pose.pelvis_tilt[:, 0] = 0.5 * depth * bump
    pose.spine[:, 0] += 0.9 * depth * bump
    pose.head[:, 0] -= 0.6 * depth * bump
    limit_pelvis_height(pose)
    return pose


def wave(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Raising one or both arms and waving the hand side to side `repetitions` times."""
    pose, t = _base(params)
    amp = params.amplitude * get_style(params.style).amplitude
    raise_s = WAVE_RAISE_S
    start = float(rng.uniform(*REST_RANGE_S))
    period = (params.duration - start - 2 * raise_s - float(rng.uniform(*REST_RANGE_S))) / params.repetitions
    up = keyframes(t, np.array([start, start + raise_s, start + raise_s + params.repetitions * period,
                                start + 2 * raise_s + params.repetitions * period]), np.array([0.0, 1.0, 1.0, 0.0]))  # fmt: skip
    waving = np.where(
        (t > start + raise_s) & (t < start + raise_s + params.repetitions * period),
        np.sin(2.0 * np.pi * (t - start - raise_s) / period), 0.0,
    )  # fmt: skip
    high = float(rng.uniform(0.0, 1.0))  # 0: hand at head height, 1: arm high above the head
    sides = (LEFT, RIGHT) if params.side == "both" else ((LEFT,) if params.side == "left" else (RIGHT,))
    for side in sides:
        pose.arms[side, :, 0] = up * (0.3 + 0.2 * high)
        pose.arms[side, :, 1] = 0.08 + up * (1.1 + 0.6 * high + 0.12 * amp * waving)
        pose.arms[side, :, 2] = up * 1.4
        pose.arms[side, :, 3] = 0.15 + up * (1.5 - 0.9 * high + 0.35 * amp * waving)
    pose.head[:, 2] = 0.2 * float(rng.uniform(-1, 1)) * up
    return pose


def kick(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Kicking forwards with one leg `repetitions` times, balancing on the other."""
    pose, t = _base(params)
    amp = params.amplitude * get_style(params.style).amplitude
    kicker, stance = (LEFT, RIGHT) if params.side == "left" else (RIGHT, LEFT)
    sign = 1.0 if stance == LEFT else -1.0
    start, period = repetition_windows(params.duration, params.repetitions, rng)
    height = 0.2 + 0.3 * amp  # ankle rise at full extension [m]
    reach = 0.4 + 0.15 * amp
    # A kick takes about a second; the rest of each cycle is standing on both feet.
    active = min(period, KICK_S / get_style(params.style).speed) / period
    fractions = [active * f for f in (0.0, 0.2, 0.38, 0.5, 0.68, 0.95)]
    keys = cycle_keys(start, period, params.repetitions, fractions)
    offsets = np.array([[0, 0, 0], [0, 0.3, -0.05], [0, height, reach], [0, height * 0.9, reach * 0.9],
                        [0, 0.3, -0.05], [0, 0, 0]], dtype=np.float64)  # fmt: skip
    lift = keyframes(t, keys, np.tile(offsets, (params.repetitions, 1)))
    pose.ankles[kicker] += lift
    pose.set_contact(kicker, np.linalg.norm(lift, axis=-1) < 1e-6)
    extend = np.clip(lift[:, 2] / reach, 0.0, 1.0)
    pose.foot_pitch[kicker] = 0.6 * extend
    shift = keyframes(t, np.array([start - 0.2, start]), np.array([0.0, 1.0]))
    shift *= 1.0 - keyframes(t, np.array([params.duration - 0.4, params.duration]), np.array([0.0, 1.0]))
    pose.pelvis[:, 0] = sign * 0.07 * shift
    pose.pelvis_tilt[:, 1] = sign * 0.05 * shift
    pose.spine[:, 0] -= 0.25 * extend
    pose.spine[:, 1] = sign * 0.05 * shift
    for side in (LEFT, RIGHT):
        pose.arms[side, :, 1] = 0.08 + 0.35 * shift
        pose.arms[side, :, 3] += 0.4 * shift
    pose.arms[kicker, :, 0] = -0.4 * extend
    pose.arms[stance, :, 0] = 0.5 * extend
    limit_pelvis_height(pose)
    return pose


def punch(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Punching forwards `repetitions` times from a guard (alternating arms for `both`)."""
    pose, t = _base(params)
    amp = params.amplitude * get_style(params.style).amplitude
    start, period = repetition_windows(params.duration, params.repetitions, rng)
    guard = keyframes(t, np.array([0.0, start]), np.array([0.0, 1.0]))
    guard *= 1.0 - keyframes(t, np.array([params.duration - 0.5, params.duration]), np.array([0.0, 1.0]))
    pose.ankles[LEFT, :, 2] = 0.12
    pose.ankles[RIGHT, :, 2] = -0.12
    pose.pelvis[:, 1] -= 0.03 * guard
    for side in (LEFT, RIGHT):
        pose.arms[side, :, 0] = 0.6 * guard
        pose.arms[side, :, 1] = 0.08 + 0.2 * guard
        pose.arms[side, :, 3] = 0.15 + 1.9 * guard
    keys = cycle_keys(start, period, params.repetitions, [0.0, 0.3, 0.45, 0.8])
    strike = keyframes(t, keys, np.tile([0.0, 1.0, 1.0, 0.0], params.repetitions))
    which = np.floor((t - start) / period).astype(int) % 2
    for side, sign in ((LEFT, -1.0), (RIGHT, 1.0)):
        if params.side == "both":
            active = strike * (which == (0 if side == RIGHT else 1))
        else:
            active = strike * (params.side == ("left" if side == LEFT else "right"))
        pose.arms[side, :, 0] += active * (0.9 + 0.1 * amp) * guard
        pose.arms[side, :, 1] -= active * 0.15 * guard
        pose.arms[side, :, 3] -= active * 1.85 * guard
        pose.spine[:, 2] += sign * 0.3 * amp * active
    pose.spine[:, 0] += 0.1 * guard
    pose.head[:, 0] -= 0.05 * guard
    limit_pelvis_height(pose)
    return pose


def bow(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """Bowing forwards from the hips `repetitions` times."""
    pose, t = _base(params)
    amp = params.amplitude * get_style(params.style).amplitude
    start, period = repetition_windows(params.duration, params.repetitions, rng)
    keys = cycle_keys(start, period, params.repetitions, [0.0, 0.3, 0.6, 0.9])
    bump = keyframes(t, keys, np.tile([0.0, 1.0, 1.0, 0.0], params.repetitions))
    angle = min(1.2, 0.35 + 0.4 * amp)  # trunk flex at the bottom [rad]
    pose.pelvis_tilt[:, 0] = 0.45 * angle * bump
    pose.spine[:, 0] += 0.55 * angle * bump
    pose.pelvis[:, 2] = -0.08 * angle * bump
    pose.head[:, 0] += 0.2 * bump
    for side in (LEFT, RIGHT):
        pose.arms[side, :, 0] = 0.6 * angle * bump
    limit_pelvis_height(pose)
    return pose
