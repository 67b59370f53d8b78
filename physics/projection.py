"""Contact-consistent kinematic projection of a reference before tracking (issue 14).

A tracker cannot create steps that its reference lacks: when the generator moves the root further than
the strides carry it, or lets a stance foot glide, the simulated feet are dragged. This module changes
the reference itself, kinematically, before any simulation:

- stance phases are the contact labels (`physics.reference.contact_labels`: foot height and speed,
  absolute and relative to the body, and gliding feet);
- in each stance, the foot's pivot (its lowest sole corner, which changes as the foot rolls over heel
  and toe) is locked in place and put on the floor; the lock sits at the pivot's stance-mean
  position, so the foot moves half as far as a lock at touch-down would move it;
- between stances, the foot's correction is blended linearly from one stance's to the next's, so the
  swing stays smooth;
- the legs and the pelvis are then solved by differential inverse kinematics on the clip's own
  humanoid (mink: a QP over joint velocities, every task weighted): feet on their targets (stiff in
  stance, soft in swing), pelvis near the (planted) reference with a soft horizontal weight, so the
  root travels only as far as the locked feet let it, its correction changing smoothly from frame to
  frame, and the rest of the pose kept by a posture task.

The change is bounded. A clip whose projection would change the pose (root-aligned mean joint distance,
worst frame) by more than `max_change` keeps its unprojected reference and gets a reason; a projection
that leaves a stance pivot far from its lock (the legs cannot reach it) is applied and measured.
`correct_motion` turns either into the `unprojectable` flag: such a clip cannot be made plausible within
the bound, and saying so is better than letting the tracker drag it into shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import mink
import mujoco
import numpy as np

from physics.humanoid import FOOT_BODIES, hinge_names
from physics.reference import corner_trajectories
from physics.retarget import qpos_to_joints

# Task weights: what the projection gives up first. Stance feet are held hardest; the pelvis's height
# and orientation follow the reference closely, its horizontal position softly (that is what the
# projection is for); the arms, spine and head barely move (posture), the legs do (they reach).
_STANCE_POSITION_COST = 20.0
_STANCE_ORIENTATION_COST = 2.0
_SWING_POSITION_COST = 2.0
_SWING_ORIENTATION_COST = 0.5
_PELVIS_POSITION_COST = (0.5, 0.5, 5.0)  # x, y, z
_PELVIS_ORIENTATION_COST = 5.0
_PELVIS_STEADY_COST = 5.0  # on the change of the pelvis correction from one frame to the next
_LEG_POSTURE_COST = 0.05
_BODY_POSTURE_COST = 5.0
_DAMPING = 0.1
_ITERATIONS = 4  # Gauss-Newton steps per frame, warm-started from the previous frame's correction ...
_FIRST_ITERATIONS = 20  # ... except the first frame, which starts from the reference itself
_LEG_BODIES = ("left_hip", "left_knee", "left_ankle", "right_hip", "right_knee", "right_ankle")


@dataclass
class Projection:
    """A projected reference and how far it moved.

    Attributes:
        qpos: (T, nq) the projected reference, or the input unchanged when `reason` is set.
        foot_error_mm: largest distance of a stance pivot from its lock after the solve [mm].
        pose_change_mm: largest per-frame root-aligned mean joint distance to the input [mm].
        root_shift_mm: mean horizontal distance of the pelvis from the input's [mm].
        reason: why the projection was not applied (None when it was).
    """

    qpos: np.ndarray
    foot_error_mm: float
    pose_change_mm: float
    root_shift_mm: float
    reason: str | None = None


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in mask (T,)."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def foot_offsets(corners: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame correction (T, 2, 3) of each foot, its pivot corner (T, 2) and the locks (T, 2, 3).

    corners: (T, 2, 4, 3) sole corners [m, z-up]; labels: (T, 2) stance. In a stance, the offset keeps
    the pivot (the lowest corner of each frame) at one place on the floor: the pivot's horizontal
    steps are cancelled (the stance-mean is the lock) and its height is brought to 0. Outside stance,
    the offset is blended linearly between the neighbouring stances' (held before the first and after
    the last).
    """
    T, feet = labels.shape
    pivot = corners[..., 2].argmin(axis=2)  # (T, 2)
    offset = np.zeros((T, feet, 3))
    lock = np.full((T, feet, 3), np.nan)
    frames = np.arange(T)
    for f in range(feet):
        stances = _runs(labels[:, f])
        for start, end in stances:
            # Pivot steps, each measured on the corner that is the pivot at the step's start (a roll
            # hands the pivot over to another corner without moving the foot over the floor).
            idx = frames[start:end - 1]
            steps = corners[idx + 1, f, pivot[idx, f], :2] - corners[idx, f, pivot[idx, f], :2]  # (n-1, 2)
            walked = np.concatenate([np.zeros((1, 2)), np.cumsum(steps, axis=0)])  # pivot travel since touch-down
            offset[start:end, f, :2] = walked.mean(axis=0) - walked
            pivot_xy = corners[frames[start:end], f, pivot[start:end, f], :2]
            offset[start:end, f, 2] = -corners[frames[start:end], f, pivot[start:end, f], 2]
            lock[start:end, f, :2] = pivot_xy + offset[start:end, f, :2]
            lock[start:end, f, 2] = 0.0
        if not stances:
            continue
        # Swing: blend from the end of one stance to the start of the next.
        first, last = stances[0][0], stances[-1][1]
        offset[:first, f] = offset[first, f]
        offset[last:, f] = offset[last - 1, f]
        for (_, end), (start, _) in zip(stances[:-1], stances[1:], strict=True):
            w = (np.arange(end, start) - (end - 1)) / (start - end + 1)  # (gap,) in (0, 1)
            offset[end:start, f] = (1 - w)[:, None] * offset[end - 1, f] + w[:, None] * offset[start, f]
    return offset, pivot, lock


def _posture_cost(model: mujoco.MjModel) -> np.ndarray:
    """(nv,) posture weights: legs free to reach, everything else held."""
    cost = np.full(model.nv, _BODY_POSTURE_COST)
    for body in _LEG_BODIES:
        for name in hinge_names(body):
            cost[model.joint(name).dofadr[0]] = _LEG_POSTURE_COST
    return cost


def project_contacts(model: mujoco.MjModel, qpos: np.ndarray, labels: np.ndarray, *, max_change: float) -> Projection:
    """Project a reference qpos (T, nq) onto one whose stance feet stay put (see the module docstring).

    labels: (T, 2) stance of (left, right) foot per frame. Returns the input unchanged, with a reason,
    when the result would change the pose by more than `max_change` [m] (root-aligned mean joint
    distance, worst frame).
    """
    T = qpos.shape[0]
    corners = corner_trajectories(model, qpos)  # (T, 2, 4, 3)
    offset, pivot, lock = foot_offsets(corners, labels)
    data = mujoco.MjData(model)
    foot_ids = [model.body(name).id for name in FOOT_BODIES]
    foot_pose = np.zeros((T, len(FOOT_BODIES), 7))  # wxyz quaternion, xyz
    for t in range(T):
        data.qpos[:] = qpos[t]
        mujoco.mj_kinematics(model, data)
        for f, body in enumerate(foot_ids):
            foot_pose[t, f, :4] = data.xquat[body]
            foot_pose[t, f, 4:] = data.xpos[body] + offset[t, f]
    pelvis = mink.FrameTask("pelvis", "body", position_cost=np.array(_PELVIS_POSITION_COST),
                            orientation_cost=_PELVIS_ORIENTATION_COST)
    # The pelvis keeps the previous frame's correction unless the feet need it to change: without
    # this, a foot at the end of its reach (toe-off) yanked a run's pelvis 8 cm for one frame, and
    # the reference's inverse dynamics then needed 2-4x the root force of the unprojected clip.
    steady = mink.FrameTask("pelvis", "body", position_cost=_PELVIS_STEADY_COST, orientation_cost=0.0)
    feet = [mink.FrameTask(name, "body", position_cost=_SWING_POSITION_COST,
                           orientation_cost=_SWING_ORIENTATION_COST) for name in FOOT_BODIES]
    posture = mink.PostureTask(model, cost=_posture_cost(model))
    configuration = mink.Configuration(model)
    limits = [mink.ConfigurationLimit(model)]  # built once: solve_ik would rebuild it every call
    out = qpos.copy()
    adr = model.joint("root").qposadr[0]
    coordinates = np.ones(model.nq, dtype=bool)
    coordinates[adr + 3:adr + 7] = False  # the root quaternion is not carried over (the pelvis task holds it)
    carry = np.zeros(int(coordinates.sum()))  # the previous frame's correction, to warm-start from
    pelvis_carry = np.zeros(3)  # ... and its pelvis part, which the steady task holds
    for t in range(T):
        reference = mink.SE3(np.concatenate([qpos[t, adr + 3:adr + 7], qpos[t, adr:adr + 3]]))
        pelvis.set_target(reference)
        steady.set_target(mink.SE3(np.concatenate([qpos[t, adr + 3:adr + 7], qpos[t, adr:adr + 3] + pelvis_carry])))
        posture.set_target(qpos[t])
        for f, task in enumerate(feet):
            stance = bool(labels[t, f])
            task.set_position_cost(_STANCE_POSITION_COST if stance else _SWING_POSITION_COST)
            task.set_orientation_cost(_STANCE_ORIENTATION_COST if stance else _SWING_ORIENTATION_COST)
            task.set_target(mink.SE3(foot_pose[t, f]))
        start = qpos[t].copy()
        start[coordinates] += carry
        configuration.update(start)
        for _ in range(_FIRST_ITERATIONS if t == 0 else _ITERATIONS):
            velocity = mink.solve_ik(configuration, [pelvis, steady, *feet, posture], 1.0, "daqp", damping=_DAMPING, limits=limits)
            configuration.integrate_inplace(velocity, 1.0)
        out[t] = configuration.q
        carry = out[t, coordinates] - qpos[t, coordinates]
        pelvis_carry = out[t, adr:adr + 3] - qpos[t, adr:adr + 3]
    return _bounded(model, qpos, out, pivot, lock, max_change=max_change)


def _bounded(model: mujoco.MjModel, qpos: np.ndarray, out: np.ndarray, pivot: np.ndarray,
             lock: np.ndarray, *, max_change: float) -> Projection:
    """Measure the projection and keep it only within the bounds."""
    T = qpos.shape[0]
    solved = corner_trajectories(model, out)  # (T, 2, 4, 3)
    frames = np.arange(T)[:, None]
    at_pivot = solved[frames, np.arange(solved.shape[1])[None, :], pivot]  # (T, 2, 3)
    foot_error = np.linalg.norm(at_pivot - lock, axis=-1)  # (T, 2), NaN in swing
    worst_foot = float(np.nanmax(foot_error)) if np.isfinite(foot_error).any() else 0.0
    before, after = qpos_to_joints(model, qpos), qpos_to_joints(model, out)  # (T, 22, 3)
    aligned = (after - after[:, :1]) - (before - before[:, :1])
    change = np.linalg.norm(aligned, axis=-1).mean(axis=1)  # (T,)
    adr = model.joint("root").qposadr[0]
    shift = float(np.linalg.norm(out[:, adr:adr + 2] - qpos[:, adr:adr + 2], axis=-1).mean())
    result = Projection(qpos=out, foot_error_mm=1000 * worst_foot, pose_change_mm=1000 * float(change.max()),
                        root_shift_mm=1000 * shift)
    if change.max() > max_change:
        result.qpos = qpos.copy()
        result.reason = (f"it would change the pose by {1000 * change.max():.0f} mm at frame {int(change.argmax())} "
                         f"(projection_max_change {1000 * max_change:.0f} mm)")
    return result
