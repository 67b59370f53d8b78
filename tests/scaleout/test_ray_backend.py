"""Physics correction on a real local Ray cluster gives the same clips as the in-process path."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data import skeleton as sk
from physics.batch import correct_batch

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'motion-loop[ray]')")


def _standing() -> np.ndarray:
    """A standing pose (22, 3): the target skeleton, arms and feet as a person stands, on the floor."""
    offsets = sk.target_offsets()
    joints = np.zeros((sk.NUM_JOINTS, 3))
    for child in range(1, sk.NUM_JOINTS):
        offset = offsets[child].copy()
        name = sk.JOINT_NAMES[child]
        if name.endswith(("elbow", "wrist")):
            offset = np.array([np.sign(offset[0]) * 0.5, -0.85, 0.1]) * np.linalg.norm(offset)
        if name.endswith("_foot"):
            offset = np.array([0.0, -0.45, 0.89]) * np.linalg.norm(offset)
        joints[child] = joints[sk.PARENTS[child]] + offset
    joints[:, 1] -= joints[:, 1].min()
    return joints


@pytest.fixture(scope="module")
def local_cluster():  # noqa: ANN201
    """A Ray head node of 2 CPUs started for this module (its own GCS and raylet), stopped after it."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def test_ray_backend_matches_in_process(local_cluster: str) -> None:
    standing = _standing()
    sway = 0.03 * np.sin(np.linspace(0, 2 * np.pi, 16))[:, None]
    clips = [
        np.repeat(standing[None], 16, axis=0) + np.array([0.0, 0.02, 0.0]),  # floating 2 cm
        np.repeat(standing[None], 16, axis=0) + np.concatenate([sway, 0 * sway, 0 * sway], axis=1)[:, None, :],
    ]
    local = correct_batch(clips, workers=1)
    remote = correct_batch(clips, backend="ray", ray_address=local_cluster, workers=2)
    assert len(remote) == len(local)
    for a, b in zip(local, remote, strict=True):
        assert np.array_equal(a.joints, b.joints)  # identical to 0 m: the simulation is deterministic
        assert a.report.mpjpe_mm == b.report.mpjpe_mm
    assert not np.array_equal(local[0].joints, clips[0])  # the correction did move the floating clip
