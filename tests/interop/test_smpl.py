"""SMPL bodies through smplx, on a small body model of random weights written in SMPL's file format."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import trimesh
from scipy.spatial.transform import Rotation

from motion_loop.data import skeleton as sk
from motion_loop.data.procedural import clip_rng, generate_clip
from motion_loop.data.procedural.sampling import sample_one

pytest.importorskip("smplx", reason="smplx is not installed (pip install 'motion-loop[smpl]')")

from motion_loop.interop.smpl import SMPL_JOINTS, SmplBody, save_smpl_glb  # noqa: E402

VERTICES = 64
SMPL_PARENTS = (*sk.PARENTS, 20, 21)  # SMPL's 24 joints: HumanML3D's 22 and two hands
# smplx reads these vertices as extra joints (face, feet, finger tips); any valid index will do here.
VERTEX_IDS = {name: k for k, name in enumerate(
    ["nose", "reye", "leye", "rear", "lear", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"]
    + [side + tip for side in "lr" for tip in ("thumb", "index", "middle", "ring", "pinky")]
)}  # fmt: skip


@pytest.fixture(scope="module")
def walk() -> np.ndarray:
    params = sample_one("walk", np.random.default_rng(0), seed=7)
    return generate_clip(params, clip_rng(params)).joints  # (T, 22, 3)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, walk):
    """SMPL_NEUTRAL.pkl: random template, blend shapes and skinning; the rest joints are a human pose
    (the walk's first frame plus two hands), regressed exactly from 24 of the vertices."""
    rng = np.random.default_rng(0)
    rest = np.concatenate([walk[0], walk[0, [20, 21]] + np.array([[0.08, 0.0, 0.0], [-0.08, 0.0, 0.0]])])  # (24, 3)
    template = rng.normal(scale=0.3, size=(VERTICES, 3)) + np.array([0.0, 1.0, 0.0])
    template[:SMPL_JOINTS] = rest
    regressor = np.zeros((SMPL_JOINTS, VERTICES))
    regressor[np.arange(SMPL_JOINTS), np.arange(SMPL_JOINTS)] = 1.0
    weights = rng.random((VERTICES, SMPL_JOINTS))
    model = {
        "v_template": template,
        "shapedirs": rng.normal(scale=1e-3, size=(VERTICES, 3, 10)),
        "posedirs": rng.normal(scale=1e-3, size=(VERTICES, 3, 9 * (SMPL_JOINTS - 1))),
        "J_regressor": regressor,
        "kintree_table": np.array([[2**32 - 1, *SMPL_PARENTS[1:]], list(range(SMPL_JOINTS))], dtype=np.int64),
        "weights": weights / weights.sum(1, keepdims=True),
        "f": rng.integers(0, VERTICES, size=(100, 3)),
    }
    path = tmp_path_factory.mktemp("smpl") / "SMPL_NEUTRAL.pkl"
    path.write_bytes(pickle.dumps(model))
    return path


def _posed(rest: np.ndarray, local: np.ndarray, root: np.ndarray) -> np.ndarray:
    """SMPL forward kinematics of the 22 joints: (T, 22, 3, 3) local rotations, root (T, 3) -> (T, 22, 3)."""
    T = len(local)
    world = np.zeros((T, 22, 3, 3))
    joints = np.zeros((T, 22, 3))
    for joint, parent in enumerate(sk.PARENTS):
        if parent < 0:
            world[:, joint], joints[:, joint] = local[:, joint], root
        else:
            world[:, joint] = world[:, parent] @ local[:, joint]
            joints[:, joint] = joints[:, parent] + np.einsum("tij,j->ti", world[:, parent], rest[joint] - rest[parent])
    return joints


def test_a_pose_of_the_body_model_itself_is_recovered_exactly(model_file):
    body = SmplBody(model_file, vertex_ids=VERTEX_IDS)
    rng = np.random.default_rng(1)
    local = Rotation.from_rotvec(rng.normal(scale=0.4, size=(4 * 22, 3))).as_matrix().reshape(4, 22, 3, 3)
    target = _posed(body.rest_joints, local, rng.normal(size=(4, 3)))
    vertices, joints, pose = body.meshes(target)
    assert vertices.shape == (4, VERTICES, 3) and pose.body_pose.shape == (4, 69)
    np.testing.assert_allclose(joints[:, :22], target, atol=1e-4)


def test_a_walk_drives_the_bodys_bones_along_its_own(model_file, walk, tmp_path):
    body = SmplBody(model_file, vertex_ids=VERTEX_IDS)
    _, joints, _ = body.meshes(walk)
    np.testing.assert_allclose(joints[:, 0], walk[:, 0], atol=1e-5)  # the pelvis follows the motion
    for child, parent in enumerate(sk.PARENTS):
        if parent < 0 or len([c for c, p in enumerate(sk.PARENTS) if p == parent]) != 1:
            continue  # bones of one-child joints point exactly along the motion's
        ours = joints[:, child] - joints[:, parent]
        theirs = walk[:, child] - walk[:, parent]
        cosine = (ours * theirs).sum(-1) / np.linalg.norm(ours, axis=-1) / np.linalg.norm(theirs, axis=-1)
        assert cosine.min() > 0.9999, sk.JOINT_NAMES[child]
    frames = save_smpl_glb(body, walk, tmp_path / "walk_smpl.glb", stride=20)
    scene = trimesh.load(tmp_path / "walk_smpl.glb")
    assert len(scene.graph.nodes_geometry) == len(frames) == len(range(0, len(walk), 20))
    assert all(len(mesh.vertices) == VERTICES for mesh in scene.geometry.values())
