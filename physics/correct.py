"""`correct_motion`: project a joint trajectory onto a physically simulated one, with strength gamma.

Pipeline: HumanML3D y-up joints -> MuJoCo z-up -> humanoid built from the clip's skeleton -> analytic
retarget (frame-0 seam checked) -> reference (re-floor, smoothing, contact labels, planting, the
contact projection on generated clips, steady flights, contact-aware ID)
-> tracking in MuJoCo in real time. The controller is a cascade: first PD + ID + a small residual
with weak horizontal root gains (feet, not the residual, move the body); if that falls, the same with
stiffer joint servos; if that falls too, a retry with a stiff root ("puppet") and a larger residual
budget, where a reset to the reference is the last resort. Sampling MPC (`physics.mpc`) can run before the stiff retry or instead of the first attempt.
Every fallback and reset is in the report.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mujoco
import numpy as np

from physics.assess import fit_clip, surface_metrics
from physics.config import PhysicsConfig, with_options
from physics.controller import RootControl, SimulationResult, simulate
from physics.frames import mj_to_hml
from physics.mpc import MpcSettings, SamplingPlanner
from physics.plausibility import (
    GRAVITY,
    joint_ground_metrics,
    local_mpjpe,
    mpjpe_mm,
    percent_body_weight,
)
from physics.reference import DenseReference, prepare
from physics.report import (
    FLAG_FALLBACK,
    FLAG_FELL,
    FLAG_LARGE_CHANGE,
    FLAG_RESET,
    FLAG_SKATING,
    FLAG_UNPROJECTABLE,
    CorrectionReport,
)
from physics.retarget import check_seam, qpos_to_joints
from physics.validation import check_body, check_input

if TYPE_CHECKING:
    from physics.projection import Projection

_TORQUE_ARM = 0.3  # [m], as in physics.controller


@dataclass
class CorrectionResult:
    """Output of `correct_motion`.

    Attributes:
        joints: (T, 22, 3) corrected joints [m], HumanML3D frame (y-up), same fps as the input.
        report: what was done and measured (`physics.report.CorrectionReport`).
        qpos: (T, nq) simulated humanoid state (MuJoCo frame), None when gamma == 0.
    """

    joints: np.ndarray
    report: CorrectionReport
    qpos: np.ndarray | None = None


def _joint_ground(joints_hml: np.ndarray) -> tuple[float, float, float]:
    """Skeleton-proxy penetration, floating [mm] and skating [mm/frame] of joints (T, 22, 3)."""
    penetrate, floating, skate = joint_ground_metrics(joints_hml)
    return float(penetrate), float(floating), float(skate)


def _cascade(model: mujoco.MjModel, ref: DenseReference, cfg: PhysicsConfig, common: dict[str, Any],
             report: CorrectionReport) -> tuple[SimulationResult, str]:
    """Run the controllers in turn until one does not fall; return its result and name.

    base (PD + ID + small residual, weak horizontal root) -> stiff_servos (the same with the servos'
    gains x retry_servo_gain_scale; skipped at 1) -> mpc (the same plus sampling MPC over leg
    servo offsets; first instead of base with mpc="always", after a base fall with "fallback") ->
    fallback (stiff root, large residual, resets allowed). Records attempts, base_fell/base_fall_frame
    and the MPC's own counters in `report`.
    """
    base = RootControl(horizontal=cfg.horizontal_gains, vertical=cfg.vertical_gains, rotation=cfg.rotation_gains,
                       force_budget=cfg.base_force_budget, torque_budget=cfg.torque_budget)
    stages = {"off": ["base"], "fallback": ["base", "mpc"], "always": ["mpc"]}[cfg.mpc] + ["fallback"]
    if cfg.retry_servo_gain_scale != 1.0 and stages[0] == "base":
        stages.insert(1, "stiff_servos")
    for attempt, stage in enumerate(stages, start=1):
        if stage == "fallback":
            stiff = RootControl(horizontal=cfg.fallback_horizontal_gains, vertical=cfg.vertical_gains,
                                rotation=cfg.rotation_gains, force_budget=cfg.fallback_force_budget,
                                torque_budget=cfg.torque_budget)
            sim = simulate(model, ref, stiff, allow_reset=cfg.allow_reset, **common)
        elif stage == "stiff_servos":
            with _servo_gains_scaled(model, cfg.retry_servo_gain_scale):
                sim = simulate(model, ref, base, allow_reset=False, **common)
            report.stiff_servos_fell, report.stiff_servos_fall_frame = sim.fell, sim.fall_frame
        elif stage == "mpc":
            planner = SamplingPlanner(model, MpcSettings(samples=cfg.mpc_samples, horizon=cfg.mpc_horizon,
                                                         replan=cfg.mpc_replan, noise=cfg.mpc_noise))
            sim = simulate(model, ref, base, allow_reset=False, planner=planner, **common)
            report.mpc_fell, report.mpc_fall_frame = sim.fell, sim.fall_frame
            report.mpc_replans, report.mpc_rollout_steps = planner.replans, planner.rollout_steps
        else:
            sim = simulate(model, ref, base, allow_reset=False, **common)
            report.base_fell, report.base_fall_frame = sim.fell, sim.fall_frame
        report.attempts = attempt
        if not sim.fell:
            break
    return sim, stage


@contextmanager
def _servo_gains_scaled(model: mujoco.MjModel, scale: float) -> Iterator[None]:
    """The joint servos' kp and kv times `scale` inside the block (torque limits unchanged)."""
    gain, bias = model.actuator_gainprm[:, 0].copy(), model.actuator_biasprm[:, 1:3].copy()
    model.actuator_gainprm[:, 0] = gain * scale
    model.actuator_biasprm[:, 1:3] = bias * scale  # (-kp, -kv) of MuJoCo's position actuator
    try:
        yield
    finally:
        model.actuator_gainprm[:, 0], model.actuator_biasprm[:, 1:3] = gain, bias


def _flags(report: CorrectionReport, cfg: PhysicsConfig, projection: Projection | None) -> dict[str, str]:
    """Every way the corrected output falls short of a plausible correction, code -> reason."""
    flags: dict[str, str] = {}
    if projection is not None and projection.reason is not None:
        flags[FLAG_UNPROJECTABLE] = f"the contact projection was not applied: {projection.reason}"
    elif projection is not None and projection.foot_error_mm > 1000 * cfg.projection_foot_tolerance:
        flags[FLAG_UNPROJECTABLE] = (
            f"after the contact projection a stance foot stays {projection.foot_error_mm:.0f} mm from its lock "
            f"(projection_foot_tolerance {1000 * cfg.projection_foot_tolerance:.0f} mm): the legs cannot reach it")
    if report.controller == "fallback":
        flags[FLAG_FALLBACK] = (
            f"the base controller fell at frame {report.base_fall_frame}; the stiff-root fallback kept the clip up "
            f"with {report.residual_force_pct_bw:.0f} % body weight of non-physical root force on average "
            f"(p95 {report.residual_force_p95_pct_bw:.0f} %)"
        )
    if report.resets:
        flags[FLAG_RESET] = f"reset to the reference {report.resets} times after falls"
    if report.fell:
        flags[FLAG_FELL] = f"fell at frame {report.fall_frame} even in the last controller stage"
    # The pose, not the path: pulling an over-travelled root back to its strides is the intended
    # projection and may move the body metres; changing the pose itself that much is not.
    if report.mpjpe_local_mm > 1000 * cfg.max_change:
        flags[FLAG_LARGE_CHANGE] = (
            f"changed the pose by {report.mpjpe_local_mm:.0f} mm on average, root-aligned (max_change "
            f"{1000 * cfg.max_change:.0f} mm)"
        )
    skate = report.surface_skate_mm_after
    if skate is not None and skate > cfg.max_skate_after:
        flags[FLAG_SKATING] = (
            f"the corrected soles still slide {skate:.0f} mm/frame on the floor (max_skate_after "
            f"{cfg.max_skate_after:.0f}; corrected motion capture: at most 18)"
        )
    return flags


def correct_motion(joints: np.ndarray, fps: float = 20.0, *, config: PhysicsConfig | None = None,
                   **options: Any) -> CorrectionResult:
    """Physically correct a motion.

    Args:
        joints: (T, 22, 3) HumanML3D joints [m], y-up, floor at height 0.
        fps: frame rate [Hz]; the simulation plays the clip in real time.
        config: base options (default `PhysicsConfig()`); keyword `options` override its fields,
            e.g. `gamma=0.5`.

    Returns:
        CorrectionResult whose `report` (`physics.report.CorrectionReport`) holds the cascade's
        outcome (controller, fell, resets), the distance to the input, the residual force, the
        plausibility metrics before and after, flags with reasons, and the time taken.

    Raises:
        PhysicsError: bad input (shape, NaN, too short, fps) or a skeleton the humanoid cannot fit;
            `physics.validation.ImplausibleInput` (a PhysicsError): a body far from human size,
            collapsed (all-zero) frames or a teleport.
    """
    wall0, cpu0 = time.perf_counter(), time.process_time()
    cfg = with_options(config, options)
    joints = check_input(joints, fps)
    body = check_body(joints, fps, cfg)
    T = joints.shape[0]
    report = CorrectionReport(frames=T, fps=float(fps), gamma=cfg.gamma, body_scale=body.body_scale,
                              max_root_speed=body.max_root_speed, max_joint_speed=body.max_joint_speed)
    before = _joint_ground(joints)
    report.penetrate_mm_before, report.float_mm_before, report.skate_mm_before = before
    if cfg.gamma == 0.0:
        report.penetrate_mm_after, report.float_mm_after, report.skate_mm_after = before
        report.seconds, report.cpu_seconds = time.perf_counter() - wall0, time.process_time() - cpu0
        return CorrectionResult(joints=joints.copy(), report=report)

    clip = fit_clip(joints, fps, cfg, sensors=cfg.mpc != "off")
    model, qpos_in, cfg = clip.model, clip.qpos, clip.config
    report.retarget_seam_mm = 1000 * check_seam(model, qpos_in, clip.joints_mj)
    report.retarget_mpjpe_mm = mpjpe_mm(qpos_to_joints(model, qpos_in), clip.joints_mj)
    surface = surface_metrics(model, qpos_in)
    report.surface_penetrate_mm_before = surface["surface_penetrate_mm"]
    report.surface_float_mm_before = surface["surface_float_mm"]
    report.surface_skate_mm_before = surface["surface_skate_mm"]
    report.jitter_mm = 1000 * clip.jitter
    report.smooth_sigma = cfg.smooth_sigma
    project = cfg.projects(clip.jitter)
    ref = prepare(model, qpos_in, fps, cfg, project=project, steady=cfg.steady_flights)
    changed = project or (ref.flights is not None and ref.flights.flights > 0)
    plain = prepare(model, qpos_in, fps, cfg) if changed else ref
    # The input's own dynamic inconsistency, measured on the reference before the projection and the
    # steady flights change it (as surface_plausibility does).
    report.input_residual_pct_bw, report.input_residual_p95_pct_bw = percent_body_weight(plain.tau[:, :3], cfg.mass)
    if ref.projection is not None:
        projection = ref.projection
        report.projected = projection.reason is None
        report.projection_foot_error_mm = projection.foot_error_mm
        report.projection_pose_change_mm = projection.pose_change_mm
        report.projection_root_shift_mm = projection.root_shift_mm
    if ref.flights is not None:
        report.steady_flights = ref.flights.flights
        report.steady_flight_shift_mm = ref.flights.root_shift_mm
    report.floor_shift_mm = 1000 * float(np.abs(ref.floor_shift).mean())
    common = dict(mass=cfg.mass, clearance=cfg.clearance, swing_friction=cfg.swing_friction, fall_distance=cfg.fall_distance,
                  max_resets=cfg.max_resets)
    with _servo_gains_scaled(model, cfg.servo_gain_scale):
        sim, report.controller = _cascade(model, ref, cfg, common, report)
    sim_mj = qpos_to_joints(model, sim.qpos)
    sim_joints = mj_to_hml(sim_mj)
    out = (1.0 - cfg.gamma) * joints + cfg.gamma * sim_joints
    report.residual_force_pct_bw, report.residual_force_p95_pct_bw = percent_body_weight(sim.root_force, cfg.mass)
    torque = 100 * np.linalg.norm(sim.root_torque, axis=-1) / (cfg.mass * GRAVITY * _TORQUE_ARM)
    report.fell, report.fall_frame, report.resets = sim.fell, sim.fall_frame, sim.resets
    report.mpjpe_mm = mpjpe_mm(out, joints)
    report.mpjpe_local_mm = 1000 * float(local_mpjpe(out, joints, up_axis=1).mean())
    report.residual_torque_pct = float(torque.mean()) if torque.size else 0.0
    report.penetrate_mm_after, report.float_mm_after, report.skate_mm_after = _joint_ground(out)
    if cfg.gamma == 1.0:  # sole corners describe the simulated humanoid, the output only at gamma = 1
        surface = surface_metrics(model, sim.qpos)
        report.surface_penetrate_mm_after = surface["surface_penetrate_mm"]
        report.surface_float_mm_after = surface["surface_float_mm"]
        report.surface_skate_mm_after = surface["surface_skate_mm"]
    report.flags = _flags(report, cfg, ref.projection)
    report.seconds, report.cpu_seconds = time.perf_counter() - wall0, time.process_time() - cpu0
    return CorrectionResult(joints=out, report=report, qpos=sim.qpos)
