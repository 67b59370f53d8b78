"""The importer on bad input: bad files are counted skips, options and destinations are checked, and
the dataset appears only when complete. Real BVH files written by tests/data/bvh_samples.py."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from motion_loop.cli import main
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.data.importer import ImportOptions, import_bvh_folder
from motion_loop.errors import ConfigError, DataFormatError

from .bvh_samples import walking_bvh, write_walks


def _bad_files(source: Path) -> dict[str, str]:
    """Three broken takes beside the good ones: name -> expected words of the reason."""
    text = walking_bvh()
    cut = text.index("\n", len(text) // 2)
    (source / "cut_number.bvh").write_text(text[:cut] + " 1.5e")  # cut inside a number
    (source / "nan_time.bvh").write_text(text.replace("Frame Time: 0.01666667", "Frame Time: nan"))
    (source / "garbage.bvh").write_bytes(os.urandom(3000))
    return {"cut_number.bvh": "unreadable number", "nan_time.bvh": "frame time=nan", "garbage.bvh": "corrupt BVH"}


def _import(source: Path, out: Path, **kwargs) -> object:
    return import_bvh_folder(source, out, ImportOptions(), progress=False, **kwargs)


def test_bad_files_are_counted_skips_with_their_reason(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_walks(source, 3)
    expected = _bad_files(source)
    summary = _import(source, tmp_path / "out")
    assert summary.files == 3 and summary.clips == 3
    assert sum(summary.skipped.values()) == 3
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())["extra"]
    reasons = {entry["file"]: entry["reason"] for entry in meta["skipped_files"]}
    assert sorted(reasons) == sorted(expected)
    for name, words in expected.items():
        assert words in reasons[name] and name in reasons[name]
    assert sum(meta["skipped"].values()) == 3
    assert len(HumanML3DFolder(tmp_path / "out").ids("train")) + meta["splits"]["test"] + meta["splits"]["val"] == 3


def test_max_frames_zero_is_a_clear_error(tmp_path: Path, capsys) -> None:
    write_walks(tmp_path / "src", 1)
    with pytest.raises(ConfigError, match="min_frames <= max_frames"):
        ImportOptions(max_frames=0)
    code = main(["data", "import", str(tmp_path / "src"), str(tmp_path / "out"), "--max-frames", "0"])
    assert code != 0
    assert "max_frames=0" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_failed_import_leaves_nothing_behind(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    _bad_files(source)
    with pytest.raises(DataFormatError, match="no clip could be imported"):
        _import(source, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]  # no OUT, no hidden scratch folder


def test_existing_dataset_is_refused_without_overwrite(tmp_path: Path, capsys) -> None:
    source, out = tmp_path / "src", tmp_path / "out"
    write_walks(source, 2)
    _import(source, out)
    (out / "old_clip_marker.txt").write_text("from the first import")
    with pytest.raises(ConfigError, match="already holds a dataset; pass --overwrite"):
        _import(source, out)
    assert main(["data", "import", str(source), str(out), "--no-preview"]) != 0
    assert "--overwrite" in capsys.readouterr().err
    assert main(["data", "import", str(source), str(out), "--overwrite", "--no-preview"]) == 0
    assert not (out / "old_clip_marker.txt").exists()  # replaced entirely: no orphans
    assert (out / "meta.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]


def test_out_equal_to_or_above_source_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "data" / "src"
    write_walks(source, 1)
    for out in (source, source.parent, tmp_path / "data" / "src" / ".." / "src"):
        for overwrite in (False, True):
            with pytest.raises(ConfigError, match="would replace the BVH files it reads"):
                _import(source, out, overwrite=overwrite)
    assert len(list(source.glob("*.bvh"))) == 1


def test_empty_existing_folder_is_filled_and_files_honour_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        source, out = tmp_path / "src", tmp_path / "out"
        write_walks(source, 2)
        out.mkdir()
        _import(source, out)
    finally:
        os.umask(before)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*")}
    assert modes == {0o644, 0o755}, sorted(oct(m) for m in modes)
