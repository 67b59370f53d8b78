"""The content fingerprint of a dataset split: what every cache derived from the split is keyed on.

It covers the split's ids in file order, each clip's feature file and caption file byte for byte, and
Mean/Std; so shuffling motions among ids, editing a caption, changing the split or the statistics all
give a new fingerprint, and an identical copy of the dataset elsewhere gives the same one.
"""

from __future__ import annotations

from pathlib import Path

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.io.content_key import ContentHash

_MISSING = b"<missing>"


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else _MISSING


def dataset_fingerprint(folder: HumanML3DFolder, split: str = "train") -> str:
    """sha256 over `split`'s ids, their features and captions (file bytes), and the folder's Mean/Std.

    Raises:
        DataFormatError: the split file or the statistics are missing or unreadable.
    """
    mean, std = folder.mean_std()
    digest = ContentHash("dataset").text(split).array(mean).array(std)
    for clip_id in folder.ids(split):
        digest.text(clip_id)
        digest.data(_file_bytes(folder.features_dir / f"{clip_id}.npy"))
        digest.data(_file_bytes(folder.texts_dir / f"{clip_id}.txt"))
    return digest.hexdigest()
