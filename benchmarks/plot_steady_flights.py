"""Figure of steady flights (`physics.flight`) on one motion-capture run whose root travels too far.

    python benchmarks/plot_steady_flights.py --data ~/data/bandai2 --clip dataset-2_run_normal_046_000 \
        --overtravel 1.5 --out docs/physics_steady_flights.png

Top: the horizontal speed of the centre of mass in the tracking reference, per frame: the clean clip,
the over-travelled one after planting (its flights race, its stances crawl) and the same with steady
flights; flights shaded. Bottom: how far the simulated sole corners slide per frame on the floor
(the skating metric's per-frame terms) without and with steady flights, and which controller kept it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from motion_loop.data.humanml3d import HumanML3DFolder
from physics import correct_motion
from physics.assess import fit_clip
from physics.config import PhysicsConfig
from physics.flight import centre_of_mass, flight_gaps
from physics.reference import corner_trajectories, prepare

_FPS = 20.0
_FLOOR = 0.01  # [m] a sole corner below this in two consecutive frames is on the floor (skating metric)


def overtravelled(joints: np.ndarray, factor: float) -> np.ndarray:
    """joints (T, 22, 3) whose root travels `factor` times as far horizontally (y-up)."""
    out = joints.copy()
    out[..., [0, 2]] += (factor - 1.0) * (joints[:, :1, [0, 2]] - joints[:1, :1, [0, 2]])
    return out


def reference_speed(joints: np.ndarray, steady: bool) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal centre-of-mass speed (T-1,) of the prepared reference [m/s], and its labels (T, 2)."""
    clip = fit_clip(joints, _FPS, PhysicsConfig().validate())
    ref = prepare(clip.model, clip.qpos, _FPS, clip.config, steady=steady)
    com = centre_of_mass(clip.model, ref.frame_qpos)[:, :2]
    return np.linalg.norm(np.diff(com, axis=0), axis=-1) * _FPS, ref.contact[::ref.steps_per_frame]


def sole_slides(joints: np.ndarray, steady: bool) -> tuple[np.ndarray, str, float]:
    """Per-frame mean slide of the simulated sole corners on the floor (T-1,) [mm], controller, skating."""
    result = correct_motion(joints, _FPS, steady_flights=steady)
    clip = fit_clip(joints, _FPS, PhysicsConfig().validate())
    corners = corner_trajectories(clip.model, result.qpos)  # (T, 2, 4, 3), z-up
    low = (corners[:-1, ..., 2] < _FLOOR) & (corners[1:, ..., 2] < _FLOOR)
    slide = np.linalg.norm(np.diff(corners[..., :2], axis=0), axis=-1)  # (T-1, 2, 4)
    per_frame = 1000 * (slide * low).sum(axis=(1, 2)) / np.maximum(low.sum(axis=(1, 2)), 1)
    return per_frame, result.report.controller, float(result.report.surface_skate_mm_after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="a Bandai-Namco 2 import (HumanML3D layout)")
    parser.add_argument("--clip", default="dataset-2_run_normal_046_000")
    parser.add_argument("--overtravel", type=float, default=1.5)
    parser.add_argument("--out", type=Path, default=Path("docs/physics_steady_flights.png"))
    args = parser.parse_args(argv)
    clean = HumanML3DFolder(args.data).joints(args.clip).astype(np.float64)
    over = overtravelled(clean, args.overtravel)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    speed_over, labels = reference_speed(over, steady=False)
    for before, after in flight_gaps(labels):
        for axis in (top, bottom):
            axis.axvspan(before, after, color="0.9", lw=0)
    top.plot(reference_speed(clean, steady=False)[0], color="0.4", lw=1, label="clean clip")
    top.plot(speed_over, color="tab:red", label=f"root x{args.overtravel:g}, planted")
    top.plot(reference_speed(over, steady=True)[0], color="tab:blue", label=f"root x{args.overtravel:g}, planted, steady flights")
    top.set_ylabel("reference COM speed [m/s]")
    top.legend(loc="upper right", fontsize=8)
    top.set_title(f"{args.clip}: flights shaded")
    for steady, colour in ((False, "tab:red"), (True, "tab:blue")):
        slides, controller, skating = sole_slides(over, steady)
        name = "steady flights" if steady else "without"
        bottom.plot(slides, color=colour, label=f"{name}: {controller} controller, skating {skating:.1f} mm/frame")
    bottom.set_ylabel("simulated sole slide [mm/frame]")
    bottom.set_xlabel("frame (20 fps)")
    bottom.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
