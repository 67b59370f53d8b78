"""Effect of HumanML3D's original root-turn sign on clips that turn past 180 degrees.

    python benchmarks/humanml3d_root_turn.py

HumanML3D's script takes the arcsin of the frame-to-frame root turn quaternion without making its w
non-negative; `joints_to_features` does (default), `joints_to_features(..., original_root_turn=True)`
reproduces the script. This compares both on the HumanML3D reference clip 012314 as released (it never
faces backwards) and spun in place by a steadily growing angle (0 to 720 degrees over the clip), so
that its facing crosses 180 degrees. Writes benchmarks/results/humanml3d_root_turn.json: the feature rows that differ, the
size of the dim-0 difference, and how far each version's own recovery (`features_to_joints`) lands
from the canonical clip.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import shared_data_dir, write_result  # noqa: E402

from motion_loop.data import skeleton as sk  # noqa: E402
from motion_loop.data.features import canonicalize, features_to_joints, joints_to_features  # noqa: E402


def about_y(angles: np.ndarray) -> np.ndarray:
    """Quaternions (T, 4), scalar last, of rotations by `angles` (T,) [rad] about +y."""
    zeros = np.zeros_like(angles)
    return np.stack([zeros, np.sin(angles / 2), zeros, np.cos(angles / 2)], -1)


def compare(joints: np.ndarray) -> dict[str, object]:
    fixed = joints_to_features(joints)
    original = joints_to_features(joints, original_root_turn=True)
    canonical = canonicalize(joints).joints[:-1]  # (T-1, 22, 3): the rows the features describe
    dim0 = np.abs(fixed[:, 0] - original[:, 0])
    error_fixed = np.linalg.norm(features_to_joints(fixed) - canonical, axis=-1)  # (T-1, 22) [m]
    error_original = np.linalg.norm(features_to_joints(original) - canonical, axis=-1)
    return {
        "frames": int(len(joints)),
        "dim0_rows_that_differ": np.nonzero(dim0 > 1e-9)[0].tolist(),
        "dim0_max_abs_difference_half_angle_rad": float(dim0.max()),
        "other_dims_max_abs_difference": float(np.abs(fixed[:, 1:] - original[:, 1:]).max()),
        "recovery_error_default_max_m": float(error_fixed.max()),
        "recovery_error_original_max_m": float(error_original.max()),
        "recovery_error_original_mean_m": float(error_original.mean()),
        "recovery_error_original_last_frame_root_m": float(error_original[-1, 0]),
    }


def main() -> None:
    path = shared_data_dir() / "humanml3d-reference" / "new_joints" / "012314.npy"
    if not path.is_file():
        raise SystemExit(f"needs the HumanML3D reference clip {path} (set MOTION_LOOP_SHARED_DATA)")
    clip = np.load(path)  # (T, 22, 3)
    T = len(clip)
    root_xz = clip[:, :1] * np.array([1.0, 0.0, 1.0])
    spin = sk.rotate(about_y(np.linspace(0.0, 4 * np.pi, T))[:, None], clip - root_xz) + root_xz
    write_result(
        "humanml3d_root_turn",
        {
            "command": "python benchmarks/humanml3d_root_turn.py",
            "clips": {
                "012314_as_released": compare(clip),
                "012314_spun_in_place_720deg": compare(spin),
            },
        },
    )


if __name__ == "__main__":
    main()
