"""Logging set-up of the command line: messages of the `motion_loop` and `physics` loggers on stderr.

INFO and above of the tool's own loggers reach a plain one-line handler on the root logger; other
libraries stay at the root's level (WARNING). Hydra jobs (`run`, `theory -m`) replace the root's
handlers with their own (console and the job's run.log, conf/hydra/job_logging/motion_loop.yaml).
"""

from __future__ import annotations

import logging
import sys

_FORMAT = "%(message)s"
_MARK = "_motion_loop_console"


def setup_console_logging(level: int = logging.INFO) -> None:
    """Show the tool's messages on stderr, one line each (idempotent)."""
    root = logging.getLogger()
    if not any(getattr(handler, _MARK, False) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    for name in ("motion_loop", "physics"):
        logging.getLogger(name).setLevel(level)
