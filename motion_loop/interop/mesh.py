"""A motion as a GLB mesh sequence of the physics humanoid's bodies, for any 3D viewer (trimesh).

The clip is fitted with the same MuJoCo humanoid that physics correction uses (capsules, box feet,
sphere head and hands; `physics.humanoid`), retargeted analytically to joint angles, and posed frame
by frame. Each body shape is stored once; every exported frame is a node `frame_NNNN` holding one
child node per shape (`frame_NNNN/GEOM`) that places it. Coordinates are glTF's: metres, y up
(HumanML3D's frame as well). Every frame's bodies are visible at once (a strobe of the motion), so
long clips read best with a stride.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mujoco
import numpy as np
import trimesh

from motion_loop.data import skeleton as sk
from motion_loop.errors import DataFormatError
from motion_loop.io import atomic_write_bytes

# MuJoCo z-up -> glTF / HumanML3D y-up: hml = _MJ_TO_Y_UP @ mj (the axis order of physics.frames).
_MJ_TO_Y_UP = np.eye(4)[[1, 2, 0, 3]]
# Right side red, left side blue, the rest grey (as the stick figures), RGBA 0-255.
_COLOURS = {"right": (192, 57, 43, 255), "left": (46, 134, 193, 255), "centre": (120, 130, 140, 255)}
_SPHERE_SUBDIVISIONS = 2
_CAPSULE_SECTIONS = 16


@dataclass(frozen=True)
class MeshSequence:
    """What `save_humanoid_glb` wrote: the file, the exported frame indices and the shape names."""

    path: Path
    frames: list[int]
    shapes: list[str]


def _shape(model: mujoco.MjModel, geom: int) -> trimesh.Trimesh:
    """One geom as a mesh in the geom's own frame (MuJoCo: capsule and box centred, capsule along z)."""
    kind, size = model.geom_type[geom], model.geom_size[geom]
    if kind == mujoco.mjtGeom.mjGEOM_CAPSULE:
        return trimesh.creation.capsule(height=2 * size[1], radius=size[0], count=[_CAPSULE_SECTIONS, _CAPSULE_SECTIONS])
    if kind == mujoco.mjtGeom.mjGEOM_BOX:
        return trimesh.creation.box(extents=2 * size[:3])
    if kind == mujoco.mjtGeom.mjGEOM_SPHERE:
        return trimesh.creation.icosphere(subdivisions=_SPHERE_SUBDIVISIONS, radius=size[0])
    raise DataFormatError(f"humanoid geom {model.geom(geom).name!r} has type {kind}, which the GLB export does not draw")


def _colour(body: str) -> tuple[int, int, int, int]:
    return _COLOURS["right" if body.startswith("right") else "left" if body.startswith("left") else "centre"]


def save_humanoid_glb(joints: np.ndarray, path: Path | str, *, stride: int = 1, mass: float = 70.0) -> MeshSequence:
    """Write the clip's humanoid bodies, posed at every `stride`-th frame, as a binary glTF (.glb).

    Args:
        joints: (T, 22, 3) joint positions [m], y-up (HumanML3D).
        path: the .glb to write (atomically; folders are created).
        stride: export frames 0, stride, 2 stride, ...
        mass: body mass of the fitted humanoid [kg] (does not change the shapes' poses).

    Raises:
        DataFormatError: wrong joint shape, NaN, or a stride < 1.
    """
    from physics.frames import hml_to_mj
    from physics.humanoid import build_model, fit_geometry
    from physics.retarget import joints_to_qpos

    joints = sk.check_joints(joints, min_frames=1)
    if stride < 1:
        raise DataFormatError(f"stride must be >= 1, got {stride}")
    joints_mj = hml_to_mj(joints)  # (T, 22, 3) z-up
    geometry = fit_geometry(joints_mj, mass=mass)
    model = build_model(geometry)
    data = mujoco.MjData(model)
    qpos = joints_to_qpos(model, geometry, joints_mj)  # (T, nq)
    geoms = [g for g in range(model.ngeom) if model.geom_bodyid[g] != 0]  # body 0 is the world (floor)
    scene = trimesh.Scene()
    names = []
    for g in geoms:
        name = model.geom(g).name or f"geom{g}"
        mesh = _shape(model, g)
        mesh.visual.face_colors = _colour(model.body(model.geom_bodyid[g]).name)
        scene.geometry[name] = mesh
        names.append(name)
    frames = list(range(0, len(joints), stride))
    for frame in frames:
        data.qpos[:] = qpos[frame]
        mujoco.mj_kinematics(model, data)
        parent = f"frame_{frame:04d}"
        scene.graph.update(frame_to=parent, frame_from=scene.graph.base_frame, matrix=np.eye(4))
        for g, name in zip(geoms, names, strict=True):
            placement = np.eye(4)
            placement[:3, :3] = data.geom_xmat[g].reshape(3, 3)
            placement[:3, 3] = data.geom_xpos[g]
            scene.graph.update(frame_to=f"{parent}/{name}", frame_from=parent, matrix=_MJ_TO_Y_UP @ placement, geometry=name)
    path = Path(path)
    atomic_write_bytes(path, scene.export(file_type="glb"))
    return MeshSequence(path, frames, names)
