"""Small I/O helpers shared by every package: atomic writes."""

from motion_loop.io.atomic import (
    atomic_save_npy,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
)

__all__ = ["atomic_save_npy", "atomic_write_bytes", "atomic_write_json", "atomic_write_text"]
