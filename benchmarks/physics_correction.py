"""Benchmark of `physics.correct_motion` on real clips, clean and with injected generator-like defects.

    nice python benchmarks/physics_correction.py --data ~/data/bandai1 --per-content 4 \
        --out benchmarks/results/physics_correction.json [key=value physics options]

Data: a HumanML3D-layout folder (e.g. Bandai-Namco 1 imported by `motion-loop data import`), clips
chosen evenly per content (the content is the second field of Bandai-Namco ids, `dataset-1_{content}_...`),
plus the HumanML3D reference samples under $MOTION_LOOP_SHARED_DATA/humanml3d-reference when present
(content "hml3d"; the variable names the optional data folder, as for the tests).

Defects (on HumanML3D y-up joints, seeded):
- overtravel: horizontal root displacement x1.2 (relative to frame 0), applied to every joint -> skating;
- sink: the whole body 4 cm lower -> penetration;  lift: 4 cm higher -> floating;
- jitter: i.i.d. N(0, 8 mm) on every coordinate.

Per clip and condition it records the correction report plus the distance of the input and of the
output to the clean clip; the summary gives means per condition, falls/resets per content, and
compute per 196-frame clip (CPU seconds of this process, i.e. one core).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parse_options, shared_data_dir  # noqa: E402

from physics import correct_motion  # noqa: E402
from physics.plausibility import mpjpe_mm  # noqa: E402

DEFECTS = ("clean", "overtravel", "sink", "lift", "jitter")
LOCOMOTION = ("walk", "walk-back", "walk-left", "walk-right", "run", "dash", "cmu_walk")
_OVERTRAVEL = 1.2
_OFFSET = 0.04  # [m]
_JITTER = 0.008  # [m]
_CLIP_FRAMES = 196
# Inputs whose pelvis moves faster than this between two frames are broken recordings (a teleport),
# not motions; they are excluded from the statistics and listed in the output with the reason.
_MAX_ROOT_SPEED = 12.0  # [m/s]


def inject(joints: np.ndarray, defect: str, rng: np.random.Generator) -> np.ndarray:
    """A defective copy of joints (T, 22, 3), HumanML3D y-up metres."""
    out = joints.copy()
    if defect == "clean":
        return out
    if defect == "overtravel":
        root = joints[:, :1, [0, 2]] - joints[:1, :1, [0, 2]]
        out[..., [0, 2]] += (_OVERTRAVEL - 1.0) * root
    elif defect == "sink":
        out[..., 1] -= _OFFSET
    elif defect == "lift":
        out[..., 1] += _OFFSET
    elif defect == "jitter":
        out += rng.normal(0.0, _JITTER, size=out.shape)
    else:
        raise ValueError(f"unknown defect {defect!r}; available: {DEFECTS}")
    return out


def content_of(clip_id: str) -> str:
    match = re.match(r"dataset-\d_(.+?)_", clip_id)
    return match.group(1) if match else "other"


def pick_clips(folder: Path, per_content: int) -> list[tuple[str, str, np.ndarray]]:
    by_content: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((folder / "new_joints").glob("*.npy")):
        by_content[content_of(path.stem)].append(path)
    clips = []
    for content, paths in sorted(by_content.items()):
        step = max(1, len(paths) // per_content)
        for path in paths[::step][:per_content]:
            clips.append((path.stem, content, np.load(path)))
    return clips


def cmu_clips(folder: Path, count: int) -> list[tuple[str, str, np.ndarray]]:
    """Clips of an imported CMU folder, content from the caption ("cmu_walk", "cmu_jump", "cmu_other")."""
    clips = []
    paths = sorted((folder / "new_joints").glob("*.npy"))
    step = max(1, len(paths) // max(count, 1))
    for path in paths[::step][:count]:
        text = (folder / "texts" / f"{path.stem}.txt")
        caption = text.read_text().lower() if text.is_file() else ""
        content = "cmu_jump" if "jump" in caption else "cmu_walk" if "walk" in caption else "cmu_other"
        clips.append((f"cmu_{path.stem}", content, np.load(path)))
    return clips


def reference_clips() -> list[tuple[str, str, np.ndarray]]:
    root = shared_data_dir()
    found = []
    for name, rel in (("hml3d_012314", "humanml3d-reference/new_joints/012314.npy"),
                      ("hml3d_000000", "humanml3d-reference/sample_000000/new_joints/000000.npy")):
        if (root / rel).is_file():
            found.append((name, "hml3d", np.load(root / rel)))
    return found


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in rows if r.get(key) is not None]
    return float(np.mean(values)) if values else float("nan")


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    keys = ["penetrate_mm", "float_mm", "skate_mm", "surface_penetrate_mm", "surface_float_mm", "surface_skate_mm"]
    for defect in DEFECTS:
        sel = [r for r in rows if r["defect"] == defect]
        if not sel:
            continue
        entry: dict[str, Any] = {"clips": len(sel)}
        for key in keys:
            entry[f"{key}_before"] = _mean(sel, f"{key}_before")
            entry[f"{key}_after"] = _mean(sel, f"{key}_after")
        for key in ("residual_force_pct_bw", "residual_force_p95_pct_bw", "residual_torque_pct", "input_residual_pct_bw",
                    "mpjpe_mm", "mpjpe_local_mm", "input_to_clean_mm", "output_to_clean_mm", "cpu_per_196"):
            entry[key] = _mean(sel, key)
        entry["closer_to_clean_fraction"] = float(np.mean([r["output_to_clean_mm"] < r["input_to_clean_mm"] for r in sel])) \
            if defect != "clean" else None
        entry["falls"] = int(sum(r["fell"] for r in sel))
        entry["resets"] = int(sum(r["resets"] for r in sel))
        entry["fallbacks"] = int(sum(r["controller"] == "fallback" for r in sel))
        entry["mpc"] = int(sum(r["controller"] == "mpc" for r in sel))
        loco = [r for r in sel if r["content"] in LOCOMOTION]
        entry["locomotion_clips"] = len(loco)
        entry["locomotion_falls_or_resets"] = int(sum(r["fell"] or r["resets"] > 0 for r in loco))
        per_content: dict[str, dict[str, int]] = {}
        for r in sel:
            c = per_content.setdefault(r["content"], {"clips": 0, "falls": 0, "resets": 0, "fallbacks": 0, "mpc": 0})
            c["clips"] += 1
            c["falls"] += int(r["fell"])
            c["resets"] += int(r["resets"])
            c["fallbacks"] += int(r["controller"] == "fallback")
            c["mpc"] += int(r["controller"] == "mpc")
        entry["per_content"] = per_content
        summary[defect] = entry
    cpu = np.array([r["cpu_per_196"] for r in rows])
    summary["cpu_seconds_per_196_frames"] = {"median": float(np.median(cpu)), "p95": float(np.percentile(cpu, 95)),
                                             "max": float(cpu.max()), "mean": float(cpu.mean())}
    return summary


def print_table(summary: dict[str, Any]) -> None:
    cols = ["surface_penetrate_mm", "surface_float_mm", "surface_skate_mm", "penetrate_mm", "float_mm", "skate_mm"]
    print(f"{'defect':11s} {'n':>3s} " + " ".join(f"{c.replace('surface_', 's_').replace('_mm', ''):>14s}" for c in cols)
          + f" {'res%BW':>7s} {'to_in':>6s} {'in>cl':>6s} {'out>cl':>6s} {'falls':>5s} {'resets':>6s} {'fallbk':>6s}")
    for defect in DEFECTS:
        e = summary.get(defect)
        if not e:
            continue
        pairs = " ".join(f"{e[c + '_before']:6.1f}>{e[c + '_after']:6.1f}" for c in cols)
        print(f"{defect:11s} {e['clips']:3d} {pairs} {e['residual_force_pct_bw']:7.1f} {e['mpjpe_mm']:6.0f} "
              f"{e['input_to_clean_mm']:6.0f} {e['output_to_clean_mm']:6.0f} {e['falls']:5d} {e['resets']:6d} {e['fallbacks']:6d}")
    cpu = summary["cpu_seconds_per_196_frames"]
    print(f"cpu s per 196-frame clip: median {cpu['median']:.2f}  p95 {cpu['p95']:.2f}  max {cpu['max']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True,
                        help="a HumanML3D-layout folder, e.g. Bandai-Namco 1 imported with `motion-loop data import`")
    parser.add_argument("--per-content", type=int, default=4)
    parser.add_argument("--defects", default=",".join(DEFECTS))
    parser.add_argument("--contents", default="", help="comma-separated subset of contents")
    parser.add_argument("--no-reference", action="store_true", help="skip the HumanML3D reference samples")
    parser.add_argument("--cmu", type=Path, default=None, help="an imported CMU folder (HumanML3D layout)")
    parser.add_argument("--cmu-clips", type=int, default=8, help="clips taken from --cmu (default 8)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("options", nargs="*", help="physics options key=value (Python literals)")
    args = parser.parse_args(argv)
    options = parse_options(args.options)
    if not (args.data / "new_joints").is_dir():
        print(f"no HumanML3D-layout data at {args.data} (import Bandai-Namco 1 with `motion-loop data import`)")
        return 1
    clips = pick_clips(args.data, args.per_content)
    if not args.no_reference:
        clips += reference_clips()
    if args.cmu is not None:
        clips += cmu_clips(args.cmu, args.cmu_clips)
    if args.contents:
        keep = set(args.contents.split(","))
        clips = [c for c in clips if c[1] in keep]
    excluded, valid = [], []
    for clip_id, content, clean in clips:
        speed = float(np.linalg.norm(np.diff(clean[:, 0], axis=0), axis=-1).max() * 20.0)
        if speed > _MAX_ROOT_SPEED:
            excluded.append({"clip": clip_id, "content": content,
                             "reason": f"pelvis speed {speed:.1f} m/s between frames > {_MAX_ROOT_SPEED} (broken input)"})
        else:
            valid.append((clip_id, content, clean))
    clips = valid
    for item in excluded:
        print(f"excluded {item['clip']}: {item['reason']}", file=sys.stderr)
    defects = args.defects.split(",")
    rng = np.random.default_rng(args.seed)
    rows = []
    start = time.perf_counter()
    for n, (clip_id, content, clean) in enumerate(clips):
        for defect in defects:
            joints = inject(clean, defect, rng)
            result = correct_motion(joints, 20.0, **options)
            report = dataclasses.asdict(result.report)
            report.update(clip=clip_id, content=content, defect=defect,
                          input_to_clean_mm=mpjpe_mm(joints, clean), output_to_clean_mm=mpjpe_mm(result.joints, clean),
                          cpu_per_196=report["cpu_seconds"] * _CLIP_FRAMES / len(joints))
            rows.append(report)
        print(f"[{n + 1}/{len(clips)}] {clip_id} ({content}) {time.perf_counter() - start:.0f}s", file=sys.stderr, flush=True)
    summary = summarize(rows)
    print_table(summary)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        meta = {"data": args.data.name, "cmu": args.cmu.name if args.cmu else None, "per_content": args.per_content, "options": options, "seed": args.seed,
                "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
                "command": " ".join(sys.argv), "excluded": excluded,
                "clips": len(clips)}
        args.out.write_text(json.dumps({"meta": meta, "summary": summary, "clips": rows}, indent=1, default=float))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
