"""The BVH importer end to end on real files, and its handling of bad input."""

from __future__ import annotations

import json
import shutil
from itertools import pairwise

import numpy as np
import pytest

from motion_loop.data.features import features_to_joints, joints_to_features
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.data.importer import ImportOptions, import_bvh_folder, resample, split_of, windows
from motion_loop.errors import DataFormatError


def test_windows_cover_the_take_and_respect_the_limit():
    for frames in (40, 195, 196, 197, 400, 1000):
        parts = windows(frames, 196)
        assert parts[0][0] == 0 and parts[-1][1] == frames + 1
        assert all(end - start - 1 <= 196 for start, end in parts)
        assert all(a[1] - 1 == b[0] for a, b in pairwise(parts))  # windows share one boundary frame


def test_resample_keeps_time_and_interpolates_linearly():
    t = np.arange(121) / 120.0
    joints = np.repeat(t[:, None, None], 22, axis=1).repeat(3, axis=2)  # value = time [s]
    out = resample(joints, 120.0)
    assert len(out) == 21
    assert np.allclose(out[:, 0, 0], np.arange(21) / 20.0)


def test_split_is_deterministic_and_by_take():
    assert split_of("dataset-1_walk_old_001") == split_of("dataset-1_walk_old_001")
    splits = {split_of(f"take_{k}") for k in range(200)}
    assert splits == {"train", "val", "test"}


@pytest.fixture(scope="module")
def cmu_import(shared_data, tmp_path_factory):
    source = tmp_path_factory.mktemp("cmu_src")
    cmu = shared_data / "cmu-bvh"
    if not (cmu / "02" / "02_01.bvh").is_file():
        pytest.skip(f"CMU sample not found under {cmu}")
    for name in ("02_01.bvh", "02_02.bvh", "02_04.bvh"):
        shutil.copy(cmu / "02" / name, source / name)
    shutil.copy(cmu / "descriptions.csv", source / "descriptions.csv")
    (source / "02_03.bvh").write_text((cmu / "02" / "02_03.bvh").read_text()[:20000])  # truncated copy
    out = tmp_path_factory.mktemp("cmu_out") / "dataset"
    summary = import_bvh_folder(source, out, ImportOptions(licence="CMU research terms"), progress=False)
    return summary, out


def test_cmu_import_writes_a_loadable_dataset(cmu_import):
    summary, out = cmu_import
    folder = HumanML3DFolder(out)
    assert summary.files == 3 and summary.clips >= 3
    ids = folder.ids()
    assert len(ids) == summary.clips
    for clip_id in ids:
        features, joints = folder.features(clip_id), folder.joints(clip_id)
        assert 40 <= len(features) <= 196 and joints.shape == (len(features), 22, 3)
        assert np.abs(features_to_joints(features) - joints).max() < 1e-5
        assert folder.captions(clip_id)[0].text.startswith("A person")
    meta = json.loads((out / "meta.json").read_text())
    assert meta["fps"] == 20.0 and meta["licence"] == "CMU research terms"
    assert meta["extra"]["joint_maps"] == {"cmu": 3}


def test_true_capture_rate_and_tpose_drop(cmu_import, shared_data):
    _, out = cmu_import
    folder = HumanML3DFolder(out)
    frames = sum(len(folder.features(i)) + 1 for i in folder.ids() if i.startswith("02_01"))
    raw_frames = 343  # 344 frames at 120 fps, the T-pose dropped -> 2.85 s -> 58 frames at 20 fps
    assert frames - (len([i for i in folder.ids() if i.startswith("02_01")]) - 1) == (raw_frames - 1) // 6 + 1


def test_corrupt_file_is_skipped_and_counted(cmu_import):
    summary, out = cmu_import
    assert sum(summary.skipped.values()) == 1
    assert any("truncated" in reason for reason in summary.skipped)
    assert [entry["file"] for entry in summary.skipped_files] == ["02_03.bvh"]
    meta = json.loads((out / "meta.json").read_text())["extra"]
    assert meta["skipped"] and meta["skipped_files"][0]["file"] == "02_03.bvh"


def test_round_trip_on_imported_clips(cmu_import):
    _, out = cmu_import
    folder = HumanML3DFolder(out)
    for clip_id in folder.ids():
        joints = folder.joints(clip_id)
        again = features_to_joints(joints_to_features(joints))
        assert np.abs(again - joints[:-1]).max() < 1e-4


def test_missing_and_empty_sources_fail_clearly(tmp_path):
    with pytest.raises(DataFormatError, match="does not exist"):
        import_bvh_folder(tmp_path / "nope", tmp_path / "out", ImportOptions(), progress=False)
    with pytest.raises(DataFormatError, match="no .bvh files"):
        import_bvh_folder(tmp_path, tmp_path / "out", ImportOptions(), progress=False)
    (tmp_path / "bad.bvh").write_text("HIERARCHY\nROOT a\n{\n")
    with pytest.raises(DataFormatError, match="no clip could be imported"):
        import_bvh_folder(tmp_path, tmp_path / "out", ImportOptions(), progress=False)
    assert not (tmp_path / "out" / "meta.json").exists()


def test_capture_glitches_cut_the_take():
    from motion_loop.data.importer import continuous_segments

    joints = np.zeros((100, 22, 3))
    joints[:, :, 2] = np.linspace(0, 2, 100)[:, None]  # 2 m in 100 frames at 20 fps: 0.4 m/s
    joints[:2, :, 1] -= 0.8  # two glitch frames 0.8 m below (16 m/s jump at 20 fps)
    assert continuous_segments(joints, 20.0) == [(0, 2), (2, 100)]
    assert continuous_segments(joints[2:], 20.0) == [(0, 98)]
