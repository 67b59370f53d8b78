"""How noisy a joint trajectory is, and how much to smooth it before tracking.

A rigid skeleton keeps its bone lengths; motion capture does (to ~1e-13 relative). Independent
noise of standard deviation s on every coordinate makes a bone's length fluctuate with standard
deviation about s sqrt(2) (the noise of two endpoints, projected on the bone). So the median over
bones of the length's standard deviation over time, divided by sqrt(2), estimates s without
needing a clean version of the clip, and without mistaking fast real motion for noise.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from motion_loop.data import skeleton as sk
from physics.config import PhysicsConfig


def estimate_jitter(joints: np.ndarray) -> float:
    """Estimated per-coordinate noise [m] of joints (T, 22, 3) from bone-length fluctuation."""
    lengths = sk.bone_lengths(joints)  # (T, 21)
    return float(np.median(lengths.std(axis=0)) / np.sqrt(2.0))


def smoothing_for(jitter: float, *, rigid_below: float, per_sigma: float, max_sigma: float) -> float:
    """Gaussian smoothing [frames at 20 fps] for a clip with `jitter` [m].

    A rigid clip (jitter below `rigid_below`, i.e. motion capture) is not smoothed. Any other clip
    gets at least one frame, and one frame per `per_sigma` of jitter up to `max_sigma`: the reference
    is differentiated twice, so even the 2 mm of the diffusion model's samples becomes accelerations
    of several m/s^2 (measured on 32 cpu_small samples: sigma 0.5 -> 33 resets, sigma 1 -> 1; 28 and 0
    before feet were planted).
    """
    if jitter < rigid_below:
        return 0.0
    return float(min(max_sigma, max(1.0, jitter / per_sigma)))


def resolve_smoothing(config: PhysicsConfig, jitter: float) -> PhysicsConfig:
    """`config` with smooth_sigma set for a clip of `jitter` [m] (`estimate_jitter`) when it is None."""
    if config.smooth_sigma is not None:
        return config
    sigma = smoothing_for(jitter, rigid_below=config.rigid_jitter,
                          per_sigma=config.jitter_per_sigma, max_sigma=config.max_smooth_sigma)
    return dataclasses.replace(config, smooth_sigma=sigma)
