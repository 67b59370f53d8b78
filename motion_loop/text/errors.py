"""Errors of the text encoders."""

from motion_loop.errors import MotionLoopError


class TextEncoderUnavailable(MotionLoopError):
    """A configured text encoder cannot be loaded: its package or its weights are missing."""
