"""A MuJoCo humanoid generated from the 22-joint HumanML3D skeleton of a clip.

`fit_geometry` measures the skeleton from joint positions (bone lengths, the rigid pelvis and chest
triangles, the foot drop), `build_mjcf` writes an MJCF string and `build_model` compiles it.

Model (MuJoCo z-up, facing +x, left +y; see `physics.frames`):
- bodies named after the HumanML3D joint at their origin (pelvis, left_hip = thigh, left_knee = shin,
  left_ankle = foot, spine1, spine2, spine3 = chest, neck, collars, shoulders = upper arms,
  elbows = forearms); every body frame is world-aligned in the rest pose (a T-pose);
- a free root joint, 3 hinges per spherical joint (`{body}_{axis}`, applied in the listed order,
  i.e. intrinsic Euler angles), single hinges at knees and elbows; head, wrists and toes are welded
  (their rotation cannot be observed from positions): 40 actuated hinges;
- capsules per bone, a head sphere, hand spheres and box feet; about 70 kg with de Leva (1996) segment
  mass fractions; geoms collide with the floor only;
- position servos (kp, kv) with torque limits as in UHC's release config;
- a site at each of the 22 joint centres (named like the joint) and 4 sole-corner sites per foot;
  optionally `framepos` sensors on them, so batched rollouts return their positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mujoco
import numpy as np

from motion_loop.data import skeleton as sk
from physics.errors import PhysicsError

# Hinge axes in a body frame.
_AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0), "-z": (0.0, 0.0, -1.0)}

# Euler order of each 3-hinge joint (intrinsic, first hinge outermost). The middle axis is the one
# least likely to reach +-90 deg: flexion-abduction-twist for legs and spine, twist in the middle
# for collars and shoulders (the arm bone lies along y).
EULER_ORDER: dict[str, str] = {
    "left_hip": "yxz", "right_hip": "yxz", "left_ankle": "yxz", "right_ankle": "yxz",
    "spine1": "yxz", "spine2": "yxz", "spine3": "yxz", "neck": "yxz",
    "left_collar": "xyz", "right_collar": "xyz", "left_shoulder": "xyz", "right_shoulder": "xyz",
}  # fmt: skip
# Single hinges: knee flexion about +y moves the ankle backwards; elbow flexion moves the forearm forward.
HINGE_AXIS: dict[str, str] = {"left_knee": "y", "right_knee": "y", "left_elbow": "-z", "right_elbow": "z"}

# Joint ranges [deg] per hinge; a missing entry means unlimited (shoulders: Euler tracks wander
# outside +-180 deg and clipping them costs centimetres of retargeting error).
_RANGES: dict[str, tuple[float, float]] = {
    "left_hip_y": (-165, 60), "left_hip_x": (-50, 100), "left_hip_z": (-80, 80),
    "right_hip_y": (-165, 60), "right_hip_x": (-100, 50), "right_hip_z": (-80, 80),
    "left_knee": (-10, 175), "right_knee": (-10, 175),
    "left_ankle_y": (-80, 100), "left_ankle_x": (-85, 85), "left_ankle_z": (-80, 80),
    "right_ankle_y": (-80, 100), "right_ankle_x": (-85, 85), "right_ankle_z": (-80, 80),
    "spine1_y": (-70, 110), "spine1_x": (-60, 60), "spine1_z": (-70, 70),
    "spine2_y": (-70, 110), "spine2_x": (-60, 60), "spine2_z": (-70, 70),
    "spine3_y": (-120, 90), "spine3_x": (-60, 60), "spine3_z": (-70, 70),
    "neck_y": (-90, 90), "neck_x": (-70, 70), "neck_z": (-90, 90),
    "left_collar_x": (-70, 70), "left_collar_y": (-70, 70), "left_collar_z": (-70, 70),
    "right_collar_x": (-70, 70), "right_collar_y": (-70, 70), "right_collar_z": (-70, 70),
    "left_elbow": (-15, 175), "right_elbow": (-15, 175),
}  # fmt: skip

# Servo gains kp [N m/rad], kv [N m s/rad] and torque limits [N m] per body (UHC uhc_implicit.yml).
_GAINS: dict[str, tuple[float, float, float]] = {
    "hip": (500.0, 50.0, 300.0), "knee": (500.0, 50.0, 250.0), "ankle": (400.0, 40.0, 200.0),
    "spine": (1000.0, 100.0, 300.0), "neck": (100.0, 10.0, 50.0), "collar": (400.0, 40.0, 100.0),
    "shoulder": (400.0, 40.0, 150.0), "elbow": (300.0, 30.0, 100.0),
}  # fmt: skip

# de Leva (1996) male segment mass fractions, mapped onto our bodies (sum = 1).
_MASS_FRACTION: dict[str, float] = {
    "pelvis": 0.1117, "spine1": 0.0800, "spine2": 0.0833, "spine3": 0.1396, "neck": 0.0694,
    "left_collar": 0.0100, "right_collar": 0.0100, "left_shoulder": 0.0271, "right_shoulder": 0.0271,
    "left_elbow": 0.0223, "right_elbow": 0.0223, "left_hip": 0.1416, "right_hip": 0.1416,
    "left_knee": 0.0433, "right_knee": 0.0433, "left_ankle": 0.0137, "right_ankle": 0.0137,
}  # fmt: skip

# Capsule radii [m] per body.
_RADIUS: dict[str, float] = {
    "pelvis": 0.075, "spine1": 0.075, "spine2": 0.08, "spine3": 0.075, "neck": 0.04, "collar": 0.04,
    "shoulder": 0.04, "elbow": 0.032, "hip": 0.065, "knee": 0.048,
}  # fmt: skip
_HEAD_RADIUS = 0.1  # [m]
_HAND_RADIUS = 0.04  # [m]
_FOOT_HALF_WIDTH = 0.045  # [m]
_FOOT_HEIGHT = 0.055  # [m] box height above the sole
_FOOT_HEEL = 0.03  # [m] box extends this far behind the ankle (a long heel digs in at heel strike)
_FOOT_TOE_EXT = 0.02  # [m] and this far beyond the ball-of-foot joint (a long overhang trips at toe-off)
_DEFAULT_FOOT_DROP = 0.07  # [m] ankle height above the ball joint when no stance frame is found
_STANCE_TOE_HEIGHT = 0.03  # [m] toe-joint height below which a frame counts as stance for the drop

# Bodies of the tree: name -> (parent body, 3-hinge Euler order or single hinge axis or None=free).
BODY_PARENT: dict[str, str | None] = {
    "pelvis": None, "left_hip": "pelvis", "right_hip": "pelvis", "left_knee": "left_hip",
    "right_knee": "right_hip", "left_ankle": "left_knee", "right_ankle": "right_knee",
    "spine1": "pelvis", "spine2": "spine1", "spine3": "spine2", "neck": "spine3",
    "left_collar": "spine3", "right_collar": "spine3", "left_shoulder": "left_collar",
    "right_shoulder": "right_collar", "left_elbow": "left_shoulder", "right_elbow": "right_shoulder",
}  # fmt: skip
# Welded leaf joints: joint name -> body it belongs to.
LEAF_BODY = {"head": "neck", "left_wrist": "left_elbow", "right_wrist": "right_elbow",
             "left_foot": "left_ankle", "right_foot": "right_ankle"}  # fmt: skip
FOOT_BODIES = ("left_ankle", "right_ankle")
CORNERS_PER_FOOT = 4


def hinge_names(body: str) -> list[str]:
    """Names of the hinge joints of a body, in the order MuJoCo applies them."""
    if body in EULER_ORDER:
        return [f"{body}_{axis}" for axis in EULER_ORDER[body]]
    if body in HINGE_AXIS:
        return [body]
    return []


def foot_corner_sites(foot_body: str) -> list[str]:
    return [f"{foot_body}_corner{i}" for i in range(CORNERS_PER_FOOT)]


def sensor_sites() -> list[str]:
    """Sites with a `framepos` sensor when built with sensors=True, in sensordata order."""
    return list(sk.JOINT_NAMES) + [site for foot in FOOT_BODIES for site in foot_corner_sites(foot)]


@dataclass(frozen=True)
class HumanoidGeometry:
    """Skeleton measurements in MuJoCo's frame [m].

    Attributes:
        offsets: position of each of the 22 joints in the frame of the body it hangs from (rest pose);
            joint 0 (pelvis) is the root, its offset is zero.
        foot_drop: ankle height above the ball-of-foot joint in the rest pose.
        sole_gap: height of the ball-of-foot joint above the sole. 0 by default: HumanML3D's floor
            convention puts the lowest joint (a toe) on the floor, and the skeleton-based metrics
            (and the evaluator) measure joints against that floor. `measured_sole_gap` is the
            median stance toe height of the clip, kept for reference.
        mass: total mass [kg].
    """

    offsets: np.ndarray  # (22, 3)
    foot_drop: float
    sole_gap: float = 0.0
    mass: float = 70.0
    extras: dict[str, float] = field(default_factory=dict)


def _normalize(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def triangle_frame(origin: np.ndarray, left: np.ndarray, right: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Rotation (T, 3, 3) whose columns are (forward, left, up) built from a rigid joint triangle.

    y = left - right, z = (up - origin) orthogonalised against y, x = y cross z (MuJoCo frame).
    """
    y = _normalize(left - right)
    z = up - origin
    z = _normalize(z - (z * y).sum(-1, keepdims=True) * y)
    x = np.cross(y, z)
    return np.stack([x, y, z], axis=-1)


def pelvis_frame(joints_mj: np.ndarray) -> np.ndarray:
    """Pelvis body rotation (T, 3, 3) from the pelvis, hips and spine1 joints."""
    j = sk.JOINT_NAMES.index
    return triangle_frame(joints_mj[:, 0], joints_mj[:, j("left_hip")], joints_mj[:, j("right_hip")],
                          joints_mj[:, j("spine1")])


def chest_frame(joints_mj: np.ndarray) -> np.ndarray:
    """Chest (spine3) body rotation (T, 3, 3) from spine3, collars and neck."""
    j = sk.JOINT_NAMES.index
    return triangle_frame(joints_mj[:, j("spine3")], joints_mj[:, j("left_collar")],
                          joints_mj[:, j("right_collar")], joints_mj[:, j("neck")])


def fit_geometry(joints_mj: np.ndarray, *, mass: float = 70.0) -> HumanoidGeometry:
    """Measure the skeleton of a clip (T, 22, 3) in MuJoCo's frame (z-up, metres).

    Bone lengths are medians over frames; the pelvis and chest triangles (the only bodies with several
    child joints) are averaged in frames built from the triangles, because HumanML3D's hips sit below
    and behind the pelvis joint and canonical offsets would not fit; single-child bones get canonical
    T-pose directions, feet point forward with the measured drop.
    """
    if mass <= 0:
        raise PhysicsError(f"mass must be positive [kg], got {mass}")
    T = joints_mj.shape[0]
    names = sk.JOINT_NAMES
    j = names.index
    lengths = np.median(sk.bone_lengths(joints_mj), axis=0)  # (21,) for joints 1..21
    if np.any(lengths < 1e-3):
        bad = [names[i + 1] for i in np.nonzero(lengths < 1e-3)[0]]
        raise PhysicsError(f"degenerate skeleton: zero-length bones ending at {bad}")
    offsets = np.zeros((sk.NUM_JOINTS, 3))
    down, up = np.array([0.0, 0.0, -1.0]), np.array([0.0, 0.0, 1.0])
    left = np.array([0.0, 1.0, 0.0])
    canonical = {
        "left_knee": down, "right_knee": down, "left_ankle": down, "right_ankle": down,
        "spine2": up, "spine3": up, "head": up,
        "left_shoulder": left, "left_elbow": left, "left_wrist": left,
        "right_shoulder": -left, "right_elbow": -left, "right_wrist": -left,
    }  # fmt: skip
    for name, direction in canonical.items():
        offsets[j(name)] = direction * lengths[j(name) - 1]
    # Rigid triangles, averaged in their own frames.
    for frame_fn, origin, members in (
        (pelvis_frame, "pelvis", ("left_hip", "right_hip", "spine1")),
        (chest_frame, "spine3", ("left_collar", "right_collar", "neck")),
    ):
        rot = frame_fn(joints_mj)  # (T, 3, 3)
        for member in members:
            rel = joints_mj[:, j(member)] - joints_mj[:, j(origin)]
            offsets[j(member)] = np.einsum("tji,tj->ti", rot, rel).mean(axis=0)
    # Feet: forward with the drop measured on stance frames (toe joint near the floor).
    toe_height = joints_mj[..., 2] - joints_mj[..., 2].min()
    drops, gaps = [], []
    for ankle, toe in (("left_ankle", "left_foot"), ("right_ankle", "right_foot")):
        stance = toe_height[:, j(toe)] < _STANCE_TOE_HEIGHT
        drops.append(joints_mj[stance, j(ankle), 2] - joints_mj[stance, j(toe), 2])
        gaps.append(toe_height[stance, j(toe)])
    all_drops = np.concatenate(drops)
    all_gaps = np.concatenate(gaps)
    measured_gap = float(np.median(all_gaps)) if all_gaps.size else 0.0
    foot_length = 0.5 * (lengths[j("left_foot") - 1] + lengths[j("right_foot") - 1])
    drop = float(np.median(all_drops)) if all_drops.size >= max(3, T // 20) else _DEFAULT_FOOT_DROP
    drop = float(np.clip(drop, 0.0, 0.9 * foot_length))
    for toe in ("left_foot", "right_foot"):
        length = lengths[j(toe) - 1]
        offsets[j(toe)] = [np.sqrt(max(length**2 - drop**2, 1e-6)), 0.0, -drop]
    return HumanoidGeometry(offsets=offsets, foot_drop=drop, mass=mass,
                            extras={"measured_sole_gap": measured_gap})


def _fmt(v: np.ndarray | tuple[float, ...]) -> str:
    return " ".join(f"{x:.6g}" for x in v)


def _gain_key(body: str) -> str:
    for key in ("hip", "knee", "ankle", "collar", "shoulder", "elbow", "neck"):
        if key in body:
            return key
    return "spine"


def _radius(body: str) -> float:
    return _RADIUS.get(body, _RADIUS.get(_gain_key(body), 0.05))


def build_mjcf(geometry: HumanoidGeometry, *, timestep: float = 0.005, friction: float = 1.0,
               solref: tuple[float, float] = (0.01, 1.0), armature: float = 0.1,
               cone: str = "elliptic", impratio: float = 10.0, sensors: bool = False) -> str:
    """MJCF text of the humanoid for `geometry`.

    Args:
        geometry: skeleton measurements (see `fit_geometry`).
        timestep: simulation step [s].
        friction: sliding friction coefficient of body-floor contacts. MuJoCo takes the larger of the
            two geoms' coefficients, so the floor has none and each body geom carries it (which lets
            the controller lower a swing foot's friction at run time).
        solref: contact (timeconst [s], dampratio).
        cone: friction cone, "elliptic" or "pyramidal".
        impratio: friction-to-normal impedance ratio; > 1 makes friction stiffer (less creep of
            planted feet under MuJoCo's soft constraints).
        armature: rotor inertia added to every hinge [kg m^2]. Position servos are explicit springs
            in MuJoCo; on light feet at dt = 5 ms they chatter against the floor and planted feet
            slide (measured: stance slip 7 -> 3 mm/frame going from 0.01 to 0.1).
        sensors: add `framepos` sensors of the 22 joint sites then the 8 sole corners (left foot
            first), so that batched rollouts return them (sampling MPC, `physics.mpc`).
    """
    names = sk.JOINT_NAMES
    off = geometry.offsets
    sole = geometry.foot_drop + geometry.sole_gap  # sole depth below the ankle [m]
    children: dict[str, list[str]] = {b: [] for b in BODY_PARENT}
    for body, parent in BODY_PARENT.items():
        if parent is not None:
            children[parent].append(body)

    def body_xml(body: str, depth: int) -> list[str]:
        pad = "  " * depth
        pos = np.zeros(3) if BODY_PARENT[body] is None else off[names.index(body)]
        lines = [f'{pad}<body name="{body}" pos="{_fmt(pos)}">']
        if BODY_PARENT[body] is None:
            lines.append(f'{pad}  <freejoint name="root"/>')
        for hinge in hinge_names(body):
            axis = _AXES[hinge.rsplit("_", 1)[1]] if body in EULER_ORDER else _AXES[HINGE_AXIS[body]]
            rng = _RANGES.get(hinge)
            limit = f'limited="true" range="{rng[0]} {rng[1]}"' if rng else 'limited="false"'
            lines.append(f'{pad}  <joint name="{hinge}" type="hinge" axis="{_fmt(axis)}" {limit}/>')
        mass = _MASS_FRACTION[body] * geometry.mass
        lines += [pad + "  " + g for g in _geoms(body, children[body], off, mass, sole)]
        lines.append(f'{pad}  <site name="{body}" pos="0 0 0" size="0.01"/>')
        for leaf, owner in LEAF_BODY.items():
            if owner == body:
                lines.append(f'{pad}  <site name="{leaf}" pos="{_fmt(off[names.index(leaf)])}" size="0.01"/>')
        if body in FOOT_BODIES:
            for site, corner in zip(foot_corner_sites(body), _foot_corners(off, body, sole), strict=True):
                lines.append(f'{pad}  <site name="{site}" pos="{_fmt(corner)}" size="0.005"/>')
        for child in children[body]:
            lines += body_xml(child, depth + 1)
        lines.append(f"{pad}</body>")
        return lines

    actuators = []
    for body in BODY_PARENT:
        kp, kv, limit = _GAINS[_gain_key(body)] if BODY_PARENT[body] else (0, 0, 0)
        for hinge in hinge_names(body):
            actuators.append(
                f'    <position name="{hinge}" joint="{hinge}" kp="{kp}" kv="{kv}" '
                f'forcelimited="true" forcerange="{-limit} {limit}"/>'
            )
    body_lines = "\n".join(body_xml("pelvis", 2))
    sensor_xml = "".join(f'\n    <framepos name="pos_{site}" objtype="site" objname="{site}"/>'
                         for site in (sensor_sites() if sensors else []))
    # Pelvis height so that the rest pose stands on the floor (only matters for a default qpos).
    return f"""<mujoco model="humanml3d_humanoid">
  <compiler angle="degree" autolimits="true"/>
  <option timestep="{timestep}" integrator="implicitfast" gravity="0 0 -9.81" cone="{cone}" impratio="{impratio}"/>
  <default>
    <joint armature="{armature}" damping="1"/>
    <geom contype="1" conaffinity="0" friction="{friction} 0.005 0.0001" solref="{solref[0]} {solref[1]}"
          rgba="0.7 0.6 0.5 1"/>
    <site group="4" rgba="1 0 0 1"/>
  </default>
  <worldbody>
    <light pos="0 0 4" dir="0 0 -1"/>
    <geom name="floor" type="plane" size="0 0 0.05" contype="0" conaffinity="1" friction="0 0 0"
          rgba="0.8 0.8 0.8 1"/>
{body_lines}
  </worldbody>
  <actuator>
{chr(10).join(actuators)}
  </actuator>
  <sensor>{sensor_xml}
  </sensor>
</mujoco>
"""


def _foot_corners(off: np.ndarray, foot_body: str, drop: float) -> np.ndarray:
    """The 4 sole corners (4, 3) of a foot box in the ankle body frame."""
    toe_x = off[sk.JOINT_NAMES.index(foot_body.replace("ankle", "foot"))][0]
    xs = (-_FOOT_HEEL, toe_x + _FOOT_TOE_EXT)
    ys = (-_FOOT_HALF_WIDTH, _FOOT_HALF_WIDTH)
    return np.array([[x, y, -drop] for x in xs for y in ys])


def _geoms(body: str, kids: list[str], off: np.ndarray, mass: float, drop: float) -> list[str]:
    """Collision/mass geoms of one body; its mass is split evenly over them."""
    names = sk.JOINT_NAMES
    geoms: list[tuple[str, str]] = []  # (kind, attributes)
    r = _radius(body)
    if body == "pelvis":
        lh, rh = off[names.index("left_hip")], off[names.index("right_hip")]
        geoms.append(("capsule", f'fromto="{_fmt(lh)} {_fmt(rh)}" size="{r}"'))
    elif body == "spine3":
        lc, rc = off[names.index("left_collar")], off[names.index("right_collar")]
        geoms.append(("capsule", f'fromto="{_fmt(lc)} {_fmt(rc)}" size="{r}"'))
        geoms.append(("capsule", f'fromto="0 0 0 {_fmt(0.5 * (lc + rc))}" size="{r}"'))
    elif body in FOOT_BODIES:
        corners = _foot_corners(off, body, drop)
        lo, hi = corners.min(0), corners.max(0) + np.array([0.0, 0.0, _FOOT_HEIGHT])
        geoms.append(("box", f'pos="{_fmt(0.5 * (lo + hi))}" size="{_fmt(0.5 * (hi - lo))}"'))
    else:
        tips = [off[names.index(k)] for k in kids] or [
            off[names.index(leaf)] for leaf, owner in LEAF_BODY.items() if owner == body
        ]
        tip = tips[0]
        geoms.append(("capsule", f'fromto="0 0 0 {_fmt(tip)}" size="{r}"'))
        if body == "neck":
            geoms.append(("sphere", f'pos="{_fmt(tip)}" size="{_HEAD_RADIUS}"'))
        if body in ("left_elbow", "right_elbow"):
            geoms.append(("sphere", f'pos="{_fmt(tip * 1.15)}" size="{_HAND_RADIUS}"'))
    each = mass / len(geoms)
    return [f'<geom name="{body}_{i}" type="{kind}" {attrs} mass="{each:.6g}"/>' for i, (kind, attrs) in enumerate(geoms)]


def build_model(geometry: HumanoidGeometry, **options: Any) -> mujoco.MjModel:
    """Compile the humanoid (see `build_mjcf` for options); raise PhysicsError if MuJoCo rejects it."""
    xml = build_mjcf(geometry, **options)
    try:
        return mujoco.MjModel.from_xml_string(xml)
    except ValueError as error:
        raise PhysicsError(f"MuJoCo could not compile the generated humanoid: {error}") from error
