"""Atomic file writes: write a temporary file in the same folder, then rename it over the target.

A process killed at any moment leaves either the old file or the new one, never half of one. The
temporary file is created with mode 0666 filtered by the process umask (as `open` does), so that
written files are as readable as any other file the user creates; `tempfile.mkstemp` would make them
0600 whatever the umask. A folder that cannot be written (read-only, no permission, disk full) raises
`OutputError` naming the folder and the fix.

Every file the package writes goes through `atomic_write` (or one of its typed front ends).
"""

from __future__ import annotations

import errno
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from motion_loop.io.errors import OutputError

_NEW_FILE_MODE = 0o666  # filtered by the umask in os.open, as for any file the user creates
_TEMP_ATTEMPTS = 100  # name collisions of 8 random hex digits; more than one attempt is already rare
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def output_error(error: OSError, path: Path) -> OutputError:
    """The `OutputError` for an OSError met while writing `path`: names the folder and the fix."""
    folder = Path(path).parent
    if error.errno in _FULL:
        fix = "the disk is full: free space there or choose another output folder"
    elif error.errno in _READ_ONLY:
        fix = "the folder is read-only or not yours: make it writable or choose another output folder"
    else:
        fix = "check that the folder is a writable directory, or choose another output folder"
    return OutputError(f"cannot write {Path(path).name} into {folder}: {error.strerror or error}; {fix}")


def _open_temp(folder: Path, name: str) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMP_ATTEMPTS):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, _NEW_FILE_MODE), tmp
        except FileExistsError:
            continue
    raise OutputError(f"could not create a temporary file beside {folder / name}; clean up {folder}/.{name}.*.tmp")


def atomic_write(path: Path | str, write: Callable[[IO[bytes]], object], *, fsync: bool = True) -> Path:
    """Write `path` atomically: `write(stream)` fills a temporary file that is then renamed over `path`.

    Args:
        path: the target; missing parent folders are created.
        write: called once with a binary stream.
        fsync: flush to the disk before the rename (survives power loss, not only a killed process;
            costly for many small files).

    Returns:
        `path`.

    Raises:
        OutputError: the folder cannot be created or written (read-only, permissions, disk full).
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = _open_temp(path.parent, path.name)
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            if fsync:
                os.fsync(stream.fileno())
        os.replace(tmp, path)
    except OSError as error:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise output_error(error, path) from error
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: Path | str, data: bytes, *, fsync: bool = True) -> Path:
    """Write `data` to `path` atomically."""
    return atomic_write(path, lambda stream: stream.write(data), fsync=fsync)


def atomic_write_text(path: Path | str, text: str, *, fsync: bool = True) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def atomic_write_json(path: Path | str, payload: Any, *, fsync: bool = True) -> Path:
    """Write `payload` as indented JSON to `path` atomically."""
    return atomic_write_text(path, json.dumps(payload, indent=2, sort_keys=True) + "\n", fsync=fsync)


def atomic_save_npy(path: Path | str, array: np.ndarray, *, fsync: bool = True) -> Path:
    """Save `array` as .npy to `path` atomically."""
    return atomic_write(path, lambda stream: np.save(stream, array), fsync=fsync)


def atomic_copy(source: Path | str, path: Path | str, *, fsync: bool = True) -> Path:
    """Copy the file `source` to `path` atomically (the copy gets umask permissions, not the source's)."""
    with open(source, "rb") as stream:
        data = stream.read()
    return atomic_write_bytes(path, data, fsync=fsync)

