from __future__ import annotations

import mujoco
import numpy as np
import pytest

from physics.errors import PhysicsError
from physics.frames import hml_to_mj
from physics.humanoid import build_model, fit_geometry
from physics.retarget import check_seam, joints_to_qpos, qpos_to_joints


def _random_motion(model: mujoco.MjModel, rng: np.random.Generator, frames: int) -> np.ndarray:
    """Smooth random qpos (frames, nq) inside the joint ranges, knees and elbows clearly bent."""
    qpos = np.tile(model.qpos0, (frames, 1))
    qpos[:, 2] = 1.0
    t = np.linspace(0, 1, frames)[:, None]
    for j in range(1, model.njnt):
        adr = model.jnt_qposadr[j]
        lo, hi = model.jnt_range[j] if model.jnt_limited[j] else (-1.0, 1.0)
        name = model.joint(j).name
        if name.endswith(("knee", "elbow")):
            lo = max(lo, 0.6)
        mid, span = 0.5 * (lo + hi), 0.3 * (hi - lo)
        qpos[:, adr] = mid + span * np.sin(2 * np.pi * (rng.uniform(0.3, 1.0) * t[:, 0] + rng.uniform()))
    yaw = 2.0 * t[:, 0]
    qpos[:, 3:7] = np.stack([np.cos(yaw / 2), 0 * yaw, 0 * yaw, np.sin(yaw / 2)], axis=-1)
    return qpos


def test_round_trip_on_random_poses(standing: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    geometry = fit_geometry(hml_to_mj(standing[None]))
    model = build_model(geometry)
    joints = qpos_to_joints(model, _random_motion(model, rng, 40))
    qpos = joints_to_qpos(model, geometry, joints)
    error = np.linalg.norm(qpos_to_joints(model, qpos) - joints, axis=-1)
    assert error.mean() < 1e-3 and error.max() < 5e-3


def test_round_trip_on_reference_sample(reference_clips) -> None:
    joints = hml_to_mj(reference_clips["012314"][0])
    geometry = fit_geometry(joints)
    model = build_model(geometry)
    qpos = joints_to_qpos(model, geometry, joints)
    error = np.linalg.norm(qpos_to_joints(model, qpos) - joints, axis=-1)
    assert error.mean() < 1e-3  # 1 mm
    assert check_seam(model, qpos, joints) < 1e-3
    # Continuity: no Euler branch or twist flips between frames (legs, spine, neck). The upper-arm
    # twist may turn by up to 180 deg where the elbow passes through straight (unobservable there).
    legs_and_spine = [model.jnt_qposadr[j] for j in range(1, model.njnt)
                      if not model.joint(j).name.startswith(("left_shoulder", "right_shoulder"))]
    assert np.abs(np.diff(qpos[:, legs_and_spine], axis=0)).max() < 1.0


def test_seam_check_names_the_cause(standing: np.ndarray) -> None:
    joints = hml_to_mj(np.repeat(standing[None], 3, axis=0))
    geometry = fit_geometry(joints)
    model = build_model(geometry)
    qpos = joints_to_qpos(model, geometry, joints)
    with pytest.raises(PhysicsError, match="skeleton"):
        check_seam(model, qpos, joints * 100.0)  # centimetres instead of metres
