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

_REQUIRED_MODULES = ("mujoco", "physics.assess", "physics.errors")
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

    The physics package's own `physics.assess.surface_plausibility`, which also gives the
    correction's "before" numbers (same humanoid fit, same per-clip smoothing).

    Raises:
        physics.PhysicsError: the humanoid cannot be fitted to this skeleton, the clip is too short, or
            it is not a human motion (body size, collapsed frames, teleports: physics.ImplausibleInput).
    """
    metrics = importlib.import_module("physics.assess").surface_plausibility(np.asarray(joints, dtype=np.float64), fps)
    return {key: metrics[key] for key in SURFACE_METRICS}
