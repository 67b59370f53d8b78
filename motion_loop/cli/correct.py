"""`motion-loop correct IN_DIR --out OUT_DIR [options] [physics.key=value ...]`: physics-correct a folder.

Reads a HumanML3D-layout folder (new_joints/, or new_joint_vecs/ recovered to joints), corrects every
clip with `physics.correct_batch`, and writes OUT_DIR in the same layout: new_joints/ and
new_joint_vecs/ (via joints_to_features), texts/ and split files copied, correction.jsonl (one report
per clip, in id order) and a summary table on the console. Normalisation stats are not copied (they
would describe the uncorrected clips).

Only corrected clips are written and listed in the split files. A clip that cannot be read or whose
correction fails (e.g. an all-zero skeleton) is left out and counted: failed.txt lists each one with its
reason (`id<TAB>reason`), correction.jsonl has its error, and the console prints the count. The command
fails (exit 1) only when no clip could be corrected.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from motion_loop.cli.hydra_utils import compose_config, conf_dir, to_object
from motion_loop.cli.options import add_out_argument, print_arguments, resolve_out, split_cfg
from motion_loop.data.features import features_to_joints, joints_to_features
from motion_loop.data.humanml3d import SPLITS, HumanML3DFolder
from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.io.atomic import atomic_save_npy, atomic_write_text
from motion_loop.validation import (
    at_least,
    choice,
    existing_dir,
    override_keys,
    positive,
    raise_problems,
    validate_app,
)
from physics import CorrectionResult
from physics.batch import BACKENDS, correct_batch
from physics.config import PhysicsConfig
from physics.report import CorrectionReport, summarize

_FAILED_FILE = "failed.txt"  # one `id<TAB>reason` line per clip that is not in OUT_DIR
_SHOWN_FAILURES = 10
_SUMMARY_KEYS = ("surface_penetrate_mm", "surface_float_mm", "surface_skate_mm")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motion-loop correct",
        description="Physics-correct every clip of a HumanML3D-layout folder (MuJoCo humanoid tracking). "
        "Trailing key=value arguments are Hydra overrides of the physics config, e.g. physics.gamma=0.5.",
    )
    parser.add_argument("in_dir", type=Path, help="HumanML3D-layout input folder")
    add_out_argument(parser, "out_dir", "output folder (created)")
    parser.add_argument("--split", default=None, help="only the clips of this split (train/val/test/all)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N clips (0 = all)")
    parser.add_argument("--fps", type=float, default=20.0, help="frame rate of the clips [Hz] (default 20)")
    parser.add_argument("--workers", type=int, default=1, help="parallel workers (default 1)")
    parser.add_argument("--backend", choices=BACKENDS, default="process", help="process pool or Ray")
    parser.add_argument("--videos", type=int, default=0,
                        help="also write side-by-side input/corrected mp4s of the first N clips to OUT_DIR/videos")
    return parser


def _physics_config(overrides: list[str]) -> PhysicsConfig:
    """The physics config with the command line's `physics.*` overrides, validated before any work."""
    bad = [o for o in overrides if "=" not in o]
    if bad:
        raise ConfigError(f"unexpected arguments {bad}; overrides look like physics.gamma=0.5")
    foreign = [key for key in override_keys(overrides) if not key.startswith("physics.")]
    if foreign:
        raise ConfigError(
            f"{', '.join(foreign)} does not apply to `correct`: it takes physics.* overrides only "
            "(e.g. physics.gamma=0.5); the loop's settings belong to `motion-loop run`"
        )
    # conf/config.yaml may or may not list the physics group in its defaults.
    top = (conf_dir() / "config.yaml").read_text()
    select = "physics=default" if "physics:" in top else "+physics=default"
    cfg = to_object(compose_config("config", [select, *overrides]))
    physics = cfg["physics"] if isinstance(cfg, dict) else cfg.physics
    validate_app(physics, command="motion-loop correct")
    return physics


def _validate_args(args: argparse.Namespace) -> None:
    problems = [
        *at_least("--limit", args.limit, 0),
        *positive("--fps", args.fps),
        *at_least("--workers", args.workers, 1),
        *at_least("--videos", args.videos, 0),
        *existing_dir("IN_DIR", str(args.in_dir), what="dataset folder"),
    ]
    if args.split is not None:
        problems += choice("--split", args.split, (*SPLITS, "all"))
    if args.in_dir.resolve() == args.out_dir.resolve():
        problems.append("OUT_DIR must differ from IN_DIR (the input is read while output is written)")
    raise_problems(problems, command="motion-loop correct")


def _failure(result: CorrectionResult) -> str | None:
    """Why a clip's correction failed (the batch keeps such clips unchanged), or None when it succeeded."""
    if result.report.error:
        return str(result.report.error)
    if not np.all(np.isfinite(result.joints)):
        return "the corrected joints are not finite"
    return None


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
                 f"stiff servos: {summary.stiff_servos_rate:.2f}  sampling MPC: {summary.mpc_rate:.2f}  "
                 f"fallback rate: {summary.fallback_rate:.2f}")
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


def _load_all(folder: HumanML3DFolder, ids: list[str]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Joints of every readable clip, and the reason of each clip that cannot be read."""
    clips: dict[str, np.ndarray] = {}
    failed: dict[str, str] = {}
    for clip_id in ids:
        try:
            clips[clip_id] = _load(folder, clip_id)
        except DataFormatError as error:
            failed[clip_id] = f"unreadable: {error}"
    return clips, failed


def run(argv: list[str]) -> int:
    parser = _parser()
    argv, show = split_cfg(argv)
    args, rest = parser.parse_known_args(argv)
    resolve_out(parser, args, "out_dir")
    unknown = [item for item in rest if item.startswith("-") or "=" not in item]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)} (overrides look like physics.gamma=0.5)")
    args.overrides = rest
    if show:
        from dataclasses import asdict

        print_arguments(args, {"physics": asdict(_physics_config(args.overrides))})
        return 0
    config = _physics_config(args.overrides)
    _validate_args(args)
    folder = HumanML3DFolder(args.in_dir)
    ids = folder.ids(args.split)
    if args.limit:
        ids = ids[: args.limit]
    clips, failed = _load_all(folder, ids)
    with tqdm(total=len(clips), desc="correct", unit="clip", disable=None) as bar:  # bar only on a terminal
        results = correct_batch(list(clips.values()), fps=args.fps, workers=args.workers, backend=args.backend,
                                config=config, on_error="keep", progress=lambda done: bar.update(done - bar.n))
    out = args.out_dir
    reports: list[dict[str, Any]] = []
    corrected: list[str] = []
    for clip_id, result in zip(clips, results, strict=True):
        reason = _failure(result)
        if reason is None:
            try:
                features = joints_to_features(result.joints).astype(np.float32)
            except DataFormatError as error:
                reason = f"corrected joints have no valid features: {error}"
        if reason is not None:
            failed[clip_id] = reason
            continue
        atomic_save_npy(out / "new_joints" / f"{clip_id}.npy", result.joints.astype(np.float32))
        atomic_save_npy(out / "new_joint_vecs" / f"{clip_id}.npy", features)
        text = folder.texts_dir / f"{clip_id}.txt"
        if text.is_file():
            atomic_write_text(out / "texts" / f"{clip_id}.txt", text.read_text(encoding="utf-8"))
        corrected.append(clip_id)
        reports.append({"id": clip_id, **dataclasses.asdict(result.report)})
    reports += [{"id": clip_id, "error": reason, "corrected": False} for clip_id, reason in sorted(failed.items())]
    # Only corrected clips are listed in the splits: a failed clip is absent from OUT, not silently uncorrected.
    kept = set(corrected)
    for split in (*SPLITS, "all"):
        source = args.in_dir / f"{split}.txt"
        if source.is_file():
            keep = [line for line in source.read_text().splitlines() if line.strip() in kept]
            atomic_write_text(out / f"{split}.txt", "".join(f"{line}\n" for line in keep))
    atomic_write_text(out / _FAILED_FILE, "".join(f"{clip_id}\t{reason}\n" for clip_id, reason in sorted(failed.items())))
    if args.videos:
        from physics.video import render_side_by_side

        for clip_id, result in list(zip(clips, results, strict=True))[: args.videos]:
            if clip_id in kept:
                render_side_by_side([(clips[clip_id], f"{clip_id} input"), (result.joints, "corrected")],
                                    out / "videos" / f"{clip_id}.mp4", fps=args.fps)
    atomic_write_text(out / "correction.jsonl", "".join(json.dumps(r, default=float) + "\n" for r in reports))
    print(_summary([result.report for result in results], list(clips)))
    print(f"wrote {len(corrected)} corrected clips and correction.jsonl to {out}")
    if failed:
        print(f"{len(failed)} of {len(ids)} clips failed and are not in {out} (reasons in {out / _FAILED_FILE}):")
        for clip_id, reason in sorted(failed.items())[:_SHOWN_FAILURES]:
            print(f"  {clip_id}: {reason}")
    if not corrected:
        raise ConfigError(f"no clip of {args.in_dir} could be corrected ({len(failed)} failed; see {out / _FAILED_FILE})")
    return 0
