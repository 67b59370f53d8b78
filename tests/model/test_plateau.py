"""Training until the loss plateaus (the faithful CPU preset's fine-tuning) and the bf16 option."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from motion_loop.data.dataset import MotionDataset
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import ConfigError
from motion_loop.model import Trainer
from motion_loop.model.plateau import PlateauRule, PlateauTracker
from motion_loop.text.encoder import TextConfig, get_text_encoder

from .model_helpers import tiny_diffusion_config, tiny_model_config, tiny_train_config


def _trainer(folder: Path, **train) -> tuple[Trainer, MotionDataset]:
    dataset = MotionDataset(HumanML3DFolder(folder), "train")
    trainer = Trainer(
        tiny_model_config(), tiny_diffusion_config(), tiny_train_config(**train),
        mean=dataset.mean, std=dataset.std, text_encoder=get_text_encoder(TextConfig(name="hash")),
    )  # fmt: skip
    return trainer, dataset


def test_tracker_fires_after_patience_windows_without_improvement() -> None:
    tracker = PlateauTracker(PlateauRule(window=2, patience=2, min_improvement=0.1, max_steps=100))
    losses = (1.0, 1.0, 0.5, 0.5, 0.48, 0.48, 0.47, 0.47)  # windows 1.0, 0.5 (improving), then two within 10 %
    for step, loss in enumerate(losses[:4], start=1):
        tracker.update(loss, step)
    assert not tracker.plateaued()
    for step, loss in enumerate(losses[4:], start=5):
        tracker.update(loss, step)
    assert tracker.means == pytest.approx([1.0, 0.5, 0.48, 0.47]) and tracker.plateaued()


def test_windows_before_min_steps_are_not_compared() -> None:
    """A fresh optimiser's bump: the fit starts low (0.07), rises (0.09), then falls again. Compared from
    the first window, the rule would stop in the bump; from min_steps on, it waits for the fall."""
    losses = [0.07] * 2 + [0.09] * 2 + [0.085] * 2 + [0.08] * 2 + [0.07] * 2 + [0.069] * 6
    early = PlateauTracker(PlateauRule(window=2, patience=2, min_improvement=0.02, max_steps=100))
    late = PlateauTracker(PlateauRule(window=2, patience=2, min_improvement=0.02, max_steps=100, min_steps=4))
    fired = {}
    for step, loss in enumerate(losses, start=1):
        for name, tracker in (("early", early), ("late", late)):
            tracker.update(loss, step)
            if tracker.plateaued() and name not in fired:
                fired[name] = step
    # early: best 0.07 at step 2, then 0.09 and 0.085 do not improve -> stops at step 6, in the bump.
    # late: best from the window ending at step 4 (0.09): 0.085, 0.08, 0.07 improve; 0.069 twice do not.
    assert fired == {"early": 6, "late": 14}


def test_rule_rejects_bad_settings() -> None:
    with pytest.raises(ConfigError, match="min_improvement"):
        PlateauRule(window=10, patience=2, min_improvement=1.5, max_steps=10)


def test_fit_stops_at_the_plateau_or_the_cap(synthetic_folder: Path, tmp_path: Path) -> None:
    trainer, dataset = _trainer(synthetic_folder)
    # The first window sets the best; no later 1-step window beats it by 99.9 %: the rule fires
    # after `patience` more windows.
    never = PlateauRule(window=1, patience=3, min_improvement=0.999, max_steps=50)
    result = trainer.fit(dataset, tmp_path / "a", plateau=never)
    assert result.stopped == "plateau" and result.steps_done == 4 and trainer.step == 4
    capped = trainer.fit(dataset, tmp_path / "b", plateau=PlateauRule(window=1, patience=99, min_improvement=0.0, max_steps=4))
    assert capped.stopped == "cap" and capped.steps_done == 4 and trainer.step == 8
    assert capped.loss_start > 0 and capped.loss_end > 0


def test_bf16_precision_trains_close_to_float32(synthetic_folder: Path, tmp_path: Path) -> None:
    losses = {}
    for precision in ("float32", "bf16"):
        trainer, dataset = _trainer(synthetic_folder, steps=3, precision=precision)
        losses[precision] = trainer.fit(dataset, tmp_path / precision).loss
        assert all(p.dtype == torch.float32 for p in trainer.denoiser.parameters())
    # Same seed, same batches: bf16 rounding (8 bits of mantissa) moves the loss by well under 5 %.
    assert losses["bf16"] == pytest.approx(losses["float32"], rel=0.05)
    trainer, dataset = _trainer(synthetic_folder, steps=1, precision="fp8")
    with pytest.raises(ConfigError, match="train.precision"):
        trainer.fit(dataset, tmp_path / "bad")
