"""The torch dataset of text-motion pairs, cut from a HumanML3D-layout folder as HumanML3D's loader does.

Each caption with a [start, end) segment becomes its own item; items with fewer than `min_frames` or
`max_frames + 4` or more frames are dropped (40 <= T < 200 for HumanML3D) and counted in `dropped`.
An item is a random caption of the clip, the clip's length cut down to a multiple of `unit_length`
(one unit shorter with probability 1/3), a random crop of that length, normalised and zero-padded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset

from motion_loop.data.features import FEATURE_DIM
from motion_loop.data.humanml3d import FPS, Caption, HumanML3DFolder
from motion_loop.errors import DataFormatError

# Items up to this many frames longer than the canvas are kept and cropped (HumanML3D keeps T < 200).
_CROP_SLACK = 4


@dataclass(frozen=True)
class MotionItem:
    """One text-motion pair before cutting: un-normalised features and the captions that describe them."""

    key: str
    features: np.ndarray  # (T, 263)
    captions: tuple[Caption, ...]


class MotionDataset(Dataset):
    """Text-motion pairs for training and evaluation.

    Args:
        folder: the dataset folder.
        split: "train", "val", "test" or None for every clip.
        mean, std: normalisation statistics (263,); default the folder's Mean.npy/Std.npy.
        min_frames, max_frames, unit_length: see module docstring.
        seed: seed of the generator that picks captions, lengths and crops.
        random_cut: False gives the first caption, the full (unit-rounded) length and offset 0.
    """

    def __init__(
        self,
        folder: HumanML3DFolder,
        split: str | None = "train",
        *,
        mean: np.ndarray | None = None,
        std: np.ndarray | None = None,
        min_frames: int = 40,
        max_frames: int = 196,
        unit_length: int = 4,
        seed: int = 0,
        random_cut: bool = True,
    ) -> None:
        if mean is None or std is None:
            mean, std = folder.mean_std()
        self._configure(mean, std, max_frames=max_frames, unit_length=unit_length, seed=seed, random_cut=random_cut)
        for clip_id in folder.ids(split):
            self._add_clip(folder, clip_id, min_frames)
        if not self.items:
            raise DataFormatError(
                f"{folder.root} split {split!r} has no usable clip ({dict(self.dropped)} dropped); "
                f"clips need {min_frames} to {max_frames + _CROP_SLACK - 1} frames and a caption"
            )

    @classmethod
    def from_items(
        cls,
        items: list[MotionItem],
        *,
        mean: np.ndarray,
        std: np.ndarray,
        max_frames: int = 196,
        unit_length: int = 4,
        seed: int = 0,
        random_cut: bool = True,
    ) -> MotionDataset:
        """A dataset of in-memory items (e.g. the loop's mix of real and synthetic clips), cut the same way."""
        if not items:
            raise DataFormatError("a MotionDataset needs at least one item, got none")
        too_long = [item.key for item in items if len(item.features) >= max_frames + _CROP_SLACK]
        if too_long:
            raise DataFormatError(f"items longer than {max_frames + _CROP_SLACK - 1} frames: {too_long[:5]}")
        dataset = cls.__new__(cls)
        dataset._configure(mean, std, max_frames=max_frames, unit_length=unit_length, seed=seed, random_cut=random_cut)
        dataset.items = list(items)
        return dataset

    def _configure(
        self, mean: np.ndarray, std: np.ndarray, *, max_frames: int, unit_length: int, seed: int, random_cut: bool
    ) -> None:
        if mean.shape != (FEATURE_DIM,) or std.shape != (FEATURE_DIM,):
            raise DataFormatError(f"mean/std must have shape ({FEATURE_DIM},), got {mean.shape}, {std.shape}")
        self.mean, self.std = mean.astype(np.float32), std.astype(np.float32)
        self.max_frames, self.unit_length, self.random_cut = max_frames, unit_length, random_cut
        self.rng = np.random.default_rng(seed)
        self.items: list[MotionItem] = []
        self.dropped: Counter[str] = Counter()

    def _add_clip(self, folder: HumanML3DFolder, clip_id: str, min_frames: int) -> None:
        captions = folder.captions(clip_id)
        if not captions:
            self.dropped["no caption"] += 1
            return
        features = folder.features(clip_id)
        whole = tuple(c for c in captions if c.whole_clip)
        groups: list[tuple[str, np.ndarray, tuple[Caption, ...]]] = []
        if whole:
            groups.append((clip_id, features, whole))
        for index, caption in enumerate(c for c in captions if not c.whole_clip):
            segment = features[int(caption.start * FPS) : int(caption.end * FPS)]
            groups.append((f"{clip_id}#{index}", segment, (caption,)))
        for key, segment, group_captions in groups:
            if len(segment) < min_frames:
                self.dropped["too short"] += 1
            elif len(segment) >= self.max_frames + _CROP_SLACK:
                self.dropped["too long"] += 1
            else:
                self.items.append(MotionItem(key, segment.astype(np.float32), group_captions))

    def __len__(self) -> int:
        return len(self.items)

    def _cut(self, length: int) -> tuple[int, int]:
        """Length (multiple of unit_length, at most max_frames) and crop offset for an item of `length`."""
        units = min(length, self.max_frames) // self.unit_length
        if self.random_cut and units > 1 and self.rng.random() < 1 / 3:
            units -= 1
        cut = units * self.unit_length
        offset = int(self.rng.integers(0, length - cut + 1)) if self.random_cut else 0
        return cut, offset

    def __getitem__(self, index: int) -> dict[str, object]:
        item = self.items[index]
        caption = item.captions[int(self.rng.integers(len(item.captions)))] if self.random_cut else item.captions[0]
        length, offset = self._cut(len(item.features))
        motion = np.zeros((self.max_frames, FEATURE_DIM), dtype=np.float32)  # (196, 263)
        motion[:length] = (item.features[offset : offset + length] - self.mean) / self.std
        mask = np.zeros(self.max_frames, dtype=bool)
        mask[:length] = True
        return {
            "motion": torch.from_numpy(motion),
            "mask": torch.from_numpy(mask),
            "length": length,
            "caption": caption.text,
            "tokens": caption.tokens,
            "key": item.key,
        }

    def denormalize(self, motion: np.ndarray) -> np.ndarray:
        """Undo the normalisation of (..., 263) features."""
        return motion * self.std + self.mean
