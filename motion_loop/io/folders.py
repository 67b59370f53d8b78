"""Folders that become visible only when complete: build beside the target, then rename into place.

A reader sees either no folder, the old one, or the complete new one; a process killed while building
leaves only a hidden `.NAME.building-PID-XXXX` sibling, which `stale_scratch_dirs` lists.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from motion_loop.io.atomic import output_error

_BUILDING = "building"


def scratch_dir_beside(target: Path) -> Path:
    """A new empty hidden folder next to `target` (same file system, so the final rename is atomic).

    Created with `mkdir`, so it honours the umask (`tempfile.mkdtemp` would make it 0700).

    Raises:
        OutputError: the parent folder cannot be created or written.
    """
    target = Path(target)
    scratch = target.parent / f".{target.name}.{_BUILDING}-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch.mkdir()
    except OSError as error:
        raise output_error(error, scratch) from error
    return scratch


def publish_dir(scratch: Path, target: Path) -> Path:
    """Rename the complete `scratch` folder to `target`, replacing whatever `target` held.

    The old `target` is first renamed aside and deleted only after the new one is in place, so a
    reader never finds `target` half-written.

    Raises:
        OutputError: a rename fails (permissions, another process holding the name).
    """
    scratch, target = Path(scratch), Path(target)
    old = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        if target.exists():
            target.rename(old)
        scratch.rename(target)
    except OSError as error:
        raise output_error(error, target) from error
    shutil.rmtree(old, ignore_errors=True)
    return target


def stale_scratch_dirs(target: Path) -> list[Path]:
    """Hidden scratch folders beside `target` left by interrupted builds (any process)."""
    target = Path(target)
    return sorted(target.parent.glob(f".{target.name}.{_BUILDING}-*"))
