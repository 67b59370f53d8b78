"""Evaluator checkpoints carry a sha256: a corrupt one fails instead of moving FID."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from motion_loop.cli import main
from motion_loop.eval.evaluator import Evaluator, EvaluatorError
from tests.io.test_checked import flip_bytes, truncate

from .conftest import TINY_MODEL

FIX = "delete it and train it again with `motion-loop evaluator train`"


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        evaluator = Evaluator(TINY_MODEL, mean=np.zeros(263), std=np.ones(263), fingerprint="f")
    path = tmp_path / "evaluator.pt"
    evaluator.save(path)
    return path


def test_two_thousand_flipped_bytes_are_refused(saved: Path) -> None:
    flip_bytes(saved, 2000)
    with pytest.raises(EvaluatorError, match=rf"evaluator checkpoint {saved} is corrupt .*; {FIX}"):
        Evaluator.load(saved)


def test_truncated_and_garbage_evaluators_are_refused(saved: Path, tmp_path: Path) -> None:
    Evaluator.load(saved)  # intact: loads
    truncate(saved, 0.8)
    with pytest.raises(EvaluatorError, match=rf"{saved} is truncated"):
        Evaluator.load(saved)
    garbage = tmp_path / "garbage.pt"
    garbage.write_text("not an evaluator\n" * 100)
    with pytest.raises(EvaluatorError, match=rf"{garbage} is damaged or not a torch file"):
        Evaluator.load(garbage)


def test_evaluate_command_names_the_corrupt_evaluator(saved: Path, synthetic_root: Path, capsys) -> None:
    flip_bytes(saved, 2000)
    code = main(["evaluate", f"evaluator={saved}", f"data.root={synthetic_root}", "split=test"])
    assert code != 0
    assert f"evaluator checkpoint {saved} is corrupt" in capsys.readouterr().err
