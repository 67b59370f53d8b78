"""Jitter estimation from bone-length fluctuation, and the smoothing it chooses."""

from __future__ import annotations

import numpy as np

from physics import correct_motion
from physics.jitter import estimate_jitter, smoothing_for


def test_clean_capture_has_no_jitter_and_noise_is_measured(clean_motion) -> None:
    joints = clean_motion[0]
    assert estimate_jitter(joints) < 1e-4  # [m]: rigid skeleton
    for sigma in (0.004, 0.008, 0.016):
        noisy = joints + np.random.default_rng(0).normal(0.0, sigma, joints.shape)
        assert abs(estimate_jitter(noisy) - sigma) < 0.2 * sigma


def test_fast_rigid_motion_is_not_jitter(lively_motion) -> None:
    joints = lively_motion[0].copy()
    # Spin and translate the whole clip fast: a rigid motion keeps every bone length.
    angle = np.linspace(0.0, 20.0, len(joints))
    c, s = np.cos(angle), np.sin(angle)
    x, z = joints[..., 0].copy(), joints[..., 2].copy()
    joints[..., 0] = c[:, None] * x - s[:, None] * z + 0.3 * np.arange(len(joints))[:, None]
    joints[..., 2] = s[:, None] * x + c[:, None] * z
    assert estimate_jitter(joints) < 1e-4


def test_rigid_clips_are_not_smoothed_and_others_at_least_one_frame() -> None:
    options = dict(rigid_below=0.0005, per_sigma=0.008, max_sigma=2.0)
    assert smoothing_for(0.0, **options) == 0.0
    assert smoothing_for(0.002, **options) == 1.0  # the diffusion model's samples
    assert smoothing_for(0.012, **options) == 1.5
    assert smoothing_for(0.1, **options) == 2.0


def test_correct_motion_smooths_only_noisy_clips(clean_motion) -> None:
    joints = clean_motion[0][:60]
    clean = correct_motion(joints, 20.0).report
    noisy = correct_motion(joints + np.random.default_rng(1).normal(0.0, 0.008, joints.shape), 20.0).report
    assert clean.smooth_sigma == 0.0 and 1.0 <= noisy.smooth_sigma < 1.2
    assert correct_motion(joints, 20.0, smooth_sigma=0.5).report.smooth_sigma == 0.5
