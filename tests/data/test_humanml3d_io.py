from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.dataset import MotionDataset
from motion_loop.data.humanml3d import Caption, HumanML3DFolder, parse_caption_line, write_clip
from motion_loop.errors import DataFormatError


def test_reference_caption_lines_parse(reference_dir):
    captions = HumanML3DFolder(reference_dir / "sample_000000").captions("000000")
    assert len(captions) == 4
    assert captions[0].text.startswith("a man kicks")
    assert captions[0].tokens.startswith("a/DET man/NOUN")
    assert captions[0].whole_clip


def test_caption_line_round_trip_and_errors():
    caption = Caption("A person walks # fast", start=1.5, end=3.0)
    parsed = parse_caption_line(caption.to_line())
    assert parsed.text == "A person walks   fast" and (parsed.start, parsed.end) == (1.5, 3.0)
    assert parse_caption_line("x#x#nan#nan").whole_clip
    with pytest.raises(DataFormatError, match="empty caption"):
        parse_caption_line("  #tokens#0#0", source="t.txt")
    with pytest.raises(DataFormatError, match="caption#tokens#start#end"):
        parse_caption_line("only text", source="t.txt")


def test_missing_folder_and_split_fail_clearly(tmp_path, reference_dataset):
    with pytest.raises(DataFormatError, match="does not exist"):
        HumanML3DFolder(tmp_path / "nope")
    with pytest.raises(DataFormatError, match="available splits"):
        HumanML3DFolder(reference_dataset).ids("val")
    with pytest.raises(DataFormatError, match="no caption"):
        write_clip(tmp_path, "x", joints=np.zeros((3, 22, 3)), features=np.zeros((2, 263)), captions=[])


def test_corrupt_npy_is_named(tmp_path, reference_dataset):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(reference_dataset, root)
    (root / "new_joint_vecs" / "000000.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(DataFormatError, match="000000.npy"):
        HumanML3DFolder(root).features("000000")


def test_dataset_items_are_cut_normalised_and_masked(reference_dataset):
    folder = HumanML3DFolder(reference_dataset)
    dataset = MotionDataset(folder, "train", seed=1)
    assert len(dataset) == 2
    for _ in range(20):
        item = dataset[0]
        length = item["length"]
        assert length % 4 == 0 and 40 <= length <= 196
        assert item["motion"].shape == (196, 263)
        assert int(item["mask"].sum()) == length
        assert float(item["motion"][length:].abs().max()) == 0.0
        assert item["caption"]
    fixed = MotionDataset(folder, "train", random_cut=False)
    item = fixed[fixed_index(fixed, "000000")]
    features = folder.features("000000")
    mean, std = folder.mean_std()
    expected = (features[: item["length"]] - mean) / std
    assert np.allclose(item["motion"][: item["length"]].numpy(), expected, atol=1e-5)


def fixed_index(dataset: MotionDataset, key: str) -> int:
    return next(i for i, item in enumerate(dataset.items) if item.key == key)


def test_dataset_drops_short_clips_and_counts_them(reference_dataset):
    dataset = MotionDataset(HumanML3DFolder(reference_dataset), "train", min_frames=150)
    assert len(dataset) == 1 and dataset.dropped["too short"] == 1
    with pytest.raises(DataFormatError, match="no usable clip"):
        MotionDataset(HumanML3DFolder(reference_dataset), "train", min_frames=500)
