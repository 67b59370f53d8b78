"""The generating parameters of one procedural clip, stored per clip so drift from the generator can be measured."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from motion_loop.errors import ConfigError

FPS = 20.0
# HumanML3D keeps clips of 40..196 feature frames, i.e. 41..197 joint frames at 20 fps.
MIN_DURATION_S = 2.0
MAX_DURATION_S = 9.8

FAMILIES: tuple[str, ...] = (
    "walk", "run", "walk_backward", "side_step", "jump", "squat", "wave", "kick", "turn", "punch", "bow",
)  # fmt: skip
STYLES: tuple[str, ...] = ("normal", "energetic", "tired", "old", "proud")
SIDES: tuple[str, ...] = ("left", "right", "both")


@dataclass(frozen=True)
class ClipParams:
    """Everything that determines one procedural clip (with `seed` for its small random details).

    Attributes:
        family: action family, one of FAMILIES.
        duration: clip length [s]; the clip has round(duration * 20) + 1 joint frames.
        speed: travel speed of the pelvis [m/s]; 0 for actions in place. For `jump`, the horizontal
            speed in flight (jump distance = speed x flight time).
        direction: travel direction relative to the initial facing [rad]: 0 forward, +pi/2 towards the
            body's left, pi backwards.
        turn: change of heading over the clip [rad], positive = turning towards the body's left (the
            facing turns from +z towards +x); a curved path for gaits, the turning angle for `turn`.
        amplitude: relative size of the action (1 = typical): step height, jump height, squat depth,
            arc of a wave, height of a kick, depth of a bow.
        repetitions: number of jumps, squats, waves, kicks, punches or bows (1 for gaits).
        style: manner of moving, one of STYLES.
        side: limb or direction side, one of SIDES ("both" only for wave and punch).
        seed: seed of the clip's own generator (small variations and caption choice).
    """

    family: str
    duration: float
    speed: float = 0.0
    direction: float = 0.0
    turn: float = 0.0
    amplitude: float = 1.0
    repetitions: int = 1
    style: str = "normal"
    side: str = "left"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ConfigError(f"unknown motion family {self.family!r}; available: {', '.join(FAMILIES)}")
        if self.style not in STYLES:
            raise ConfigError(f"unknown style {self.style!r}; available: {', '.join(STYLES)}")
        if self.side not in SIDES:
            raise ConfigError(f"unknown side {self.side!r}; available: {', '.join(SIDES)}")
        if not MIN_DURATION_S <= self.duration <= MAX_DURATION_S + 1e-9:
            raise ConfigError(
                f"duration must be in [{MIN_DURATION_S}, {MAX_DURATION_S}] s (40..196 feature frames at "
                f"{FPS:g} fps), got {self.duration}"
            )
        for name in ("speed", "direction", "turn", "amplitude", "duration"):
            if not math.isfinite(getattr(self, name)):
                raise ConfigError(f"{name} must be finite, got {getattr(self, name)}")
        if self.speed < 0 or self.amplitude <= 0 or self.repetitions < 1:
            raise ConfigError(
                "speed must be >= 0 m/s, amplitude > 0 and repetitions >= 1; got "
                f"speed={self.speed}, amplitude={self.amplitude}, repetitions={self.repetitions}"
            )

    @property
    def frames(self) -> int:
        """Number of joint frames (the features have one fewer)."""
        return int(round(self.duration * FPS)) + 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClipParams:
        """Inverse of `to_dict`; ignores an `id` key (as written in params.jsonl)."""
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names - {"id"}
        if unknown:
            raise ConfigError(f"unknown clip parameter(s) {sorted(unknown)}; known: {sorted(names)}")
        return cls(**{key: value for key, value in data.items() if key in names})
