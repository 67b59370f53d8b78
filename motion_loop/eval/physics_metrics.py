"""Humanoid-surface plausibility from the optional `physics` package (MuJoCo humanoid).

For one clip: the humanoid is fitted to the clip's skeleton, the joints are retargeted to its qpos,
and on its collision surface (sole-box corners) penetration, floating and skating are measured; the
inverse-dynamics root residual force needed to play the clip (the input's own dynamic inconsistency)
is reported as % of body weight (mean and p95). Nothing is simulated, so it costs well under a
second per clip.

The `physics` package is optional: `physics_available()` says whether every module used here can be
imported, and why not; the evaluation then reports these metrics as "not available" with that reason.
"""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np

_REQUIRED_MODULES = (
    "mujoco",
    "physics.config",
    "physics.frames",
    "physics.humanoid",
    "physics.retarget",
    "physics.reference",
    "physics.jitter",
    "physics.plausibility",
    "physics.errors",
)
SURFACE_METRICS = (
    "surface_penetrate_mm",
    "surface_float_mm",
    "surface_skate_mm",
    "residual_force_pct_bw",
    "residual_force_p95_pct_bw",
)


def physics_available() -> tuple[bool, str]:
    """(True, "") when the physics modules import; else (False, the reason)."""
    for name in _REQUIRED_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a parent package is missing
            found = False
        if not found:
            return False, f"module {name} is not installed (install the project's `physics` package)"
    return True, ""


def physics_error_type() -> type[Exception]:
    """The physics package's base exception (a clip it cannot handle); call only when available."""
    return importlib.import_module("physics.errors").PhysicsError


def surface_plausibility(joints: np.ndarray, *, fps: float = 20.0) -> dict[str, float]:
    """Humanoid-surface metrics of one clip (T, 22, 3) [m], y-up; keys are `SURFACE_METRICS`.

    Raises:
        physics.PhysicsError: the humanoid cannot be fitted to this skeleton or the clip is too short.
    """
    config_mod = importlib.import_module("physics.config")
    frames = importlib.import_module("physics.frames")
    humanoid = importlib.import_module("physics.humanoid")
    retarget = importlib.import_module("physics.retarget")
    reference = importlib.import_module("physics.reference")
    plausibility = importlib.import_module("physics.plausibility")
    jitter = importlib.import_module("physics.jitter")

    joints = np.asarray(joints, dtype=np.float64)
    # The same per-clip smoothing as the correction (none for motion capture, >= 1 frame otherwise).
    cfg = jitter.resolve_smoothing(config_mod.PhysicsConfig(), jitter.estimate_jitter(joints))
    joints_mj = frames.hml_to_mj(joints)
    geometry = humanoid.fit_geometry(joints_mj, mass=cfg.mass)
    model = humanoid.build_model(
        geometry, timestep=cfg.timestep, friction=cfg.friction, solref=(cfg.contact_timeconst, 1.0)
    )
    qpos = retarget.joints_to_qpos(model, geometry, joints_mj)
    corners = reference.corner_trajectories(model, qpos)  # (T, ..., 3), z-up
    T = corners.shape[0]
    ground = plausibility.ground_metrics(corners.reshape(T, -1, 3), up_axis=2)
    prepared = reference.prepare(model, qpos, fps, cfg)
    force_mean, force_p95 = plausibility.percent_body_weight(prepared.tau[:, :3], cfg.mass)
    return {
        "surface_penetrate_mm": float(ground.penetrate_mm),
        "surface_float_mm": float(ground.float_mm),
        "surface_skate_mm": float(ground.skate_mm),
        "residual_force_pct_bw": float(force_mean),
        "residual_force_p95_pct_bw": float(force_p95),
    }
