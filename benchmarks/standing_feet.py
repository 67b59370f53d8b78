"""Where the excess foot motion of standing samples comes from: the feet sliding, or the pelvis moving.

    python benchmarks/standing_feet.py ~/data/bandai2 SAMPLES.npz [SAMPLES.npz ...]

SAMPLES.npz: the samples `benchmarks/model_coherence.py` keeps (clip ids of the prompts and each
sample's features). For the prompts of the hand contents (raise-up / wave: the body stands), pooled
over every frame of every clip, median and p95 [mm/frame] of
  * the feet's speed in world space (ankles and toes),
  * the pelvis' speed in world space,
  * the feet's speed relative to the pelvis (the coherence measure),
  * the feet's speed in the body frame of the features (their RIC channels, root-relative and facing
    forward), which the root's own channels must cancel for a planted foot,
  * the feet's acceleration in that body frame [mm/frame²],
  * per clip, how far the pelvis ends from where it started (horizontal, mm; one value per clip):
    small next to the per-frame speeds times the clip's length says the motion is jitter, large says
    the body drifts,
for the samples and for the real clips of the same prompts. Feet that slide while the pelvis moves as
in the real clips put the excess of the coherence measure on the feet themselves; a body-frame motion
that the root does not cancel says which channels disagree. Last, the share of frames whose body-frame
foot speed exceeds the real clips' p95, and how many of those are isolated (both neighbouring frames
below it): isolated frames are single-frame flicker, the rest are sustained leg motion.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from motion_loop.data.features import RIC_DIMS, features_to_joints
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.coherence import FOOT_JOINTS, ROOT_JOINT, content_label, root_relative_speed

STANDING = ("raise-up", "wave")
MAX_FRAMES = 196  # as model_coherence.py cuts the real clips


def speeds(features: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame speeds [mm/frame] of one clip's features (T, 263)."""
    joints = features_to_joints(features)  # (T, 22, 3) [m]
    feet = joints[:, list(FOOT_JOINTS)]  # (T, 4, 3)
    body_frame = features[:, RIC_DIMS].reshape(len(features), -1, 3)[:, [j - 1 for j in FOOT_JOINTS]]  # no root row
    body_velocity = 1000.0 * np.diff(body_frame, axis=0)  # (T - 1, 4, 3) [mm/frame]
    return {
        "feet_world": 1000.0 * np.linalg.norm(np.diff(feet, axis=0), axis=-1).reshape(-1),
        "pelvis_world": 1000.0 * np.linalg.norm(np.diff(joints[:, ROOT_JOINT], axis=0), axis=-1),
        "feet_relative": root_relative_speed(joints, FOOT_JOINTS).reshape(-1),
        "feet_body_frame": np.linalg.norm(body_velocity, axis=-1).reshape(-1),
        "feet_body_frame_acceleration": np.linalg.norm(np.diff(body_velocity, axis=0), axis=-1).reshape(-1),
        "pelvis_net_travel": 1000.0 * np.linalg.norm(joints[-1:, ROOT_JOINT, ::2] - joints[:1, ROOT_JOINT, ::2], axis=-1),
    }


def summary(clips: list[dict[str, np.ndarray]]) -> dict[str, list[float]]:
    """Pooled median and p95 of each measure over every frame (or clip) of every clip."""
    return {
        name: [round(float(np.percentile(np.concatenate([c[name] for c in clips]), q)), 2) for q in (50, 95)]
        for name in clips[0]
    }


def above(clips: list[dict[str, np.ndarray]], threshold: float) -> tuple[float, float]:
    """Share of foot-frames whose body-frame speed exceeds `threshold`, and the share of those that are
    isolated (the same foot's previous and next frames below it)."""
    high, isolated, total = 0, 0, 0
    for clip in clips:
        fast = clip["feet_body_frame"].reshape(-1, len(FOOT_JOINTS)) > threshold  # (T - 1, 4)
        high += int(fast.sum())
        isolated += int((fast[1:-1] & ~fast[:-2] & ~fast[2:]).sum())
        total += fast.size
    return high / total, isolated / max(high, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("samples", type=Path, nargs="+")
    args = parser.parse_args()
    folder = HumanML3DFolder(args.dataset)
    for path in args.samples:
        kept = np.load(path)
        picks = [i for i, c in enumerate(kept["clip_ids"]) if content_label(str(c)).startswith(STANDING)]
        if not picks:
            print(f"{path.name}: no prompt of a standing content ({', '.join(STANDING)})")
            continue
        generated = [speeds(kept[f"features_{i}"]) for i in picks]
        real = [speeds(np.load(folder.features_dir / f"{kept['clip_ids'][i]}.npy")[:MAX_FRAMES]) for i in picks]
        print(f"{path.name}: {len(picks)} standing prompts, [median, p95] mm/frame (pelvis_net_travel: mm)")
        print(f"  samples: {summary(generated)}")
        print(f"  real:    {summary(real)}")
        threshold = summary(real)["feet_body_frame"][1]
        for name, clips in (("samples", generated), ("real", real)):
            share, isolated = above(clips, threshold)
            print(f"  {name}: {100 * share:.1f} % of foot-frames move faster than the real p95 ({threshold} mm/frame) "
                  f"in the body frame; {100 * isolated:.0f} % of those are isolated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
