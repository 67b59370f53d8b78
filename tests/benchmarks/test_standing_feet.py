"""The standing-feet diagnostic (benchmarks/standing_feet.py) on procedural clips: a drift of the whole
body moves the pelvis and the feet in world space but not the feet in the body frame."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.features import joints_to_features
from motion_loop.data.procedural.generate import clip_rng, generate_clip
from motion_loop.data.procedural.params import ClipParams

from .scripts import load_script


def _wave_features() -> np.ndarray:
    params = ClipParams("wave", duration=6.0, seed=3)
    return joints_to_features(generate_clip(params, clip_rng(params)).joints)  # (T, 263)


def test_a_drift_of_the_root_moves_the_feet_in_world_space_only() -> None:
    diagnostic = load_script("standing_feet")
    still = _wave_features()
    drifting = still.copy()
    drifting[:, 2] += 0.002  # forward root velocity +2 mm/frame, the body-frame channels untouched
    before, after = diagnostic.speeds(still), diagnostic.speeds(drifting)
    np.testing.assert_allclose(after["feet_body_frame"], before["feet_body_frame"])
    np.testing.assert_allclose(after["feet_relative"], before["feet_relative"], atol=1e-6)
    frames = len(still) - 1
    assert after["pelvis_net_travel"][0] - before["pelvis_net_travel"][0] == pytest.approx(2.0 * frames, rel=0.05)
    assert np.median(after["feet_world"]) > np.median(before["feet_world"]) + 1.5


def test_isolated_fast_frames_are_told_from_sustained_ones() -> None:
    diagnostic = load_script("standing_feet")
    speed = np.zeros((20, 4))
    speed[5, 0] = 9.0  # one isolated frame of foot 0
    speed[10:14, 1] = 9.0  # four consecutive frames of foot 1
    share, isolated = diagnostic.above([{"feet_body_frame": speed.reshape(-1)}], threshold=5.0)
    assert share == pytest.approx(5 / 80) and isolated == pytest.approx(1 / 5)
