"""The cache lock really excludes another process while held, and is free again afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from motion_loop.io.cache_lock import exclusive, lock_path

fcntl = pytest.importorskip("fcntl", reason="advisory file locks need POSIX fcntl")

_TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a+b") as handle:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(3)
"""


def _other_process_gets_lock(entry: Path) -> bool:
    done = subprocess.run([sys.executable, "-c", _TRY_LOCK, str(lock_path(entry))], timeout=60)
    assert done.returncode in (0, 3)
    return done.returncode == 0


def test_lock_excludes_another_process_while_held(tmp_path: Path):
    entry = tmp_path / "cache" / "evaluator_abc.pt"
    with exclusive(entry):
        assert lock_path(entry).is_file() and lock_path(entry).parent == entry.parent
        assert not _other_process_gets_lock(entry)
    assert _other_process_gets_lock(entry)


def test_lock_is_released_when_the_block_raises(tmp_path: Path):
    entry = tmp_path / "generation0_x.pt"
    with pytest.raises(RuntimeError), exclusive(entry):
        raise RuntimeError("training failed")
    assert _other_process_gets_lock(entry)
