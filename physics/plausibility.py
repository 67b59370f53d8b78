"""Physical-plausibility metrics as pure numpy functions (no MuJoCo), reusable by the evaluator.

Definitions follow PhysDiff (Yuan et al. 2023) / UHC, on whatever surface points the caller passes
(foot-box corners of the humanoid, or foot joints of a skeleton):
- penetrate: per frame, depth of the lowest point below the floor (0 if above), mean over frames [mm];
- float: per frame, height of the lowest point when it is above `float_tolerance`, else 0, mean [mm];
- skate: horizontal displacement of points that are below `contact_height` in two adjacent frames,
  mean over such point-frame pairs [mm per frame at the clip's fps].
The floor is the plane height = 0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

GRAVITY = 9.81  # [m/s^2]
# Skeleton proxies: toe/ankle joints sit above the sole, so contact is looser than for surfaces.
JOINT_CONTACT_HEIGHT = 0.05  # [m]
SURFACE_CONTACT_HEIGHT = 0.01  # [m]
FLOAT_TOLERANCE = 0.005  # [m]
# HumanML3D foot joints: left ankle, right ankle, left toe, right toe.
FOOT_JOINTS = (7, 8, 10, 11)


class GroundMetrics(NamedTuple):
    penetrate_mm: float
    float_mm: float
    skate_mm: float


def ground_metrics(points: np.ndarray, *, up_axis: int = 2, contact_height: float = SURFACE_CONTACT_HEIGHT,
                   float_tolerance: float = FLOAT_TOLERANCE) -> GroundMetrics:
    """Penetration, floating and skating of surface points (T, P, 3) [m] against the floor height 0.

    Args:
        points: trajectories of the lowest surface points (e.g. foot-box corners), metres.
        up_axis: index of the vertical axis (2 for MuJoCo z-up, 1 for HumanML3D y-up).
        contact_height: a point below this height counts as touching the floor [m].
        float_tolerance: lowest points higher than this count as floating [m].
    """
    T, P, _ = points.shape  # (T, P, 3)
    height = points[..., up_axis]  # (T, P)
    lowest = height.min(axis=1)  # (T,)
    penetrate = np.maximum(-lowest, 0.0).mean()
    floating = np.where(lowest > float_tolerance, lowest, 0.0).mean()
    horizontal = [a for a in range(3) if a != up_axis]
    if T < 2:
        return GroundMetrics(1000 * float(penetrate), 1000 * float(floating), 0.0)
    contact = (height[:-1] < contact_height) & (height[1:] < contact_height)  # (T-1, P)
    step = np.linalg.norm(np.diff(points[..., horizontal], axis=0), axis=-1)  # (T-1, P)
    skate = step[contact].mean() if contact.any() else 0.0
    return GroundMetrics(1000 * float(penetrate), 1000 * float(floating), 1000 * float(skate))


def joint_ground_metrics(joints: np.ndarray) -> GroundMetrics:
    """Skeleton-only proxy of `ground_metrics` for HumanML3D joints (T, 22, 3), y-up, metres.

    Penetration and floating use the lowest of all joints; skating uses the foot joints with a 5 cm
    contact height. Noisier than the surface version (swing feet below 5 cm count as contacts).
    """
    all_joints = ground_metrics(joints, up_axis=1, contact_height=JOINT_CONTACT_HEIGHT)
    feet = ground_metrics(joints[:, list(FOOT_JOINTS)], up_axis=1, contact_height=JOINT_CONTACT_HEIGHT)
    return GroundMetrics(all_joints.penetrate_mm, all_joints.float_mm, feet.skate_mm)


def percent_body_weight(forces: np.ndarray, mass: float) -> tuple[float, float]:
    """Mean and 95th percentile of |force| (N, 3) [N] as % of body weight m g."""
    if forces.size == 0:
        return 0.0, 0.0
    magnitude = 100.0 * np.linalg.norm(forces, axis=-1) / (mass * GRAVITY)
    return float(magnitude.mean()), float(np.percentile(magnitude, 95))


def mpjpe_mm(a: np.ndarray, b: np.ndarray) -> float:
    """Mean per-joint position error between two trajectories (T, J, 3) [m] -> [mm]."""
    return 1000.0 * float(np.linalg.norm(a - b, axis=-1).mean())


def local_mpjpe(a: np.ndarray, b: np.ndarray, *, up_axis: int = 2) -> np.ndarray:
    """Per-frame mean joint error (T,) [m] after removing each frame's horizontal root offset."""
    shift = b[:, :1] - a[:, :1]
    shift[..., up_axis] = 0.0
    return np.linalg.norm(a + shift - b, axis=-1).mean(axis=-1)
