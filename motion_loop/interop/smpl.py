"""An SMPL body for a generated motion, when the user has SMPL model files (smplx, `pip install
'motion-loop[smpl]'`; the project ships no body model, as SMPL's licence requires).

A motion here is 22 joint positions per frame, HumanML3D's joints, which are SMPL's first 22 joints
with the same parents. `smpl_pose_from_joints` turns them into SMPL pose parameters analytically: each
joint's world rotation maps the body model's rest-pose bones onto the motion's bones (the best rotation
over its bones where a joint has two or more children, pelvis and upper spine; the smallest swing from
its parent's rotation where it has one; its parent's rotation for the hands, feet and head, whose own
turn the joints do not show). Bone lengths stay the body model's: it reaches the motion's joint
directions, not its exact positions. The twist of a limb about its own axis is not in the joint positions
either; it follows the parent. SMPL's two hand joints are left at rest.

`smpl_meshes` runs smplx on those parameters and `save_smpl_glb` writes the meshes as GLB frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import trimesh
from scipy.spatial.transform import Rotation

from motion_loop.data import skeleton as sk
from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.io import atomic_write_bytes

SMPL_JOINTS = 24  # the body model's joints; the motion's 22 are its first 22
_HAND_JOINTS = 2  # SMPL joints 22 and 23, not in the motion
_PARALLEL = 1e-9


@dataclass(frozen=True)
class SmplPose:
    """SMPL parameters of a clip: axis-angle rotations [rad] and translation [m], y-up.

    Attributes:
        global_orient: (T, 3) pelvis rotation.
        body_pose: (T, 69) joints 1..23 local rotations (22 and 23, the hands, at rest).
        transl: (T, 3) translation of the body model.
    """

    global_orient: np.ndarray
    body_pose: np.ndarray
    transl: np.ndarray


def _children(joint: int) -> list[int]:
    return [c for c, p in enumerate(sk.PARENTS) if p == joint]


def _best_rotation(rest: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rotations (T, 3, 3) taking the unit rest vectors (K, 3) closest to the targets (T, K, 3) (Kabsch)."""
    covariance = np.einsum("tki,kj->tij", target, rest)  # (T, 3, 3)
    u, _, vt = np.linalg.svd(covariance)
    sign = np.sign(np.linalg.det(u @ vt))
    u[..., :, -1] *= sign[:, None]
    return u @ vt


def _swing(rest: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Smallest rotations (T, 3, 3) taking unit vectors rest (T, 3) onto target (T, 3)."""
    quats = sk.quaternion_between(rest, target)  # (T, 4) scalar last
    return Rotation.from_quat(quats).as_matrix()


def smpl_pose_from_joints(joints: np.ndarray, rest_joints: np.ndarray) -> SmplPose:
    """SMPL parameters whose joints point along the motion's bones.

    Args:
        joints: (T, 22, 3) joint positions [m], y-up.
        rest_joints: (>=22, 3) the body model's rest-pose joints [m] (e.g. `SmplBody.rest_joints`).

    Raises:
        DataFormatError: wrong shapes, NaN, or a zero-length bone.
    """
    joints = sk.check_joints(joints, min_frames=1)
    rest_joints = np.asarray(rest_joints, dtype=np.float64)
    if rest_joints.ndim != 2 or rest_joints.shape[0] < sk.NUM_JOINTS or rest_joints.shape[1] != 3:
        raise DataFormatError(f"rest_joints must be (>= {sk.NUM_JOINTS}, 3), got {rest_joints.shape}")
    T = len(joints)
    world = np.zeros((T, sk.NUM_JOINTS, 3, 3))
    for joint in range(sk.NUM_JOINTS):  # parents come before their children
        parent = sk.PARENTS[joint]
        carried = world[:, parent] if parent >= 0 else np.broadcast_to(np.eye(3), (T, 3, 3))
        kids = _children(joint)
        rest = rest_joints[kids] - rest_joints[joint]  # (K, 3)
        target = joints[:, kids] - joints[:, joint : joint + 1]  # (T, K, 3)
        if np.any(np.linalg.norm(rest, axis=-1) < _PARALLEL) or np.any(np.linalg.norm(target, axis=-1) < _PARALLEL):
            raise DataFormatError(f"a bone of joint {sk.JOINT_NAMES[joint]} has zero length")
        rest = rest / np.linalg.norm(rest, axis=-1, keepdims=True) if kids else rest
        target = target / np.linalg.norm(target, axis=-1, keepdims=True) if kids else target
        if len(kids) >= 2:
            world[:, joint] = _best_rotation(rest, target)
        elif len(kids) == 1:
            carried_rest = np.einsum("tij,j->ti", carried, rest[0])
            world[:, joint] = _swing(carried_rest, target[:, 0]) @ carried
        else:
            world[:, joint] = carried
    local = world.copy()
    for joint in range(1, sk.NUM_JOINTS):
        local[:, joint] = np.swapaxes(world[:, sk.PARENTS[joint]], -1, -2) @ world[:, joint]
    axis_angle = Rotation.from_matrix(local.reshape(-1, 3, 3)).as_rotvec().reshape(T, sk.NUM_JOINTS, 3)
    body_pose = np.concatenate([axis_angle[:, 1:], np.zeros((T, _HAND_JOINTS, 3))], axis=1).reshape(T, -1)
    return SmplPose(global_orient=axis_angle[:, 0], body_pose=body_pose, transl=joints[:, 0] - rest_joints[0])


class SmplBody:
    """An SMPL body model loaded with smplx from the user's files.

    Args:
        model_path: SMPL_NEUTRAL.pkl (or a folder of SMPL_{GENDER}.pkl).
        gender: "neutral", "male" or "female" (when model_path is a folder).
        betas: (10,) shape coefficients (default zeros: the mean shape).
        options: passed to `smplx.SMPL` (e.g. vertex_ids for a model of another vertex count).

    Raises:
        ConfigError: smplx missing, or the model file missing.
    """

    def __init__(self, model_path: Path | str, *, gender: str = "neutral", betas: np.ndarray | None = None, **options: Any) -> None:
        try:
            import smplx
        except ImportError as error:
            raise ConfigError("SMPL bodies need smplx: pip install 'motion-loop[smpl]'") from error
        import torch

        path = Path(model_path)
        if not path.exists():
            raise ConfigError(f"SMPL model {path} does not exist; download SMPL from smpl.is.tue.mpg.de (licence required)")
        self.model = smplx.SMPL(str(path), gender=gender, **options)
        self.betas = torch.zeros(1, self.model.num_betas) if betas is None else torch.as_tensor(betas, dtype=torch.float32)[None]
        with torch.no_grad():
            rest = self.model(betas=self.betas)
        self.rest_joints = rest.joints[0, :SMPL_JOINTS].double().numpy()  # (24, 3), the rest pose
        self.faces = np.asarray(self.model.faces, dtype=np.int64)

    def meshes(self, joints: np.ndarray) -> tuple[np.ndarray, np.ndarray, SmplPose]:
        """(vertices (T, V, 3) [m], posed SMPL joints (T, 24, 3), the pose) for a motion (T, 22, 3)."""
        import torch

        pose = smpl_pose_from_joints(joints, self.rest_joints)
        T = len(pose.transl)
        with torch.no_grad():
            out = self.model(
                betas=self.betas.expand(T, -1),
                global_orient=torch.as_tensor(pose.global_orient, dtype=torch.float32),
                body_pose=torch.as_tensor(pose.body_pose, dtype=torch.float32),
                transl=torch.as_tensor(pose.transl, dtype=torch.float32),
            )  # fmt: skip
        return out.vertices.double().numpy(), out.joints[:, :SMPL_JOINTS].double().numpy(), pose


def save_smpl_glb(body: SmplBody, joints: np.ndarray, path: Path | str, *, stride: int = 5) -> list[int]:
    """Write the SMPL body of every `stride`-th frame as one node `frame_NNNN` of a GLB; returns the frames."""
    if stride < 1:
        raise DataFormatError(f"stride must be >= 1, got {stride}")
    frames = list(range(0, len(joints), stride))
    vertices, _, _ = body.meshes(np.asarray(joints)[frames])
    scene = trimesh.Scene()
    for frame, verts in zip(frames, vertices, strict=True):
        scene.add_geometry(trimesh.Trimesh(verts, body.faces, process=False), node_name=f"frame_{frame:04d}",
                           geom_name=f"body_{frame:04d}")  # fmt: skip
    atomic_write_bytes(Path(path), scene.export(file_type="glb"))
    return frames
