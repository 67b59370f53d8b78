"""Degraded copies of real clips: the defects the evaluation must see (issue 13 item 1c, issue 16 item 4).

Each function maps features (T, 263) to a defective copy (un-normalised or normalised alike: the
temporal ones only move frames, so they commute with the per-dimension normalisation):

* `feature_noise`: Gaussian noise σ · Std on every dimension (high-frequency jitter);
* `root_overtravel`: the root's planar velocity × factor (the feet skate);
* `leg_jitter`: the legs' dimensions of frame t taken from frame t + δ_t, δ_t uniform in ±max_shift
  and drawn frame by frame (legs jumping between gait phases, as the CPU generator did);
* `window_shuffle`: frames permuted within consecutive windows (temporal incoherence of the whole body).

`incoherent_batch` applies the two temporal ones and the noise to a padded torch batch (the evaluator's
negatives).
"""

from __future__ import annotations

import numpy as np
import torch

from motion_loop.data.features import CONTACT_DIMS, ROTATION_DIMS, VELOCITY_DIMS

# Hips, knees, ankles, feet (skeleton.JOINT_NAMES indices).
LEG_JOINTS = (1, 2, 4, 5, 7, 8, 10, 11)
# A quarter of a gait cycle at 20 fps [frames].
LEG_JITTER_FRAMES = 5
SHUFFLE_WINDOW = 4  # [frames]
# Root planar velocity (x, z in the root's frame) [feature dims].
ROOT_PLANAR_VELOCITY = slice(1, 3)


def leg_dims() -> np.ndarray:
    """Feature indices of the leg joints: RIC positions, 6D rotations, local velocities, foot contacts."""
    dims: list[int] = []
    for joint in LEG_JOINTS:
        dims += range(4 + 3 * (joint - 1), 4 + 3 * joint)  # RIC positions of joints 1..21
        dims += range(ROTATION_DIMS.start + 6 * (joint - 1), ROTATION_DIMS.start + 6 * joint)  # joints 1..21
        dims += range(VELOCITY_DIMS.start + 3 * joint, VELOCITY_DIMS.start + 3 * (joint + 1))  # joints 0..21
    dims += range(CONTACT_DIMS.start, CONTACT_DIMS.stop)
    return np.asarray(dims)


def feature_noise(features: np.ndarray, sigma: float, std: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(T, 263) + sigma · std · N(0, 1)."""
    return features + sigma * std * rng.normal(size=features.shape)


def root_overtravel(features: np.ndarray, factor: float) -> np.ndarray:
    """(T, 263) with the root's planar velocity scaled by `factor` (legs unchanged: they skate)."""
    out = features.copy()
    out[:, ROOT_PLANAR_VELOCITY] *= factor
    return out


def leg_jitter(
    features: np.ndarray, rng: np.random.Generator, *, max_shift: int = LEG_JITTER_FRAMES
) -> np.ndarray:
    """(T, 263) -> the legs' dims of frame t from frame t + δ_t (clipped to the clip)."""
    T = features.shape[0]
    source = np.clip(np.arange(T) + rng.integers(-max_shift, max_shift + 1, T), 0, T - 1)
    dims = leg_dims()
    out = features.copy()
    out[:, dims] = features[source][:, dims]
    return out


def window_shuffle(features: np.ndarray, rng: np.random.Generator, *, window: int = SHUFFLE_WINDOW) -> np.ndarray:
    """(T, 263) -> frames permuted within consecutive windows of `window` frames."""
    order = np.arange(features.shape[0])
    for start in range(0, len(order), window):
        order[start : start + window] = rng.permutation(order[start : start + window])
    return features[order]


# Noise of the noisy negatives, in normalised units (≈ σ · Std of the un-normalised features).
NEGATIVE_NOISE_SIGMA = 0.4


def incoherent_batch(motion: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Defective copies of a normalised padded batch (B, T, 263), cycling over the rows: leg-jittered
    (rows 0, 3, ...), window-shuffled (1, 4, ...), and with feature noise σ = 0.4 (2, 5, ...).

    Only frames inside each clip's length are used as sources, so padding never leaks in.
    """
    B, T, _ = motion.shape  # (B, T, 263)
    frames = torch.arange(T)
    last = (lengths.clamp(min=1) - 1)[:, None]  # (B, 1)
    # Leg jitter: per clip and frame a source frame within ±LEG_JITTER_FRAMES.
    shift = torch.randint(-LEG_JITTER_FRAMES, LEG_JITTER_FRAMES + 1, (B, T), generator=generator)
    jitter_source = torch.minimum((frames[None] + shift).clamp(min=0), last)  # (B, T)
    # Window shuffle: a random permutation inside each window, as sorting random keys per window.
    keys = torch.rand(B, T, generator=generator) + (frames // SHUFFLE_WINDOW)[None].float()
    shuffle_source = torch.minimum(torch.argsort(keys, dim=1), last)  # (B, T)
    out = motion.clone()
    dims = torch.as_tensor(leg_dims())
    rows = torch.arange(B)[:, None]
    jittered = motion[rows, jitter_source]  # (B, T, 263)
    shuffled = motion[rows, shuffle_source]
    kind = torch.arange(B) % 3  # 0: leg jitter, 1: window shuffle, 2: noise
    use_jitter = (kind == 0)[:, None, None]
    legs = torch.where(use_jitter, jittered[..., dims], shuffled[..., dims])
    out = torch.where(use_jitter, out, shuffled)
    out[..., dims] = legs
    noisy = motion + NEGATIVE_NOISE_SIGMA * torch.randn(motion.shape, generator=generator)
    return torch.where((kind == 2)[:, None, None], noisy, out)
