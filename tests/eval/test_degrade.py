"""Degraded copies for the calibration, and incoherent negatives in the evaluator's training."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.degrade import (
    incoherent_batch,
    leg_dims,
    leg_jitter,
    root_overtravel,
    window_shuffle,
)
from motion_loop.eval.encoders import incoherent_negative_loss
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
    motion = torch.randn(6, 12, 263)
    lengths = torch.tensor([12, 6, 12, 6, 12, 6])
    motion[1, 6:] = motion[3, 6:] = 1e6  # padding: must never be copied in
    out = incoherent_batch(motion, lengths, torch.Generator().manual_seed(0))
    assert out.shape == motion.shape
    for row, n in enumerate(lengths.tolist()):
        assert float(out[row, :n].abs().max()) < 1e5
    others = np.setdiff1d(np.arange(263), leg_dims())
    torch.testing.assert_close(out[0][:, others], motion[0][:, others])  # rows 0, 3: legs jittered only
    assert not torch.equal(out[0], motion[0])
    for row in (1, 4):  # window-shuffled: the same frames in another order within windows of 4
        torch.testing.assert_close(out[row, :4].sum(0), motion[row, :4].sum(0))
    noise = (out[2] - motion[2]).std()  # rows 2, 5: noise of std 0.4
    assert 0.35 < float(noise) < 0.45


def test_incoherent_negative_loss_matches_its_closed_form_and_pushes_negatives_away() -> None:
    # Positive at distance 1 from its caption, each of the B = 3 negatives at distance 2:
    # loss = log(1 + B exp(-(d_n² - d_p²) / tau)).
    text = torch.zeros(3, 2)
    motion = torch.tensor([[1.0, 0.0]] * 3)
    negatives = torch.tensor([[0.0, 2.0]] * 3, requires_grad=True)
    loss = incoherent_negative_loss(text, motion, negatives, temperature=1.0)
    assert float(loss.detach()) == pytest.approx(math.log(1 + 3 * math.exp(-(4 - 1))), rel=1e-6)
    loss.backward()
    # Gradient descent moves each negative away from the caption (along +y, away from the origin).
    assert bool((negatives.grad[:, 1] < 0).all())


def test_evaluator_trains_with_incoherent_negatives(synthetic_root) -> None:
    torch.set_num_threads(1)
    train = dataclasses.replace(TINY_TRAIN, epochs=2, incoherent_negatives=1.0)
    evaluator, history = train_evaluator(HumanML3DFolder(synthetic_root), TINY_MODEL, train)
    assert len(history.loss) == 2 and all(math.isfinite(v) for v in history.loss)
    assert evaluator.embed_motion([np.zeros((40, 263))]).shape == (1, 64)
