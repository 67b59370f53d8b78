"""Physical plausibility of joint trajectories (pure numpy), per clip.

Inputs are (T, 22, 3) joint positions in metres, y up, floor at y = 0, at `fps` frames per second
(HumanML3D's `new_joints` convention). Definitions (physics-findings.md §5):

* penetrate [mm]: per frame, depth of the lowest joint below the floor when deeper than the tolerance
  (PhysDiff with a 5 mm tolerance, joints instead of mesh vertices); mean over frames.
* float [mm]: per frame, height of the lowest joint above the floor when higher than the tolerance;
  mean over frames.
* skate [mm/frame]: PhysDiff: foot joints (ankles 7, 8 and feet 10, 11) in contact (below the contact
  height) in two adjacent frames; per frame pair the mean horizontal displacement of those joints
  (0 when none), mean over frame pairs.
* skating_ratio: GMD/OmniControl: share of frame pairs in which a foot joint (10 or 11) is below 5 cm
  in both frames and its horizontal speed exceeds 0.5 m/s, both instantaneously and as a 5-frame
  moving average.
* contact_consistency: share of (frame, foot joint) where the feature contact labels (dims 259-262,
  > 0.5) agree with contacts recomputed from the joints (HumanML3D's rule, squared displacement
  < 0.002 m^2 per frame). Only with features.
* jerk [m/s^3]: mean norm of the third finite difference of joint positions times fps^3.

Joint-based proxies are noisier than surface metrics (a low swing foot counts as contact); the
humanoid-surface versions come from the `physics` package when it is installed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from motion_loop.data import skeleton as sk
from motion_loop.data.features import CONTACT_DIMS, CONTACT_THRESHOLD
from motion_loop.errors import DataFormatError

FOOT_JOINTS = sk.LEFT_FOOT_JOINTS + sk.RIGHT_FOOT_JOINTS  # (7, 10, 8, 11): feature contact order
TOE_JOINTS = (10, 11)  # GMD's skating ratio looks at the feet (toe-base) joints only
_MM = 1000.0
# Window of GMD's moving-average speed test [frames].
SKATE_SMOOTH_FRAMES = 5


@dataclass(frozen=True)
class PlausibilityResult:
    """Joint-trajectory plausibility of one clip (see module docstring for definitions and units)."""

    penetrate_mm: float
    float_mm: float
    skate_mm: float
    skating_ratio: float
    jerk: float
    contact_consistency: float | None = None

    @property
    def phys_err_mm(self) -> float:
        """PhysDiff's Phys-Err = penetrate + float + skate."""
        return self.penetrate_mm + self.float_mm + self.skate_mm


def _check(joints: np.ndarray) -> np.ndarray:
    joints = sk.check_joints(np.asarray(joints, dtype=np.float64), name="plausibility joints")
    if joints.shape[0] < 4:
        raise DataFormatError(f"plausibility needs at least 4 frames (jerk is a third difference), got {joints.shape[0]}")
    return joints


def penetrate_float(joints: np.ndarray, *, tolerance_m: float = 0.005) -> tuple[float, float]:
    """Mean penetration and floating [mm] of the lowest joint per frame, (T, 22, 3) -> (pen, float)."""
    lowest = _check(joints)[..., 1].min(axis=1)  # (T,) [m]
    penetrate = np.where(lowest < -tolerance_m, -lowest, 0.0)
    floating = np.where(lowest > tolerance_m, lowest, 0.0)
    return float(penetrate.mean() * _MM), float(floating.mean() * _MM)


def skate(joints: np.ndarray, *, contact_height_m: float = 0.05) -> float:
    """PhysDiff skate [mm/frame]: mean horizontal step of foot joints in contact in both frames."""
    feet = _check(joints)[:, list(FOOT_JOINTS)]  # (T, 4, 3)
    low = feet[..., 1] < contact_height_m  # (T, 4)
    both = low[1:] & low[:-1]  # (T-1, 4)
    step = np.linalg.norm(feet[1:, :, [0, 2]] - feet[:-1, :, [0, 2]], axis=-1)  # (T-1, 4)
    count = both.sum(1)
    per_pair = np.where(count > 0, (step * both).sum(1) / np.maximum(count, 1), 0.0)
    return float(per_pair.mean() * _MM)


def skating_ratio(joints: np.ndarray, *, fps: float = 20.0, contact_height_m: float = 0.05, speed_mps: float = 0.5) -> float:
    """GMD skating ratio: share of frame pairs in which a toe joint skates."""
    toes = _check(joints)[:, list(TOE_JOINTS)]  # (T, 2, 3)
    low = (toes[1:, :, 1] < contact_height_m) & (toes[:-1, :, 1] < contact_height_m)  # (T-1, 2)
    speed = np.linalg.norm(toes[1:, :, [0, 2]] - toes[:-1, :, [0, 2]], axis=-1) * fps  # (T-1, 2) [m/s]
    smooth = uniform_filter1d(speed, SKATE_SMOOTH_FRAMES, axis=0, mode="nearest")
    skating = low & (speed > speed_mps) & (smooth > speed_mps)
    return float(skating.any(axis=1).mean())


def jerk(joints: np.ndarray, *, fps: float = 20.0) -> float:
    """Mean norm of the joints' third derivative [m/s^3]."""
    third = np.diff(_check(joints), n=3, axis=0) * fps**3  # (T-3, 22, 3)
    return float(np.linalg.norm(third, axis=-1).mean())


def contact_consistency(joints: np.ndarray, features: np.ndarray) -> float:
    """Agreement of the feature contact labels with contacts recomputed from the joints.

    Args:
        joints: (T, 22, 3) joint positions (e.g. `features_to_joints(features)`).
        features: (T, 263) or (T-1, 263) features whose dims 259-262 are the contact labels.
    """
    joints = _check(joints)
    feet = joints[:, list(FOOT_JOINTS)]
    kinematic = ((feet[1:] - feet[:-1]) ** 2).sum(-1) < CONTACT_THRESHOLD  # (T-1, 4)
    labels = np.asarray(features)[: kinematic.shape[0], CONTACT_DIMS] > 0.5
    if labels.shape != kinematic.shape:
        raise DataFormatError(f"contact labels {labels.shape} do not cover the joint frames {kinematic.shape}")
    return float((labels == kinematic).mean())


def clip_plausibility(
    joints: np.ndarray,
    *,
    features: np.ndarray | None = None,
    fps: float = 20.0,
    tolerance_m: float = 0.005,
    contact_height_m: float = 0.05,
    skate_speed_mps: float = 0.5,
) -> PlausibilityResult:
    """All joint-trajectory metrics of one clip; contact consistency only when `features` are given."""
    penetrate_mm, float_mm = penetrate_float(joints, tolerance_m=tolerance_m)
    return PlausibilityResult(
        penetrate_mm=penetrate_mm,
        float_mm=float_mm,
        skate_mm=skate(joints, contact_height_m=contact_height_m),
        skating_ratio=skating_ratio(joints, fps=fps, contact_height_m=contact_height_m, speed_mps=skate_speed_mps),
        jerk=jerk(joints, fps=fps),
        contact_consistency=None if features is None else contact_consistency(joints, features),
    )
