"""Reader and writer of datasets in the HumanML3D folder layout.

    ROOT/new_joints/ID.npy        (T, 22, 3) metres, y-up, 20 fps
    ROOT/new_joint_vecs/ID.npy    (T-1, 263) features (see motion_loop.data.features)
    ROOT/texts/ID.txt             one caption per line: caption#tokens#start#end
    ROOT/{train,val,test}.txt     clip ids, one per line
    ROOT/Mean.npy, ROOT/Std.npy   (263,) normalisation statistics (grouped std)
    ROOT/meta.json                source, licence, fps, importer version (written by this tool)

The real HumanML3D folder loads as it is (it has no meta.json; new_joints may be absent).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.data.features import FEATURE_DIM, check_features, grouped_std
from motion_loop.data.skeleton import check_joints
from motion_loop.errors import DataFormatError
from motion_loop.io import atomic_save_npy, atomic_write_json, atomic_write_text

SPLITS = ("train", "val", "test")
FPS = 20.0


@dataclass(frozen=True)
class Caption:
    """One description of a clip, optionally of a segment [start, end) in seconds (0, 0 = whole clip)."""

    text: str
    tokens: str = ""
    start: float = 0.0
    end: float = 0.0

    @property
    def whole_clip(self) -> bool:
        return self.start == 0.0 and self.end == 0.0

    def to_line(self) -> str:
        text = self.text.replace("#", " ").replace("\n", " ").strip()
        tokens = self.tokens or " ".join(word.strip(".,;:!?") for word in text.lower().split())
        return f"{text}#{tokens}#{self.start:g}#{self.end:g}"


def parse_caption_line(line: str, *, source: str = "<caption>") -> Caption:
    """Parse `caption#tokens#start#end`; NaN times mean the whole clip (as in HumanML3D)."""
    parts = line.rstrip("\n").split("#")
    if len(parts) != 4:
        raise DataFormatError(f"{source}: expected 'caption#tokens#start#end', got {line!r}")
    text, tokens, start_text, end_text = parts
    if not text.strip():
        raise DataFormatError(f"{source}: empty caption in line {line!r}; write a description or drop the line")
    try:
        start, end = float(start_text), float(end_text)
    except ValueError as error:
        raise DataFormatError(f"{source}: start/end must be numbers in seconds, got {line!r}") from error
    start, end = (0.0 if math.isnan(start) else start), (0.0 if math.isnan(end) else end)
    return Caption(text.strip(), tokens.strip(), start, end)


@dataclass
class DatasetMeta:
    """What a dataset folder is and where it came from."""

    source: str
    licence: str
    fps: float = FPS
    importer: str = ""
    importer_version: str = ""
    credit: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class HumanML3DFolder:
    """A dataset folder in the HumanML3D layout, read lazily.

    Raises:
        DataFormatError: the folder does not exist or has neither new_joint_vecs/ nor new_joints/.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise DataFormatError(
                f"dataset folder {self.root} does not exist; give the path of a HumanML3D-layout folder "
                "or create one with `motion-loop data import` / `motion-loop data procedural`"
            )
        if not (self.features_dir.is_dir() or self.joints_dir.is_dir()):
            raise DataFormatError(
                f"{self.root} has neither new_joint_vecs/ nor new_joints/: not a HumanML3D-layout folder"
            )

    @property
    def joints_dir(self) -> Path:
        return self.root / "new_joints"

    @property
    def features_dir(self) -> Path:
        return self.root / "new_joint_vecs"

    @property
    def texts_dir(self) -> Path:
        return self.root / "texts"

    def ids(self, split: str | None = None) -> list[str]:
        """Clip ids of a split (from SPLIT.txt), or every clip with features or joints when None."""
        if split is None:
            folder = self.features_dir if self.features_dir.is_dir() else self.joints_dir
            return sorted(path.stem for path in folder.glob("*.npy"))
        path = self.root / f"{split}.txt"
        if not path.is_file():
            available = [name for name in SPLITS if (self.root / f"{name}.txt").is_file()]
            raise DataFormatError(f"{self.root} has no split file {path.name}; available splits: {available}")
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]

    def features(self, clip_id: str) -> np.ndarray:
        """(T-1, 263) features of a clip."""
        return check_features(self._load(self.features_dir / f"{clip_id}.npy"), name=f"{clip_id} features")

    def joints(self, clip_id: str) -> np.ndarray:
        """(T, 22, 3) joint positions of a clip."""
        return check_joints(self._load(self.joints_dir / f"{clip_id}.npy"), name=f"{clip_id} joints")

    def captions(self, clip_id: str) -> list[Caption]:
        """Captions of a clip; an empty list when it has no text file."""
        path = self.texts_dir / f"{clip_id}.txt"
        if not path.is_file():
            return []
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [parse_caption_line(line, source=str(path)) for line in lines]

    def mean_std(self) -> tuple[np.ndarray, np.ndarray]:
        """The folder's Mean.npy and Std.npy, (263,) each, checked against the feature dimension."""
        mean, std = self._load(self.root / "Mean.npy"), self._load(self.root / "Std.npy")
        if mean.shape != (FEATURE_DIM,) or std.shape != (FEATURE_DIM,):
            raise DataFormatError(
                f"{self.root}: Mean/Std must have shape ({FEATURE_DIM},), got {mean.shape} and {std.shape}"
            )
        if np.any(std <= 0) or not np.all(np.isfinite(std)):
            raise DataFormatError(f"{self.root}/Std.npy has non-positive or non-finite entries")
        return mean.astype(np.float64), std.astype(np.float64)

    def meta(self) -> DatasetMeta | None:
        path = self.root / "meta.json"
        if not path.is_file():
            return None
        return DatasetMeta(**json.loads(path.read_text()))

    @staticmethod
    def _load(path: Path) -> np.ndarray:
        if not path.is_file():
            raise DataFormatError(f"missing file {path}")
        try:
            return np.load(path)
        except (ValueError, OSError, EOFError) as error:
            raise DataFormatError(f"{path} is not a readable .npy file ({error}); re-create it") from error


def write_clip(
    root: Path, clip_id: str, *, joints: np.ndarray, features: np.ndarray, captions: list[Caption]
) -> None:
    """Write one clip's joints, features and captions (each file atomically)."""
    if not captions:
        raise DataFormatError(f"clip {clip_id} has no caption; every clip needs at least one")
    root = Path(root)
    atomic_save_npy(root / "new_joints" / f"{clip_id}.npy", np.asarray(joints, dtype=np.float32))
    atomic_save_npy(root / "new_joint_vecs" / f"{clip_id}.npy", np.asarray(features, dtype=np.float32))
    atomic_write_text(root / "texts" / f"{clip_id}.txt", "\n".join(c.to_line() for c in captions) + "\n")


def write_splits(root: Path, splits: dict[str, list[str]]) -> None:
    """Write SPLIT.txt files (and all.txt) from a mapping split -> ids."""
    for name, ids in splits.items():
        atomic_write_text(Path(root) / f"{name}.txt", "".join(f"{clip_id}\n" for clip_id in ids))
    every = sorted({clip_id for ids in splits.values() for clip_id in ids})
    atomic_write_text(Path(root) / "all.txt", "".join(f"{clip_id}\n" for clip_id in every))


def write_meta(root: Path, meta: DatasetMeta) -> None:
    atomic_write_json(Path(root) / "meta.json", asdict(meta))


def compute_stats(folder: HumanML3DFolder, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Mean (263,) and grouped Std (263,) over all frames of the given clips (HumanML3D's definition)."""
    if not ids:
        raise DataFormatError(f"{folder.root}: no clips to compute normalisation statistics from")
    frames = np.concatenate([folder.features(clip_id) for clip_id in ids], axis=0)
    std = grouped_std(frames)
    std[std < 1e-8] = 1.0  # a constant group (e.g. contacts all 1) must not divide by zero
    return frames.mean(axis=0), std


def write_stats(root: Path, mean: np.ndarray, std: np.ndarray) -> None:
    atomic_save_npy(Path(root) / "Mean.npy", np.asarray(mean, dtype=np.float32))
    atomic_save_npy(Path(root) / "Std.npy", np.asarray(std, dtype=np.float32))
