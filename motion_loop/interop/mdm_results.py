"""Generated motion as MDM's `results.npy`, the file MDM's rendering scripts read.

MDM's `sample/generate.py` saves, with `np.save` of a dict (so `np.load(path, allow_pickle=True).item()`
reads it back):

    motion           (num_samples * num_repetitions, 22, 3, T) float32 joint positions [m], y-up;
                     row `rep * num_samples + sample` (repetition-major)
    text             list of the same length: the caption of each row
    lengths          (num_samples * num_repetitions,) int64 valid frames of each row
    num_samples      int
    num_repetitions  int

and beside it `results.txt` (one caption per row) and `results_len.txt` (one length per row). MDM fills
every row to T frames (it samples the full canvas); here a shorter clip holds its last pose after its
length, so a renderer that ignores `lengths` shows it standing still.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motion_loop.data import skeleton as sk
from motion_loop.data.features import features_to_joints
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import DataFormatError
from motion_loop.io import atomic_save_npy, atomic_write_text

RESULTS_FILE = "results.npy"
RESULTS_KEYS = ("motion", "text", "lengths", "num_samples", "num_repetitions")


@dataclass(frozen=True)
class MDMResults:
    """The content of an MDM results.npy; `motion` is (num_samples * num_repetitions, 22, 3, T)."""

    motion: np.ndarray
    text: list[str]
    lengths: np.ndarray
    num_samples: int
    num_repetitions: int

    def clip(self, sample: int, repetition: int = 0) -> np.ndarray:
        """Joints (length, 22, 3) of one sample and repetition, the way MDM's scripts index rows."""
        row = repetition * self.num_samples + sample
        return self.motion[row].transpose(2, 0, 1)[: int(self.lengths[row])]


def to_mdm_results(clips: Sequence[np.ndarray], captions: Sequence[str], *, num_repetitions: int = 1) -> MDMResults:
    """Arrange clips in MDM's layout.

    Args:
        clips: joints (T_i, 22, 3) [m] y-up, in MDM's row order: repetition-major, i.e. clip
            `rep * num_samples + sample` is repetition `rep` of prompt `sample`.
        captions: one caption per clip.
        num_repetitions: repetitions per prompt; len(clips) must be a multiple of it.

    Raises:
        DataFormatError: no clip, a clip of the wrong shape, counts that do not match.
    """
    if not clips:
        raise DataFormatError("no clip to export")
    if len(captions) != len(clips):
        raise DataFormatError(f"got {len(captions)} captions for {len(clips)} clips")
    if num_repetitions < 1 or len(clips) % num_repetitions:
        raise DataFormatError(
            f"{len(clips)} clips cannot be {num_repetitions} repetitions of the same prompts; "
            "give a number of repetitions that divides the clip count"
        )
    joints = [sk.check_joints(np.asarray(c), min_frames=1, name=f"clip {i}") for i, c in enumerate(clips)]
    frames = max(len(j) for j in joints)
    motion = np.zeros((len(joints), sk.NUM_JOINTS, 3, frames), dtype=np.float32)  # (N, 22, 3, T)
    for row, clip in enumerate(joints):
        held = np.concatenate([clip, np.repeat(clip[-1:], frames - len(clip), axis=0)])  # (T, 22, 3)
        motion[row] = held.transpose(1, 2, 0)
    return MDMResults(
        motion=motion,
        text=[str(c) for c in captions],
        lengths=np.array([len(j) for j in joints], dtype=np.int64),
        num_samples=len(joints) // num_repetitions,
        num_repetitions=num_repetitions,
    )


def save_mdm_results(out_dir: Path | str, results: MDMResults) -> Path:
    """Write OUT_DIR/results.npy, results.txt and results_len.txt as MDM's generate.py does."""
    out_dir = Path(out_dir)
    payload = {
        "motion": results.motion,
        "text": list(results.text),
        "lengths": results.lengths,
        "num_samples": int(results.num_samples),
        "num_repetitions": int(results.num_repetitions),
    }
    path = out_dir / RESULTS_FILE
    atomic_save_npy(path, np.array(payload, dtype=object))
    atomic_write_text(out_dir / "results.txt", "\n".join(results.text))
    atomic_write_text(out_dir / "results_len.txt", "\n".join(str(int(n)) for n in results.lengths))
    return path


def load_mdm_results(path: Path | str) -> MDMResults:
    """Read an MDM results.npy (ours or MDM's own).

    Raises:
        DataFormatError: not a dict with MDM's keys, or a motion array of another layout.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path} does not exist")
    # MDM's format is a pickled dict inside a .npy: only open files you trust.
    payload = np.load(path, allow_pickle=True)
    payload = payload.item() if payload.shape == () else payload
    if not isinstance(payload, dict) or any(key not in payload for key in RESULTS_KEYS):
        raise DataFormatError(f"{path} is not an MDM results.npy: expected a dict with keys {RESULTS_KEYS}")
    motion = np.asarray(payload["motion"])
    if motion.ndim != 4 or motion.shape[1:3] != (sk.NUM_JOINTS, 3):
        raise DataFormatError(f"{path}: motion must be (N, {sk.NUM_JOINTS}, 3, T) joints, got {motion.shape}")
    return MDMResults(
        motion=motion,
        text=list(payload["text"]),
        lengths=np.asarray(payload["lengths"], dtype=np.int64),
        num_samples=int(payload["num_samples"]),
        num_repetitions=int(payload["num_repetitions"]),
    )


def folder_to_mdm_results(folder: Path | str, *, split: str | None = None, num_repetitions: int = 1) -> MDMResults:
    """A HumanML3D-layout folder (e.g. `motion-loop sample` output or a run's gen_*/synthetic) as MDM rows.

    With `num_repetitions` > 1, clips sharing a caption are the repetitions of one prompt (in id order);
    every caption must then have exactly that many clips.

    Raises:
        DataFormatError: no joints, a clip without a caption, or uneven repetitions.
    """
    data = HumanML3DFolder(folder)
    ids = data.ids(split)
    if not ids:
        raise DataFormatError(f"{data.root} has no clips{f' in split {split!r}' if split else ''}")
    groups: dict[str, list[str]] = {}
    for clip_id in ids:
        captions = data.captions(clip_id)
        if not captions:
            raise DataFormatError(f"{data.root}: clip {clip_id} has no caption in texts/{clip_id}.txt")
        groups.setdefault(captions[0].text, []).append(clip_id)
    uneven = {text: len(members) for text, members in groups.items() if len(members) != num_repetitions}
    if num_repetitions > 1 and uneven:
        raise DataFormatError(
            f"with num_repetitions={num_repetitions} every caption needs that many clips; "
            f"these have other counts: {dict(list(uneven.items())[:5])}"
        )
    if num_repetitions == 1:
        rows = [(data.captions(i)[0].text, i) for i in ids]
    else:
        prompts = list(groups)
        rows = [(text, groups[text][rep]) for rep in range(num_repetitions) for text in prompts]
    return to_mdm_results([folder_joints(data, clip_id) for _, clip_id in rows], [text for text, _ in rows],
                          num_repetitions=num_repetitions)  # fmt: skip


def folder_joints(data: HumanML3DFolder, clip_id: str) -> np.ndarray:
    """new_joints/ID.npy, else the RIC recovery of new_joint_vecs/ID.npy (a folder may hold only features)."""
    if (data.joints_dir / f"{clip_id}.npy").is_file():
        return data.joints(clip_id)
    return features_to_joints(data.features(clip_id))
