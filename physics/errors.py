"""The physics package's base exception."""


class PhysicsError(Exception):
    """Base class for errors raised by the physics package; the message names the problem and the fix."""
