"""physics: MuJoCo humanoid, retargeting and tracking-based motion correction.

Public API: `correct_motion`, `correct_batch`, `surface_plausibility`, `CorrectionResult`,
`PhysicsConfig`, `PhysicsError`.
This package never imports `motion_loop.model`.
"""

from physics.assess import surface_plausibility
from physics.config import PhysicsConfig
from physics.correct import CorrectionResult, correct_motion
from physics.errors import PhysicsError

__all__ = ["CorrectionResult", "PhysicsConfig", "PhysicsError", "correct_motion", "surface_plausibility"]
