"""Sampling MPC (physics.mpc): consistency of its rollouts with the simulation, and the cascade."""

from __future__ import annotations

import numpy as np
import pytest

from physics import PhysicsError, correct_motion
from physics.config import with_options
from physics.controller import RootControl, simulate
from physics.frames import hml_to_mj
from physics.humanoid import build_model, fit_geometry
from physics.mpc import LEG_HINGES, MpcSettings, SamplingPlanner
from physics.reference import prepare
from physics.retarget import joints_to_qpos, qpos_to_joints


def _setup(joints: np.ndarray, *, sensors: bool = True):
    config = with_options(None, {"smooth_sigma": 0.0})
    joints_mj = hml_to_mj(joints)
    geometry = fit_geometry(joints_mj)
    model = build_model(geometry, sensors=sensors)
    ref = prepare(model, joints_to_qpos(model, geometry, joints_mj), 20.0, config)
    base = RootControl(horizontal=config.horizontal_gains, vertical=config.vertical_gains,
                       rotation=config.rotation_gains, force_budget=config.base_force_budget,
                       torque_budget=config.torque_budget)
    common = dict(mass=config.mass, clearance=config.clearance, swing_friction=config.swing_friction,
                  fall_distance=config.fall_distance, max_resets=0, allow_reset=False)
    return model, ref, base, common


class _Recording(SamplingPlanner):
    """Keeps the predicted joints of candidate 0 of every plan."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.predicted: dict[int, np.ndarray] = {}

    def _cost(self, k, sensors, offsets):
        self.predicted[k] = sensors[0].reshape(sensors.shape[1], -1, 3)[:, :22].copy()
        return super()._cost(k, sensors, offsets)


def test_rollouts_predict_the_simulation(reference_clips) -> None:
    joints = reference_clips["000000"][0][:40]
    model, ref, base, common = _setup(joints)
    planner = _Recording(model, MpcSettings(samples=4, horizon=0.1, replan=0.05, noise=1e-12))
    sim = simulate(model, ref, base, planner=planner, **common)
    frames = qpos_to_joints(model, sim.qpos)  # (T, 22, 3)
    errors = [np.linalg.norm(predicted[10] - frames[(k + 10) // ref.steps_per_frame], axis=-1).mean()
              for k, predicted in planner.predicted.items() if (k + 10) // ref.steps_per_frame < len(frames)]
    # 50 ms ahead, open loop, the prediction is within a few mm of what the simulation then did.
    assert len(errors) > 10 and np.median(errors) < 0.003


def test_zero_noise_planner_reproduces_the_base_controller(reference_clips) -> None:
    joints = reference_clips["000000"][0][:40]
    plain = correct_motion(joints, 20.0)
    planned = correct_motion(joints, 20.0, mpc="always", mpc_samples=3, mpc_horizon=0.1, mpc_replan=0.05,
                             mpc_noise=1e-12)
    assert planned.report.controller == "mpc" and planned.report.mpc_replans > 0
    assert np.abs(planned.joints - plain.joints).max() < 1e-6


def test_planner_sometimes_beats_the_zero_plan(reference_clips) -> None:
    joints = reference_clips["000000"][0][:40]
    model, ref, base, common = _setup(joints)

    class Costs(SamplingPlanner):
        beaten = 0

        def _cost(self, k, sensors, offsets):
            cost = super()._cost(k, sensors, offsets)
            self.beaten += int(cost.min() < cost[1])  # candidate 1 is the zero plan
            return cost

    planner = Costs(model, MpcSettings(samples=8, horizon=0.1, replan=0.05, noise=0.05))
    simulate(model, ref, base, planner=planner, **common)
    assert planner.beaten > 0


def test_executed_offsets_follow_the_cheapest_plan(reference_clips) -> None:
    """With a cost that rewards bending the left knee, the executed offsets must bend it."""
    joints = reference_clips["000000"][0][:40]
    model, ref, base, common = _setup(joints)
    knee = LEG_HINGES.index("left_knee")

    class KneeLover(SamplingPlanner):
        executed: list[np.ndarray] = []

        def _cost(self, k, sensors, offsets):
            return -offsets[..., knee].mean(axis=-1)

        def offset(self, k, data):
            value = super().offset(k, data)
            self.executed.append(value)
            return value

    planner = KneeLover(model, MpcSettings(samples=8, horizon=0.1, replan=0.05, noise=0.05))
    simulate(model, ref, base, planner=planner, **common)
    executed = np.array(planner.executed)  # (steps, 14)
    assert executed[-1, knee] > 0.2  # kept and extended from plan to plan
    others = np.delete(executed[-1], knee)
    assert np.abs(others).max() < executed[-1, knee]


def test_fallback_mode_runs_mpc_after_a_base_fall(reference_clips) -> None:
    joints = reference_clips["000000"][0][:60]
    report = correct_motion(joints, 20.0, mpc="fallback", base_force_budget=0.0, torque_budget=0.0,
                            mpc_samples=4, mpc_horizon=0.1, mpc_replan=0.05).report
    assert report.base_fell  # no residual at all: the walk falls
    assert report.mpc_replans > 0 and report.attempts >= 2
    assert report.controller in ("mpc", "fallback")
    assert report.controller == "mpc" or report.mpc_fell


def test_planner_needs_sensors(reference_clips) -> None:
    model, *_ = _setup(reference_clips["000000"][0][:20], sensors=False)
    with pytest.raises(PhysicsError, match="sensors=True"):
        SamplingPlanner(model, MpcSettings())


@pytest.mark.parametrize(("options", "message"), [({"mpc": "sometimes"}, "mpc must be one of"),
                                                  ({"mpc_samples": 1}, "mpc_samples"),
                                                  ({"mpc_horizon": 0.0}, "mpc_horizon")])
def test_bad_mpc_options_fail_clearly(standing: np.ndarray, options: dict, message: str) -> None:
    with pytest.raises(PhysicsError, match=message):
        correct_motion(np.repeat(standing[None], 10, axis=0), 20.0, **options)
