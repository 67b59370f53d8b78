"""Small helpers to shape motions in time: keyframes with smooth blends, Hermite segments, repetitions."""

from __future__ import annotations

import numpy as np

from motion_loop.data.procedural.gait import smoothstep

# Rest before the first and after the last repetition [s]; the sampler pads clips by the sum of the maxima.
REST_RANGE_S = (0.2, 0.5)


def keyframes(times: np.ndarray, key_times: np.ndarray, key_values: np.ndarray) -> np.ndarray:
    """Blend between keys with a minimum-jerk profile (zero velocity at every key).

    Args:
        times: (T,) sample times [s].
        key_times: (K,) increasing key times [s].
        key_values: (K, ...) values at the keys; held constant before the first and after the last.

    Returns:
        (T, ...) values.
    """
    key_times = np.asarray(key_times, dtype=np.float64)
    key_values = np.asarray(key_values, dtype=np.float64)
    k = np.clip(np.searchsorted(key_times, times, side="right") - 1, 0, len(key_times) - 1)
    nxt = np.minimum(k + 1, len(key_times) - 1)
    span = np.maximum(key_times[nxt] - key_times[k], 1e-9)
    s = smoothstep((times - key_times[k]) / span)
    s = s.reshape(s.shape + (1,) * (key_values.ndim - 1))
    return key_values[k] + s * (key_values[nxt] - key_values[k])


def hermite(s: np.ndarray, y0: float, y1: float, v0: float, v1: float, span: float) -> np.ndarray:
    """Cubic Hermite from y0 (velocity v0) to y1 (velocity v1) over `span` seconds, s in [0, 1]."""
    s = np.clip(s, 0.0, 1.0)
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    return h00 * y0 + h10 * span * v0 + h01 * y1 + h11 * span * v1


def repetition_windows(duration: float, repetitions: int, rng: np.random.Generator) -> tuple[float, float]:
    """Start time [s] and period [s] of `repetitions` equal cycles with a short rest before and after."""
    lead = float(rng.uniform(*REST_RANGE_S))
    tail = float(rng.uniform(*REST_RANGE_S))
    return lead, (duration - lead - tail) / repetitions


def cycle_keys(start: float, period: float, repetitions: int, fractions: list[float]) -> np.ndarray:
    """Key times of repeated cycles: for each cycle, start + (i + f) * period for f in fractions."""
    i = np.arange(repetitions)[:, None]
    return (start + (i + np.asarray(fractions)[None, :]) * period).reshape(-1)
