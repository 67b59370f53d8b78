"""Styles of moving: how a normal, energetic, tired, old or proud person changes a motion."""

from __future__ import annotations

from dataclasses import dataclass

from motion_loop.errors import ConfigError


@dataclass(frozen=True)
class Style:
    """Modifiers of one style (multipliers are 1 and offsets 0 for `normal`).

    Attributes:
        speed: multiplier of typical travel speed and tempo of repeated actions.
        lift: multiplier of step height.
        arm_swing: multiplier of arm swing.
        lean: extra forward trunk flex [rad] (negative: chest up).
        head: extra forward head flex [rad] (negative: chin up).
        crouch: pelvis lowered by this much [m] (bent knees).
        bounce: multiplier of the vertical bob of the pelvis.
        elbow: extra elbow flex [rad].
        amplitude: multiplier of the size of actions.
    """

    speed: float = 1.0
    lift: float = 1.0
    arm_swing: float = 1.0
    lean: float = 0.0
    head: float = 0.0
    crouch: float = 0.0
    bounce: float = 1.0
    elbow: float = 0.0
    amplitude: float = 1.0


STYLE_PROFILES: dict[str, Style] = {
    "normal": Style(),
    "energetic": Style(speed=1.2, lift=1.3, arm_swing=1.4, lean=0.04, bounce=1.6, elbow=0.2, amplitude=1.2),
    "tired": Style(speed=0.75, lift=0.6, arm_swing=0.5, lean=0.22, head=0.35, crouch=0.02, bounce=0.6, amplitude=0.8),
    "old": Style(speed=0.7, lift=0.55, arm_swing=0.45, lean=0.3, head=0.1, crouch=0.05, bounce=0.5, elbow=0.3, amplitude=0.7),
    "proud": Style(speed=0.95, lift=1.1, arm_swing=1.2, lean=-0.1, head=-0.2, bounce=1.0, amplitude=1.0),
}


def get_style(name: str) -> Style:
    """The style profile called `name`; raises ConfigError listing the available ones."""
    if name not in STYLE_PROFILES:
        raise ConfigError(f"unknown style {name!r}; available: {', '.join(STYLE_PROFILES)}")
    return STYLE_PROFILES[name]
