"""Steady flights: over a run's flight the body's centre of mass travels at one horizontal velocity.

In the air nothing pushes the body horizontally, so its centre of mass keeps the velocity it took off
with. Generated runs and over-travelled motion capture break this: the root races through the flight
and crawls through the stance (planting, `physics.reference.plant_feet`, only slows the stances), or
the flight and the stances around it disagree by metres per second. Tracking such a reference needs a
horizontal root force at every take-off and landing (the root force of over-travelled Bandai-Namco 2
runs: 98-134 % of body weight on average over the clip, against 10-31 % for clean runs), which the
weak root of the base controller does not have: the body overshoots its stance foot, sinks, and the
next swing foot drags.

`steady_flights` moves each such flight onto the straight line, at the mean of the take-off and
landing velocities, and moves every later frame with the landing; the stances keep their feet locked.
Flights that already move at that velocity (within `tolerance`; the flights of clean Bandai-Namco 2
runs differ by at most 0.27 m/s) are left alone, so clean motion capture is not touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from physics.runs import true_runs


@dataclass(frozen=True)
class SteadyFlights:
    """What `steady_flights` did.

    Attributes:
        qpos: (T, nq) the reference with its flights made steady.
        flights: flights moved onto their steady path.
        root_shift_mm: horizontal distance the last frame moved [mm] (the travel removed or added).
    """

    qpos: np.ndarray
    flights: int
    root_shift_mm: float


def flight_gaps(labels: np.ndarray) -> list[tuple[int, int]]:
    """(last contact frame before, first contact frame after) of every run of frames in which no foot
    is labelled in contact (labels (T, 2) bool), for runs with contact on both sides."""
    airborne = np.logical_not(labels.any(axis=1))  # (T,)
    return [(start - 1, end) for start, end in true_runs(airborne) if start > 0 and end < len(airborne)]


def centre_of_mass(model: mujoco.MjModel, qpos: np.ndarray) -> np.ndarray:
    """Whole-body centre of mass (T, 3) [m, world] of each qpos (T, nq)."""
    data = mujoco.MjData(model)
    root_body = model.jnt_bodyid[model.joint("root").id]
    out = np.zeros((qpos.shape[0], 3))
    for t in range(qpos.shape[0]):
        data.qpos[:] = qpos[t]
        mujoco.mj_kinematics(model, data)
        mujoco.mj_comPos(model, data)
        out[t] = data.subtree_com[root_body]
    return out


def steady_flights(model: mujoco.MjModel, qpos: np.ndarray, labels: np.ndarray, fps: float, *,
                   max_frames: int, tolerance: float) -> SteadyFlights:
    """Make the horizontal centre-of-mass path of every flight straight and uniform.

    A flight is a gap of at most `max_frames` frames without a foot labelled in contact, between two
    contact frames that are not the clip's first or last. The take-off velocity is the one-frame
    difference into the last contact frame, the landing velocity the one out of the first contact
    frame after the gap. The steady velocity is the mean of the two; when the flight's own mean
    velocity differs from it by more than `tolerance` [m/s], the root is shifted horizontally so that
    the centre of mass follows the steady path, and every later frame moves with the landing frame.
    """
    adr = model.joint("root").qposadr[0]
    out = qpos.copy()
    com = centre_of_mass(model, qpos)[:, :2]  # (T, 2); a root shift moves it one for one
    shift = np.zeros(2)
    flights = 0
    for before, after in flight_gaps(labels):
        if after - before - 1 > max_frames or before < 1 or after + 1 >= len(qpos):
            continue
        take_off = (com[before] - com[before - 1]) * fps
        landing = (com[after + 1] - com[after]) * fps
        velocity = 0.5 * (take_off + landing)
        own = (com[after] - com[before]) * fps / (after - before)
        if np.linalg.norm(own - velocity) <= tolerance:
            continue
        elapsed = (np.arange(after - before + 1) / fps)[:, None]
        moved = com[before] + shift + velocity * elapsed  # (n, 2) where the flight's COM goes
        out[before + 1:after + 1, adr:adr + 2] += moved[1:] - (com[before + 1:after + 1] + shift)
        shift = moved[-1] - com[after]
        out[after + 1:, adr:adr + 2] = qpos[after + 1:, adr:adr + 2] + shift
        flights += 1
    return SteadyFlights(qpos=out, flights=flights, root_shift_mm=1000 * float(np.linalg.norm(shift)))
