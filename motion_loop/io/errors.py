"""Errors of file input and output: an output folder that cannot be written, a damaged file."""

from motion_loop.errors import DataFormatError, MotionLoopError


class OutputError(MotionLoopError):
    """An output file cannot be written (read-only folder, no permission, disk full)."""


class CorruptFileError(DataFormatError):
    """A stored file fails its checksum, is truncated, or is not what it claims to be."""


class LockedError(MotionLoopError):
    """A folder is locked by another running process."""
