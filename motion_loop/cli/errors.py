"""Which exceptions are the user's to fix, and how each reads as one line on the console.

An error of the tool (bad input, bad setting, a file that cannot be read or written) is not a bug of
the program: the CLI reports it as one line naming the problem and exits non-zero. Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import os
import pickle
import zipfile

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from motion_loop.errors import MotionLoopError
from physics.errors import PhysicsError

# OSError: a missing input, a read-only or full output disk; EOFError, UnpicklingError and BadZipFile:
# a truncated or foreign file where a checkpoint was expected; Hydra and OmegaConf: a bad override.
TOOL_ERRORS: tuple[type[BaseException], ...] = (
    MotionLoopError,
    PhysicsError,
    OSError,
    EOFError,
    pickle.UnpicklingError,
    zipfile.BadZipFile,
    HydraException,
    OmegaConfBaseException,
)

_OS_HINTS = {
    errno.ENOSPC: "the disk is full: free space or choose another output folder (--out)",
    errno.EROFS: "the file system is read-only: choose another output folder (--out)",
    errno.EACCES: "permission denied: choose a folder you can write (--out) or fix its permissions",
    errno.ENOENT: "no such file or folder: check the path",
}


def describe(error: BaseException) -> str:
    """One line saying what went wrong and, where known, how to fix it."""
    if isinstance(error, OSError) and not isinstance(error, MotionLoopError):
        name = error.filename if error.filename is not None else ""
        where = f" {os.fspath(name)}" if name != "" else ""
        hint = _OS_HINTS.get(error.errno or -1, error.strerror or str(error))
        return f"cannot use{where}: {hint}"
    if isinstance(error, EOFError | pickle.UnpicklingError | zipfile.BadZipFile):
        return f"a file is truncated or not in the expected format ({type(error).__name__}: {error})"
    text = " ".join(str(error).split()) or type(error).__name__
    return text
