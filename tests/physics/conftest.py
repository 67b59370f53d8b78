"""Fixtures of the physics tests: a synthetic standing pose (no data needed) and the real samples."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data import skeleton as sk


def standing_pose() -> np.ndarray:
    """A standing pose (22, 3) in HumanML3D's frame (y-up, facing +z): the target skeleton with arms
    lowered to 45 deg and feet pointing forward and down, on the floor."""
    offsets = sk.target_offsets()
    joints = np.zeros((sk.NUM_JOINTS, 3))
    for child in range(1, sk.NUM_JOINTS):
        offset = offsets[child].copy()
        name = sk.JOINT_NAMES[child]
        if name.endswith(("elbow", "wrist")):
            length = np.linalg.norm(offset)
            offset = np.array([np.sign(offset[0]) * 0.5, -0.85, 0.1]) * length
        if name.endswith("_foot"):
            length = np.linalg.norm(offset)
            offset = np.array([0.0, -0.45, 0.89]) * length
        joints[child] = joints[sk.PARENTS[child]] + offset
    joints[:, 1] -= joints[:, 1].min()
    return joints


@pytest.fixture(scope="session")
def standing() -> np.ndarray:
    return standing_pose()
