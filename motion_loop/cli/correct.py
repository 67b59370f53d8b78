"""`motion-loop correct IN_DIR OUT_DIR [options] [physics.key=value ...]`: physics-correct a folder.

Reads a HumanML3D-layout folder (new_joints/, or new_joint_vecs/ recovered to joints), corrects every
clip with `physics.correct_batch`, and writes OUT_DIR in the same layout: new_joints/ and
new_joint_vecs/ (via joints_to_features), texts/ and split files copied, correction.jsonl (one report
per clip, in id order) and a summary table on the console. Normalisation stats are not copied (they
would describe the uncorrected clips).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from motion_loop.cli.hydra_utils import compose_config, conf_dir, to_object
from motion_loop.data.features import features_to_joints, joints_to_features
from motion_loop.data.humanml3d import SPLITS, HumanML3DFolder
from motion_loop.io.atomic import atomic_save_npy, atomic_write_text
from physics.batch import BACKENDS, correct_batch
from physics.config import PhysicsConfig
from physics.errors import PhysicsError
from physics.report import CorrectionReport, summarize

_SUMMARY_KEYS = ("surface_penetrate_mm", "surface_float_mm", "surface_skate_mm")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motion-loop correct",
        description="Physics-correct every clip of a HumanML3D-layout folder (MuJoCo humanoid tracking). "
        "Trailing key=value arguments are Hydra overrides of the physics config, e.g. physics.gamma=0.5.",
    )
    parser.add_argument("in_dir", type=Path, help="HumanML3D-layout input folder")
    parser.add_argument("out_dir", type=Path, help="output folder (created)")
    parser.add_argument("--split", default=None, help="only the clips of this split (train/val/test/all)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N clips (0 = all)")
    parser.add_argument("--fps", type=float, default=20.0, help="frame rate of the clips [Hz] (default 20)")
    parser.add_argument("--workers", type=int, default=1, help="parallel workers (default 1)")
    parser.add_argument("--backend", choices=BACKENDS, default="process", help="process pool or Ray")
    parser.add_argument("--videos", type=int, default=0,
                        help="also write side-by-side input/corrected mp4s of the first N clips to OUT_DIR/videos")
    return parser


def _physics_config(overrides: list[str]) -> PhysicsConfig:
    bad = [o for o in overrides if "=" not in o]
    if bad:
        raise PhysicsError(f"unexpected arguments {bad}; overrides look like physics.gamma=0.5")
    # conf/config.yaml may or may not list the physics group in its defaults.
    top = (conf_dir() / "config.yaml").read_text()
    select = "physics=default" if "physics:" in top else "+physics=default"
    cfg = to_object(compose_config("config", [select, *overrides]))
    physics = cfg["physics"] if isinstance(cfg, dict) else cfg.physics
    return physics.validate()


def _load(folder: HumanML3DFolder, clip_id: str) -> np.ndarray:
    if (folder.joints_dir / f"{clip_id}.npy").is_file():
        return folder.joints(clip_id)
    return features_to_joints(folder.features(clip_id))


def _summary(reports: list[CorrectionReport], ids: list[str]) -> str:
    summary = summarize(reports)
    lines = [f"clips: {summary.clips}  corrected: {summary.clips - summary.rejected}  rejected: {summary.rejected}  "
             f"flagged: {summary.flagged}"]
    if summary.rejected == summary.clips:
        return "\n".join(lines)
    lines.append(f"fall rate: {summary.fall_rate:.2f}  reset rate: {summary.reset_rate:.2f}  "
                 f"sampling MPC: {summary.mpc_rate:.2f}  fallback rate: {summary.fallback_rate:.2f}")
    lines.append(f"{'metric':22s} {'before':>8s} {'after':>8s}")
    for key in _SUMMARY_KEYS:
        before, after = getattr(summary, f"{key}_before"), getattr(summary, f"{key}_after")
        lines.append(f"{key:22s} {before:8.2f} {after:8.2f}")
    lines.append(f"{'distance to input mm':22s} {'':8s} {summary.mpjpe_mm:8.2f}")
    lines.append(f"{'residual force % BW':22s} {'':8s} {summary.residual_force_pct_bw:8.2f}"
                 f"  (p95 over clips {summary.residual_force_p95_pct_bw:.1f})")
    lines.append(f"cpu seconds per clip: mean {summary.cpu_seconds:.2f}  p95 {summary.cpu_seconds_p95:.2f}")
    for report, clip_id in zip(reports, ids, strict=True):
        for code, reason in report.flags.items():
            lines.append(f"flagged {clip_id}: {code}: {reason}")
    return "\n".join(lines)


def run(argv: list[str]) -> int:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    unknown = [item for item in rest if item.startswith("-") or "=" not in item]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)} (overrides look like physics.gamma=0.5)")
    args.overrides = rest
    try:
        config = _physics_config(args.overrides)
        folder = HumanML3DFolder(args.in_dir)
        ids = folder.ids(args.split)
        if args.limit:
            ids = ids[: args.limit]
        if args.in_dir.resolve() == args.out_dir.resolve():
            raise PhysicsError("OUT_DIR must differ from IN_DIR (the input is read while output is written)")
        clips = [_load(folder, clip_id) for clip_id in ids]
        with tqdm(total=len(clips), desc="correct", unit="clip") as bar:
            results = correct_batch(clips, fps=args.fps, workers=args.workers, backend=args.backend, config=config,
                                    on_error="keep", progress=lambda done: bar.update(done - bar.n))
    except PhysicsError as error:
        print(f"motion-loop correct: error: {error}")
        return 1
    out = args.out_dir
    reports: list[dict[str, Any]] = []
    for clip_id, result in zip(ids, results, strict=True):
        atomic_save_npy(out / "new_joints" / f"{clip_id}.npy", result.joints.astype(np.float32))
        atomic_save_npy(out / "new_joint_vecs" / f"{clip_id}.npy", joints_to_features(result.joints).astype(np.float32))
        text = folder.texts_dir / f"{clip_id}.txt"
        if text.is_file():
            (out / "texts").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(text, out / "texts" / f"{clip_id}.txt")
        reports.append({"id": clip_id, **dataclasses.asdict(result.report)})
    for split in (*SPLITS, "all"):
        source = args.in_dir / f"{split}.txt"
        if source.is_file():
            keep = [line for line in source.read_text().splitlines() if line.strip() in set(ids)]
            atomic_write_text(out / f"{split}.txt", "".join(f"{line}\n" for line in keep))
    if args.videos:
        from physics.video import render_side_by_side

        for clip_id, clip, result in list(zip(ids, clips, results, strict=True))[: args.videos]:
            render_side_by_side([(clip, f"{clip_id} input"), (result.joints, "corrected")],
                                out / "videos" / f"{clip_id}.mp4", fps=args.fps)
    atomic_write_text(out / "correction.jsonl", "".join(json.dumps(r, default=float) + "\n" for r in reports))
    print(_summary([result.report for result in results], ids))
    print(f"wrote {len(ids)} clips and correction.jsonl to {out}")
    return 0
