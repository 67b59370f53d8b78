"""Joint maps: how a BVH skeleton's joints become the 22 HumanML3D joints (YAML files in assets/joint_maps)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from motion_loop.data.bvh import BvhMotion, WorldPose
from motion_loop.data.skeleton import JOINT_NAMES
from motion_loop.errors import DataFormatError
from motion_loop.resources import assets_dir

JOINT_MAP_DIR = assets_dir() / "joint_maps"


@dataclass(frozen=True)
class JointSource:
    """Where one target joint comes from: a BVH joint, the End Site below one, or a point between two."""

    joint: str
    kind: str = "joint"  # "joint" | "end_site" | "lerp"
    other: str = ""
    fraction: float = 0.0

    @property
    def names(self) -> tuple[str, ...]:
        return (self.joint, self.other) if self.kind == "lerp" else (self.joint,)


@dataclass(frozen=True)
class JointMap:
    name: str
    units_to_metres: float
    axes: np.ndarray  # (3, 3)
    drop_first_frame: bool
    sources: tuple[JointSource, ...]  # one per HumanML3D joint, in JOINT_NAMES order

    def missing_joints(self, bvh: BvhMotion) -> list[str]:
        """BVH joint names this map needs that the file lacks (End Sites included)."""
        missing = [n for s in self.sources for n in s.names if n not in bvh.index]
        missing += [s.joint for s in self.sources if s.kind == "end_site" and s.joint in bvh.index
                    and bvh.joints[bvh.index[s.joint]].end_site is None]  # fmt: skip
        return sorted(set(missing))

    def apply(self, bvh: BvhMotion, pose: WorldPose) -> np.ndarray:
        """(F, 22, 3) joint positions in metres, y-up, from a BVH's world pose."""
        missing = self.missing_joints(bvh)
        if missing:
            raise DataFormatError(
                f"{bvh.source}: joint map {self.name!r} needs joints {missing} that the file does not have; "
                f"pick another map (available: {available_joint_maps()}) or add one (see {JOINT_MAP_DIR / 'README.md'})"
            )
        columns = []
        for source in self.sources:
            if source.kind == "end_site":
                columns.append(pose.end_sites[source.joint])
            elif source.kind == "lerp":
                a, b = pose.positions[:, bvh.index[source.joint]], pose.positions[:, bvh.index[source.other]]
                columns.append(a + source.fraction * (b - a))
            else:
                columns.append(pose.positions[:, bvh.index[source.joint]])
        joints = np.stack(columns, axis=1) * self.units_to_metres  # (F, 22, 3)
        return joints @ self.axes.T


def _parse_source(target: str, spec: Any, path: Path) -> JointSource:
    if isinstance(spec, str):
        return JointSource(spec)
    if isinstance(spec, dict) and set(spec) == {"end_site"}:
        return JointSource(str(spec["end_site"]), "end_site")
    if isinstance(spec, dict) and set(spec) == {"lerp"} and len(spec["lerp"]) == 3:
        a, b, t = spec["lerp"]
        return JointSource(str(a), "lerp", str(b), float(t))
    raise DataFormatError(
        f"{path}: joint {target!r} must map to a joint name, {{end_site: NAME}} or {{lerp: [A, B, t]}}, got {spec!r}"
    )


def load_joint_map(name_or_path: str | Path) -> JointMap:
    """Load a joint map by name (assets/joint_maps/NAME.yaml) or by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = JOINT_MAP_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise DataFormatError(f"no joint map {name_or_path!r}; available: {available_joint_maps()}")
    spec = yaml.safe_load(path.read_text())
    joints = spec.get("joints", {})
    missing = [name for name in JOINT_NAMES if name not in joints]
    unknown = [name for name in joints if name not in JOINT_NAMES]
    if missing or unknown:
        raise DataFormatError(f"{path}: joint map lacks {missing} and has unknown targets {unknown}; targets are {list(JOINT_NAMES)}")
    axes = np.asarray(spec.get("axes", np.eye(3)), dtype=np.float64)
    if axes.shape != (3, 3) or abs(abs(np.linalg.det(axes)) - 1) > 1e-6:
        raise DataFormatError(f"{path}: axes must be a 3x3 rotation or reflection matrix, got {axes.tolist()}")
    return JointMap(
        name=str(spec.get("name", path.stem)),
        units_to_metres=float(spec["units_to_metres"]),
        axes=axes,
        drop_first_frame=bool(spec.get("drop_first_frame", False)),
        sources=tuple(_parse_source(name, joints[name], path) for name in JOINT_NAMES),
    )


def available_joint_maps() -> list[str]:
    return sorted(path.stem for path in JOINT_MAP_DIR.glob("*.yaml"))


def detect_joint_map(bvh: BvhMotion) -> JointMap:
    """The first shipped joint map whose joints all exist in the file."""
    for name in available_joint_maps():
        joint_map = load_joint_map(name)
        if not joint_map.missing_joints(bvh):
            return joint_map
    names = [joint.name for joint in bvh.joints]
    raise DataFormatError(
        f"{bvh.source}: no joint map fits this skeleton (joints: {names[:12]}...); available maps "
        f"{available_joint_maps()}; add one as described in {JOINT_MAP_DIR / 'README.md'}"
    )
