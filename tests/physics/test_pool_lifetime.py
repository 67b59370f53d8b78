"""Pool workers die with their parent (issue 12): a run killed during correction leaves no workers behind.

A real process tree: a child Python runs `correct_batch` with two spawn workers, prints the workers'
ids once the first clip is back (so both exist and the pool is busy), and is then killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

_SCRIPT = textwrap.dedent(
    """
    import multiprocessing, sys
    import numpy as np
    from tests.physics.conftest import standing_pose
    from physics.batch import correct_batch

    def progress(done):
        if done == 1:
            print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)

    clips = [np.repeat(standing_pose()[None], 200, axis=0) for _ in range(8)]
    correct_batch(clips, workers=2, progress=progress)
    print("finished", flush=True)
    """
)
_GRACE = 30.0  # [s] bound on how long the kernel and init take to end and reap the orphans


def _alive(pid: int) -> bool:
    """Running (not a zombie waiting to be reaped), from /proc."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads process states from /proc (Linux)")
def test_killing_the_parent_kills_the_pool_workers(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    parent = subprocess.Popen([sys.executable, "-c", _SCRIPT], cwd=repo, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = parent.stdout.readline() if parent.stdout else ""
        workers = [int(pid) for pid in line.split()]
        assert len(workers) == 2, f"expected the two worker ids, got {line!r}"
        assert all(_alive(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + _GRACE
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "pool workers outlived their killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
