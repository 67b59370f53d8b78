"""Small I/O helpers shared by every package: atomic writes, checksummed files, content hashes, locks."""

from motion_loop.io.atomic import (
    atomic_copy,
    atomic_save_npy,
    atomic_write,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
)
from motion_loop.io.errors import CorruptFileError, LockedError, OutputError

__all__ = [
    "CorruptFileError",
    "LockedError",
    "OutputError",
    "atomic_copy",
    "atomic_save_npy",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
]
