from __future__ import annotations

from itertools import pairwise

import numpy as np

from motion_loop.data import skeleton as sk


def test_tree_is_consistent():
    assert len(sk.JOINT_NAMES) == len(sk.PARENTS) == sk.NUM_JOINTS == 22
    for chain in sk.KINEMATIC_CHAINS:
        for parent, child in pairwise(chain):
            assert sk.PARENTS[child] == parent


def test_quaternion_between_turns_u_onto_v_including_opposite_vectors():
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(100, 3)), rng.normal(size=(100, 3))
    v[0] = -u[0]  # opposite: the arc is ambiguous but must still be a valid rotation
    q = sk.quaternion_between(u, v)
    turned = sk.rotate(q, u / np.linalg.norm(u, axis=-1, keepdims=True))
    assert np.allclose(turned, v / np.linalg.norm(v, axis=-1, keepdims=True), atol=1e-9)


def test_inverse_then_forward_kinematics_reproduces_positions(reference_clips):
    joints, _ = reference_clips["000000"]
    joints = joints.astype(np.float64)
    offsets = sk.RAW_OFFSETS.copy()
    offsets[1:] *= sk.bone_lengths(joints[0])[:, None]  # the clip's own bones: FK must invert IK exactly
    rebuilt = sk.forward_kinematics(sk.inverse_kinematics(joints), joints[:, 0], offsets)
    assert np.abs(rebuilt - joints).max() < 1e-6


def test_uniform_skeleton_sets_target_bone_lengths_and_keeps_directions(reference_clips):
    joints, _ = reference_clips["000000"]
    stretched = joints.astype(np.float64).copy()
    stretched[:, 1:] = stretched[:, :1] + 1.3 * (stretched[:, 1:] - stretched[:, :1])
    uniform = sk.uniform_skeleton(stretched)
    assert np.abs(sk.bone_lengths(uniform) - sk.TARGET_BONE_LENGTHS).max() < 1e-9
    parents = list(sk.PARENTS[1:])
    before = stretched[:, 1:] - stretched[:, parents]
    after = uniform[:, 1:] - uniform[:, parents]
    cosine = (before * after).sum(-1) / np.linalg.norm(before, axis=-1) / np.linalg.norm(after, axis=-1)
    assert cosine.min() > 1 - 1e-9
