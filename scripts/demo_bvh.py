"""Write a small folder of synthetic BVH takes in the CMU skeleton's layout, with a descriptions.csv.

It lets `motion-loop data import` be tried (and tested in CI) without any downloaded motion capture:

    python scripts/demo_bvh.py /tmp/demo_bvh && motion-loop data import /tmp/demo_bvh /tmp/demo_set

The takes are simple periodic gaits (legs and arms swing, the hip travels and bobs), written at
120 Hz in CMU's joint names and units (1/0.45 inch) with a T-pose in frame 0, as the CMU conversions
have. They exercise the importer; they are not realistic motion. Only numpy is needed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

FPS = 120
UNIT = 0.01143  # metres per CMU unit
# name -> (parent, offset in CMU units); order is depth-first, parents before children.
JOINTS: dict[str, tuple[str | None, tuple[float, float, float]]] = {
    "hip": (None, (0.0, 0.0, 0.0)),
    "abdomen": ("hip", (0.0, 8.0, 0.0)),
    "chest": ("abdomen", (0.0, 10.0, 0.0)),
    "neck": ("chest", (0.0, 14.0, 0.0)),
    "head": ("neck", (0.0, 6.0, 0.5)),
    "lCollar": ("chest", (2.0, 11.0, 0.0)),
    "lShldr": ("lCollar", (12.0, 0.0, 0.0)),
    "lForeArm": ("lShldr", (24.0, 0.0, 0.0)),
    "lHand": ("lForeArm", (22.0, 0.0, 0.0)),
    "rCollar": ("chest", (-2.0, 11.0, 0.0)),
    "rShldr": ("rCollar", (-12.0, 0.0, 0.0)),
    "rForeArm": ("rShldr", (-24.0, 0.0, 0.0)),
    "rHand": ("rForeArm", (-22.0, 0.0, 0.0)),
    "lThigh": ("hip", (8.0, -4.0, 0.0)),
    "lShin": ("lThigh", (0.0, -37.0, 0.0)),
    "lFoot": ("lShin", (0.0, -35.0, 0.0)),
    "rThigh": ("hip", (-8.0, -4.0, 0.0)),
    "rShin": ("rThigh", (0.0, -37.0, 0.0)),
    "rFoot": ("rShin", (0.0, -35.0, 0.0)),
}
END_SITES = {"head": (0.0, 8.0, 0.0), "lHand": (6.0, 0.0, 0.0), "rHand": (-6.0, 0.0, 0.0),
             "lFoot": (0.0, -4.0, 12.0), "rFoot": (0.0, -4.0, 12.0)}  # fmt: skip
HIP_HEIGHT = 84.0  # CMU units (0.96 m): the legs' length, so the feet touch y = 0

# trial -> (description, stride frequency [Hz], speed [m/s], swing amplitude [deg], seconds)
TAKES: dict[str, tuple[str, float, float, float, float]] = {
    "90_01": ("walk", 0.9, 1.2, 25.0, 5.0),
    "90_02": ("walk slowly", 0.6, 0.6, 18.0, 6.0),
    "90_03": ("run", 1.4, 3.0, 40.0, 4.0),
    "90_04": ("march in place", 0.8, 0.0, 35.0, 5.0),
    "91_01": ("walk", 1.0, 1.3, 28.0, 5.0),
    "91_02": ("jog", 1.2, 2.0, 32.0, 4.5),
    "92_01": ("walk backwards", 0.8, -0.8, 22.0, 5.0),
    "92_02": ("march in place", 1.0, 0.0, 30.0, 4.0),
}


def _hierarchy(name: str, depth: int) -> list[str]:
    pad = "  " * depth
    parent, offset = JOINTS[name]
    head = f"{pad}ROOT {name}" if parent is None else f"{pad}JOINT {name}"
    channels = "6 Xposition Yposition Zposition Zrotation Xrotation Yrotation" if parent is None else "3 Zrotation Xrotation Yrotation"
    lines = [head, f"{pad}{{", f"{pad}  OFFSET {offset[0]:g} {offset[1]:g} {offset[2]:g}", f"{pad}  CHANNELS {channels}"]
    for child, (child_parent, _) in JOINTS.items():
        if child_parent == name:
            lines += _hierarchy(child, depth + 1)
    if name in END_SITES:
        end = END_SITES[name]
        lines += [f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET {end[0]:g} {end[1]:g} {end[2]:g}", f"{pad}  }}"]
    lines.append(f"{pad}}}")
    return lines


def take_frames(frequency: float, speed: float, swing: float, seconds: float) -> np.ndarray:
    """Channel values (frames, channels) of one take, T-pose first, in JOINTS order."""
    t = np.arange(int(seconds * FPS)) / FPS
    phase = 2 * np.pi * frequency * t
    zeros = np.zeros_like(t)
    rotations = {name: [zeros, zeros, zeros] for name in JOINTS}  # Z, X, Y in degrees
    swing_l = swing * np.sin(phase)
    rotations["lThigh"][1], rotations["rThigh"][1] = -swing_l, swing_l
    rotations["lShin"][1] = -swing * 0.8 * np.clip(np.sin(phase + np.pi / 2), 0, None)
    rotations["rShin"][1] = -swing * 0.8 * np.clip(np.sin(phase - np.pi / 2), 0, None)
    rotations["lShldr"][0], rotations["rShldr"][0] = np.full_like(t, -70.0), np.full_like(t, 70.0)  # arms down
    rotations["lShldr"][1], rotations["rShldr"][1] = 0.6 * swing_l, -0.6 * swing_l
    bob = 1.5 * np.cos(2 * phase) - 1.5
    root = [zeros, HIP_HEIGHT + bob, speed * t / UNIT]
    columns = [*root]
    for name in JOINTS:
        columns += rotations[name]
    motion = np.stack(columns, axis=1)
    tpose = np.zeros((1, motion.shape[1]))
    tpose[0, 1] = HIP_HEIGHT
    return np.concatenate([tpose, motion])


def write_take(path: Path, frames: np.ndarray) -> None:
    lines = ["HIERARCHY", *_hierarchy("hip", 0), "MOTION", f"Frames: {len(frames)}", f"Frame Time: {1 / FPS:.8f}"]
    lines += [" ".join(f"{value:.4f}" for value in row) for row in frames]
    path.write_text("\n".join(lines) + "\n")


def write_demo_folder(out: Path) -> list[Path]:
    """Write every take as SUBJECT/TRIAL.bvh plus descriptions.csv under `out`; returns the BVH paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    rows = ["trial,description,subject_description,capture_fps"]
    for trial, (description, frequency, speed, swing, seconds) in TAKES.items():
        path = out / trial.split("_")[0] / f"{trial}.bvh"
        path.parent.mkdir(exist_ok=True)
        write_take(path, take_frames(frequency, speed, swing, seconds))
        paths.append(path)
        rows.append(f"{trial},{description},Subject #{trial[:2]} (synthetic demo gaits),{FPS}")
    (out / "descriptions.csv").write_text("\n".join(rows) + "\n")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (created)")
    paths = write_demo_folder(parser.parse_args().out)
    print(f"wrote {len(paths)} BVH takes and descriptions.csv to {paths[0].parent.parent}")


if __name__ == "__main__":
    main()
