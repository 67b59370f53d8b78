"""The one atomic-write helper: permissions follow the umask, unwritable folders are named."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from motion_loop.io import (
    OutputError,
    atomic_copy,
    atomic_save_npy,
    atomic_write_json,
    atomic_write_text,
)
from motion_loop.io.atomic import output_error
from motion_loop.io.checked import save_torch_checked


@pytest.fixture
def umask_022():
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_honour_the_umask(tmp_path: Path, umask_022) -> None:
    written = [
        atomic_write_text(tmp_path / "a.txt", "x"),
        atomic_write_json(tmp_path / "b.json", {"a": 1}),
        atomic_save_npy(tmp_path / "c.npy", np.zeros(3)),
        save_torch_checked(tmp_path / "d.pt", {"w": 1}),
        atomic_copy(tmp_path / "a.txt", tmp_path / "sub" / "e.txt"),
    ]
    assert [oct(_mode(path)) for path in written] == [oct(0o644)] * len(written)
    os.umask(0o077)
    assert _mode(atomic_write_text(tmp_path / "private.txt", "x")) == 0o600


def test_no_temporary_file_is_left(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "f.txt", "old")
    atomic_write_text(tmp_path / "f.txt", "new")
    assert (tmp_path / "f.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def _read_only_folder(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    # root ignores permission bits; sysfs refuses new files even to root.
    folder = Path("/sys/fs")
    if not folder.is_dir():
        pytest.skip("running as root without /sys/fs: no folder that refuses writes")
    return folder


def test_read_only_folder_names_the_folder_and_the_fix(tmp_path: Path) -> None:
    folder = _read_only_folder(tmp_path)
    with pytest.raises(OutputError, match=rf"cannot write out\.txt into {folder}: .*make it writable or choose another"):
        atomic_write_text(folder / "out.txt", "x")
    with pytest.raises(OutputError, match=rf"into {folder / 'new'}"):
        atomic_save_npy(folder / "new" / "x.npy", np.zeros(2))


def test_full_disk_message() -> None:
    error = output_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), Path("/data/run/metrics.csv"))
    assert str(error) == (
        "cannot write metrics.csv into /data/run: No space left on device; "
        "the disk is full: free space there or choose another output folder"
    )
