"""Atomic writes and the run folder's bookkeeping."""

from __future__ import annotations

import os

import pytest

import motion_loop.io.atomic as atomic_module
from motion_loop.io import OutputError
from motion_loop.loop.run_state import RunFolder, atomic_write_text, records_to_csv


def test_atomic_write_replaces_whole_file(tmp_path) -> None:
    path = tmp_path / "f.txt"
    atomic_write_text(path, "old")
    atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_failed_atomic_write_keeps_old_content_and_no_temp(tmp_path, monkeypatch) -> None:
    path = tmp_path / "f.txt"
    atomic_write_text(path, "old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(atomic_module.os, "replace", broken_replace)
    with pytest.raises(OutputError, match=f"cannot write f.txt into {tmp_path}: disk gone"):
        atomic_write_text(path, "new")
    monkeypatch.setattr(atomic_module.os, "replace", os.replace)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_done_marker_and_partial_generation(tmp_path) -> None:
    folder = RunFolder(tmp_path)
    folder.open({"a": 1})
    folder.begin(0)
    folder.finish(0, [{"generation": 0, "x": 1.0}])
    partial = folder.begin(1)
    (partial / "junk").write_text("half-written")
    assert folder.completed() == 1
    assert folder.read_records(0) == [{"generation": 0, "x": 1.0}]
    assert not any(folder.begin(1).iterdir())  # leftovers of the interrupted attempt are gone


def test_records_to_csv_union_of_columns() -> None:
    text = records_to_csv([{"a": 1, "b": 2}, {"a": 3, "c": 4}])
    assert text.splitlines() == ["a,b,c", "1,2,", "3,,4"]
