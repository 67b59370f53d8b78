"""The process's thread count, set once at a command's entry point for every numeric library.

`threads: N` must bound all of them, not only PyTorch: NumPy's OpenBLAS starts one thread per core of
its own, and when several processes share few cores (the main job's three arms, physics workers) those
threads spin against each other. Measured on the 2-core machine with the main job's three arms: one
512 x 512 `eigh` took 0.3-2.9 s with OpenBLAS's 2 threads against 0.04 s with 1, and FID∞ (~20 such
FIDs per evaluation) was 297 s of a 400 s profiled arm.
"""

from __future__ import annotations


def set_process_threads(count: int) -> None:
    """Use at most `count` threads in PyTorch and in the BLAS/OpenMP pools NumPy and SciPy load; 0 or
    less leaves every library's default."""
    if count <= 0:
        return
    import torch  # here, not at the top: `--help` of the commands stays fast
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(count)
    # Not a context manager: the limit holds for the rest of the process, as torch's setting does.
    threadpool_limits(limits=count)
