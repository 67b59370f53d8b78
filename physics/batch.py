"""`correct_batch`: many clips through `correct_motion`, in a process pool or on a Ray cluster.

MuJoCo simulation is single-threaded, so clips are the unit of parallelism. On this machine class
(2 vCPUs that behave like one core for MuJoCo) extra workers buy little; on a workstation or a Ray
cluster they scale with cores.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from typing import Any

import numpy as np

from physics.config import PhysicsConfig, with_options
from physics.correct import CorrectionResult, correct_motion
from physics.errors import PhysicsError
from physics.report import CorrectionReport

BACKENDS = ("process", "ray")
_PR_SET_PDEATHSIG = 1  # prctl option, <linux/prctl.h>
_PARENT_POLL = 0.5  # [s] how often a worker checks its parent where PR_SET_PDEATHSIG is missing
ON_ERROR = ("raise", "keep")


def die_with_parent(parent: int) -> None:
    """Make this pool worker exit when process `parent` dies (a pool initializer).

    A worker blocks on the pool's task queue, and every worker holds that queue's write end, so a
    parent killed by SIGKILL (or by SIGTERM, which runs no cleanup) would leave its workers alive
    forever. On Linux the kernel sends this worker SIGKILL when its parent exits (PR_SET_PDEATHSIG);
    elsewhere a daemon thread polls the parent id. A parent that died before this ran is caught by
    the id check.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="die-with-parent").start()
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)


def _correct_one(joints: np.ndarray, fps: float, config: dict[str, Any], on_error: str) -> CorrectionResult:
    try:
        return correct_motion(joints, fps, config=PhysicsConfig(**config))
    except PhysicsError as error:
        if on_error == "raise":
            raise
        # The clip is kept unchanged and flagged, so one bad clip does not sink a generation.
        kept = np.asarray(joints, dtype=np.float64).copy()
        report = CorrectionReport.rejected(len(kept), float(fps), float(config["gamma"]), str(error))
        return CorrectionResult(joints=kept, report=report)


def correct_batch(clips: Sequence[np.ndarray], *, fps: float = 20.0, workers: int | None = None,
                  backend: str = "process", config: PhysicsConfig | None = None, on_error: str = "raise",
                  ray_address: str | None = None, progress: Callable[[int], None] | None = None,
                  **options: Any) -> list[CorrectionResult]:
    """Correct many clips; results come back in input order.

    Args:
        clips: joint trajectories, each (T_i, 22, 3) [m], HumanML3D y-up.
        fps: frame rate of every clip [Hz].
        workers: processes (backend "process"; default: CPU count; 1 runs in this process) or
            concurrent tasks cap (backend "ray"; default: as many as the cluster schedules).
        backend: "process" (local process pool) or "ray" (needs the optional extra `motion-loop[ray]`).
        config, options: as for `correct_motion`.
        on_error: "raise" re-raises a clip's PhysicsError; "keep" returns that clip unchanged, its
            report `CorrectionReport.rejected` (corrected False, the message in `error` and `flags`).
        ray_address: Ray cluster address; None starts or joins a local Ray.
        progress: called with the number of clips finished so far (e.g. a tqdm update).

    Raises:
        PhysicsError: unknown backend or on_error, Ray missing, or a clip's error with on_error="raise".
    """
    if backend not in BACKENDS:
        raise PhysicsError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if on_error not in ON_ERROR:
        raise PhysicsError(f"on_error must be one of {ON_ERROR}, got {on_error!r}")
    cfg = asdict(with_options(config, options))
    if backend == "ray":
        return _ray_batch(clips, fps, cfg, on_error, workers, ray_address, progress)
    workers = workers or multiprocessing.cpu_count()
    results: list[CorrectionResult] = []
    if workers == 1 or len(clips) <= 1:
        for clip in clips:
            results.append(_correct_one(clip, fps, cfg, on_error))
            if progress:
                progress(len(results))
        return results
    # spawn: no inherited locks or thread pools from the parent (torch, BLAS).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(clips)), mp_context=context,
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_correct_one, clip, fps, cfg, on_error) for clip in clips]
        for future in futures:
            results.append(future.result())
            if progress:
                progress(len(results))
    return results


def _ray_batch(clips: Sequence[np.ndarray], fps: float, cfg: dict[str, Any], on_error: str, workers: int | None,
               address: str | None, progress: Callable[[int], None] | None) -> list[CorrectionResult]:
    try:
        import ray  # optional dependency, imported only for this backend
    except ImportError as error:
        raise PhysicsError(
            "backend='ray' needs Ray: install the optional extra with pip install 'motion-loop[ray]' "
            "(or use backend='process')"
        ) from error
    if not ray.is_initialized():
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    remote = ray.remote(num_cpus=1)(_correct_one)
    limit = workers or len(clips)
    pending: list[Any] = []
    refs: list[Any] = []
    for clip in clips:
        if len(pending) >= limit:
            _, pending = ray.wait(pending, num_returns=1)
        ref = remote.remote(clip, fps, cfg, on_error)
        refs.append(ref)
        pending.append(ref)
    results = []
    for ref in refs:
        results.append(ray.get(ref))
        if progress:
            progress(len(results))
    return results
