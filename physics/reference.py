"""The tracking reference: re-floored, smoothed, densified to the simulation rate, with contact labels
and contact-aware inverse-dynamics feed-forward.

Inverse dynamics with MuJoCo's soft contacts is ill-posed on kinematic references (contact force
comes from penetration), so it is computed with contacts disabled and the root wrench is then
distributed over linearised friction pyramids at the sole corners of feet labelled in contact, by
non-negative least squares. What the contacts cannot produce is the root residual: the feed-forward
part of the residual force, and a dynamic-consistency measure of the reference itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mujoco
import numpy as np
from scipy.interpolate import CubicSpline
from scipy.ndimage import gaussian_filter1d, uniform_filter1d
from scipy.optimize import nnls
from scipy.spatial.transform import Rotation, Slerp

from physics.config import PhysicsConfig
from physics.errors import PhysicsError
from physics.flight import SteadyFlights, steady_flights
from physics.humanoid import FOOT_BODIES, foot_corner_sites
from physics.retarget import qpos_to_sites, site_ids
from physics.runs import true_runs

if TYPE_CHECKING:
    from physics.projection import Projection

_SLOW_FOOT_SPEED = 0.3  # [m/s] feet slower than this define the floor when re-flooring
_REFLOOR_BAND = 0.05  # [m] ... if within this of the clip-level floor estimate
_REFLOOR_SMOOTH = 2.0  # [frames] Gaussian smoothing of the per-frame floor offset
_FRICTION_REG = 1e-3  # Tikhonov weight of the contact-force NNLS
_ACCEL_BOX = 5  # [steps] box filter on reference accelerations
_ID_FRICTION_MARGIN = 0.4
_GLIDE_MIN_SPEED = 0.5  # [m/s] a body slower than this is not gliding (standing, shifting weight)
_GLIDE_MIN_DURATION = 0.25  # [s] shorter gliding is a foot passing the body's speed at take-off or landing  # planned tangential force <= this x friction x normal force


@dataclass
class DenseReference:
    """The reference sampled every simulation step (K steps, dt seconds apart).

    Attributes:
        qpos: (K, nq); qvel: (K, nv) with the free joint's angular velocity in the pelvis frame;
        qacc: (K, nv); contact: (K, 2) bool per foot (left, right); foot_speed: (K, 2) horizontal
        speed of each foot-box centre [m/s]; tau: (K, nv) ID generalized force
        after contacts (tau[:, :6] is the root residual wrench, world force / local torque);
        frame_qpos: (T, nq) the re-floored, smoothed reference at the clip's frames;
        floor_shift: (T,) vertical shift applied to each frame [m];
        projection: what the contact projection did (None when it did not run).
        flights: what `physics.flight.steady_flights` did (None when it did not run).
    """

    qpos: np.ndarray
    qvel: np.ndarray
    qacc: np.ndarray
    contact: np.ndarray
    foot_speed: np.ndarray
    tau: np.ndarray
    frame_qpos: np.ndarray
    floor_shift: np.ndarray
    dt: float
    steps_per_frame: int
    projection: Projection | None = None
    flights: SteadyFlights | None = None


def steps_per_frame_for(fps: float, timestep: float) -> int:
    """Whole simulation steps per clip frame; the step is then 1 / (fps * steps) [s] (real time)."""
    return max(1, int(round(1.0 / (fps * timestep))))


def corner_trajectories(model: mujoco.MjModel, qpos: np.ndarray) -> np.ndarray:
    """Sole corners (T, 2, 4, 3) of both feet [m, world] for qpos (T, nq)."""
    sites = site_ids(model, [s for foot in FOOT_BODIES for s in foot_corner_sites(foot)])
    return qpos_to_sites(model, qpos, sites).reshape(qpos.shape[0], len(FOOT_BODIES), -1, 3)


def _foot_speed(corners: np.ndarray, fps: float) -> np.ndarray:
    """Horizontal speed (T, 2) of each foot-box centre [m/s]."""
    centre = corners.mean(axis=2)[..., :2]
    speed = np.linalg.norm(np.gradient(centre, axis=0), axis=-1) * fps
    return speed


def floor_offsets(model: mujoco.MjModel, qpos: np.ndarray, fps: float, mode: str) -> np.ndarray:
    """Height of the floor under the reference (T,) [m], estimated from slow feet's lowest corners."""
    T = qpos.shape[0]
    if mode == "none":
        return np.zeros(T)
    corners = corner_trajectories(model, qpos)
    lowest = corners[..., 2].min(axis=2)  # (T, 2)
    slow = _foot_speed(corners, fps) < _SLOW_FOOT_SPEED
    clip_floor = float(np.median(lowest[slow])) if slow.any() else float(lowest.min())
    if mode == "clip":
        return np.full(T, clip_floor)
    usable = slow & (lowest < clip_floor + _REFLOOR_BAND)
    per_frame = np.where(usable, lowest, np.inf).min(axis=1)
    known = np.isfinite(per_frame)
    if known.sum() < 2:
        return np.full(T, clip_floor)
    frames = np.arange(T)
    offset = np.interp(frames, frames[known], per_frame[known])
    return gaussian_filter1d(offset, _REFLOOR_SMOOTH, mode="nearest")


def smooth_qpos(model: mujoco.MjModel, qpos: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing over frames of root position, root quaternion (sign-continuous) and hinges."""
    if sigma <= 0:
        return qpos.copy()
    out = gaussian_filter1d(qpos, sigma, axis=0, mode="nearest")
    adr = model.joint("root").qposadr[0]
    quat = qpos[:, adr + 3:adr + 7].copy()
    flip = np.cumprod(np.where((quat[1:] * quat[:-1]).sum(-1) < 0, -1.0, 1.0))
    quat[1:] *= flip[:, None]
    quat = gaussian_filter1d(quat, sigma, axis=0, mode="nearest")
    out[:, adr + 3:adr + 7] = quat / np.linalg.norm(quat, axis=-1, keepdims=True)
    return out


def contact_labels(model: mujoco.MjModel, qpos: np.ndarray, fps: float, config: PhysicsConfig) -> np.ndarray:
    """Per-frame contact label (T, 2) of each foot: its lowest sole corner is low and slow.

    The speed is that of the lowest corner itself, so a foot rolling over its heel or toe (whose
    centre moves fast) is in contact; a fast foot at floor level is landing or skating and gets no
    contact forces and little friction. "Slow" is below `contact_speed`, or below
    `contact_speed_ratio` x the pelvis's horizontal speed: a stance foot under a root that travels
    too far slides at a fraction of the body's speed, a swing foot moves at about twice it.
    """
    corners = corner_trajectories(model, qpos)  # (T, 2, 4, 3)
    T = corners.shape[0]
    lowest_idx = corners[..., 2].argmin(axis=2)  # (T, 2)
    lowest = np.take_along_axis(corners[..., 2], lowest_idx[..., None], axis=2)[..., 0]
    prev, nxt = np.maximum(np.arange(T) - 1, 0), np.minimum(np.arange(T) + 1, T - 1)
    feet = np.arange(corners.shape[1])[None, :]
    ahead = corners[nxt[:, None], feet, lowest_idx, :2]
    behind = corners[prev[:, None], feet, lowest_idx, :2]
    span = np.maximum(nxt - prev, 1)[:, None] / fps
    speed = np.linalg.norm(ahead - behind, axis=-1) / span  # (T, 2)
    adr = model.joint("root").qposadr[0]
    root_speed = np.linalg.norm(qpos[nxt, adr:adr + 2] - qpos[prev, adr:adr + 2], axis=-1)[:, None] / span
    bound = np.maximum(config.contact_speed, config.contact_speed_ratio * root_speed)
    labels = (lowest < config.contact_height) & (speed < bound)
    if config.glide_ratio > 0:
        # A low foot carried along at the body's velocity is not swinging: the body glides on it
        # (generated motion whose root travels while the legs do not step). Real swing feet move at
        # about twice the body's speed, stance feet at about zero; neither moves with the body.
        root_step = (qpos[nxt, adr:adr + 2] - qpos[prev, adr:adr + 2]) / span  # (T, 2) [m/s]
        relative = np.linalg.norm((ahead - behind) / span[..., None] - root_step[:, None, :], axis=-1)  # (T, 2)
        gliding = (root_speed > _GLIDE_MIN_SPEED) & (relative < config.glide_ratio * root_speed)
        gliding &= lowest < config.glide_height
        # Only sustained gliding: a real foot passes through the body's velocity for a frame or two
        # at every take-off and landing.
        labels |= _sustained(gliding, max(1, int(round(_GLIDE_MIN_DURATION * fps))))
    return labels


def _sustained(mask: np.ndarray, frames: int) -> np.ndarray:
    """mask (T, F) with only the runs of at least `frames` consecutive True frames kept, per column."""
    out = np.zeros_like(mask)
    for f in range(mask.shape[1]):
        for start, end in true_runs(mask[:, f]):
            if end - start >= frames:
                out[start:end, f] = True
    return out


def plant_feet(model: mujoco.MjModel, qpos: np.ndarray, labels: np.ndarray, fps: float,
               deadband: float) -> np.ndarray:
    """Shift the root horizontally so that feet labelled in contact do not slide (T, nq) -> (T, nq).

    Each foot's slip is its lowest sole corner's horizontal step, averaged over the whole stance (the
    run of frames in which it stays in contact); per frame step, the stance slips of the feet in
    contact are averaged and subtracted from the root's step (the whole body moves with it). This is
    the kinematic part of what friction does in the simulation: a root that travels further than the
    feet push it (generator over-travel) is pulled back to the strides. Averaging over the stance
    keeps the steady slide of over-travel and drops jitter's random shaking, which would otherwise
    add up into drift (per-frame slip moved 8-mm-jittered clips 82 mm from the clean clip, against
    58 mm). Flight phases keep the reference's root velocity. Slip slower than `deadband` [m/s] is
    left alone (soft threshold): real mocap feet creep and roll by a few mm per frame.
    """
    corners = corner_trajectories(model, qpos)  # (T, 2, 4, 3)
    T = qpos.shape[0]
    lowest = corners[..., 2].argmin(axis=2)  # (T, 2) corner on the floor
    both = labels[:-1] & labels[1:]  # (T-1, 2)
    feet = np.arange(corners.shape[1])
    frames = np.arange(T - 1)
    steps = np.stack([corners[frames + 1, f, lowest[:-1, f], :2] - corners[frames, f, lowest[:-1, f], :2]
                      for f in feet], axis=1)  # (T-1, 2, 2) per frame step of each foot's floor corner
    # Each foot's slip is averaged over its whole stance (a run of contact steps): over-travel slides
    # a stance foot steadily, jitter shakes it at random, and only the steady part is removed.
    stance_slip = np.zeros_like(steps)
    for f in feet:
        for start, end in true_runs(both[:, f]):
            stance_slip[start:end, f] = steps[start:end, f].mean(axis=0)
    slip = np.zeros((T - 1, 2))
    threshold = deadband / fps
    for t in range(T - 1):
        if both[t].any():
            mean = stance_slip[t, both[t]].mean(axis=0)
            norm = float(np.linalg.norm(mean))
            if norm > threshold:
                slip[t] = mean * (1.0 - threshold / norm)
    adr = model.joint("root").qposadr[0]
    out = qpos.copy()
    out[1:, adr:adr + 2] -= np.cumsum(slip, axis=0)
    return out


def densify(model: mujoco.MjModel, qpos: np.ndarray, fps: float, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cubic-spline / slerp resampling of frames (T, nq) at step dt: qpos (K,nq), qvel (K,nv), qacc (K,nv)."""
    T = qpos.shape[0]
    times = np.arange(T) / fps
    steps_per_frame = steps_per_frame_for(fps, dt)
    K = (T - 1) * steps_per_frame + 1
    dense_t = np.minimum(np.arange(K) * dt, times[-1])
    adr = model.joint("root").qposadr[0]
    hinge = np.ones(model.nq, dtype=bool)
    hinge[adr + 3:adr + 7] = False  # everything except the quaternion is a plain coordinate
    spline = CubicSpline(times, qpos[:, hinge], axis=0, bc_type="natural")
    q = np.zeros((K, model.nq))
    q[:, hinge] = spline(dense_t)
    rotations = Rotation.from_quat(qpos[:, adr + 3:adr + 7], scalar_first=True)
    dense_rot = Slerp(times, rotations)(dense_t)
    q[:, adr + 3:adr + 7] = dense_rot.as_quat(scalar_first=True)
    # Velocities: spline derivative for coordinates (root linear velocity is in world axes, as in
    # MuJoCo's free joint); local angular velocity from consecutive rotations.
    v = np.zeros((K, model.nv))
    coord_v = spline(dense_t, 1)
    dof = np.ones(model.nv, dtype=bool)
    dof_adr = model.joint("root").dofadr[0]
    dof[dof_adr + 3:dof_adr + 6] = False
    v[:, dof] = coord_v
    omega = (dense_rot[:-1].inv() * dense_rot[1:]).as_rotvec() / dt
    v[:-1, dof_adr + 3:dof_adr + 6] = omega
    v[-1, dof_adr + 3:dof_adr + 6] = omega[-1]
    a = np.gradient(v, dt, axis=0)
    a = uniform_filter1d(a, _ACCEL_BOX, axis=0, mode="nearest")
    return q, v, a


def _pyramid(mu: float) -> np.ndarray:
    """The 4 edges (4, 3) of a linearised friction cone with a z-up normal, unit length."""
    edges = np.array([[mu, 0, 1], [-mu, 0, 1], [0, mu, 1], [0, -mu, 1]], dtype=np.float64)
    return edges / np.sqrt(1 + mu**2)


def contact_inverse_dynamics(model: mujoco.MjModel, qpos: np.ndarray, qvel: np.ndarray, qacc: np.ndarray,
                             contact: np.ndarray, *, friction: float, contact_height: float,
                             stride: int = 1) -> np.ndarray:
    """Generalized forces (K, nv) after the best contact forces; [:, :6] is the residual root wrench.

    Computed every `stride` steps and held in between.
    """
    K = qpos.shape[0]
    m = model
    disable = m.opt.disableflags
    m.opt.disableflags = disable | mujoco.mjtDisableBit.mjDSBL_CONTACT
    data = mujoco.MjData(m)
    corners = [site_ids(m, foot_corner_sites(foot)) for foot in FOOT_BODIES]
    edges = _pyramid(friction)  # (4, 3)
    jacp = np.zeros((3, m.nv))
    tau = np.zeros((K, m.nv))
    try:
        for k in range(0, K, stride):
            data.qpos[:] = qpos[k]
            data.qvel[:] = qvel[k]
            data.qacc[:] = qacc[k]
            mujoco.mj_inverse(m, data)
            f = data.qfrc_inverse.copy()
            columns = []
            for foot, sites in enumerate(corners):
                if not contact[k, foot]:
                    continue
                for site in sites:
                    if data.site_xpos[site, 2] > contact_height:
                        continue
                    mujoco.mj_jacSite(m, data, jacp, None, site)
                    columns.append(jacp.T @ edges.T)  # (nv, 4)
            if columns:
                A = np.concatenate(columns, axis=1)  # (nv, 4 C)
                n = A.shape[1]
                lhs = np.vstack([A[:6], np.sqrt(_FRICTION_REG) * np.eye(n)])
                rhs = np.concatenate([f[:6], np.zeros(n)])
                beta, _ = nnls(lhs, rhs, maxiter=50 * n)
                f = f - A @ beta
            tau[k:k + stride] = f
    finally:
        m.opt.disableflags = disable
    return tau


def prepare(model: mujoco.MjModel, frame_qpos: np.ndarray, fps: float, config: PhysicsConfig, *,
            project: bool = False, steady: bool = False) -> DenseReference:
    """Smooth, re-floor, label contacts, plant feet, (with `project`) project onto stance-consistent
    legs (`physics.projection`), (with `steady`) make the flights steady (`physics.flight`), densify
    and compute the feed-forward of a clip.

    Smoothing comes first: a per-frame floor taken from jittery feet would sit at the noise minimum
    and lift the whole body by about the jitter amplitude.
    """
    adr = model.joint("root").qposadr[0]
    if config.smooth_sigma is None:
        raise PhysicsError("prepare needs a resolved smooth_sigma (correct_motion chooses one per clip)")
    qpos = smooth_qpos(model, frame_qpos, config.smooth_sigma * fps / 20.0)
    shift = floor_offsets(model, qpos, fps, config.refloor)
    qpos[:, adr + 2] -= shift
    labels = contact_labels(model, qpos, fps, config)
    if config.plant_feet:
        qpos = plant_feet(model, qpos, labels, fps, config.plant_deadband)
    projection = None
    if project:
        from physics.projection import project_contacts  # imports mink: only when projecting

        projection = project_contacts(model, qpos, labels, max_change=config.projection_max_change)
        qpos = projection.qpos
    flights = None
    if steady:
        flights = steady_flights(model, qpos, labels, fps, max_frames=config.max_flight_frames,
                                 tolerance=config.flight_speed_tolerance)
        qpos = flights.qpos
    steps_per_frame = steps_per_frame_for(fps, config.timestep)
    dt = 1.0 / (fps * steps_per_frame)
    q, v, a = densify(model, qpos, fps, dt)
    frame_of_step = np.minimum(np.round(np.arange(q.shape[0]) / steps_per_frame).astype(int), len(qpos) - 1)
    contact = labels[frame_of_step]
    foot_speed = _foot_speed(corner_trajectories(model, qpos), fps)[frame_of_step]
    # Planned contact forces stay well inside the friction cone: NNLS solutions sit on pyramid edges,
    # i.e. on the cone boundary, and the simulated foot would slide at the slightest mismatch.
    tau = contact_inverse_dynamics(model, q, v, a, contact, friction=_ID_FRICTION_MARGIN * config.friction,
                                   contact_height=config.contact_height, stride=2)
    return DenseReference(qpos=q, qvel=v, qacc=a, contact=contact, foot_speed=foot_speed, tau=tau, frame_qpos=qpos,
                          floor_shift=shift, dt=dt, steps_per_frame=steps_per_frame, projection=projection,
                          flights=flights)
