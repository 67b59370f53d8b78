"""Plausibility of procedural clips, per family: contacts, foot sliding, floor, bones, crossing, joint angles.

    python benchmarks/procedural_quality.py [--per-family 20] [--out benchmarks/results/procedural_quality.json]

Numbers (all on clips in HumanML3D's canonical frame, 20 fps):
    contact_rate          mean of joints_to_features' contact labels (dims 259:263) per foot joint
    slide_labelled_mps    horizontal speed of a foot joint while it is labelled in contact [m/s] (mean, p95)
    planner_slide_mps     max speed of a heel/toe while the generator plans it planted [m/s] (should be 0)
    floor_min_m           lowest foot joint over the clip [m] (0 = touches the floor)
    float_frac            fraction of frames whose lowest foot joint is > 5 cm above the floor
    bone_error_m          max |bone length - target| [m]
    ankle_gap_min_m       min lateral gap between left and right ankle in the pelvis frame [m] (< 0: crossed legs)
    knee_flex_max_deg, elbow_flex_max_deg   largest flexion (180 - angle between the two bones) [deg]
    ankle_angle_min_deg, ankle_angle_max_deg   knee-ankle-toe angle [deg] (about 107 standing upright)
    pelvis_height_m       min and max pelvis height [m]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from motion_loop.data.features import CONTACT_DIMS, joints_to_features
from motion_loop.data.procedural import (
    FAMILIES,
    GENERATOR_VERSION,
    canonical_frame,
    clip_rng,
    generate_pose,
)
from motion_loop.data.procedural.body import assemble
from motion_loop.data.procedural.sampling import sample_one
from motion_loop.data.skeleton import TARGET_BONE_LENGTHS, bone_lengths

FOOT_JOINTS = (7, 10, 8, 11)  # feature contact order: left ankle, left foot, right ankle, right foot
FLOAT_HEIGHT_M = 0.05
FPS = 20.0


def _flexion(joints: np.ndarray, a: int, b: int, c: int) -> np.ndarray:
    """Flexion at b [deg]: 0 when a-b-c is straight."""
    u, v = joints[:, a] - joints[:, b], joints[:, c] - joints[:, b]
    cos = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def clip_metrics(family: str, seed: int, rng: np.random.Generator) -> dict[str, float]:
    params = sample_one(family, rng, seed=seed)
    pose = generate_pose(params, clip_rng(params))
    joints = canonical_frame(assemble(pose))
    labels = joints_to_features(joints)[:, CONTACT_DIMS] > 0.5  # (T-1, 4)
    feet = joints[:, list(FOOT_JOINTS)]
    speed_h = np.linalg.norm(np.diff(feet[..., [0, 2]], axis=0), axis=-1) * FPS  # (T-1, 4)
    speed_3d = np.linalg.norm(np.diff(feet, axis=0), axis=-1) * FPS
    planned = []
    for k, (side, kind) in enumerate(((0, "heel"), (0, "toe"), (1, "heel"), (1, "toe"))):
        down = getattr(pose, f"{kind}_contact")[side]
        still = down[1:] & down[:-1]
        planned.append(speed_3d[still, k].max() if still.any() else 0.0)
    lowest = feet[..., 1].min(axis=1)
    left_axis = joints[:, 1] - joints[:, 2]  # pelvis-frame left, from the hips
    left_axis[:, 1] = 0.0
    left_axis /= np.linalg.norm(left_axis, axis=-1, keepdims=True)
    gap = ((joints[:, 7] - joints[:, 8]) * left_axis).sum(-1)
    knee = np.maximum(_flexion(joints, 1, 4, 7), _flexion(joints, 2, 5, 8))
    elbow = np.maximum(_flexion(joints, 16, 18, 20), _flexion(joints, 17, 19, 21))
    ankle = 180.0 - np.concatenate([_flexion(joints, 4, 7, 10), _flexion(joints, 5, 8, 11)])
    return {
        **{f"contact_rate_{n}": float(labels[:, k].mean()) for k, n in enumerate(("l_ankle", "l_foot", "r_ankle", "r_foot"))},
        "slide_labelled_mps": float(speed_h[labels].mean()) if labels.any() else 0.0,
        "slide_labelled_p95_mps": float(np.percentile(speed_h[labels], 95)) if labels.any() else 0.0,
        "planner_slide_mps": float(max(planned)),
        "floor_min_m": float(lowest.min()),
        "float_frac": float((lowest > FLOAT_HEIGHT_M).mean()),
        "bone_error_m": float(np.abs(bone_lengths(joints) - TARGET_BONE_LENGTHS).max()),
        "ankle_gap_min_m": float(gap.min()),
        "knee_flex_max_deg": float(knee.max()),
        "elbow_flex_max_deg": float(elbow.max()),
        "ankle_angle_min_deg": float(ankle.min()),
        "ankle_angle_max_deg": float(ankle.max()),
        "pelvis_height_min_m": float(joints[:, 0, 1].min()),
        "pelvis_height_max_m": float(joints[:, 0, 1].max()),
    }


_WORST = {"planner_slide_mps": max, "floor_min_m": max, "bone_error_m": max, "ankle_gap_min_m": min,
          "knee_flex_max_deg": max, "elbow_flex_max_deg": max, "ankle_angle_min_deg": min, "ankle_angle_max_deg": max, "pelvis_height_min_m": min,
          "pelvis_height_max_m": max, "slide_labelled_p95_mps": max}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "procedural_quality.json")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    families: dict[str, dict[str, float]] = {}
    for family in FAMILIES:
        rows = [clip_metrics(family, seed, rng) for seed in range(args.per_family)]
        summary = {}
        for key in rows[0]:
            values = [r[key] for r in rows]
            summary[key] = float(_WORST[key](values)) if key in _WORST else float(np.mean(values))
        families[family] = summary
        print(family, {k: round(v, 3) for k, v in summary.items()}, flush=True)
    overall = float(np.mean([np.mean([s[k] for k in s if k.startswith("contact_rate")]) for s in families.values()]))
    result = {
        "generator_version": GENERATOR_VERSION,
        "clips_per_family": args.per_family,
        "note": "contact_rate, slide_labelled_mps, float_frac: mean over clips; other keys: worst clip",
        "mean_contact_rate_all_families": overall,
        "families": families,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
