"""Small, valid BVH files written by the tests: a CMU-named skeleton walking forward.

Real input for the importer without ../shared/data: the joint names are those of the CMU BVH
conversion (so the shipped `cmu` joint map is detected), offsets are in its units (0.01143 m), frame 0
is the T-pose that map drops, and the legs swing while the hips move forward at 1 m/s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

UNIT = 0.01143  # [m] per file unit, as in assets/joint_maps/cmu.yaml
# (name, parent, offset [m] in the rest pose: x left, y up, z forward)
_BONES: tuple[tuple[str, str | None, tuple[float, float, float]], ...] = (
    ("hip", None, (0.0, 0.0, 0.0)),
    ("abdomen", "hip", (0.0, 0.11, 0.0)),
    ("chest", "abdomen", (0.0, 0.27, 0.0)),
    ("neck", "chest", (0.0, 0.20, 0.0)),
    ("head", "neck", (0.0, 0.13, 0.0)),
    ("lCollar", "chest", (0.06, 0.14, 0.0)),
    ("lShldr", "lCollar", (0.13, 0.0, 0.0)),
    ("lForeArm", "lShldr", (0.26, 0.0, 0.0)),
    ("lHand", "lForeArm", (0.26, 0.0, 0.0)),
    ("rCollar", "chest", (-0.06, 0.14, 0.0)),
    ("rShldr", "rCollar", (-0.13, 0.0, 0.0)),
    ("rForeArm", "rShldr", (-0.26, 0.0, 0.0)),
    ("rHand", "rForeArm", (-0.26, 0.0, 0.0)),
    ("lThigh", "hip", (0.10, 0.0, 0.0)),
    ("lShin", "lThigh", (0.0, -0.39, 0.0)),
    ("lFoot", "lShin", (0.0, -0.43, 0.0)),
    ("rThigh", "hip", (-0.10, 0.0, 0.0)),
    ("rShin", "rThigh", (0.0, -0.39, 0.0)),
    ("rFoot", "rShin", (0.0, -0.43, 0.0)),
)
_FOOT_END = (0.0, -0.05, 0.14)  # [m] toe End Site below and in front of the ankle
_HIP_HEIGHT = 0.90  # [m]


def _offset(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v / UNIT:.4f}" for v in values)


def _hierarchy() -> list[str]:
    children: dict[str | None, list[int]] = {}
    for index, (_, parent, _) in enumerate(_BONES):
        children.setdefault(parent, []).append(index)

    def block(index: int, depth: int) -> list[str]:
        name, parent, offset = _BONES[index]
        pad = "  " * depth
        kind = "ROOT" if parent is None else "JOINT"
        channels = "6 Xposition Yposition Zposition Zrotation Xrotation Yrotation" if parent is None else "3 Zrotation Xrotation Yrotation"
        lines = [f"{pad}{kind} {name}", f"{pad}{{", f"{pad}  OFFSET {_offset(offset)}", f"{pad}  CHANNELS {channels}"]
        for child in children.get(name, []):
            lines += block(child, depth + 1)
        if name in ("lFoot", "rFoot"):
            lines += [f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET {_offset(_FOOT_END)}", f"{pad}  }}"]
        lines.append(f"{pad}}}")
        return lines

    return ["HIERARCHY", *block(0, 0)]


def walking_bvh(seconds: float = 4.0, fps: float = 60.0, *, phase: float = 0.0) -> str:
    """BVH text of a walk: frame 0 a T-pose, then `seconds` of swinging legs moving forward at 1 m/s."""
    frames = int(seconds * fps) + 1
    t = np.arange(frames) / fps  # [s]
    swing = 25.0 * np.sin(2 * np.pi * 1.0 * t + phase)  # [deg] thigh pitch at one stride per second
    knee = 20.0 * np.clip(np.sin(2 * np.pi * 1.0 * t + phase + 1.0), 0, None)  # [deg]
    columns = np.zeros((frames, 6 + 3 * (len(_BONES) - 1)))
    columns[:, 1] = _HIP_HEIGHT / UNIT
    columns[:, 2] = t / UNIT  # forward along +z at 1 m/s
    names = [name for name, _, _ in _BONES]

    def pitch(name: str, values: np.ndarray) -> None:  # channel order Z X Y: X is the second
        columns[:, 6 + 3 * (names.index(name) - 1) + 1] = values

    pitch("lThigh", -swing)
    pitch("rThigh", swing)
    pitch("lShin", knee)
    pitch("rShin", 20.0 * np.clip(np.sin(2 * np.pi * t + phase + 1.0 + np.pi), 0, None))
    columns[0] = 0.0  # the calibration T-pose frame the cmu map drops
    columns[0, 1] = _HIP_HEIGHT / UNIT
    motion = [f"Frames: {frames}", f"Frame Time: {1.0 / fps:.8f}"]
    motion += [" ".join(f"{v:.4f}" for v in row) for row in columns]
    return "\n".join([*_hierarchy(), "MOTION", *motion]) + "\n"


def write_walks(folder: Path, count: int = 3) -> list[Path]:
    """`count` walking takes walk_00.bvh ... in `folder` (different phases)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        path = folder / f"walk_{k:02d}.bvh"
        path.write_text(walking_bvh(phase=0.7 * k))
        paths.append(path)
    return paths
