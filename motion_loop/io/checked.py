"""Files that carry their own checksum: a one-line header (format, sha256, length), then the payload.

    motion-loop-checked/1 sha256=<64 hex digits> bytes=<payload length>\\n<payload>

Reading verifies the length (a truncated copy) and the sha256 (flipped bytes) before anything parses
the payload, so a damaged checkpoint or evaluator fails with a message naming the file and the fix
instead of loading wrong numbers or dying in the unpickler. Files written before checksums existed
(no header) are still read, unverified; a parse failure of those is reported the same way.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from motion_loop.io.atomic import atomic_write_bytes
from motion_loop.io.errors import CorruptFileError

MAGIC = b"motion-loop-checked/1 "
_HEADER = re.compile(rb"motion-loop-checked/1 sha256=([0-9a-f]{64}) bytes=([0-9]+)\n")
_MAX_HEADER = 160  # bytes; the header is about 110
# What torch.load raises on a damaged file: zip reader, unpickler, short reads, bad tensors.
_LOAD_ERRORS = (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, ValueError, KeyError,
                AttributeError, IndexError, TypeError, OSError, UnicodeDecodeError)


@dataclass(frozen=True)
class CheckedPayload:
    """A file's payload and whether a checksum vouched for it (False for a file without a header)."""

    data: bytes
    verified: bool


def write_checked(path: Path | str, data: bytes, *, fsync: bool = True) -> Path:
    """Write `data` behind a checksum header, atomically."""
    header = MAGIC + f"sha256={hashlib.sha256(data).hexdigest()} bytes={len(data)}\n".encode()
    return atomic_write_bytes(path, header + data, fsync=fsync)


def read_checked(path: Path | str, *, what: str, fix: str, error: type[Exception] = CorruptFileError) -> CheckedPayload:
    """Read a file written by `write_checked` and verify it.

    Args:
        path: the file.
        what: what the file is, for messages ("model checkpoint").
        fix: what the user should do about a damaged file ("delete it and re-run ...").
        error: the exception type to raise (a `MotionLoopError` subclass of the caller's package).

    Raises:
        `error`: the file is missing, truncated, or fails its checksum.
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{what} {path} does not exist; {fix}")
    raw = path.read_bytes()
    if not raw.startswith(MAGIC):
        return CheckedPayload(raw, verified=False)
    match = _HEADER.match(raw[:_MAX_HEADER])
    if match is None:
        raise error(f"{what} {path} is damaged (unreadable checksum header); {fix}")
    digest, length = match.group(1).decode(), int(match.group(2))
    data = raw[match.end():]
    if len(data) != length:
        state = "truncated" if len(data) < length else "longer than written"
        raise error(f"{what} {path} is {state} ({len(data)} of {length} bytes); {fix}")
    if hashlib.sha256(data).hexdigest() != digest:
        raise error(f"{what} {path} is corrupt (its sha256 does not match the one stored when it was written); {fix}")
    return CheckedPayload(data, verified=True)


def is_intact(path: Path | str, *, what: str) -> bool:
    """True when `path` passes its checksum; otherwise warn (naming the file) and return False.

    For caches: a damaged entry is a miss to recompute, not an error. A file without header is not intact.
    """
    try:
        if read_checked(path, what=what, fix="it is recomputed").verified:
            return True
        warnings.warn(f"{what} {path} has no checksum; it is recomputed", stacklevel=2)
    except CorruptFileError as error:
        warnings.warn(str(error), stacklevel=2)
    return False


def save_torch_checked(path: Path | str, obj: Any, *, fsync: bool = True) -> Path:
    """`torch.save(obj)` behind a checksum header, atomically."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return write_checked(path, buffer.getvalue(), fsync=fsync)


def load_torch_checked(
    path: Path | str,
    *,
    what: str,
    fix: str,
    error: type[Exception] = CorruptFileError,
    map_location: str | torch.device = "cpu",
    weights_only: bool = False,
) -> Any:
    """Verify and `torch.load` a file written by `save_torch_checked` (or a legacy file without header).

    Raises:
        `error`: missing, truncated, corrupt, or not loadable by torch.
    """
    payload = read_checked(path, what=what, fix=fix, error=error)
    try:
        return torch.load(io.BytesIO(payload.data), map_location=map_location, weights_only=weights_only)
    except _LOAD_ERRORS as failure:
        kind = "cannot be read" if payload.verified else "is damaged or not a torch file"
        raise error(f"{what} {path} {kind} ({type(failure).__name__}: {str(failure)[:200]}); {fix}") from failure
