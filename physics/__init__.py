"""physics: MuJoCo humanoid, retargeting and tracking-based motion correction.

Public API: `correct_motion`, `correct_batch`, `surface_plausibility`, `CorrectionResult`,
`CorrectionReport`, `CorrectionSummary`, `summarize`, `PhysicsConfig`, `PhysicsError`, `ImplausibleInput`.
This package never imports `motion_loop.model`.
"""

from physics.assess import surface_plausibility
from physics.config import PhysicsConfig
from physics.correct import CorrectionResult, correct_motion
from physics.errors import PhysicsError
from physics.report import CorrectionReport, CorrectionSummary, summarize
from physics.validation import ImplausibleInput

__all__ = ["CorrectionReport", "CorrectionResult", "CorrectionSummary", "ImplausibleInput", "PhysicsConfig",
           "PhysicsError", "correct_motion", "summarize", "surface_plausibility"]
