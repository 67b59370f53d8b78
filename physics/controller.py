"""Training-free tracking controller: PD servos + contact-aware inverse-dynamics feed-forward + a
bounded residual wrench on the root (the policy-free equivalent of residual force control, RFC).

Every simulation step (dt = 1 / (fps x steps_per_frame), so the clip plays in real time):
- servo targets ctrl = q_ref(t+dt) + kv/kp v_ref(t+dt): the position actuator then applies
  kp (q_ref - q) + kv (v_ref - qdot) with kv integrated implicitly (`implicitfast`), clipped to its
  torque limit;
- joint feed-forward = the reference's inverse dynamics after contact forces (`physics.reference`),
  clipped to the same limit, applied as generalized force;
- root residual wrench = the reference's residual + PD on pelvis position and orientation, the force
  clipped to `force_budget` x body weight and the torque to `torque_budget` x m g x 0.3 m. Weak
  horizontal gains leave horizontal motion to the feet (friction), which is what removes skating;
- swing-foot clearance: a foot labelled in swing whose lowest sole corner is below a bump profile is
  lifted by its own leg's joint torques (internal, not an external force).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import mujoco
import numpy as np

from motion_loop.data import skeleton as sk
from physics.humanoid import FOOT_BODIES, foot_corner_sites
from physics.plausibility import GRAVITY
from physics.reference import DenseReference
from physics.retarget import qpos_to_joints, site_ids
from physics.runs import true_runs

_TORQUE_ARM = 0.3  # [m] lever arm that converts a force budget into a torque budget
_CLEARANCE_KP = 20000.0  # [N/m]
_CLEARANCE_KD = 400.0  # [N s/m]
_FAST_FOOT = 1.0  # [m/s] swing feet at least this fast get the full clearance


@dataclass(frozen=True)
class RootControl:
    """Root residual wrench: PD gains and bounds (fractions of body weight)."""

    horizontal: tuple[float, float]  # kp [N/m], kd [N s/m]
    vertical: tuple[float, float]
    rotation: tuple[float, float]  # kp [N m/rad], kd [N m s/rad]
    force_budget: float
    torque_budget: float


@dataclass
class SimulationResult:
    """Simulated trajectory at the clip's frames and what it cost.

    Attributes:
        qpos: (T, nq) simulated state at each frame (after a stop, the last state is repeated).
        fell: whether the clip ended fallen (a fall without a permitted reset).
        fall_frame: first frame that fell (also when a reset recovered it), or None.
        resets: number of resets to the reference.
        root_force: (K, 3) applied residual force per step [N, world].
        root_torque: (K, 3) applied residual torque per step [N m, pelvis frame].
    """

    qpos: np.ndarray
    fell: bool
    fall_frame: int | None
    resets: int
    root_force: np.ndarray
    root_torque: np.ndarray


@dataclass(frozen=True)
class RootWrench:
    """The bounded root residual wrench for reference step k and the pelvis state.

    force = tau_ref + kp (p_ref - p) + kd (v_ref - v), clipped to `force_bound` [N, world];
    torque likewise on the orientation error (quaternion difference) and the angular velocity in
    the pelvis frame, clipped to `torque_bound` [N m].
    """

    ref: DenseReference
    gains_p: np.ndarray  # (3,) [N/m]
    gains_d: np.ndarray  # (3,) [N s/m]
    rotation: tuple[float, float]  # kp [N m/rad], kd [N m s/rad]
    root_q: int
    root_v: int
    force_bound: float
    torque_bound: float

    def errors(self, k: int, root_qpos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position (3,) and orientation (3,) error of the pelvis against reference step k."""
        q = self.ref.qpos[k, self.root_q:self.root_q + 7]
        turn = np.zeros(3)
        mujoco.mju_subQuat(turn, q[3:], root_qpos[3:])
        return q[:3] - root_qpos[:3], turn

    def from_errors(self, k: int, position_error: np.ndarray, turn_error: np.ndarray,
                    root_qvel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(force (3,), torque (3,)) for reference step k given the pelvis errors and velocity (6,)."""
        v_ref = self.ref.qvel[k, self.root_v:self.root_v + 6]
        tau = self.ref.tau[k, self.root_v:self.root_v + 6]
        force = tau[:3] + self.gains_p * position_error + self.gains_d * (v_ref[:3] - root_qvel[:3])
        norm = np.linalg.norm(force)
        if norm > self.force_bound:
            force = force * (self.force_bound / norm)
        torque = tau[3:] + self.rotation[0] * turn_error + self.rotation[1] * (v_ref[3:] - root_qvel[3:])
        norm = np.linalg.norm(torque)
        if norm > self.torque_bound:
            torque = torque * (self.torque_bound / norm)
        return force, torque

    def __call__(self, k: int, root_qpos: np.ndarray, root_qvel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        position_error, turn_error = self.errors(k, root_qpos)
        return self.from_errors(k, position_error, turn_error, root_qvel)


class Planner(Protocol):
    """Adds offsets to some servo targets every step (see `physics.mpc.SamplingPlanner`)."""

    actuators: np.ndarray

    def start(self, model: mujoco.MjModel, ref: DenseReference, ctrl_ref: np.ndarray, ff_ref: np.ndarray,
              wrench: RootWrench, damping: np.ndarray) -> None: ...

    def offset(self, k: int, data: mujoco.MjData) -> np.ndarray: ...


def _swing_bump(contact: np.ndarray) -> np.ndarray:
    """Per step and foot (K, 2): sin(pi (s+1)/(n+1)) over each run of n swing steps, 0 in contact."""
    bump = np.zeros(contact.shape)
    for foot in range(contact.shape[1]):
        for start, end in true_runs(~contact[:, foot]):
            n = end - start
            bump[start:end, foot] = np.sin(np.pi * (np.arange(n) + 1) / (n + 1))
    return bump


def _leg_dofs(model: mujoco.MjModel, side: str) -> np.ndarray:
    names = [f"{side}_hip_y", f"{side}_hip_x", f"{side}_hip_z", f"{side}_knee",
             f"{side}_ankle_y", f"{side}_ankle_x", f"{side}_ankle_z"]
    return np.array([model.joint(n).dofadr[0] for n in names])


def simulate(model: mujoco.MjModel, ref: DenseReference, root: RootControl, *, mass: float,
             clearance: float, swing_friction: float, fall_distance: float, allow_reset: bool,
             max_resets: int, planner: Planner | None = None) -> SimulationResult:
    """Track `ref` from its first state; stop at a fall unless resets are allowed.

    With a `planner` (sampling MPC, `physics.mpc`), its offsets are added to the servo targets of
    the actuators it controls at every step.
    """
    model.opt.timestep = ref.dt
    data = mujoco.MjData(model)
    K, spf = ref.qpos.shape[0], ref.steps_per_frame
    T = (K - 1) // spf + 1
    act_joint = model.actuator_trnid[:, 0]
    act_q = model.jnt_qposadr[act_joint]
    act_v = model.jnt_dofadr[act_joint]
    kp = model.actuator_gainprm[:, 0]
    kv = -model.actuator_biasprm[:, 2]
    limit = model.actuator_forcerange[:, 1]
    root_q = model.joint("root").qposadr[0]
    root_v = model.joint("root").dofadr[0]
    force_bound = root.force_budget * mass * GRAVITY
    torque_bound = root.torque_budget * mass * GRAVITY * _TORQUE_ARM
    gains_p = np.array([root.horizontal[0], root.horizontal[0], root.vertical[0]])
    gains_d = np.array([root.horizontal[1], root.horizontal[1], root.vertical[1]])
    # Root damping is integrated implicitly as MuJoCo joint damping (an explicit kd at dt = 5 ms
    # chatters at the Nyquist frequency on the light pelvis); its reference part kd v_ref is added
    # explicitly, so the total is kd (v_ref - v).
    model.dof_damping[root_v:root_v + 3] = gains_d
    model.dof_damping[root_v + 3:root_v + 6] = root.rotation[1]
    damping = model.dof_damping[root_v:root_v + 6].copy()
    wrench = RootWrench(ref=ref, gains_p=gains_p, gains_d=gains_d, rotation=root.rotation, root_q=root_q,
                        root_v=root_v, force_bound=force_bound, torque_bound=torque_bound)
    ctrl_ref = ref.qpos[:, act_q] + (kv / kp) * ref.qvel[:, act_v]  # (K, nu)
    ff_ref = np.clip(ref.tau[:, act_v], -limit, limit)  # (K, nu)
    if planner is not None:
        planner.start(model, ref, ctrl_ref, ff_ref, wrench, damping)
    # Swing feet are kept above a sin bump over the swing, and above the full clearance while they
    # move fast (a fast foot grazing the floor would skate or stub its toe).
    bump = clearance * np.maximum(_swing_bump(ref.contact), np.clip(ref.foot_speed / _FAST_FOOT, 0.0, 1.0) * ~ref.contact)
    foot_sites = [site_ids(model, foot_corner_sites(foot)) for foot in FOOT_BODIES]
    leg_dofs = [_leg_dofs(model, side) for side in ("left", "right")]
    joint_sites = site_ids(model, sk.JOINT_NAMES)
    ref_joints = qpos_to_joints(model, ref.qpos[::spf])  # (T, 22, 3)
    # A foot labelled in swing that brushes the floor slides instead of stubbing its toe (which
    # otherwise leaves the leg behind and trips the walk); stance feet get the full friction.
    foot_geoms = [np.array([g for g in range(model.ngeom) if model.geom_bodyid[g] == model.body(foot).id])
                  for foot in FOOT_BODIES]
    stance_friction = model.geom_friction[foot_geoms[0][0], 0]
    jacp = np.zeros((3, model.nv))
    out = np.zeros((T, model.nq))
    forces = np.zeros((K, 3))
    torques = np.zeros((K, 3))
    fell, fall_frame, resets = False, None, 0

    def reset_to(k: int) -> None:
        data.qpos[:] = ref.qpos[k]
        data.qvel[:] = ref.qvel[k]
        data.qacc_warmstart[:] = 0
        mujoco.mj_forward(model, data)

    reset_to(0)
    out[0] = data.qpos
    last_step = K - 1
    for k in range(K - 1):
        data.ctrl[:] = ctrl_ref[k + 1]
        data.qfrc_applied[:] = 0.0
        data.qfrc_applied[act_v] = ff_ref[k]
        force, torque = wrench(k, data.qpos[root_q:root_q + 7], data.qvel[root_v:root_v + 6])
        # The bounded total minus the implicit damper's share (-kd v) is what is applied explicitly.
        data.qfrc_applied[root_v:root_v + 3] += force + damping[:3] * data.qvel[root_v:root_v + 3]
        data.qfrc_applied[root_v + 3:root_v + 6] += torque + damping[3:] * data.qvel[root_v + 3:root_v + 6]
        forces[k], torques[k] = force, torque
        for foot in range(2):
            model.geom_friction[foot_geoms[foot], 0] = stance_friction if ref.contact[k, foot] else swing_friction
        if planner is not None:
            data.ctrl[planner.actuators] += planner.offset(k, data)
        # Swing-foot clearance through the swing leg's own joints.
        for foot in range(2):
            if bump[k, foot] <= 0.0:
                continue
            heights = data.site_xpos[foot_sites[foot], 2]
            lowest = int(np.argmin(heights))
            if heights[lowest] >= bump[k, foot]:
                continue
            mujoco.mj_jacSite(model, data, jacp, None, foot_sites[foot][lowest])
            vz = float(jacp[2] @ data.qvel)
            fz = _CLEARANCE_KP * (bump[k, foot] - heights[lowest]) - _CLEARANCE_KD * min(vz, 0.0)
            data.qfrc_applied[leg_dofs[foot]] += jacp[2, leg_dofs[foot]] * fz
        mujoco.mj_step(model, data)
        if (k + 1) % spf:
            continue
        frame = (k + 1) // spf
        out[frame] = data.qpos
        sim_joints = data.site_xpos[joint_sites]
        shift = ref_joints[frame, 0] - sim_joints[0]
        shift[2] = 0.0
        error = float(np.linalg.norm(sim_joints + shift - ref_joints[frame], axis=-1).mean())
        if error > fall_distance or not np.all(np.isfinite(data.qpos)):
            fall_frame = frame if fall_frame is None else fall_frame
            if allow_reset and resets < max_resets:
                resets += 1
                reset_to(k + 1)
                out[frame] = data.qpos
                continue
            fell = True
            last_step = k + 1
            out[frame + 1:] = data.qpos
            break
    for foot in range(2):
        model.geom_friction[foot_geoms[foot], 0] = stance_friction
    return SimulationResult(qpos=out, fell=fell, fall_frame=fall_frame, resets=resets,
                            root_force=forces[:last_step], root_torque=torques[:last_step])
