"""Fixtures of the evaluator tests: a synthetic dataset and a tiny evaluator trained on it once."""

from __future__ import annotations

from pathlib import Path

import pytest

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.config import EvaluatorModelConfig, EvaluatorTrainConfig

from .synthetic import make_synthetic_dataset

# embed_dim 64 (not 512) keeps the FID matrix square roots of these tests fast.
TINY_MODEL = EvaluatorModelConfig(text_frontend="hashed", text_hidden=128, motion_conv=64, motion_hidden=64, embed_dim=64)
TINY_TRAIN = EvaluatorTrainConfig(epochs=6, batch_size=32, seed=0)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """These tiny models run fastest on one thread (two contend badly on a loaded machine); restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 actions x 10 clips, half of them in the test split (40 clips: one batch of 32 plus change)."""
    return make_synthetic_dataset(tmp_path_factory.mktemp("synthetic"), clips_per_action=10, test_fraction=0.5)


@pytest.fixture(scope="session")
def trained(synthetic_root: Path, tmp_path_factory: pytest.TempPathFactory):
    import torch

    from motion_loop.eval.evaluator import train_evaluator

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        evaluator, history = train_evaluator(HumanML3DFolder(synthetic_root), TINY_MODEL, TINY_TRAIN)
    finally:
        torch.set_num_threads(before)
    path = tmp_path_factory.mktemp("evaluator") / "evaluator.pt"
    evaluator.save(path)
    return evaluator, history, path
