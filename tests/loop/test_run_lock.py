"""The run-folder lock with real processes: a live holder is named and refused, a killed one taken over."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from motion_loop.cli.hydra_utils import compose_config
from motion_loop.io import LockedError
from motion_loop.loop.motion.experiment import run_experiment
from motion_loop.loop.run_state import RunFolder

_HOLDER = """
import sys
from motion_loop.loop.run_state import RunFolder
lock = RunFolder(sys.argv[1]).lock().acquire()
print("locked", flush=True)
sys.stdin.read()  # hold until the test closes stdin or kills us
lock.release()
"""


@pytest.fixture
def holder(tmp_path: Path):
    """A live child process holding tmp_path/run's lock."""
    run = tmp_path / "run"
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(run)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    yield child, run
    if child.poll() is None:
        child.kill()
    child.wait()


def test_second_writer_is_refused_with_the_holder_named(holder) -> None:
    child, run = holder
    with pytest.raises(LockedError, match=rf"in use by another run: pid {child.pid} on host {socket.gethostname()}"):
        RunFolder(run).lock().acquire()


def test_lock_of_a_killed_process_is_taken_over(holder) -> None:
    child, run = holder
    child.send_signal(signal.SIGKILL)
    child.wait()  # reaped: the pid is gone, the lock file stays
    assert (run / ".lock").is_file()
    with RunFolder(run).lock() as lock:
        assert lock.taken_over is not None and lock.taken_over.pid == child.pid
        assert str(os.getpid()) in (run / ".lock").read_text()
    assert not (run / ".lock").exists()  # released on exit


def test_clean_exit_releases_the_lock(holder) -> None:
    child, run = holder
    assert child.stdin is not None
    child.stdin.close()
    assert child.wait() == 0
    with RunFolder(run).lock() as lock:
        assert lock.taken_over is None


def test_run_is_refused_before_any_work(holder) -> None:
    child, run = holder
    scratch = run / ".work" / "in_use.txt"  # the running process's scratch: must survive
    scratch.parent.mkdir(parents=True)
    scratch.write_text("busy")
    config = OmegaConf.to_object(compose_config("run", ["experiment=smoke", f"out_dir={run}"]))
    with pytest.raises(LockedError, match=f"pid {child.pid}"):
        run_experiment(config, run)
    assert scratch.read_text() == "busy"
    assert sorted(p.name for p in run.iterdir()) == [".lock", ".work"]


def test_unwritable_run_folder_is_named(tmp_path: Path) -> None:
    from motion_loop.io import OutputError
    from tests.io.test_atomic import _read_only_folder

    folder = _read_only_folder(tmp_path) / "run"
    with pytest.raises(OutputError, match=rf"cannot write \.lock into {folder}|into {folder.parent}"):
        RunFolder(folder).lock().acquire()
