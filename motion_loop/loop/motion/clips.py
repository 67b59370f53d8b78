"""Motion datasets for the loop engine: in-memory sets of clips, stored as HumanML3D-layout folders.

A `ClipSet` is what flows through the engine for the motion stack: real training clips, a generation's
samples, the mix a model is fine-tuned on. Prompts are the captions and true lengths of real clips.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from motion_loop.data.features import check_features, features_to_joints
from motion_loop.data.humanml3d import Caption, HumanML3DFolder, write_clip, write_splits
from motion_loop.errors import DataFormatError
from motion_loop.io import atomic_write_json

_ORIGINS_FILE = "origins.json"
_SYNTHETIC_ID = re.compile(r"^g\d{3,}_\d{5,}_(?P<source>.+)$")


def synthetic_clip_id(generation: int, index: int, source_id: str) -> str:
    """The id of a generation's `index`-th sample, drawn from the prompt of the real clip `source_id`."""
    return f"g{generation:03d}_{index:05d}_{source_id}"


def source_clip_id(clip_id: str) -> str:
    """The real clip whose prompt a synthetic clip was drawn from; a real clip's id is its own source."""
    match = _SYNTHETIC_ID.match(clip_id)
    return match["source"] if match else clip_id


@dataclass(frozen=True)
class Clip:
    """One text-motion item: un-normalised features (T, 263) and the captions that describe it."""

    clip_id: str
    features: np.ndarray  # (T, 263)
    captions: tuple[str, ...]
    origin: str = "real"  # "real", "fresh" or "synthetic/g<generation>"


@dataclass(frozen=True)
class ClipSet:
    clips: tuple[Clip, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.clips)


@dataclass(frozen=True)
class Prompt:
    """What to generate: a caption, a length [feature frames], and the real clip it comes from."""

    caption: str
    length: int
    source_id: str
    source_captions: tuple[str, ...]


@dataclass(frozen=True)
class DroppedClip:
    """A clip of a split that was not used, and why (a JSON-able record for the run's manifest).

    Attributes:
        reason: one of DROP_REASONS.
        detail: the specifics (the missing file, the clip's length).
    """

    clip_id: str
    split: str | None
    reason: str
    detail: str = ""


class LoadedClips(NamedTuple):
    """The usable clips of a split and every clip that was dropped, with its reason."""

    clips: ClipSet
    dropped: tuple[DroppedClip, ...]


DROP_REASONS = ("no motion file", "no caption", "too short")


def _read_clip(folder: HumanML3DFolder, clip_id: str, split: str | None, min_frames: int, origin: str) -> Clip | DroppedClip:
    """The clip, or why it cannot be used."""
    path = folder.features_dir / f"{clip_id}.npy"
    if not path.is_file():
        return DroppedClip(clip_id, split, "no motion file", f"{path} does not exist")
    all_captions = folder.captions(clip_id)
    captions = tuple(c.text for c in all_captions if c.whole_clip) or tuple(c.text for c in all_captions)
    if not captions:
        return DroppedClip(clip_id, split, "no caption", f"texts/{clip_id}.txt is missing or has no caption line")
    features = folder.features(clip_id)
    if len(features) < min_frames:
        return DroppedClip(clip_id, split, "too short", f"{len(features)} < {min_frames} frames (data.min_frames)")
    return Clip(clip_id, features.astype(np.float32), captions, origin)


def load_clip_set(folder: HumanML3DFolder, split: str | None, *, min_frames: int = 40, origin: str = "real") -> LoadedClips:
    """Every clip of a split that has a motion file, a caption and at least `min_frames` frames (whole-clip
    captions preferred), and each other clip of the split with the reason it was dropped.

    Raises:
        DataFormatError: when no clip is usable (the message counts the reasons).
    """
    clips: list[Clip] = []
    dropped: list[DroppedClip] = []
    for clip_id in folder.ids(split):
        item = _read_clip(folder, clip_id, split, min_frames, origin)
        if isinstance(item, Clip):
            clips.append(item)
        else:
            dropped.append(item)
    if not clips:
        raise DataFormatError(
            f"{folder.root} split {split!r} has no captioned clip of >= {min_frames} frames "
            f"(dropped: {dropped_summary(dropped)})"
        )
    return LoadedClips(ClipSet(tuple(clips)), tuple(dropped))


def dropped_summary(dropped: Sequence[DroppedClip]) -> dict[str, int]:
    """Counts of dropped clips by reason."""
    return dict(Counter(d.reason for d in dropped))


class ClipSetOps:
    """`DatasetOps` for `ClipSet`; prompts keep the real clip's true length, clipped to [min, max] frames."""

    def __init__(self, *, min_frames: int = 40, max_frames: int = 196) -> None:
        self.min_frames, self.max_frames = min_frames, max_frames

    def size(self, dataset: ClipSet) -> int:
        return len(dataset)

    def take(self, dataset: ClipSet, indices: np.ndarray) -> ClipSet:
        return ClipSet(tuple(dataset.clips[int(i)] for i in indices))

    def concat(self, datasets: Sequence[ClipSet]) -> ClipSet:
        if not datasets:
            raise DataFormatError("concat needs at least one clip set, got none")
        return ClipSet(tuple(clip for dataset in datasets for clip in dataset.clips))

    def prompts(self, dataset: ClipSet, count: int, *, rng: np.random.Generator) -> list[Prompt]:
        # Without replacement while possible: each real clip gets at most one synthetic twin per generation.
        indices = rng.choice(len(dataset), size=count, replace=count > len(dataset))
        prompts = []
        for index in indices:
            clip = dataset.clips[int(index)]
            caption = clip.captions[int(rng.integers(len(clip.captions)))]
            length = int(np.clip(len(clip.features), self.min_frames, self.max_frames))
            prompts.append(Prompt(caption, length, clip.clip_id, clip.captions))
        return prompts

    def save(self, dataset: ClipSet, directory: Path) -> None:
        """Write the clips as a HumanML3D-layout folder (all in `train.txt`) plus origins.json."""
        directory = Path(directory)
        for clip in dataset.clips:
            features = check_features(clip.features, name=f"clip {clip.clip_id}")
            write_clip(
                directory,
                clip.clip_id,
                joints=features_to_joints(features),
                features=features,
                captions=[Caption(text) for text in clip.captions],
            )
        write_splits(directory, {"train": [clip.clip_id for clip in dataset.clips]})
        atomic_write_json(directory / _ORIGINS_FILE, {clip.clip_id: clip.origin for clip in dataset.clips})

    def load(self, directory: Path) -> ClipSet:
        origins = json.loads((Path(directory) / _ORIGINS_FILE).read_text())
        if not origins:
            # An empty set (the baseline arm samples nothing) has no clip folders to open.
            return ClipSet(())
        folder = HumanML3DFolder(directory)
        clips = []
        for clip_id in folder.ids("train"):
            captions = tuple(c.text for c in folder.captions(clip_id))
            clips.append(Clip(clip_id, folder.features(clip_id).astype(np.float32), captions, origins[clip_id]))
        return ClipSet(tuple(clips))
