"""Generate procedural clips and whole HumanML3D-layout datasets from them."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
from tqdm import tqdm

from motion_loop.data import skeleton as sk
from motion_loop.data.features import joints_to_features
from motion_loop.data.humanml3d import (
    Caption,
    DatasetMeta,
    HumanML3DFolder,
    compute_stats,
    write_clip,
    write_meta,
    write_splits,
    write_stats,
)  # fmt: skip
from motion_loop.data.procedural.body import BodyPose, assemble
from motion_loop.data.procedural.captions import make_captions
from motion_loop.data.procedural.families import get_family
from motion_loop.data.procedural.params import FAMILIES, FPS, ClipParams
from motion_loop.data.procedural.sampling import sample_params
from motion_loop.data.procedural.variation import vary_upper_body
from motion_loop.errors import ConfigError
from motion_loop.io import atomic_write_text

GENERATOR_VERSION = "1.0"
PARAMS_FILE = "params.jsonl"


class GeneratedClip(NamedTuple):
    """One clip: joints (T, 22, 3) [m] in HumanML3D's canonical frame, and its captions."""

    joints: np.ndarray
    captions: list[str]


def generate_pose(params: ClipParams, rng: np.random.Generator) -> BodyPose:
    """The body description of a clip (feet, pelvis, angles and the planner's contact labels)."""
    pose = get_family(params.family)(params, rng)
    vary_upper_body(pose, rng)
    return pose


def canonical_frame(joints: np.ndarray) -> np.ndarray:
    """Floor at y = 0, frame-0 pelvis at the xz origin, frame-0 facing +z (HumanML3D's normalisation)."""
    joints = joints.copy()
    joints[..., 1] -= joints[..., 1].min()
    joints[..., [0, 2]] -= joints[0, 0, [0, 2]]
    forward = sk.facing_direction(joints[0])
    angle = np.arctan2(forward[0], forward[2])  # heading of frame 0, positive towards +x
    c, s = np.cos(-angle), np.sin(-angle)
    x, z = joints[..., 0].copy(), joints[..., 2].copy()
    joints[..., 0] = c * x + s * z
    joints[..., 2] = -s * x + c * z
    return joints


def generate_clip(params: ClipParams, rng: np.random.Generator) -> GeneratedClip:
    """Joints (T, 22, 3) and captions of one clip; the same params and generator state give the same clip."""
    pose = generate_pose(params, rng)
    joints = canonical_frame(assemble(pose))
    return GeneratedClip(joints=joints, captions=make_captions(params, rng))


def clip_rng(params: ClipParams) -> np.random.Generator:
    """The generator a dataset uses for a clip: seeded by the clip's own seed, so clips are independent."""
    return np.random.default_rng(params.seed)


@dataclass
class DatasetSummary:
    """What `generate_dataset` wrote."""

    out_dir: Path
    n_clips: int
    seed: int
    seconds: float
    splits: dict[str, int]
    families: dict[str, int]
    frames: int
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def clips_per_second(self) -> float:
        return self.n_clips / self.seconds if self.seconds > 0 else float("inf")


def clip_id(index: int) -> str:
    return f"{index:06d}"


def _write_one(root: Path, index: int, params: ClipParams) -> int:
    clip = generate_clip(params, clip_rng(params))
    features = joints_to_features(clip.joints)
    write_clip(root, clip_id(index), joints=clip.joints, features=features,
               captions=[Caption(text) for text in clip.captions])  # fmt: skip
    return features.shape[0]


def _write_chunk(root: Path, items: list[tuple[int, ClipParams]]) -> int:
    return sum(_write_one(root, index, params) for index, params in items)


def split_ids(params: list[ClipParams], rng: np.random.Generator) -> dict[str, list[str]]:
    """Train/val/test ids, stratified by family: 16, 1 and 3 of every 20 clips of a family (80/5/15).

    Each family's clips are shuffled, then dealt out in a repeating pattern of 20 that starts at a
    different place for each family, so even a small dataset has clips in every split.
    """
    pattern = ["train"] * 16 + ["val"] + ["test"] * 3
    splits: dict[str, list[str]] = {"train": [], "val": [], "test": []}
    for offset, family in enumerate(FAMILIES):
        members = [i for i, p in enumerate(params) if p.family == family]
        for j, k in enumerate(rng.permutation(len(members))):
            splits[pattern[(j + 7 * offset) % len(pattern)]].append(clip_id(members[k]))
    return {name: sorted(ids) for name, ids in splits.items()}


# What generate_dataset writes into a folder (and removes first when overwriting).
_DATASET_DIRS = ("new_joints", "new_joint_vecs", "texts")
_DATASET_FILES = ("train.txt", "val.txt", "test.txt", "all.txt", "Mean.npy", "Std.npy", "meta.json", PARAMS_FILE)


def _prepare_folder(out_dir: Path, *, overwrite: bool) -> None:
    """Create out_dir; refuse a non-empty one unless overwriting, then remove the old dataset files."""
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not overwrite:
            raise ConfigError(
                f"{out_dir} is not empty; choose a new folder or pass overwrite=True (CLI: --overwrite) "
                "to replace the dataset files in it"
            )
        for name in _DATASET_DIRS:
            shutil.rmtree(out_dir / name, ignore_errors=True)
        for name in _DATASET_FILES:
            (out_dir / name).unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def generate_dataset(
    out_dir: Path, n_clips: int, seed: int, *, progress: bool = True, workers: int = 1, overwrite: bool = False
) -> DatasetSummary:
    """Write a complete HumanML3D-layout dataset of `n_clips` procedural clips to `out_dir`.

    Writes new_joints/, new_joint_vecs/, texts/, train/val/test/all.txt, Mean.npy/Std.npy (from train),
    meta.json and params.jsonl (one JSON object per clip: id and every generating parameter).

    Args:
        out_dir: the dataset folder (created; existing clips with the same ids are overwritten).
        n_clips: number of clips (at least 1).
        seed: seed of the whole dataset; the same seed gives byte-identical arrays.
        progress: show a tqdm progress bar.
        workers: processes used to generate and write clips (the result does not depend on it).
        overwrite: replace the dataset files of an existing folder (other files are left alone).

    Raises:
        ConfigError: n_clips or workers below 1, or out_dir is not empty and overwrite is False.
    """
    if n_clips < 1 or workers < 1:
        raise ConfigError(f"n_clips and workers must be >= 1, got n_clips={n_clips}, workers={workers}")
    start = time.perf_counter()
    out_dir = Path(out_dir)
    _prepare_folder(out_dir, overwrite=overwrite)
    rng = np.random.default_rng(seed)
    params = sample_params(rng, n_clips)
    items = list(enumerate(params))
    frames = 0
    bar = tqdm(total=n_clips, desc="procedural clips", unit="clip", disable=not progress)
    if workers == 1:
        for index, p in items:
            frames += _write_one(out_dir, index, p)
            bar.update(1)
    else:
        chunk = 10
        chunks = [items[i : i + chunk] for i in range(0, n_clips, chunk)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_write_chunk, out_dir, c) for c in chunks]
            for future, c in zip(futures, chunks, strict=True):
                frames += future.result()
                bar.update(len(c))
    bar.close()

    splits = split_ids(params, rng)
    write_splits(out_dir, splits)
    lines = [json.dumps({"id": clip_id(i), **p.to_dict()}, sort_keys=True) for i, p in items]
    atomic_write_text(out_dir / PARAMS_FILE, "\n".join(lines) + "\n")
    folder = HumanML3DFolder(out_dir)
    write_stats(out_dir, *compute_stats(folder, splits["train"] or splits["test"]))
    write_meta(
        out_dir,
        DatasetMeta(
            source="procedural", licence="generated (CC0)", fps=FPS, importer="motion_loop.data.procedural",
            importer_version=GENERATOR_VERSION,
            credit="generated by motion-loop's procedural motion generator",
            extra={"seed": seed, "n_clips": n_clips, "params_file": PARAMS_FILE, "families": list(FAMILIES)},
        ),
    )  # fmt: skip
    return DatasetSummary(
        out_dir=out_dir, n_clips=n_clips, seed=seed, seconds=time.perf_counter() - start,
        splits={name: len(ids) for name, ids in splits.items()},
        families=dict(Counter(p.family for p in params)), frames=frames,
    )  # fmt: skip


def read_params(root: Path) -> dict[str, ClipParams]:
    """The generating parameters of every clip of a procedural dataset folder: id -> ClipParams."""
    path = Path(root) / PARAMS_FILE
    if not path.is_file():
        raise ConfigError(f"{path} not found: {root} is not a procedural dataset (or was written without it)")
    result = {}
    for line in path.read_text().splitlines():
        if line.strip():
            data = json.loads(line)
            result[data["id"]] = ClipParams.from_dict(data)
    return result
