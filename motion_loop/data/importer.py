"""Import a folder of BVH motion capture into a HumanML3D-layout dataset at 20 fps.

Per file: parse, forward kinematics, joint map to the 22 HumanML3D joints (metres, y-up), drop a
calibration frame where the map says so, resample from the true capture rate to 20 fps, window long
takes into clips of at most `max_frames` feature frames, then HumanML3D's processing per clip
(uniform skeleton, floor, origin, facing +Z, features). `new_joints` holds the joints recovered from
the features, as in the HumanML3D release. Files that cannot be used (corrupt, truncated, a frame time
that is not a number, an unknown skeleton, too short) are skipped, counted, and listed with their reason
in meta.json. The dataset is built in a hidden sibling folder and renamed into place when complete, so a
reader never sees half of one; an existing non-empty OUT is replaced only with `overwrite`, and OUT may
never be SRC or contain it (the import would delete the files it reads).
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
from tqdm import tqdm

from motion_loop.data import skeleton as sk
from motion_loop.data.bvh import read_bvh, world_pose
from motion_loop.data.features import features_to_joints, joints_to_features
from motion_loop.data.humanml3d import (
    DatasetMeta,
    HumanML3DFolder,
    compute_stats,
    write_clip,
    write_meta,
    write_splits,
    write_stats,
)
from motion_loop.data.joint_map import JointMap, detect_joint_map, load_joint_map
from motion_loop.data.labels import Labeler, TakeLabel, detect_labeler
from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.io.folders import publish_dir, scratch_dir_beside

IMPORTER_VERSION = "1"
TARGET_FPS = 20.0
# No pelvis moves faster than this [m/s] (sprinters peak near 12); a faster jump between frames is a
# capture glitch (e.g. CMU 07_12 holds a second calibration frame 0.8 m below the motion) and cuts the
# take there. Hands and feet are not checked: kicks and punches move them faster than this.
MAX_ROOT_SPEED = 15.0
# Split by a hash of the take name: train below 80, val below 85, test above (percent).
_SPLIT_BOUNDS = (("train", 80), ("val", 85), ("test", 100))


@dataclass(frozen=True)
class ImportOptions:
    """Options of `import_bvh_folder`.

    Attributes:
        joint_map: name or path of a joint map; None detects it per file.
        max_frames: longest clip [feature frames at 20 fps]; longer takes are cut into equal windows.
        min_frames: shortest clip kept [feature frames]; shorter takes or windows are skipped.
        limit: import at most this many files (sorted by name); 0 means all.
        source, licence, credit: recorded in meta.json.
    """

    joint_map: str | None = None
    max_frames: int = 196
    min_frames: int = 40
    limit: int = 0
    source: str = ""
    licence: str = ""
    credit: str = ""

    def __post_init__(self) -> None:
        if self.max_frames < 1 or self.min_frames < 1 or self.min_frames > self.max_frames:
            raise ConfigError(
                f"clip lengths must satisfy 1 <= min_frames <= max_frames [frames at 20 fps], got "
                f"min_frames={self.min_frames}, max_frames={self.max_frames}; HumanML3D uses 40 and 196"
            )
        if self.limit < 0:
            raise ConfigError(f"limit must be >= 0 (0 imports every file), got {self.limit}")


@dataclass
class ImportSummary:
    files: int = 0
    clips: int = 0
    frames: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_files: list[dict[str, str]] = field(default_factory=list)  # {"file", "reason"} per skipped file
    clips_per_group: Counter[str] = field(default_factory=Counter)
    splits: dict[str, int] = field(default_factory=dict)
    sanity: dict[str, float] = field(default_factory=dict)

    @property
    def hours(self) -> float:
        return self.frames / TARGET_FPS / 3600.0


def resample(joints: np.ndarray, fps: float, target_fps: float = TARGET_FPS) -> np.ndarray:
    """Linearly interpolate (F, 22, 3) positions captured at `fps` onto a `target_fps` grid."""
    duration = (joints.shape[0] - 1) / fps
    times = np.arange(0.0, duration + 1e-9, 1.0 / target_fps)
    source_times = np.arange(joints.shape[0]) / fps
    flat = joints.reshape(joints.shape[0], -1)
    columns = [np.interp(times, source_times, flat[:, k]) for k in range(flat.shape[1])]
    return np.stack(columns, axis=1).reshape(len(times), *joints.shape[1:])


def continuous_segments(joints: np.ndarray, fps: float, max_speed: float = MAX_ROOT_SPEED) -> list[tuple[int, int]]:
    """[start, end) frame ranges of (F, 22, 3) joints between glitches where the pelvis jumps faster than max_speed."""
    speed = np.linalg.norm(np.diff(joints[:, 0], axis=0), axis=-1) * fps  # (F-1,) [m/s]
    cuts = [0, *(np.nonzero(speed > max_speed)[0] + 1).tolist(), len(joints)]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def windows(num_feature_frames: int, max_frames: int) -> list[tuple[int, int]]:
    """Equal, non-overlapping [start, end) windows of joint frames whose feature length is <= max_frames."""
    count = -(-num_feature_frames // max_frames)  # ceil
    edges = np.linspace(0, num_feature_frames, count + 1).round().astype(int)
    return [(int(a), int(b) + 1) for a, b in pairwise(edges)]


def split_of(take: str) -> str:
    """Deterministic split of a take from a hash of its name."""
    bucket = int(hashlib.sha1(take.encode()).hexdigest(), 16) % 100
    return next(name for name, bound in _SPLIT_BOUNDS if bucket < bound)


def _load_take(path: Path, joint_map: JointMap | None, label: TakeLabel) -> tuple[np.ndarray, float, JointMap]:
    bvh = read_bvh(path)
    chosen = joint_map or detect_joint_map(bvh)
    joints = chosen.apply(bvh, world_pose(bvh))
    if chosen.drop_first_frame:
        joints = joints[1:]
    return joints, label.fps or bvh.fps, chosen


def check_destination(source_dir: Path, out_dir: Path, *, overwrite: bool) -> None:
    """Refuse an OUT that is SRC or holds it, and a non-empty OUT unless `overwrite`.

    Raises:
        ConfigError: with the fix (another folder, or --overwrite).
    """
    source, out = Path(source_dir).resolve(), Path(out_dir).resolve()
    if out == source or out in source.parents:
        raise ConfigError(
            f"the output folder {out_dir} is the source folder {source_dir} or contains it; the import would "
            "replace the BVH files it reads: choose an output folder outside the source"
        )
    if out.exists() and not out.is_dir():
        raise ConfigError(f"the output {out_dir} is a file, not a folder; choose a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        kind = "a dataset" if (out / "meta.json").is_file() or (out / "train.txt").is_file() else "files"
        raise ConfigError(
            f"{out_dir} already holds {kind}; pass --overwrite to replace it entirely, or choose a new folder"
        )


def import_bvh_folder(
    source_dir: Path, out_dir: Path, options: ImportOptions, *, overwrite: bool = False, progress: bool = True
) -> ImportSummary:
    """Import every *.bvh under `source_dir` (recursively) into the HumanML3D-layout folder `out_dir`.

    The dataset is built in a hidden sibling of `out_dir` and renamed to `out_dir` when complete.

    Raises:
        ConfigError: `out_dir` is `source_dir` or holds it, or is not empty and `overwrite` is False.
        DataFormatError: the source folder is missing, holds no BVH file, or no file could be imported.
        OutputError: the output folder cannot be written.
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    if not source_dir.is_dir():
        raise DataFormatError(f"source folder {source_dir} does not exist; give a folder of .bvh files")
    check_destination(source_dir, out_dir, overwrite=overwrite)
    files = sorted(source_dir.rglob("*.bvh"))
    if options.limit:
        files = files[: options.limit]
    if not files:
        raise DataFormatError(f"no .bvh files under {source_dir}; an archive must be extracted first (tar xJf ...)")
    scratch = scratch_dir_beside(out_dir)
    try:
        summary = _build(source_dir, files, scratch, options, progress=progress)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    publish_dir(scratch, out_dir)
    return summary


def _build(source_dir: Path, files: list[Path], out_dir: Path, options: ImportOptions, *, progress: bool) -> ImportSummary:
    """Import `files` into the (empty, scratch) folder `out_dir`; meta.json last."""
    label_source, labeler = detect_labeler(source_dir, files)
    fixed_map = load_joint_map(options.joint_map) if options.joint_map else None
    summary = ImportSummary()
    splits: dict[str, list[str]] = {name: [] for name, _ in _SPLIT_BOUNDS}
    maps_used: Counter[str] = Counter()
    sanity = _SanityAccumulator()
    for path in tqdm(files, desc="import BVH", unit="file", disable=not progress):
        try:
            clips = _import_file(path, labeler, fixed_map, options, out_dir, maps_used, sanity)
        except DataFormatError as error:
            _skip(summary, path, source_dir, str(error).split(": ", 1)[-1].split(";")[0], str(error))
            continue
        if not clips:
            reason = f"shorter than {options.min_frames} frames at 20 fps"
            _skip(summary, path, source_dir, reason, reason)
            continue
        summary.files += 1
        for clip_id, frames, group, take in clips:
            splits[split_of(take)].append(clip_id)
            summary.clips += 1
            summary.frames += frames
            summary.clips_per_group[group] += 1
    if summary.clips == 0:
        raise DataFormatError(
            f"no clip could be imported from {source_dir}; skipped: {dict(summary.skipped)}; first: "
            f"{summary.skipped_files[0] if summary.skipped_files else '-'}"
        )
    if not splits["train"]:  # tiny imports: make sure there is something to train on
        splits["train"], splits["test"] = splits["test"], []
    write_splits(out_dir, splits)
    folder = HumanML3DFolder(out_dir)
    write_stats(out_dir, *compute_stats(folder, splits["train"]))
    summary.splits = {name: len(ids) for name, ids in splits.items()}
    summary.sanity = sanity.result()
    write_meta(
        out_dir,
        DatasetMeta(
            source=options.source or str(source_dir),
            licence=options.licence,
            credit=options.credit,
            fps=TARGET_FPS,
            importer="motion_loop.data.importer",
            importer_version=IMPORTER_VERSION,
            extra={
                "label_source": label_source,
                "joint_maps": dict(maps_used),
                "files": summary.files,
                "clips": summary.clips,
                "hours": round(summary.hours, 4),
                "splits": summary.splits,
                "skipped": dict(summary.skipped),
                "skipped_files": summary.skipped_files,
                "clips_per_group": dict(summary.clips_per_group),
                "sanity": summary.sanity,
            },
        ),
    )
    return summary


def _skip(summary: ImportSummary, path: Path, source_dir: Path, reason: str, detail: str) -> None:
    """Count a skipped file under its short `reason`; keep the file and the full message for meta.json."""
    summary.skipped[reason] += 1
    summary.skipped_files.append({"file": str(path.relative_to(source_dir)), "reason": detail})


def _import_file(
    path: Path,
    labeler: Labeler,
    fixed_map: JointMap | None,
    options: ImportOptions,
    out_dir: Path,
    maps_used: Counter[str],
    sanity: _SanityAccumulator,
) -> list[tuple[str, int, str, str]]:
    label = labeler(path)
    raw, fps, joint_map = _load_take(path, fixed_map, label)
    maps_used[joint_map.name] += 1
    sanity.add_raw(raw)
    segments = [resample(raw[a:b], fps) for a, b in continuous_segments(raw, fps) if b - a > 1]
    parts = [segment[start:end] for segment in segments for start, end in windows(len(segment) - 1, options.max_frames)]
    clips = []
    for index, window in enumerate(w for w in parts if len(w) - 1 >= options.min_frames):
        features = joints_to_features(window)  # (T-1, 263)
        clip_id = f"{path.stem}_{index:03d}"
        recovered = features_to_joints(features)
        sanity.add_clip(recovered, features, locomotion=_is_locomotion(label.group))
        write_clip(out_dir, clip_id, joints=recovered, features=features, captions=list(label.captions))
        clips.append((clip_id, len(features), label.group, label.take))
    return clips


def _is_locomotion(group: str) -> bool:
    return any(word in group for word in ("walk", "run", "dash", "jog"))


class _SanityAccumulator:
    """Per-dataset sanity figures: bone-length spread of the source, foot height in contact, facing, speed."""

    def __init__(self) -> None:
        self.bone_spread: list[float] = []
        self.contact_heights: list[np.ndarray] = []
        self.facing_deg: list[float] = []
        self.forward_speed: list[float] = []

    def add_raw(self, joints: np.ndarray) -> None:
        lengths = sk.bone_lengths(joints)  # (F, 21)
        self.bone_spread.append(float((lengths.std(0) / lengths.mean(0)).max()))

    def add_clip(self, joints: np.ndarray, features: np.ndarray, *, locomotion: bool) -> None:
        contacts = features[:, [260, 262]] > 0.5  # (T, 2): left and right toe contact labels
        toes = joints[:, [sk.LEFT_FOOT_JOINTS[1], sk.RIGHT_FOOT_JOINTS[1]], 1]  # (T, 2) heights [m]
        self.contact_heights.append(toes[contacts])
        forward = sk.facing_direction(joints[0])
        self.facing_deg.append(float(np.degrees(np.arctan2(forward[0], forward[2]))))
        if locomotion:
            displacement = joints[-1, 0] - joints[0, 0]
            self.forward_speed.append(float(displacement[2] * TARGET_FPS / max(len(joints) - 1, 1)))

    def result(self) -> dict[str, float]:
        heights = np.concatenate(self.contact_heights) if self.contact_heights else np.zeros(0)
        result = {
            "bone_length_cv_max": float(np.max(self.bone_spread)) if self.bone_spread else float("nan"),
            "bone_length_cv_median": float(np.median(self.bone_spread)) if self.bone_spread else float("nan"),
            "toe_height_in_contact_median_m": float(np.median(heights)) if heights.size else float("nan"),
            "toe_height_in_contact_p95_m": float(np.percentile(heights, 95)) if heights.size else float("nan"),
            "facing_frame0_abs_deg_max": float(np.max(np.abs(self.facing_deg))) if self.facing_deg else float("nan"),
        }
        if self.forward_speed:
            result["locomotion_net_speed_along_+z_mps_median"] = float(np.median(self.forward_speed))
        return result
