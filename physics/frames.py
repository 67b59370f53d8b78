"""Axis conventions between the HumanML3D data frame and the MuJoCo world frame.

HumanML3D joints are y-up: +x is the body's left, +y up, +z forward (at frame 0 of a canonical clip).
MuJoCo is z-up; the humanoid faces +x with its left side towards +y. The map

    mj = (hml_z, hml_x, hml_y)        hml = (mj_y, mj_z, mj_x)

is a cyclic permutation of the axes, i.e. a proper rotation (determinant +1), so handedness,
lengths and angles are preserved. Both frames put the floor at height 0.
"""

from __future__ import annotations

import numpy as np

_HML_TO_MJ = (2, 0, 1)  # mj axis i takes hml axis _HML_TO_MJ[i]
_MJ_TO_HML = (1, 2, 0)


def hml_to_mj(points: np.ndarray) -> np.ndarray:
    """HumanML3D y-up points (..., 3) -> MuJoCo z-up points (..., 3), same units."""
    return np.asarray(points)[..., _HML_TO_MJ]


def mj_to_hml(points: np.ndarray) -> np.ndarray:
    """MuJoCo z-up points (..., 3) -> HumanML3D y-up points (..., 3), same units."""
    return np.asarray(points)[..., _MJ_TO_HML]
