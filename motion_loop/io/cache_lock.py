"""An exclusive advisory file lock around the build of a shared cache entry.

Runs that share a cache folder (the arms of a sweep, started side by side) would otherwise each build
the same dataset, evaluator or generation-0 model. Under the lock the first run builds the entry and the
others wait, then find it. The lock is the kernel's (`flock`): a run that is killed releases it, so a
crashed run never blocks the next one. Where `fcntl` does not exist (Windows) the block runs unlocked,
which is what the caches did before: correct (writes are atomic), only wasteful.

(`motion_loop.io.lock.FolderLock` is the other lock: it refuses a second writer of a run folder.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


def lock_path(entry: Path) -> Path:
    """The lock file of a cache entry (a hidden file beside it)."""
    return entry.with_name(f".{entry.name}.lock")


@contextmanager
def exclusive(entry: Path) -> Iterator[None]:
    """Hold the exclusive lock of cache entry `entry` (a file or folder path) while the block runs."""
    path = lock_path(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # blocks until the run holding it finishes or dies
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)
