"""Degraded copies for the calibration, and incoherent negatives in the evaluator's training."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.degrade import (
    incoherent_batch,
    leg_dims,
    leg_jitter,
    root_overtravel,
    window_shuffle,
)
from motion_loop.eval.evaluator import train_evaluator

from .conftest import TINY_MODEL, TINY_TRAIN


def _clip(T: int = 40) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(T, 263))


def test_leg_jitter_moves_only_leg_dims_between_nearby_frames() -> None:
    clip = _clip()
    out = leg_jitter(clip, np.random.default_rng(1), max_shift=2)
    legs = leg_dims()
    others = np.setdiff1d(np.arange(263), legs)
    np.testing.assert_array_equal(out[:, others], clip[:, others])
    assert not np.array_equal(out[:, legs], clip[:, legs])
    for t in range(len(clip)):  # every frame's legs come from a frame at most 2 away
        sources = [s for s in range(max(0, t - 2), min(len(clip), t + 3)) if np.array_equal(out[t, legs], clip[s, legs])]
        assert sources
    assert len(legs) == 8 * (3 + 6 + 3) + 4


def test_window_shuffle_permutes_within_windows_and_overtravel_scales_the_root() -> None:
    clip = _clip(10)
    out = window_shuffle(clip, np.random.default_rng(2), window=4)
    for start in (0, 4, 8):
        block = clip[start : start + 4]
        assert sorted(map(tuple, out[start : start + 4])) == sorted(map(tuple, block))
    over = root_overtravel(clip, 1.3)
    np.testing.assert_allclose(over[:, 1:3], 1.3 * clip[:, 1:3])
    np.testing.assert_array_equal(over[:, 3:], clip[:, 3:])


def test_incoherent_batch_uses_only_frames_inside_each_length() -> None:
    motion = torch.randn(4, 12, 263)
    lengths = torch.tensor([12, 6, 12, 6])
    motion[1, 6:] = motion[3, 6:] = 1e6  # padding: must never be copied in
    out = incoherent_batch(motion, lengths, torch.Generator().manual_seed(0))
    assert out.shape == motion.shape
    for row, n in enumerate(lengths.tolist()):
        assert float(out[row, :n].abs().max()) < 1e5
    others = np.setdiff1d(np.arange(263), leg_dims())
    torch.testing.assert_close(out[0][:, others], motion[0][:, others])  # even rows: legs jittered only


def test_incoherent_negatives_push_incoherent_copies_away_from_their_captions(synthetic_root, trained) -> None:
    plain, _, _ = trained
    torch.set_num_threads(1)
    folder = HumanML3DFolder(synthetic_root)
    train = dataclasses.replace(TINY_TRAIN, incoherent_negatives=1.0)
    with_negatives, history = train_evaluator(folder, TINY_MODEL, train)
    ids = folder.ids("test")
    rng = np.random.default_rng(3)
    clips = [folder.features(i) for i in ids]
    shuffled = [window_shuffle(leg_jitter(c, rng), rng) for c in clips]

    def gap(evaluator) -> float:  # how much farther a caption is from the incoherent copy, relative
        text = evaluator.embed_text([folder.captions(i)[0].text for i in ids])
        near = np.linalg.norm(text - evaluator.embed_motion(clips), axis=1).mean()
        far = np.linalg.norm(text - evaluator.embed_motion(shuffled), axis=1).mean()
        return float((far - near) / near)

    # The synthetic actions are slow harmonics plus white noise, so shuffling frames within ±5 frames
    # changes them little and both gaps are small; the negatives must still make it clearly larger.
    assert gap(with_negatives) > 2 * max(gap(plain), 0.0) and gap(with_negatives) > 0
    assert history.loss[-1] < history.loss[0]
