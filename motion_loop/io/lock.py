"""A lock file that says who holds a folder: refuse a second writer, take over after a dead one.

`FolderLock(folder)` creates `folder/.lock` exclusively (O_EXCL) and writes the holder's pid, host,
start time and command into it. A second process finds the file and either refuses with a message
naming the holder (when that process is alive, or on another host where liveness cannot be checked),
or, when the holder died without releasing (kill -9, power loss), takes the lock over and reports it
in `taken_over`. A pid reused by an unrelated process is told apart by its start time in /proc.
A process may re-acquire a lock it already holds (nested use), and it is released on the outermost exit.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

from motion_loop.io.atomic import output_error
from motion_loop.io.errors import LockedError

LOCK_NAME = ".lock"
_ATTEMPTS = 20
_RETRY_SECONDS = 0.05
# A lock file that stays empty or unreadable this long was left by a process killed while writing it.
_UNREADABLE_GRACE_SECONDS = 5.0


def _proc_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22), or "" off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return fields[19] if len(fields) > 19 else ""


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) a lock."""

    pid: int
    host: str
    started: float  # [s since the epoch]
    command: str
    proc_start: str = ""

    @classmethod
    def me(cls) -> LockHolder:
        pid = os.getpid()
        return cls(pid, socket.gethostname(), time.time(), " ".join(sys.argv)[:300], _proc_start(pid))

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"pid {self.pid} on host {self.host}, started {when} ({self.command or '?'})"

    def alive(self) -> bool:
        """False only when this holder is certainly gone; another host's process counts as alive."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # exists, owned by someone else
        if _is_zombie(self.pid):
            return False
        start = _proc_start(self.pid)
        return not (self.proc_start and start and start != self.proc_start)  # a reused pid is not the holder


def _read(path: Path) -> LockHolder | None:
    try:
        return LockHolder(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class FolderLock:
    """The lock of `folder` (a context manager); see the module docstring.

    Args:
        folder: the folder to lock (created if missing).
        what: what the folder is, for messages ("run folder").
    """

    def __init__(self, folder: Path | str, *, what: str = "folder") -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.what = what
        self.taken_over: LockHolder | None = None  # the dead holder whose lock was taken over
        self._me: LockHolder | None = None
        self._depth = 0

    def acquire(self) -> FolderLock:
        """Take the lock.

        Raises:
            LockedError: a live process (or one on another host) holds it; the message names it.
            OutputError: the folder cannot be created or written.
        """
        if self._depth:
            self._depth += 1
            return self
        me = LockHolder.me()
        for _ in range(_ATTEMPTS):
            if self._create_or_explain(me):
                self._me, self._depth = me, 1
                return self
            holder = _read(self.path)
            if holder is None:
                if self._unreadable_for_long():
                    self._remove_stale(None)
                else:
                    time.sleep(_RETRY_SECONDS)  # another process is writing it right now
                continue
            if (holder.pid, holder.host, holder.proc_start) == (me.pid, me.host, me.proc_start):
                raise LockedError(f"{self.what} {self.folder} is already locked by this process; use one FolderLock")
            if holder.alive():
                raise LockedError(
                    f"{self.what} {self.folder} is in use by another run: {holder.describe()}. Wait for it to "
                    f"finish, stop it, or choose another output folder; if that process no longer runs, delete "
                    f"{self.path}"
                )
            self._remove_stale(holder)
        raise LockedError(f"could not lock {self.folder}: {self.path} keeps changing; delete it if no run uses the folder")

    def _create_or_explain(self, me: LockHolder) -> bool:
        """Create the lock file with our record; False when it exists. An unwritable folder is an OutputError."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            return False
        except OSError as error:
            raise output_error(error, self.path) from error
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(asdict(me)))
        return True

    def _unreadable_for_long(self) -> bool:
        try:
            return time.time() - self.path.stat().st_mtime > _UNREADABLE_GRACE_SECONDS
        except FileNotFoundError:
            return False

    def _remove_stale(self, holder: LockHolder | None) -> None:
        """Move the dead holder's file aside, unless another process replaced it in the meantime."""
        aside = self.path.with_name(f"{LOCK_NAME}.stale-{os.getpid()}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return  # another process took it over first; the next attempt sees its lock
        if _read(aside) != holder:  # a fresh lock was created between our read and the rename: give it back
            try:
                os.link(aside, self.path)
            except FileExistsError:
                pass
        else:
            self.taken_over = holder
        aside.unlink(missing_ok=True)

    def release(self) -> None:
        """Give the lock back (on the outermost release); a lock taken over by another process is left alone."""
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0 and _read(self.path) == self._me:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.release()
