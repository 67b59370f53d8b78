"""`correct_motion`: project a joint trajectory onto a physically simulated one, with strength gamma.

Pipeline: HumanML3D y-up joints -> MuJoCo z-up -> humanoid built from the clip's skeleton -> analytic
retarget (frame-0 seam checked) -> reference (re-floor, smoothing, contact labels, contact-aware ID)
-> tracking in MuJoCo in real time. The controller is a cascade: first PD + ID + a small residual
with weak horizontal root gains (feet, not the residual, move the body); if that falls, a retry with
a stiff root ("puppet") and a larger residual budget, where a reset to the reference is the last
resort. Sampling MPC (`physics.mpc`) can run before the stiff retry or instead of the first attempt.
Every fallback and reset is in the report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

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
from physics.retarget import check_seam, qpos_to_joints
from physics.validation import check_input

_TORQUE_ARM = 0.3  # [m], as in physics.controller


@dataclass
class CorrectionResult:
    """Output of `correct_motion`.

    Attributes:
        joints: (T, 22, 3) corrected joints [m], HumanML3D frame (y-up), same fps as the input.
        report: metrics and accounting (see `correct_motion`).
        qpos: (T, nq) simulated humanoid state (MuJoCo frame), None when gamma == 0.
    """

    joints: np.ndarray
    report: dict[str, Any] = field(default_factory=dict)
    qpos: np.ndarray | None = None


def _joint_ground(joints_hml: np.ndarray, suffix: str) -> dict[str, float]:
    """Skeleton-proxy penetration, floating and skating of joints (T, 22, 3), keys ending in `suffix`."""
    names = (f"penetrate_mm{suffix}", f"float_mm{suffix}", f"skate_mm{suffix}")
    return dict(zip(names, joint_ground_metrics(joints_hml), strict=True))


def _suffixed(metrics: dict[str, float], suffix: str) -> dict[str, float]:
    return {f"{key}{suffix}": value for key, value in metrics.items()}


def _cascade(model: mujoco.MjModel, ref: DenseReference, cfg: PhysicsConfig, common: dict[str, Any],
             report: dict[str, Any]) -> tuple[SimulationResult, str]:
    """Run the controllers in turn until one does not fall; return its result and name.

    base (PD + ID + small residual, weak horizontal root) -> mpc (the same plus sampling MPC over leg
    servo offsets; first instead of base with mpc="always", after a base fall with "fallback") ->
    fallback (stiff root, large residual, resets allowed). Records attempts, base_fell/base_fall_frame
    and the MPC's own counters in `report`.
    """
    base = RootControl(horizontal=cfg.horizontal_gains, vertical=cfg.vertical_gains, rotation=cfg.rotation_gains,
                       force_budget=cfg.base_force_budget, torque_budget=cfg.torque_budget)
    stages = {"off": ["base"], "fallback": ["base", "mpc"], "always": ["mpc"]}[cfg.mpc] + ["fallback"]
    for attempt, stage in enumerate(stages, start=1):
        if stage == "fallback":
            stiff = RootControl(horizontal=cfg.fallback_horizontal_gains, vertical=cfg.vertical_gains,
                                rotation=cfg.rotation_gains, force_budget=cfg.fallback_force_budget,
                                torque_budget=cfg.torque_budget)
            sim = simulate(model, ref, stiff, allow_reset=cfg.allow_reset, **common)
        elif stage == "mpc":
            planner = SamplingPlanner(model, MpcSettings(samples=cfg.mpc_samples, horizon=cfg.mpc_horizon,
                                                         replan=cfg.mpc_replan, noise=cfg.mpc_noise))
            sim = simulate(model, ref, base, allow_reset=False, planner=planner, **common)
            report.update(mpc_fell=sim.fell, mpc_fall_frame=sim.fall_frame, mpc_replans=planner.replans,
                          mpc_rollout_steps=planner.rollout_steps)
        else:
            sim = simulate(model, ref, base, allow_reset=False, **common)
            report.update(base_fell=sim.fell, base_fall_frame=sim.fall_frame)
        report["attempts"] = attempt
        if not sim.fell:
            break
    return sim, stage


def correct_motion(joints: np.ndarray, fps: float = 20.0, *, config: PhysicsConfig | None = None,
                   **options: Any) -> CorrectionResult:
    """Physically correct a motion.

    Args:
        joints: (T, 22, 3) HumanML3D joints [m], y-up, floor at height 0.
        fps: frame rate [Hz]; the simulation plays the clip in real time.
        config: base options (default `PhysicsConfig()`); keyword `options` override its fields,
            e.g. `gamma=0.5`.

    Returns:
        CorrectionResult whose report holds: fell, fall_frame, resets, controller (the cascade stage
        whose output was kept: "base", "mpc" or "fallback"; "none" when gamma == 0), attempts
        (stages run), mpjpe_mm (output vs input), mpjpe_local_mm (root-aligned),
        residual_force_pct_bw (mean applied root force / body weight, %) and its p95,
        residual_torque_pct (mean root torque / (m g 0.3 m), %), input_residual_pct_bw (the input's
        own inverse-dynamics residual, a dynamic-consistency measure), penetrate/float/skate_mm
        before and after (skeleton proxies on the joints) and surface_* (humanoid sole corners),
        seconds (wall) and cpu_seconds.

    Raises:
        PhysicsError: bad input (shape, NaN, too short, fps) or a skeleton the humanoid cannot fit.
    """
    wall0, cpu0 = time.perf_counter(), time.process_time()
    cfg = with_options(config, options)
    joints = check_input(joints, fps)
    T = joints.shape[0]
    report: dict[str, Any] = {"frames": T, "fps": float(fps), "gamma": cfg.gamma}
    if cfg.gamma == 0.0:
        report.update(_joint_ground(joints, "_before"))
        report.update(_joint_ground(joints, "_after"))
        report.update(fell=False, fall_frame=None, resets=0, attempts=0, controller="none", mpjpe_mm=0.0,
                      mpjpe_local_mm=0.0, residual_force_pct_bw=0.0, residual_force_p95_pct_bw=0.0,
                      residual_torque_pct=0.0, seconds=time.perf_counter() - wall0,
                      cpu_seconds=time.process_time() - cpu0)
        return CorrectionResult(joints=joints.copy(), report=report)

    clip = fit_clip(joints, fps, cfg, sensors=cfg.mpc != "off")
    model, qpos_in, cfg = clip.model, clip.qpos, clip.config
    report["retarget_seam_mm"] = 1000 * check_seam(model, qpos_in, clip.joints_mj)
    report["retarget_mpjpe_mm"] = mpjpe_mm(qpos_to_joints(model, qpos_in), clip.joints_mj)
    report.update(_joint_ground(joints, "_before"))
    report.update(_suffixed(surface_metrics(model, qpos_in), "_before"))
    report["jitter_mm"] = 1000 * clip.jitter
    report["smooth_sigma"] = cfg.smooth_sigma
    ref = prepare(model, qpos_in, fps, cfg)
    report["input_residual_pct_bw"], report["input_residual_p95_pct_bw"] = percent_body_weight(ref.tau[:, :3], cfg.mass)
    report["floor_shift_mm"] = 1000 * float(np.abs(ref.floor_shift).mean())
    common = dict(mass=cfg.mass, clearance=cfg.clearance, swing_friction=cfg.swing_friction, fall_distance=cfg.fall_distance,
                  max_resets=cfg.max_resets)
    sim, controller = _cascade(model, ref, cfg, common, report)
    report["controller"] = controller
    sim_mj = qpos_to_joints(model, sim.qpos)
    sim_joints = mj_to_hml(sim_mj)
    out = (1.0 - cfg.gamma) * joints + cfg.gamma * sim_joints
    force_mean, force_p95 = percent_body_weight(sim.root_force, cfg.mass)
    torque = 100 * np.linalg.norm(sim.root_torque, axis=-1) / (cfg.mass * GRAVITY * _TORQUE_ARM)
    report.update(
        fell=sim.fell, fall_frame=sim.fall_frame, resets=sim.resets,
        mpjpe_mm=mpjpe_mm(out, joints),
        mpjpe_local_mm=1000 * float(local_mpjpe(out, joints, up_axis=1).mean()),
        residual_force_pct_bw=force_mean, residual_force_p95_pct_bw=force_p95,
        residual_torque_pct=float(torque.mean()) if torque.size else 0.0,
    )
    report.update(_joint_ground(out, "_after"))
    if cfg.gamma == 1.0:  # sole corners describe the simulated humanoid, the output only at gamma = 1
        report.update(_suffixed(surface_metrics(model, sim.qpos), "_after"))
    report["seconds"] = time.perf_counter() - wall0
    report["cpu_seconds"] = time.process_time() - cpu0
    return CorrectionResult(joints=out, report=report, qpos=sim.qpos)
