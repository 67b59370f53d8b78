"""Analytic retargeting of 22 joint positions to the humanoid's qpos, and forward kinematics back.

Everything here is in MuJoCo's frame (z-up, metres; convert with `physics.frames`). Body rotations are
built from bone directions:
- pelvis and chest from their rigid joint triangles;
- spine1/spine2: exact bone axis, twist interpolated between pelvis and chest (1/3, 2/3);
- thighs and upper arms: exact bone axis, twist from the plane of the limb (the knee/elbow hinge axis
  is its normal); in near-straight frames that axis is blended with the previous frame's, so slight
  hyperextension does not flip the twist by 180 deg;
- shins/forearms: the parent rotated about the hinge axis by the signed limb angle;
- feet, neck and collars: minimal swing from the parent.
Local rotations are decomposed into each joint's intrinsic Euler angles, picking per frame the
equivalent Tait-Bryan solution (and 2 pi branch) nearest the previous frame.
"""

from __future__ import annotations

import math

import mujoco
import numpy as np
from scipy.spatial.transform import Rotation

from motion_loop.data import skeleton as sk
from physics.errors import PhysicsError
from physics.humanoid import (
    BODY_PARENT,
    EULER_ORDER,
    HINGE_AXIS,
    HumanoidGeometry,
    chest_frame,
    hinge_names,
    pelvis_frame,
)

# Below this sin(limb angle) the hinge axis of a knee/elbow is blended with the previous frame's.
_STRAIGHT_SIN = np.sin(np.deg2rad(25.0))
# A retargeted frame 0 further than this from the input means the skeleton does not match [m].
_SEAM_TOLERANCE = 0.05
# Largest roll applied to level a sole [rad].
_MAX_ROLL = np.deg2rad(45.0)

_J = sk.JOINT_NAMES.index


def _normalize(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _swing(rot: np.ndarray, rest_dir: np.ndarray, target_dir: np.ndarray) -> np.ndarray:
    """Minimal rotation of frames rot (T,3,3) so that rot @ rest_dir points along target_dir (T,3)."""
    current = rot @ rest_dir  # (T, 3)
    delta = Rotation.from_quat(sk.quaternion_between(current, _normalize(target_dir))).as_matrix()
    return delta @ rot


def _limb_frames(bone: np.ndarray, child: np.ndarray, fallback_axis: np.ndarray, bone_axis: int,
                 bone_sign: float, hinge_col: int, hinge_sign: float) -> tuple[np.ndarray, np.ndarray]:
    """Frames (T,3,3) of an upper limb segment and its hinge angles (T,) [rad].

    The hinge axis h = normalize(bone x child) makes the rotation from bone to child positive; the frame
    has column `bone_axis` = bone_sign * bone and column `hinge_col` = hinge_sign * h.
    """
    T = bone.shape[0]
    u, s = _normalize(bone), _normalize(child)
    cross = np.cross(u, s)
    sin = np.linalg.norm(cross, axis=-1)
    axes = np.zeros((T, 3))
    previous = fallback_axis[0]
    for t in range(T):
        now = cross[t] / sin[t] if sin[t] > 1e-9 else previous
        w = min(sin[t] / _STRAIGHT_SIN, 1.0)
        reference = previous if t > 0 else fallback_axis[0]
        if w < 1.0:
            now = w * now + (1.0 - w) * reference
        now = now - np.dot(now, u[t]) * u[t]
        norm = np.linalg.norm(now)
        if norm < 1e-9:  # the blended axis is parallel to the bone: keep the fallback's direction
            now = fallback_axis[t] - np.dot(fallback_axis[t], u[t]) * u[t]
            norm = np.linalg.norm(now)
        axes[t] = now / norm
        previous = axes[t]
    angle = np.arctan2((cross * axes).sum(-1), (u * s).sum(-1))
    cols: list[np.ndarray] = [np.empty(0)] * 3
    cols[bone_axis] = bone_sign * u
    cols[hinge_col] = hinge_sign * axes
    third = 3 - bone_axis - hinge_col
    # Right-handed: x = y cross z, y = z cross x, z = x cross y.
    a, b = (third + 1) % 3, (third + 2) % 3
    cols[third] = np.cross(cols[a], cols[b])
    return np.stack(cols, axis=-1), angle


def body_rotations(joints_mj: np.ndarray, geometry: HumanoidGeometry) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """World rotations (T,3,3) of every body and the single-hinge angles (T,) from joints (T,22,3)."""
    P = joints_mj
    off = geometry.offsets
    R: dict[str, np.ndarray] = {"pelvis": pelvis_frame(P), "spine3": chest_frame(P)}
    angles: dict[str, np.ndarray] = {}
    up = np.array([0.0, 0.0, 1.0])
    # Spine: twist interpolated between pelvis and chest, then the exact bone axis.
    for body, child, fraction in (("spine1", "spine2", 1 / 3), ("spine2", "spine3", 2 / 3)):
        relative = Rotation.from_matrix(np.einsum("tji,tjk->tik", R["pelvis"], R["spine3"])).as_rotvec()
        interp = R["pelvis"] @ Rotation.from_rotvec(fraction * relative).as_matrix()
        R[body] = _swing(interp, up, P[:, _J(child)] - P[:, _J(body)])
    R["neck"] = _swing(R["spine3"], up, P[:, _J("head")] - P[:, _J("neck")])
    for side, sign in (("left", 1.0), ("right", -1.0)):
        lateral = np.array([0.0, sign, 0.0])
        collar, shoulder, elbow, wrist = (f"{side}_{n}" for n in ("collar", "shoulder", "elbow", "wrist"))
        R[collar] = _swing(R["spine3"], lateral, P[:, _J(shoulder)] - P[:, _J(collar)])
        # Elbow hinge axis is -z (left) / +z (right) of the upper arm; fallback: the collar's.
        hinge_sign = -1.0 if side == "left" else 1.0
        fallback = hinge_sign * R[collar][:, :, 2]
        R[shoulder], angles[elbow] = _limb_frames(
            P[:, _J(elbow)] - P[:, _J(shoulder)], P[:, _J(wrist)] - P[:, _J(elbow)], fallback,
            bone_axis=1, bone_sign=sign, hinge_col=2, hinge_sign=hinge_sign)
        R[elbow] = R[shoulder] @ _axis_rotation(np.array([0.0, 0.0, hinge_sign]), angles[elbow])
        hip, knee, ankle, toe = (f"{side}_{n}" for n in ("hip", "knee", "ankle", "foot"))
        # Knee hinge axis is +y of the thigh; fallback: foot direction x thigh direction.
        thigh = P[:, _J(knee)] - P[:, _J(hip)]
        fallback = _normalize(np.cross(P[:, _J(toe)] - P[:, _J(ankle)], thigh))
        R[hip], angles[knee] = _limb_frames(
            thigh, P[:, _J(ankle)] - P[:, _J(knee)], fallback,
            bone_axis=2, bone_sign=-1.0, hinge_col=1, hinge_sign=1.0)
        R[knee] = R[hip] @ _axis_rotation(np.array([0.0, 1.0, 0.0]), angles[knee])
        R[ankle] = _level_sole(_normalize(off[_J(toe)]), P[:, _J(toe)] - P[:, _J(ankle)], R[knee])
    return R, angles


def _level_sole(rest_dir: np.ndarray, foot: np.ndarray, shin: np.ndarray) -> np.ndarray:
    """Foot frames (T,3,3) along the foot bone, rolled about it towards a level sole.

    The roll of the foot about its bone is not observable from two joints. A minimal swing from the
    shin can stand a planted foot on an edge, so the swing is rolled by the angle that makes the
    sole's lateral axis horizontal, limited to +-_MAX_ROLL and faded out as the foot turns vertical
    (where "level" is undefined); both are continuous in time, so no flips.
    """
    d = _normalize(foot)  # (T, 3)
    swing = _swing(shin, rest_dir, foot)
    y = swing[:, :, 1]
    dy = np.cross(d, y)
    # Rotating y about d by phi gives y cos(phi) + (d x y) sin(phi); its height vanishes at
    # tan(phi) = -y_z / (d x y)_z; the principal solution is the small roll.
    weight = np.clip(np.abs(dy[:, 2]), 0.0, 1.0) ** 2
    phi = np.arctan(-y[:, 2] / np.where(np.abs(dy[:, 2]) > 1e-6, dy[:, 2], 1e-6))
    phi = weight * np.clip(phi, -_MAX_ROLL, _MAX_ROLL)
    roll = Rotation.from_rotvec(phi[:, None] * d).as_matrix()
    return roll @ swing


def _axis_rotation(axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return Rotation.from_rotvec(angle[:, None] * axis[None]).as_matrix()


def _continuous_euler(local: np.ndarray, order: str) -> np.ndarray:
    """Intrinsic Euler angles (T,3) of local rotations (T,3,3), continuous over frames."""
    first = Rotation.from_matrix(local).as_euler(order.upper())  # middle angle in [-pi/2, pi/2]
    second = np.stack([first[:, 0] + np.pi, np.pi - first[:, 1], first[:, 2] + np.pi], axis=-1)
    two_pi = 2 * math.pi
    firsts, seconds = first.tolist(), second.tolist()
    # Frame 0: the solution nearest the rest pose, wrapped to (-pi, pi].
    wrapped = [[(a + math.pi) % two_pi - math.pi for a in cand] for cand in (firsts[0], seconds[0])]
    chosen = [min(wrapped, key=lambda c: sum(a * a for a in c))]
    for t in range(1, len(firsts)):
        prev = chosen[-1]
        best: list[float] = []
        best_cost = math.inf
        for cand in (firsts[t], seconds[t]):
            moved = [a + two_pi * round((p - a) / two_pi) for a, p in zip(cand, prev, strict=True)]
            cost = sum((a - p) ** 2 for a, p in zip(moved, prev, strict=True))
            if cost < best_cost:
                best, best_cost = moved, cost
        chosen.append(best)
    return np.array(chosen)


def joints_to_qpos(model: mujoco.MjModel, geometry: HumanoidGeometry, joints_mj: np.ndarray) -> np.ndarray:
    """Analytic retarget of joints (T,22,3) [m, MuJoCo frame] to qpos (T, nq)."""
    T = joints_mj.shape[0]
    R, angles = body_rotations(joints_mj, geometry)
    qpos = np.zeros((T, model.nq))
    root = model.joint("root").qposadr[0]
    qpos[:, root:root + 3] = joints_mj[:, 0]
    qpos[:, root + 3:root + 7] = Rotation.from_matrix(R["pelvis"]).as_quat(scalar_first=True)
    for body, parent in BODY_PARENT.items():
        if parent is None:
            continue
        names = hinge_names(body)
        if body in HINGE_AXIS:
            values = angles[body][:, None]
        else:
            local = np.einsum("tji,tjk->tik", R[parent], R[body])
            values = _continuous_euler(local, EULER_ORDER[body])
        for k, name in enumerate(names):
            qpos[:, model.joint(name).qposadr[0]] = values[:, k]
    return qpos


def site_ids(model: mujoco.MjModel, names: tuple[str, ...] | list[str]) -> np.ndarray:
    return np.array([model.site(n).id for n in names])


def qpos_to_sites(model: mujoco.MjModel, qpos: np.ndarray, sites: np.ndarray, data: mujoco.MjData | None = None) -> np.ndarray:
    """World positions (T, S, 3) of sites for each qpos (T, nq), by forward kinematics."""
    data = mujoco.MjData(model) if data is None else data
    out = np.zeros((qpos.shape[0], len(sites), 3))
    for t in range(qpos.shape[0]):
        data.qpos[:] = qpos[t]
        mujoco.mj_kinematics(model, data)
        out[t] = data.site_xpos[sites]
    return out


def qpos_to_joints(model: mujoco.MjModel, qpos: np.ndarray, data: mujoco.MjData | None = None) -> np.ndarray:
    """Forward kinematics qpos (T, nq) -> the 22 joint positions (T,22,3) [m, MuJoCo frame]."""
    return qpos_to_sites(model, qpos, site_ids(model, sk.JOINT_NAMES), data)


def check_seam(model: mujoco.MjModel, qpos: np.ndarray, joints_mj: np.ndarray) -> float:
    """Frame-0 retargeting error [m]; raise when the humanoid clearly does not fit the skeleton."""
    error = float(np.linalg.norm(qpos_to_joints(model, qpos[:1])[0] - joints_mj[0], axis=-1).mean())
    if error > _SEAM_TOLERANCE:
        raise PhysicsError(
            f"frame-0 retargeting error is {error * 1000:.0f} mm (expected < {_SEAM_TOLERANCE * 1000:.0f} mm): "
            "the joints do not match the humanoid's skeleton (wrong joint order, units not metres, or "
            "axes not HumanML3D y-up?)"
        )
    return error
