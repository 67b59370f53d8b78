"""Which checkpoint the motion learner continues from: the last one, or the best-scored one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from motion_loop.cli.hydra_utils import compose_config
from motion_loop.loop.motion.learner import MotionLearner


class _NoText:
    """Never called: choosing a start point encodes no caption."""


def _learner(tmp_path: Path, continue_from: str) -> MotionLearner:
    config = OmegaConf.to_object(compose_config("run", ["experiment=smoke"]))
    return MotionLearner(
        model=config.model, diffusion=config.diffusion, train=config.train, finetune_steps=1,
        reset_optimizer=True, sample=config.sample, mean=np.zeros(263), std=np.ones(263),
        text_encoder=_NoText(), continue_from=continue_from, work_dir=tmp_path,  # type: ignore[arg-type]
    )  # fmt: skip


def _history(learner: MotionLearner, scores: list[float | None]) -> None:
    for generation, score in enumerate(scores):
        learner.generation = generation
        learner.checkpoint = Path(f"gen_{generation:03d}/checkpoint.pt")
        learner.history[generation] = (str(learner.checkpoint), None)
        learner.record_score(score)


def test_best_continues_from_the_lowest_score_and_last_from_the_latest(tmp_path):
    best, last = _learner(tmp_path, "best"), _learner(tmp_path, "last")
    for learner in (best, last):
        _history(learner, [5.0, 3.0, None, 4.0])  # generation 2 was not evaluated
    assert best._start_point() == Path("gen_001/checkpoint.pt")
    assert last._start_point() == Path("gen_003/checkpoint.pt")


def test_best_without_any_score_falls_back_to_the_latest(tmp_path):
    learner = _learner(tmp_path, "best")
    _history(learner, [None, None])
    assert learner._start_point() == Path("gen_001/checkpoint.pt")
    assert _learner(tmp_path, "best")._start_point() is None  # nothing fitted yet: train generation 0
