"""motion-loop: self-consuming training loops on human motion."""

from motion_loop.errors import MotionLoopError

__all__ = ["MotionLoopError"]
__version__ = "0.1.0"
