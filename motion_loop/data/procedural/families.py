"""Registry of action families: name -> function (params, rng) -> BodyPose."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from motion_loop.data.procedural import actions, gaits
from motion_loop.data.procedural.body import BodyPose
from motion_loop.data.procedural.params import ClipParams
from motion_loop.errors import ConfigError

FamilyFn = Callable[[ClipParams, np.random.Generator], BodyPose]

FAMILY_FUNCTIONS: dict[str, FamilyFn] = {
    "walk": gaits.walk,
    "run": gaits.run,
    "walk_backward": gaits.walk_backward,
    "side_step": gaits.side_step,
    "turn": gaits.turn,
    "jump": actions.jump,
    "squat": actions.squat,
    "wave": actions.wave,
    "kick": actions.kick,
    "punch": actions.punch,
    "bow": actions.bow,
}


def get_family(name: str) -> FamilyFn:
    """The generator function of family `name`; raises ConfigError listing the families."""
    if name not in FAMILY_FUNCTIONS:
        raise ConfigError(f"unknown motion family {name!r}; available: {', '.join(FAMILY_FUNCTIONS)}")
    return FAMILY_FUNCTIONS[name]
