"""Generated motion exported as MDM's results.npy, read back the way MDM's scripts read it."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from motion_loop.cli import main as cli_main
from motion_loop.data.humanml3d import Caption, write_clip
from motion_loop.errors import DataFormatError
from motion_loop.interop.mdm_results import load_mdm_results, save_mdm_results, to_mdm_results


def _clip(frames: int, offset: float) -> np.ndarray:
    grid = np.arange(frames * 22 * 3, dtype=np.float64).reshape(frames, 22, 3) / 1000.0
    return grid + offset


def test_layout_is_mdms_and_round_trips(tmp_path):
    clips = [_clip(40, 0.0), _clip(52, 1.0), _clip(44, 2.0), _clip(48, 3.0)]  # 2 prompts x 2 repetitions
    captions = ["walk", "jump", "walk", "jump"]
    path = save_mdm_results(tmp_path, to_mdm_results(clips, captions, num_repetitions=2))
    # What MDM's generate.py and vis_utils.py do with the file.
    data = np.load(path, allow_pickle=True)[None][0]
    assert sorted(data) == ["lengths", "motion", "num_repetitions", "num_samples", "text"]
    assert data["motion"].shape == (4, 22, 3, 52) and data["motion"].dtype == np.float32
    assert data["num_samples"] == 2 and data["num_repetitions"] == 2
    assert data["lengths"].tolist() == [40, 52, 44, 48] and data["text"] == captions
    rep, sample = 1, 0
    row = rep * data["num_samples"] + sample
    np.testing.assert_allclose(data["motion"][row].transpose(2, 0, 1)[: data["lengths"][row]], clips[2], atol=1e-6)
    held = data["motion"][0].transpose(2, 0, 1)
    np.testing.assert_allclose(held[40:], np.repeat(held[39:40], 12, axis=0))  # a short clip holds its last pose
    assert (tmp_path / "results.txt").read_text().splitlines() == captions
    assert (tmp_path / "results_len.txt").read_text().split() == ["40", "52", "44", "48"]
    back = load_mdm_results(path)
    np.testing.assert_allclose(back.clip(1, repetition=1), clips[3], atol=1e-6)


def test_bad_input_fails_clearly(tmp_path):
    with pytest.raises(DataFormatError, match="cannot be 2 repetitions"):
        to_mdm_results([_clip(40, 0.0)] * 3, ["a"] * 3, num_repetitions=2)
    with pytest.raises(DataFormatError, match="captions"):
        to_mdm_results([_clip(40, 0.0)], ["a", "b"])
    np.save(tmp_path / "other.npy", np.zeros(3))
    with pytest.raises(DataFormatError, match="not an MDM results.npy"):
        load_mdm_results(tmp_path / "other.npy")


def test_cli_exports_a_folder_grouping_repetitions_by_caption(tmp_path):
    folder = tmp_path / "samples"
    for index, (caption, offset) in enumerate([("walk", 0.0), ("walk", 1.0), ("jump", 2.0), ("jump", 3.0)]):
        joints = _clip(40 + index, offset)
        write_clip(folder, f"{index:06d}", joints=joints, features=np.zeros((len(joints) - 1, 263)), captions=[Caption(caption)])
    assert cli_main(["export", "mdm", str(folder), "--out", str(tmp_path / "out"), "--repetitions", "2"]) == 0
    results = load_mdm_results(tmp_path / "out" / "results.npy")
    assert results.text == ["walk", "jump", "walk", "jump"] and results.lengths.tolist() == [40, 42, 41, 43]
    np.testing.assert_allclose(results.clip(0, repetition=1), _clip(41, 1.0), atol=1e-6)
    assert cli_main(["export", "mdm", str(folder), str(tmp_path / "bad"), "--repetitions", "3"]) == 1


def test_cli_cfg_shows_the_resolved_arguments_and_writes_nothing(tmp_path, capsys):
    assert cli_main(["export", "glb", "IN", "--out", str(tmp_path / "x"), "--stride", "3", "--cfg", "job"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown["out"] == str(tmp_path / "x") and shown["stride"] == 3 and shown["format"] == "glb"
    assert not (tmp_path / "x").exists()
    with pytest.raises(SystemExit):
        cli_main(["export", "mdm", "IN"])  # no output given
