"""Plausibility of a clip on the humanoid's surface, without simulating it.

`fit_clip` is the front half of `correct_motion` (humanoid fitted to the clip's skeleton, analytic
retarget, per-clip smoothing chosen from the clip's jitter); `surface_plausibility` measures the
fitted clip: penetration, floating and skating of the sole corners, and the root residual force that
inverse dynamics needs to play it (its dynamic inconsistency) as % body weight. The evaluator and the
correction's "before" numbers both come from here, so they agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from physics.config import PhysicsConfig
from physics.frames import hml_to_mj
from physics.humanoid import HumanoidGeometry, build_model, fit_geometry
from physics.jitter import estimate_jitter, resolve_smoothing
from physics.plausibility import ground_metrics, percent_body_weight
from physics.reference import corner_trajectories, prepare
from physics.retarget import joints_to_qpos
from physics.validation import check_body, check_input


@dataclass
class FittedClip:
    """A clip on its humanoid.

    Attributes:
        joints: (T, 22, 3) validated input [m], HumanML3D frame (y-up).
        joints_mj: the same in MuJoCo's frame (z-up).
        model, geometry: the humanoid built from the clip's skeleton.
        qpos: (T, nq) the retargeted clip.
        config: the options with the smoothing resolved for this clip.
        jitter: estimated per-coordinate noise [m] (`physics.jitter`).
    """

    joints: np.ndarray
    joints_mj: np.ndarray
    model: mujoco.MjModel
    geometry: HumanoidGeometry
    qpos: np.ndarray
    config: PhysicsConfig
    jitter: float


def fit_clip(joints: np.ndarray, fps: float, config: PhysicsConfig, *, sensors: bool = False) -> FittedClip:
    """Validate a clip (T, 22, 3), build its humanoid and retarget it.

    Raises:
        PhysicsError: bad input (shape, NaN, too short, fps) or a skeleton the humanoid cannot fit.
    """
    joints = check_input(joints, fps)
    jitter = estimate_jitter(joints)
    config = resolve_smoothing(config, jitter)
    joints_mj = hml_to_mj(joints)
    geometry = fit_geometry(joints_mj, mass=config.mass)
    model = build_model(geometry, timestep=config.timestep, friction=config.friction,
                        solref=(config.contact_timeconst, 1.0), sensors=sensors)
    qpos = joints_to_qpos(model, geometry, joints_mj)
    return FittedClip(joints=joints, joints_mj=joints_mj, model=model, geometry=geometry, qpos=qpos,
                      config=config, jitter=jitter)


def surface_metrics(model: mujoco.MjModel, qpos: np.ndarray) -> dict[str, float]:
    """Penetration, floating and skating [mm, mm/frame] of the humanoid's sole corners over qpos (T, nq)."""
    corners = corner_trajectories(model, qpos)  # (T, 2, 4, 3), z-up
    ground = ground_metrics(corners.reshape(corners.shape[0], -1, 3), up_axis=2)
    return {"surface_penetrate_mm": float(ground.penetrate_mm), "surface_float_mm": float(ground.float_mm),
            "surface_skate_mm": float(ground.skate_mm)}


def surface_plausibility(joints: np.ndarray, fps: float = 20.0, *, config: PhysicsConfig | None = None) -> dict[str, float]:
    """Humanoid-surface metrics of one clip (T, 22, 3) [m], y-up: surface_penetrate_mm,
    surface_float_mm, surface_skate_mm, residual_force_pct_bw and residual_force_p95_pct_bw.

    Nothing is simulated: well under a second per clip.

    Raises:
        PhysicsError: bad input, or a skeleton the humanoid cannot fit; ImplausibleInput: a body far
            from human size, collapsed frames or a teleport (`physics.validation.check_body`).
    """
    config = (config or PhysicsConfig()).validate()
    check_body(check_input(joints, fps), fps, config)
    clip = fit_clip(joints, fps, config)
    out = surface_metrics(clip.model, clip.qpos)
    ref = prepare(clip.model, clip.qpos, fps, clip.config)
    out["residual_force_pct_bw"], out["residual_force_p95_pct_bw"] = percent_body_weight(ref.tau[:, :3], clip.config.mass)
    return out
