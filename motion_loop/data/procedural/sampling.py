"""Drawing a balanced mix of clip parameters: every family equally often, parameters in human ranges."""

from __future__ import annotations

import math

import numpy as np

from motion_loop.data.procedural.actions import (
    JUMP_ABSORB_S,
    JUMP_CROUCH_S,
    JUMP_PUSH_S,
    WAVE_RAISE_S,
    flight_time,
)
from motion_loop.data.procedural.params import (
    FAMILIES,
    FPS,
    MAX_DURATION_S,
    MIN_DURATION_S,
    STYLES,
    ClipParams,
)
from motion_loop.data.procedural.style import get_style

# Probability of each style, in STYLES order (normal is the most common manner).
STYLE_WEIGHTS = (0.4, 0.15, 0.15, 0.15, 0.15)
# Time before the first and after the last repetition of an action [s] (>= twice REST_RANGE_S's maximum).
_PADDING_S = 1.0
# Typical turning rate when turning on the spot [rad/s].
_TURN_RATE = 1.3
_SEED_LIMIT = 2**31 - 1


def _duration(seconds: float) -> float:
    """Clamp to the allowed range and round to whole frames."""
    return round(min(MAX_DURATION_S, max(MIN_DURATION_S, seconds)) * FPS) / FPS


def _repeated(rng: np.random.Generator, period: float, most: int, extra: float = 0.0) -> tuple[int, float]:
    """Repetitions (1..most, fewer if they would not fit) and the clip duration for them [s]."""
    reps = int(rng.integers(1, most + 1))
    while reps > 1 and _PADDING_S + extra + reps * period > MAX_DURATION_S:
        reps -= 1
    return reps, _duration(_PADDING_S + extra + reps * period)


def sample_one(family: str, rng: np.random.Generator, *, seed: int) -> ClipParams:
    """Draw the parameters of one clip of `family`."""
    style = str(rng.choice(STYLES, p=STYLE_WEIGHTS))
    s = get_style(style)
    amplitude = float(rng.uniform(0.7, 1.4))
    side = str(rng.choice(["left", "right"]))
    kw: dict[str, float | int | str] = {"amplitude": amplitude}
    if family == "walk":
        kw.update(speed=min(1.9, rng.uniform(0.6, 1.7) * s.speed), duration=_duration(rng.uniform(3.0, 9.8)), side="both")
        kw["turn"] = 0.0 if rng.uniform() < 0.5 else float(rng.uniform(-1.6, 1.6))
    elif family == "run":
        kw.update(speed=max(1.8, rng.uniform(2.0, 3.8) * s.speed), duration=_duration(rng.uniform(2.5, 7.0)), side="both")
        kw["turn"] = 0.0 if rng.uniform() < 0.6 else float(rng.uniform(-1.2, 1.2))
    elif family == "walk_backward":
        kw.update(speed=rng.uniform(0.4, 0.9) * s.speed, direction=math.pi, duration=_duration(rng.uniform(3.0, 8.0)), side="both")
    elif family == "side_step":
        kw.update(speed=rng.uniform(0.25, 0.5) * s.speed, duration=_duration(rng.uniform(3.0, 8.0)), side=side)
        kw["direction"] = math.pi / 2 if side == "left" else -math.pi / 2
    elif family == "turn":
        angle = math.radians(float(rng.choice([90, 135, 180, 270, 360]))) * float(rng.uniform(0.92, 1.08))
        turn = angle if side == "left" else -angle
        kw.update(turn=turn, side=side, duration=_duration(1.5 + angle / (_TURN_RATE * s.speed)))
    elif family == "jump":
        period = JUMP_CROUCH_S + JUMP_PUSH_S + flight_time(amplitude * s.amplitude) + JUMP_ABSORB_S + rng.uniform(0.4, 0.8)
        reps, duration = _repeated(rng, period, 4)
        speed = 0.0 if rng.uniform() < 0.5 else float(rng.uniform(0.6, 1.6))
        kw.update(speed=speed, repetitions=reps, duration=duration, side="both")
    elif family == "squat":
        reps, duration = _repeated(rng, rng.uniform(1.6, 2.8) / s.speed, 5)
        kw.update(repetitions=reps, duration=duration, side="both")
    elif family == "wave":
        period = rng.uniform(0.4, 0.8) / s.speed
        reps, _ = _repeated(rng, period, 6, extra=2 * WAVE_RAISE_S)
        reps = max(2, reps)  # a wave is at least a back and forth
        duration = _duration(_PADDING_S + 2 * WAVE_RAISE_S + reps * period)
        kw.update(repetitions=reps, duration=duration,
                  side=str(rng.choice(["left", "right", "both"], p=[0.4, 0.4, 0.2])))  # fmt: skip
    elif family == "kick":
        reps, duration = _repeated(rng, rng.uniform(1.4, 2.2) / s.speed, 4)
        kw.update(repetitions=reps, duration=duration, side=side)
    elif family == "punch":
        reps, duration = _repeated(rng, rng.uniform(0.6, 1.0) / s.speed, 6, extra=0.5)
        kw.update(repetitions=reps, duration=duration, side=str(rng.choice(["left", "right", "both"])))
    elif family == "bow":
        reps, duration = _repeated(rng, rng.uniform(2.0, 3.2) / s.speed, 3)
        kw.update(repetitions=reps, duration=duration, side="both")
    else:
        raise AssertionError(f"no parameter ranges for family {family!r}")
    return ClipParams(family=family, style=style, seed=seed, **kw)  # type: ignore[arg-type]


def sample_params(rng: np.random.Generator, n: int) -> list[ClipParams]:
    """`n` clip parameters: families balanced (each appears n / 11 times, +-1), shuffled."""
    families = np.resize(np.asarray(FAMILIES), n)
    families = families[rng.permutation(n)]
    seeds = rng.integers(0, _SEED_LIMIT, size=n)
    return [sample_one(str(f), rng, seed=int(s)) for f, s in zip(families, seeds, strict=True)]
