"""A motion exported as a GLB of the humanoid's bodies re-loads with trimesh with the bodies where the joints are."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from motion_loop.data import skeleton as sk
from motion_loop.data.procedural import clip_rng, generate_clip
from motion_loop.data.procedural.sampling import sample_one
from motion_loop.errors import DataFormatError
from motion_loop.interop.mesh import save_humanoid_glb

HIPS = (sk.JOINT_NAMES.index("left_hip"), sk.JOINT_NAMES.index("right_hip"))
KNEES = (sk.JOINT_NAMES.index("left_knee"), sk.JOINT_NAMES.index("right_knee"))


@pytest.fixture(scope="module")
def walk() -> np.ndarray:
    params = sample_one("walk", np.random.default_rng(0), seed=7)
    return generate_clip(params, clip_rng(params)).joints  # (T, 22, 3) y-up


def _world_centre(scene: trimesh.Scene, node: str) -> np.ndarray:
    matrix, geometry = scene.graph[node]
    vertices = scene.geometry[geometry].vertices
    centre = 0.5 * (vertices.min(0) + vertices.max(0))  # the shapes are symmetric about their own origin
    return (matrix @ np.append(centre, 1.0))[:3]


def test_glb_reloads_with_each_body_posed_at_the_joints(walk, tmp_path):
    result = save_humanoid_glb(walk, tmp_path / "walk.glb", stride=15)
    scene = trimesh.load(result.path)
    assert isinstance(scene, trimesh.Scene)
    assert sorted(scene.geometry) == sorted(result.shapes)  # each shape stored once, instanced per frame
    assert len(scene.graph.nodes_geometry) == len(result.frames) * len(result.shapes)
    assert result.frames == list(range(0, len(walk), 15))
    for frame in result.frames:
        pelvis = _world_centre(scene, f"frame_{frame:04d}/pelvis_0")  # capsule from hip to hip
        np.testing.assert_allclose(pelvis, walk[frame, list(HIPS)].mean(0), atol=0.02)
        thigh = _world_centre(scene, f"frame_{frame:04d}/left_hip_0")  # capsule from hip to knee
        np.testing.assert_allclose(thigh, walk[frame, [HIPS[0], KNEES[0]]].mean(0), atol=0.02)
    low, high = scene.bounds
    assert abs(low[1]) < 0.03 and 1.4 < high[1] < 2.0  # y up: feet on the floor, head at standing height


def test_bad_stride_fails_clearly(walk, tmp_path):
    with pytest.raises(DataFormatError, match="stride"):
        save_humanoid_glb(walk, tmp_path / "x.glb", stride=0)
