"""Turn a body description (pelvis, trunk and arm angles, ankle targets) into 22 joint positions.

Frames: metres, y-up; in the body frame +x is the body's left, +y up, +z forward. Every bone is placed
as `child = parent + length * direction`, with the lengths of the target skeleton
(`skeleton.TARGET_BONE_LENGTHS`), so bone lengths are exact by construction. Trunk, head and arms are
rotations of a neutral standing pose; the legs are solved analytically (two-bone IK) so that the
ankles land exactly where the gait planner puts them.

Sign conventions of the angles (all [rad]): heading/yaw positive turns left (the facing turns
from +z towards +x); trunk flex positive bends forward; arm flex positive raises the arm forwards, abduction
positive raises it sideways away from the body, elbow positive bends the forearm forwards/upwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motion_loop.data.skeleton import NUM_JOINTS, TARGET_BONE_LENGTHS

# Bone length [m] of joint j (bone parent(j) -> j); index 0 unused.
BONE = np.concatenate([[0.0], TARGET_BONE_LENGTHS])


def _unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    return a / np.linalg.norm(a)


# Neutral standing directions of bones in the body frame (left = +x), shaped after an adult at rest:
# hips below and beside the pelvis, a slightly S-shaped spine, arms hanging with a small carrying angle.
REST_DIRECTION: dict[int, np.ndarray] = {
    1: _unit([0.57, -0.80, -0.17]),  # left hip
    2: _unit([-0.57, -0.80, -0.15]),  # right hip
    3: _unit([0.0, 0.96, -0.28]),  # spine1
    6: _unit([0.0, 0.98, 0.19]),  # spine2
    9: _unit([0.0, 1.0, 0.04]),  # spine3
    12: _unit([0.0, 0.99, -0.10]),  # neck
    15: _unit([0.0, 0.75, 0.66]),  # head
    13: _unit([0.56, 0.81, -0.14]),  # left collar
    14: _unit([-0.56, 0.81, -0.14]),  # right collar
    16: _unit([0.94, 0.34, -0.08]),  # left shoulder
    17: _unit([-0.94, 0.34, -0.08]),  # right shoulder
    18: _unit([0.12, -1.0, -0.02]),  # left elbow (upper arm hanging)
    19: _unit([-0.12, -1.0, -0.02]),  # right elbow
    20: _unit([0.03, -1.0, 0.10]),  # left wrist (forearm)
    21: _unit([-0.03, -1.0, 0.10]),  # right wrist
}

LEFT, RIGHT = 0, 1
HIP = (1, 2)
KNEE = (4, 5)
ANKLE = (7, 8)
TOE = (10, 11)
THIGH = (BONE[4], BONE[5])
SHIN = (BONE[7], BONE[8])
FOOT = (BONE[10], BONE[11])
# Shortest leg (hip to ankle, fully straight) [m]; reach limits use it with a margin.
LEG_LENGTH = min(THIGH[0] + SHIN[0], THIGH[1] + SHIN[1])
# Height of the ankle above the floor with the foot flat [m]; the toe joint then rests at y = 0.
ANKLE_HEIGHT = 0.065
# A leg is never stretched beyond this fraction of its length (a locked knee looks robotic).
MAX_REACH = 0.995
# Height of the hip joints below the pelvis in the neutral pose [m].
HIP_DROP = float(-(BONE[1] * REST_DIRECTION[1][1]))
# Pelvis height of the neutral stance with slightly bent knees [m].
STAND_HEIGHT = ANKLE_HEIGHT + HIP_DROP + 0.99 * LEG_LENGTH
# Lateral distance of each ankle from the body's midline when standing [m].
STANCE_HALF_WIDTH = 0.1
# Largest ankle flexion of a lifted foot from its standing angle [rad]: toes up, toes down.
ANKLE_DORSIFLEXION_MAX = np.radians(20.0)
ANKLE_PLANTARFLEXION_MAX = np.radians(45.0)
# Toes point slightly outwards [rad].
TOE_OUT = 0.12


def rot_x(angle: np.ndarray) -> np.ndarray:
    """Rotations about +x, (T,) [rad] -> (T, 3, 3)."""
    c, s, o, z = _cs(angle)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def rot_y(angle: np.ndarray) -> np.ndarray:
    """Rotations about +y (turning left for positive angles), (T,) [rad] -> (T, 3, 3)."""
    c, s, o, z = _cs(angle)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def rot_z(angle: np.ndarray) -> np.ndarray:
    """Rotations about +z, (T,) [rad] -> (T, 3, 3)."""
    c, s, o, z = _cs(angle)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


def _cs(angle: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a = np.asarray(angle, dtype=np.float64)
    return np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)


def _apply(rot: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """(T, 3, 3) x (3,) or (T, 3) -> (T, 3)."""
    if vector.ndim == 1:
        return rot @ vector
    return np.einsum("tij,tj->ti", rot, vector)


@dataclass
class BodyPose:
    """A whole clip described by angles and targets; every array has T rows.

    Attributes:
        pelvis: (T, 3) pelvis position [m].
        heading: (T,) pelvis yaw [rad] (0 faces +z).
        pelvis_tilt: (T, 2) pelvis pitch forward and roll towards the left [rad].
        spine: (T, 3) trunk flex forward, bend left and twist left [rad], spread over the 3 spine bones.
        head: (T, 3) head flex forward, bend left and turn left relative to the chest [rad].
        arms: (2, T, 4) left/right arm: flex, abduction, humeral twist (outwards), elbow flex [rad].
        ankles: (2, T, 3) left/right ankle targets [m].
        foot_yaw: (2, T) world yaw of each foot [rad] (toe-out is added).
        foot_pitch: (2, T) extra toe-down pitch of each foot relative to flat [rad].
        contact: (2, T) planner's stance labels (True while a foot is planted).
        heel_contact: (2, T) True while the ankle of a planted foot is still (before heel-off).
        toe_contact: (2, T) True while the toe of a planted foot is still (after heel strike).
    """

    pelvis: np.ndarray
    heading: np.ndarray
    pelvis_tilt: np.ndarray
    spine: np.ndarray
    head: np.ndarray
    arms: np.ndarray
    ankles: np.ndarray
    foot_yaw: np.ndarray
    foot_pitch: np.ndarray
    contact: np.ndarray
    heel_contact: np.ndarray
    toe_contact: np.ndarray

    def set_contact(self, side: int, planted: np.ndarray) -> None:
        """Mark a whole foot (heel and toe) planted where `planted` (T,) is True."""
        self.contact[side] = planted
        self.heel_contact[side] = planted
        self.toe_contact[side] = planted

    @classmethod
    def standing(cls, frames: int) -> BodyPose:
        """A neutral standing pose held for `frames` frames, feet under the hips, facing +z."""
        T = frames
        pelvis = np.tile([0.0, STAND_HEIGHT, 0.0], (T, 1))
        ankles = np.zeros((2, T, 3))
        ankles[LEFT] = [STANCE_HALF_WIDTH, ANKLE_HEIGHT, 0.0]
        ankles[RIGHT] = [-STANCE_HALF_WIDTH, ANKLE_HEIGHT, 0.0]
        arms = np.zeros((2, T, 4))
        arms[:, :, 3] = 0.15  # relaxed elbows
        return cls(
            pelvis=pelvis, heading=np.zeros(T), pelvis_tilt=np.zeros((T, 2)), spine=np.zeros((T, 3)),
            head=np.zeros((T, 3)), arms=arms, ankles=ankles, foot_yaw=np.zeros((2, T)),
            foot_pitch=np.zeros((2, T)), contact=np.ones((2, T), dtype=bool),
            heel_contact=np.ones((2, T), dtype=bool), toe_contact=np.ones((2, T), dtype=bool),
        )  # fmt: skip



def pelvis_rotation(pose: BodyPose) -> np.ndarray:
    """World rotation of the pelvis, (T, 3, 3): yaw, then forward pitch, then roll."""
    return rot_y(pose.heading) @ rot_x(pose.pelvis_tilt[:, 0]) @ rot_z(-pose.pelvis_tilt[:, 1])


def hip_positions(pose: BodyPose, pelvis_rot: np.ndarray | None = None) -> np.ndarray:
    """(2, T, 3) hip joint positions [m]."""
    rot = pelvis_rotation(pose) if pelvis_rot is None else pelvis_rot
    return np.stack([pose.pelvis + BONE[h] * _apply(rot, REST_DIRECTION[h]) for h in HIP])


def _bend(angles: np.ndarray, fraction: float = 1.0) -> np.ndarray:
    """Rotation of a trunk or head bend (T, 3) (flex, bend left, twist left) -> (T, 3, 3)."""
    a = angles * fraction
    return rot_y(a[:, 2]) @ rot_x(a[:, 0]) @ rot_z(-a[:, 1])


def _arm_rotations(chest: np.ndarray, arm: np.ndarray, sign: float) -> tuple[np.ndarray, np.ndarray]:
    """World rotations of upper arm and forearm, (T, 3, 3) each; sign +1 left arm, -1 right arm."""
    flex, abduct, twist, elbow = arm[:, 0], arm[:, 1], arm[:, 2], arm[:, 3]
    upper = chest @ rot_z(sign * abduct) @ rot_x(-flex) @ rot_y(sign * twist)
    fore = upper @ rot_x(-elbow)
    return upper, fore


def _two_bone_ik(hip: np.ndarray, ankle: np.ndarray, pole: np.ndarray, thigh: float, shin: float) -> tuple[np.ndarray, np.ndarray]:
    """Knee (T, 3) for a leg from hip to ankle with the knee towards `pole`, and the reached ankle (T, 3).

    Targets out of reach are pulled back along the hip-ankle line (the planner keeps them in reach).
    """
    span = ankle - hip
    dist = np.linalg.norm(span, axis=-1)
    reach = np.clip(dist, abs(thigh - shin) + 1e-6, (thigh + shin) * MAX_REACH)
    axis = span / np.maximum(dist, 1e-9)[:, None]
    along = (thigh**2 - shin**2 + reach**2) / (2.0 * reach)
    height = np.sqrt(np.maximum(thigh**2 - along**2, 0.0))
    perp = pole - (pole * axis).sum(-1, keepdims=True) * axis
    perp /= np.maximum(np.linalg.norm(perp, axis=-1, keepdims=True), 1e-9)
    knee = hip + along[:, None] * axis + height[:, None] * perp
    return knee, hip + reach[:, None] * axis


def assemble(pose: BodyPose) -> np.ndarray:
    """Joint positions (T, 22, 3) [m] of a body pose; every bone has exactly its target length."""
    T = pose.pelvis.shape[0]
    joints = np.zeros((T, NUM_JOINTS, 3))
    joints[:, 0] = pose.pelvis
    pelvis_rot = pelvis_rotation(pose)

    def place(child: int, parent: int, rot: np.ndarray, direction: np.ndarray | None = None) -> None:
        d = REST_DIRECTION[child] if direction is None else direction
        joints[:, child] = joints[:, parent] + BONE[child] * _apply(rot, d)

    # Trunk: the bend is spread evenly over the three spine bones.
    third = _bend(pose.spine, 1.0 / 3.0)
    s1 = pelvis_rot @ third
    s2 = s1 @ third
    chest = s2 @ third
    place(3, 0, s1)
    place(6, 3, s2)
    place(9, 6, chest)
    place(12, 9, chest)
    place(15, 12, chest @ _bend(pose.head))
    for collar, shoulder in ((13, 16), (14, 17)):
        place(collar, 9, chest)
        place(shoulder, collar, chest)
    for side, (elbow, wrist, shoulder) in enumerate(((18, 20, 16), (19, 21, 17))):
        upper, fore = _arm_rotations(chest, pose.arms[side], 1.0 if side == LEFT else -1.0)
        place(elbow, shoulder, upper)
        place(wrist, elbow, fore)

    # Legs: hips from the pelvis, knees by two-bone IK, toes from the foot yaw and pitch.
    hips = hip_positions(pose, pelvis_rot)
    for side in (LEFT, RIGHT):
        sign = 1.0 if side == LEFT else -1.0
        yaw = pose.foot_yaw[side] + sign * TOE_OUT
        foot_fwd = np.stack([np.sin(yaw), np.zeros(T), np.cos(yaw)], -1)  # (T, 3)
        # Knees point between the pelvis forward and the foot forward, slightly outwards.
        pelvis_fwd = pelvis_rot[:, :, 2]
        pole = pelvis_fwd + foot_fwd + sign * 0.15 * pelvis_rot[:, :, 0]
        knee, ankle = _two_bone_ik(hips[side], pose.ankles[side], pole, THIGH[side], SHIN[side])
        joints[:, HIP[side]] = hips[side]
        joints[:, KNEE[side]] = knee
        joints[:, ANKLE[side]] = ankle
        flat = np.arcsin(np.clip(ANKLE_HEIGHT / FOOT[side], -1.0, 1.0))
        pitch = flat + pose.foot_pitch[side]
        # A lifted foot keeps a human ankle angle: in the foot's vertical plane, the angle from the
        # foot to the shin (ankle -> knee) is pi/2 + flat when standing upright.
        shin = knee - ankle
        shin_angle = np.arctan2(shin[:, 1], (shin * foot_fwd).sum(-1))
        lo = np.pi / 2 + flat - ANKLE_DORSIFLEXION_MAX - shin_angle
        hi = np.pi / 2 + flat + ANKLE_PLANTARFLEXION_MAX - shin_angle
        pitch = np.where(pose.contact[side], pitch, np.clip(pitch, lo, hi))
        # The toe never goes below the floor: limit the toe-down pitch by the ankle's height.
        lowest = np.arcsin(np.clip(ankle[:, 1] / FOOT[side], -1.0, 1.0))
        pitch = np.minimum(pitch, lowest)
        toe_dir = np.cos(pitch)[:, None] * foot_fwd - np.sin(pitch)[:, None] * np.array([0.0, 1.0, 0.0])
        joints[:, TOE[side]] = ankle + FOOT[side] * toe_dir
    return joints
