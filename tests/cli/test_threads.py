"""`threads: N` bounds NumPy's BLAS pool as well as PyTorch (motion_loop.cli.threads)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import numpy, torch
from threadpoolctl import threadpool_info
from motion_loop.cli.threads import set_process_threads
set_process_threads({count})
blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
print(torch.get_num_threads(), max(blas) if blas else -1)
"""


def _threads_after(count: int) -> tuple[int, int]:
    # A child process: the setting is process-wide and must not leak into the other tests.
    out = subprocess.run([sys.executable, "-c", _PROBE.format(count=count)], capture_output=True, text=True, check=True)
    torch_threads, blas_threads = out.stdout.split()
    return int(torch_threads), int(blas_threads)


def test_one_thread_bounds_torch_and_numpy_blas() -> None:
    torch_threads, blas_threads = _threads_after(1)
    assert torch_threads == 1
    assert blas_threads == 1, "NumPy's OpenBLAS kept its own threads: they spin against other processes"


def test_zero_leaves_the_libraries_defaults() -> None:
    torch_threads, blas_threads = _threads_after(0)
    baseline_torch, baseline_blas = _threads_after(-1)
    assert (torch_threads, blas_threads) == (baseline_torch, baseline_blas)
