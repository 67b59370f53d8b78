"""Atomic file writes: write to a temporary name in the same folder, fsync, then rename over the target.

A process killed at any moment leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np


def _atomic_write(path: Path, write: Callable[[IO[bytes]], object], *, fsync: bool = True) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            if fsync:  # survive power loss, not only a killed process; costly for many small files
                os.fsync(stream.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, fsync: bool = True) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    _atomic_write(path, lambda stream: stream.write(text.encode("utf-8")), fsync=fsync)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` atomically."""
    _atomic_write(path, lambda stream: stream.write(payload))


def atomic_write_json(path: Path, payload: Any) -> None:
    """Write `payload` as indented JSON to `path` atomically."""
    atomic_write_text(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def atomic_save_npy(path: Path, array: np.ndarray) -> None:
    """Save `array` as .npy to `path` atomically."""
    _atomic_write(path, lambda stream: np.save(stream, array))
