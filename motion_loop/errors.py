"""The package's base exception: every error raised on purpose derives from it."""


class MotionLoopError(Exception):
    """Base class for errors raised by motion_loop; the message says what was expected and the fix."""


class DataFormatError(MotionLoopError):
    """Input data has the wrong shape, type or content (NaN, empty caption, corrupt file)."""


class ConfigError(MotionLoopError):
    """A configuration value is missing or outside its valid range."""
