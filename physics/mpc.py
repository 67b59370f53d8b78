"""Sampling model-predictive control (predictive sampling, as in MuJoCo MPC) over leg servo offsets.

On top of the base controller (`physics.controller`), every `replan` seconds the planner rolls out
`samples` candidate plans of the next `horizon` seconds from the current simulation state with
`mujoco.rollout` (batched, in C) and keeps the cheapest. A plan is a piecewise-linear spline of
offsets to the 14 leg servo targets (hips, knees, ankles) through `knots` points; candidate 0 is the
previous best plan shifted in time, the others add Gaussian noise to it. Sampling only the legs is
what made the prototype study's MPC work (the full 40-D space did not): the legs are what place the
feet and keep balance.

Rollouts are open loop, so the root residual wrench in them is the base controller's with the
pelvis errors of the planning moment held fixed (its damping stays closed loop, being MuJoCo joint
damping); swing-foot clearance is left out of them. The executed step uses the full closed-loop
controller.

Cost of a rollout, summed over its steps (sensor positions, world frame [m]):
- pose: mean squared error of the 22 joints relative to the pelvis against the reference;
- height: squared pelvis height error; travel: squared horizontal pelvis error (weighted low: the
  feet, not the reference root, should decide where the body goes);
- slip: squared horizontal speed of sole corners on the floor (< 2 cm) of feet the reference labels
  in contact, which is skating;
- offset: mean squared servo offset, which keeps plans from drifting away from the reference
  from one re-plan to the next (candidate 1 is always the zero plan, i.e. the base controller);
- a rollout that diverges (NaN) costs infinity.
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np
from mujoco import rollout

from motion_loop.data import skeleton as sk
from physics.controller import RootWrench
from physics.errors import PhysicsError
from physics.humanoid import FOOT_BODIES, sensor_sites
from physics.reference import DenseReference
from physics.retarget import qpos_to_sites, site_ids

LEG_HINGES = tuple(f"{side}_{name}" for side in ("left", "right")
                   for name in ("hip_y", "hip_x", "hip_z", "knee", "ankle_y", "ankle_x", "ankle_z"))
_FLOOR_CORNER = 0.02  # [m] a sole corner below this is on the floor (for the slip cost)
_MAX_OFFSET = 0.6  # [rad] bound on any servo offset


@dataclass(frozen=True)
class MpcSettings:
    """Predictive-sampling settings and cost weights (see the module docstring)."""

    samples: int = 16
    horizon: float = 0.2  # [s]
    replan: float = 0.05  # [s]
    knots: int = 3
    noise: float = 0.05  # [rad] standard deviation of the offset noise at each knot
    pose_weight: float = 1.0
    height_weight: float = 1.0
    travel_weight: float = 0.05
    slip_weight: float = 0.03  # per (m/s)^2
    offset_weight: float = 0.05  # per rad^2 of mean squared servo offset
    seed: int = 0


class SamplingPlanner:
    """Predictive-sampling MPC; plugs into `physics.controller.simulate(planner=...)`.

    Attributes:
        actuators: indices of the leg actuators whose targets it offsets.
        replans: number of plans made; rollout_steps: simulation steps spent in rollouts.
    """

    def __init__(self, model: mujoco.MjModel, settings: MpcSettings) -> None:
        if model.nsensordata != 3 * len(sensor_sites()):
            raise PhysicsError("sampling MPC needs the humanoid built with sensors=True (physics.humanoid.build_mjcf)")
        self.settings = settings
        self.actuators = np.array([model.actuator(name).id for name in LEG_HINGES])
        self._rng = np.random.default_rng(settings.seed)
        self.replans = 0
        self.rollout_steps = 0

    def start(self, model: mujoco.MjModel, ref: DenseReference, ctrl_ref: np.ndarray, ff_ref: np.ndarray,
              wrench: RootWrench, damping: np.ndarray) -> None:
        """Bind to one simulation of `ref` (called by `simulate` before its first step)."""
        s = self.settings
        self._model, self._ref, self._wrench, self._damping = model, ref, wrench, damping
        self._ctrl_ref, self._ff_ref = ctrl_ref, ff_ref
        self._dt = ref.dt
        self._horizon = max(2, int(round(s.horizon / ref.dt)))
        self._replan = max(1, int(round(s.replan / ref.dt)))
        self._knot_steps = np.linspace(0.0, self._horizon, s.knots)
        self._knots = np.zeros((s.knots, len(self.actuators)))  # (knots, 14) current best plan
        self._plan_step = 0  # step at which the current plan starts
        self._act_v = model.jnt_dofadr[model.actuator_trnid[:, 0]]
        self._data = mujoco.MjData(model)
        self._spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
        self._state = np.zeros(mujoco.mj_stateSize(model, self._spec))
        self._control_spec = mujoco.mjtState.mjSTATE_CTRL | mujoco.mjtState.mjSTATE_QFRC_APPLIED
        # Reference joints at every step (K, 22, 3), for the pose cost.
        joints = site_ids(model, sk.JOINT_NAMES)
        self._ref_joints = qpos_to_sites(model, ref.qpos, joints)

    def _spline(self, knots: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """Offsets (..., len(steps), 14) of plans `knots` (..., knots, 14) at steps after the plan start."""
        t = np.clip(steps, 0.0, self._knot_steps[-1])
        hi = np.clip(np.searchsorted(self._knot_steps, t, side="right"), 1, len(self._knot_steps) - 1)
        lo = hi - 1
        w = ((t - self._knot_steps[lo]) / (self._knot_steps[hi] - self._knot_steps[lo]))[:, None]
        return knots[..., lo, :] * (1.0 - w) + knots[..., hi, :] * w

    def offset(self, k: int, data: mujoco.MjData) -> np.ndarray:
        """Servo offsets (14,) [rad] for step k; re-plans from `data` every `replan` seconds."""
        if k % self._replan == 0:
            self._plan(k, data)
        return self._spline(self._knots, np.array([k - self._plan_step], dtype=float))[0]

    def _controls(self, k: int, data: mujoco.MjData, offsets: np.ndarray) -> np.ndarray:
        """Open-loop controls (N, H, nu + nv) from step k under servo offsets (N, H, 14)."""
        model, H, K = self._model, self._horizon, self._ref.qpos.shape[0]
        steps = np.minimum(k + np.arange(H), K - 2)
        root_q, root_v = self._wrench.root_q, self._wrench.root_v
        qvel_root = data.qvel[root_v:root_v + 6].copy()
        position_error, turn_error = self._wrench.errors(k, data.qpos[root_q:root_q + 7])
        qfrc = np.zeros((H, model.nv))
        qfrc[:, self._act_v] = self._ff_ref[steps]
        for j, step in enumerate(steps):
            force, torque = self._wrench.from_errors(int(step), position_error, turn_error, qvel_root)
            qfrc[j, root_v:root_v + 3] = force + self._damping[:3] * qvel_root[:3]
            qfrc[j, root_v + 3:root_v + 6] = torque + self._damping[3:] * qvel_root[3:]
        ctrl = np.broadcast_to(self._ctrl_ref[steps + 1], (len(offsets), H, model.nu)).copy()
        ctrl[..., self.actuators] += offsets
        return np.concatenate([ctrl, np.broadcast_to(qfrc, (len(offsets), H, model.nv))], axis=-1)

    def _cost(self, k: int, sensors: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Cost (N,) of rollouts whose sensor readings are (N, H, 3 * 30) under offsets (N, H, 14).

        MuJoCo evaluates sensors in the forward pass at the start of a step, so reading j is the
        state at step k + j.
        """
        s, H, K = self.settings, self._horizon, self._ref.qpos.shape[0]
        n_joints = sk.NUM_JOINTS
        readings = sensors.reshape(sensors.shape[0], H, -1, 3)  # sites in physics.humanoid.sensor_sites order
        joints, corners = readings[:, :, :n_joints], readings[:, :, n_joints:]
        steps = np.minimum(k + np.arange(H), K - 1)
        target = self._ref_joints[steps]  # (H, 22, 3)
        relative = (joints - joints[:, :, :1]) - (target - target[:, :1])[None]
        pose = (relative ** 2).sum(-1).mean(-1)  # (N, H)
        pelvis = joints[:, :, 0] - target[None, :, 0]
        height = pelvis[..., 2] ** 2
        travel = (pelvis[..., :2] ** 2).sum(-1)
        corners = corners.reshape(corners.shape[0], H, len(FOOT_BODIES), -1, 3)
        velocity = np.diff(corners[..., :2], axis=1) / self._dt  # (N, H-1, 2, 4, 2)
        on_floor = (corners[:, 1:, ..., 2] < _FLOOR_CORNER) & self._ref.contact[steps[1:]][None, :, :, None]
        slip = ((velocity ** 2).sum(-1) * on_floor).sum((-1, -2))  # (N, H-1)
        effort = (offsets ** 2).mean(-1)  # (N, H)
        total = (s.pose_weight * pose + s.height_weight * height + s.travel_weight * travel
                 + s.offset_weight * effort).sum(-1) + s.slip_weight * slip.sum(-1)
        return np.where(np.isfinite(total), total, np.inf)

    def _plan(self, k: int, data: mujoco.MjData) -> None:
        s = self.settings
        # Candidate 0: the current plan shifted to start now; the rest perturb it.
        nominal = self._spline(self._knots, self._knot_steps + (k - self._plan_step))
        noise = self._rng.normal(0.0, s.noise, size=(s.samples - 2, *nominal.shape))
        plans = np.concatenate([nominal[None], np.zeros_like(nominal)[None], nominal[None] + noise])
        plans = np.clip(plans, -_MAX_OFFSET, _MAX_OFFSET)
        mujoco.mj_getState(self._model, data, self._state, self._spec)
        offsets = self._spline(plans, np.arange(self._horizon, dtype=float))  # (N, H, 14)
        controls = self._controls(k, data, offsets)
        _, sensors = rollout.rollout(self._model, self._data, self._state[None], controls,
                                     control_spec=self._control_spec, initial_warmstart=data.qacc_warmstart[None])
        cost = self._cost(k, sensors, offsets)
        best = int(np.argmin(cost))
        self._knots = plans[best] if np.isfinite(cost[best]) else np.zeros_like(nominal)
        self._plan_step = k
        self.replans += 1
        self.rollout_steps += s.samples * self._horizon
