from __future__ import annotations

import mujoco
import numpy as np
import pytest

from motion_loop.data import skeleton as sk
from physics.errors import PhysicsError
from physics.frames import hml_to_mj, mj_to_hml
from physics.humanoid import FOOT_BODIES, build_mjcf, build_model, fit_geometry, foot_corner_sites


def test_axes_are_a_proper_rotation() -> None:
    basis = np.eye(3)
    mapped = hml_to_mj(basis)
    assert np.isclose(np.linalg.det(mapped), 1.0)
    assert np.allclose(mj_to_hml(hml_to_mj(np.arange(6.0).reshape(2, 3))), np.arange(6.0).reshape(2, 3))
    # HumanML3D's up (+y) is MuJoCo's +z; forward (+z) is +x; left (+x) is +y.
    assert np.allclose(hml_to_mj([0.0, 1.0, 0.0]), [0, 0, 1])
    assert np.allclose(hml_to_mj([0.0, 0.0, 1.0]), [1, 0, 0])


def test_model_builds_and_simulates(standing: np.ndarray) -> None:
    joints = hml_to_mj(np.repeat(standing[None], 5, axis=0))
    geometry = fit_geometry(joints)
    model = build_model(geometry)
    assert (model.nq, model.nv, model.nu) == (47, 46, 40)
    assert np.isclose(model.body_subtreemass[model.body("pelvis").id], 70.0)
    for name in sk.JOINT_NAMES:
        model.site(name)  # every joint has a site named like it
    # Bone lengths come from the data.
    lengths = np.linalg.norm(geometry.offsets[1:], axis=-1)
    assert np.allclose(lengths, sk.bone_lengths(joints[0]), atol=1e-6)
    data = mujoco.MjData(model)
    data.qpos[2] = 1.0
    for _ in range(200):
        mujoco.mj_step(model, data)
    assert np.all(np.isfinite(data.qpos))
    # Only the floor collides with the body: contacts all involve the floor geom.
    floor = model.geom("floor").id
    assert all(floor in (c.geom1, c.geom2) for c in data.contact[: data.ncon])


def test_mjcf_is_deterministic(standing: np.ndarray) -> None:
    geometry = fit_geometry(hml_to_mj(standing[None]))
    assert build_mjcf(geometry) == build_mjcf(geometry)


def test_degenerate_skeleton_fails_clearly() -> None:
    with pytest.raises(PhysicsError, match="zero-length bones"):
        fit_geometry(np.zeros((3, 22, 3)))


def test_sensors_read_joint_sites_then_sole_corners(standing: np.ndarray) -> None:
    geometry = fit_geometry(hml_to_mj(np.repeat(standing[None], 5, axis=0)))
    plain, sensed = build_model(geometry), build_model(geometry, sensors=True)
    assert plain.nsensordata == 0 and sensed.nsensordata == 3 * (sk.NUM_JOINTS + 8)
    data = mujoco.MjData(sensed)
    data.qpos[2] = 1.0
    mujoco.mj_forward(sensed, data)
    readings = data.sensordata.reshape(-1, 3)
    assert np.allclose(readings[:sk.NUM_JOINTS], data.site_xpos[[sensed.site(n).id for n in sk.JOINT_NAMES]])
    left_corners = [sensed.site(name).id for name in foot_corner_sites(FOOT_BODIES[0])]
    assert FOOT_BODIES[0].startswith("left")
    assert np.allclose(readings[sk.NUM_JOINTS:sk.NUM_JOINTS + 4], data.site_xpos[left_corners])


def test_servo_scaling_stiffens_the_servos_only_inside_its_block(standing: np.ndarray) -> None:
    from physics.correct import _servo_gains_scaled

    model = build_model(fit_geometry(hml_to_mj(np.repeat(standing[None], 5, axis=0))))
    kp, bias = model.actuator_gainprm[:, 0].copy(), model.actuator_biasprm[:, 1:3].copy()
    limits = model.actuator_forcerange.copy()
    with pytest.raises(RuntimeError), _servo_gains_scaled(model, 2.0):
        assert np.allclose(model.actuator_gainprm[:, 0], 2.0 * kp)
        assert np.allclose(model.actuator_biasprm[:, 1:3], 2.0 * bias)  # (-kp, -kv)
        assert np.array_equal(model.actuator_forcerange, limits)  # torque limits kept
        raise RuntimeError("a simulation that fails midway")
    assert np.array_equal(model.actuator_gainprm[:, 0], kp) and np.array_equal(model.actuator_biasprm[:, 1:3], bias)
