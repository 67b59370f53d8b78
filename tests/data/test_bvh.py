"""The BVH reader against bvhio (a maintained reader) and on malformed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from motion_loop.data import skeleton as sk
from motion_loop.data.bvh import parse_bvh, read_bvh, world_pose
from motion_loop.data.joint_map import detect_joint_map, load_joint_map
from motion_loop.errors import DataFormatError

TINY = """HIERARCHY
ROOT hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT knee
  {
    OFFSET 0 -40 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 -40 0
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.05
0 90 0 0 0 0 0 0 0
10 90 0 0 0 90 90 0 0
"""


def test_tiny_file_forward_kinematics_by_hand():
    bvh = parse_bvh(TINY)
    pose = world_pose(bvh)
    assert bvh.fps == pytest.approx(20.0)
    assert pose.positions[0, 1] == pytest.approx([0, 50, 0])
    # Frame 1: hips turned 90 deg about y (yaw) then the knee 90 deg about z: the shin points along the
    # hips' local +x, which the yaw maps to world -z.
    assert pose.positions[1, 0] == pytest.approx([10, 90, 0])
    assert pose.positions[1, 1] == pytest.approx([10, 50, 0], abs=1e-9)
    assert pose.end_sites["knee"][1] == pytest.approx([10, 50, -40], abs=1e-9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TINY.replace("MOTION", "MOTON"), "no MOTION"),
        (TINY.rsplit("\n", 2)[0], "truncated"),
        (TINY.replace("0 -40 0\n    CHANNELS", "0 x 0\n    CHANNELS"), "malformed"),
        (TINY.replace("Frames: 2", "Frames: two"), "frame count"),
        (TINY.replace("10 90 0 0 0 90 90 0 0", "10 nan 0 0 0 90 90 0 0"), "NaN"),
    ],
)
def test_corrupt_files_fail_with_the_reason(text, message):
    with pytest.raises(DataFormatError, match=message):
        parse_bvh(text, source="broken.bvh")


def test_missing_file_fails_clearly(tmp_path):
    with pytest.raises(DataFormatError, match="does not exist"):
        read_bvh(tmp_path / "nope.bvh")


def _bandai_file(shared_data: Path) -> Path:
    path = shared_data / "bandai-namco" / "Bandai-Namco-Research-Motiondataset-1" / "data" / "dataset-1_walk_normal_001.bvh"
    if not path.is_file():
        pytest.skip(f"Bandai-Namco sample not found at {path}")
    return path


def test_world_positions_match_bvhio(shared_data):
    bvhio = pytest.importorskip("bvhio")
    path = _bandai_file(shared_data)
    bvh = read_bvh(path)
    pose = world_pose(bvh)
    hierarchy = bvhio.readAsHierarchy(str(path))
    worst = 0.0
    for frame in (0, 37, 150):
        hierarchy.loadPose(frame)
        for joint, _, _ in hierarchy.layout():
            p = joint.PositionWorld
            worst = max(worst, float(np.abs(np.array([p.x, p.y, p.z]) - pose.positions[frame, bvh.index[joint.Name]]).max()))
    assert worst < 1e-3  # centimetres; bvhio computes in float32


@pytest.mark.parametrize(
    ("relative", "expected_map"),
    [
        ("bandai-namco/Bandai-Namco-Research-Motiondataset-1/data/dataset-1_walk_normal_001.bvh", "bandai_namco"),
        ("cmu-bvh/02/02_01.bvh", "cmu"),
        ("cmu-bvh/16/16_01.bvh", "cmu_asf"),
    ],
)
def test_joint_maps_give_a_performer_walking_forward(shared_data, relative, expected_map):
    path = shared_data / relative
    if not path.is_file():
        pytest.skip(f"{path} not found")
    bvh = read_bvh(path)
    joint_map = detect_joint_map(bvh)
    assert joint_map.name == expected_map
    joints = joint_map.apply(bvh, world_pose(bvh))[1:]
    # Left really is the performer's left: hips across vector points to the performer's right, so
    # the facing direction agrees with where the pelvis travels (walks) or at least stays upright.
    assert joints[:, 0, 1].mean() > 0.7  # pelvis about a metre up: units are metres, y is up
    if "walk" in relative:
        travel = joints[-1, 0] - joints[0, 0]
        assert np.dot(sk.facing_direction(joints).mean(0), travel) > 0.5 * np.linalg.norm(travel)


def test_unknown_skeleton_names_the_missing_joints(tmp_path):
    bvh = parse_bvh(TINY, source="tiny.bvh")
    with pytest.raises(DataFormatError, match="no joint map fits"):
        detect_joint_map(bvh)
    with pytest.raises(DataFormatError, match="needs joints"):
        load_joint_map("bandai_namco").apply(bvh, world_pose(bvh))
    with pytest.raises(DataFormatError, match="available"):
        load_joint_map("no_such_map")
