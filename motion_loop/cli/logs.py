"""Logging set-up of the command line: messages of the `motion_loop` loggers go to stderr, one line each.

Hydra commands (`run`, `theory -m`) configure logging themselves (console and the job's run.log, from
conf/hydra/job_logging/motion_loop.yaml); this set-up only applies where Hydra's does not.
"""

from __future__ import annotations

import logging
import sys

_FORMAT = "%(message)s"


def setup_console_logging(level: int = logging.INFO) -> None:
    """Send INFO and above of the `motion_loop` and `physics` loggers to stderr (idempotent)."""
    for name in ("motion_loop", "physics"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if not any(getattr(handler, "_motion_loop", False) for handler in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(_FORMAT))
            handler._motion_loop = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        # Under Hydra the root logger has its own console and file handlers: the messages reach them
        # through propagation, so this handler stands aside to avoid printing every line twice.
        logger.propagate = False


def use_root_handlers() -> None:
    """Inside a Hydra job: let the `motion_loop` loggers reach Hydra's console and run.log handlers."""
    for name in ("motion_loop", "physics"):
        logger = logging.getLogger(name)
        logger.handlers = [h for h in logger.handlers if not getattr(h, "_motion_loop", False)]
        logger.propagate = True
