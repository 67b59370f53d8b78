"""A small BVH reader: hierarchy, channels and motion block, and forward kinematics to world positions.

Written here rather than taken from a library because the maintained Python readers build one Python
object per joint and frame (bvhio: ~0.5 ms per frame), which makes importing hours of capture take
minutes; this reader parses the motion block with NumPy in one call and does forward kinematics with
vectorised rotations. Its output is checked against bvhio's in the tests.

Conventions: rotation channels are intrinsic in the order listed (`Zrotation Xrotation Yrotation`
means R = Rz Rx Ry), angles in degrees; a joint's position channels, when present, replace its
OFFSET; lengths stay in the file's units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from motion_loop.errors import DataFormatError

_POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")
_ROTATION_CHANNELS = ("Xrotation", "Yrotation", "Zrotation")


@dataclass
class BvhJoint:
    """One joint of the hierarchy: where its channels sit in a motion row."""

    name: str
    parent: int
    offset: np.ndarray  # (3,) in file units
    channels: list[str]
    channel_start: int
    end_site: np.ndarray | None = None  # (3,) offset of the End Site child, if any


@dataclass
class BvhMotion:
    """A parsed BVH file."""

    joints: list[BvhJoint]
    frame_time: float  # [s]
    motion: np.ndarray  # (F, C) channel values
    source: str = ""
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {joint.name: i for i, joint in enumerate(self.joints)}

    @property
    def num_frames(self) -> int:
        return int(self.motion.shape[0])

    @property
    def fps(self) -> float:
        return 1.0 / self.frame_time


def _error(path: str, message: str) -> DataFormatError:
    return DataFormatError(f"{path}: corrupt BVH file: {message}; re-export or drop the file")


def parse_bvh(text: str, *, source: str = "<bvh>") -> BvhMotion:
    """Parse the text of a BVH file.

    Raises:
        DataFormatError: malformed hierarchy, missing MOTION block, a frame time that is not a positive
            number, an unreadable number, or a motion block whose size does not match the declared frames
            and channels (e.g. a truncated file).
    """
    head, separator, motion_text = text.partition("MOTION")
    if not separator:
        raise _error(source, "no MOTION section")
    tokens = head.split()
    if not tokens or tokens[0] != "HIERARCHY":
        raise _error(source, "does not start with HIERARCHY")
    joints: list[BvhJoint] = []
    stack: list[int] = []
    pending: tuple[str, int] | None = None  # joint declared, waiting for its '{'
    in_end_site = False
    channel_count = 0
    i = 1
    try:
        while i < len(tokens):
            token = tokens[i]
            if token in ("ROOT", "JOINT"):
                pending = (tokens[i + 1], stack[-1] if stack else -1)
                i += 2
            elif token == "End":
                in_end_site = True
                i += 2
            elif token == "{":
                if pending is not None:
                    name, parent = pending
                    joints.append(BvhJoint(name, parent, np.zeros(3), [], channel_count))
                    stack.append(len(joints) - 1)
                    pending = None
                i += 1
            elif token == "}":
                if in_end_site:
                    in_end_site = False
                else:
                    stack.pop()
                i += 1
            elif token == "OFFSET":
                offset = np.array([float(v) for v in tokens[i + 1 : i + 4]])
                if in_end_site:
                    joints[stack[-1]].end_site = offset
                else:
                    joints[stack[-1]].offset = offset
                i += 4
            elif token == "CHANNELS":
                count = int(tokens[i + 1])
                joint = joints[stack[-1]]
                joint.channels = tokens[i + 2 : i + 2 + count]
                joint.channel_start = channel_count
                channel_count += count
                i += 2 + count
            else:
                raise _error(source, f"unexpected token {token!r} in HIERARCHY")
    except (IndexError, ValueError) as error:
        raise _error(source, f"malformed HIERARCHY ({error})") from error
    if stack or not joints:
        raise _error(source, "unbalanced braces or no joints in HIERARCHY")

    lines = motion_text.strip().splitlines()
    if len(lines) < 2 or not lines[0].startswith("Frames:") or not lines[1].startswith("Frame Time:"):
        raise _error(source, "MOTION section lacks 'Frames:' and 'Frame Time:' lines")
    try:
        frames = int(lines[0].split(":")[1])
        frame_time = float(lines[1].split(":")[1])
    except ValueError as error:
        raise _error(source, f"unreadable frame count or frame time ({error})") from error
    if not np.isfinite(frame_time) or frame_time <= 0 or frames <= 0:
        raise _error(source, f"frames={frames}, frame time={frame_time}: both must be positive and finite")
    try:
        values = np.array(" ".join(lines[2:]).split(), dtype=np.float64)
    except ValueError as error:  # e.g. a file cut in the middle of a number ("1.5e")
        raise _error(source, f"unreadable number in the motion block, truncated? ({error})") from error
    if values.size != frames * channel_count:
        have = values.size / max(channel_count, 1)
        raise _error(source, f"declares {frames} frames of {channel_count} channels but holds {have:.1f} frames (truncated?)")
    motion = values.reshape(frames, channel_count)
    if not np.all(np.isfinite(motion)):
        raise _error(source, "motion block has NaN or inf values")
    return BvhMotion(joints, frame_time, motion, source)


def read_bvh(path: Path | str) -> BvhMotion:
    """Read and parse a BVH file; see `parse_bvh`."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"BVH file {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise _error(str(path), f"not a text file ({error})") from error
    return parse_bvh(text, source=str(path))


def _local_rotations(bvh: BvhMotion, joint: BvhJoint) -> Rotation:
    axes = [c[0] for c in joint.channels if c in _ROTATION_CHANNELS]
    if not axes:
        return Rotation.identity(bvh.num_frames)
    columns = [joint.channel_start + k for k, c in enumerate(joint.channels) if c in _ROTATION_CHANNELS]
    return Rotation.from_euler("".join(axes).upper(), bvh.motion[:, columns], degrees=True)


def _local_translations(bvh: BvhMotion, joint: BvhJoint) -> np.ndarray:
    translation = np.broadcast_to(joint.offset, (bvh.num_frames, 3)).copy()
    for axis, name in enumerate(_POSITION_CHANNELS):
        if name in joint.channels:
            translation[:, axis] = bvh.motion[:, joint.channel_start + joint.channels.index(name)]
    return translation


@dataclass
class WorldPose:
    """World positions (F, J, 3) and rotations of every joint, plus End Site positions (F, 3) by joint name."""

    positions: np.ndarray
    rotations: list[Rotation]
    end_sites: dict[str, np.ndarray]


def world_pose(bvh: BvhMotion) -> WorldPose:
    """Forward kinematics of every frame: world positions in the file's units and axes."""
    F, J = bvh.num_frames, len(bvh.joints)
    positions = np.zeros((F, J, 3))
    rotations: list[Rotation] = []
    end_sites: dict[str, np.ndarray] = {}
    for j, joint in enumerate(bvh.joints):
        local_rot, local_pos = _local_rotations(bvh, joint), _local_translations(bvh, joint)
        if joint.parent < 0:
            positions[:, j] = local_pos
            rotations.append(local_rot)
        else:
            parent_rot = rotations[joint.parent]
            positions[:, j] = positions[:, joint.parent] + parent_rot.apply(local_pos)
            rotations.append(parent_rot * local_rot)
        if joint.end_site is not None:
            end_sites[joint.name] = positions[:, j] + rotations[j].apply(joint.end_site)
    return WorldPose(positions, rotations, end_sites)
