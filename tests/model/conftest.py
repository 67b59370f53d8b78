"""Fixtures of the model tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .model_helpers import make_synthetic_folder


@pytest.fixture(scope="session")
def synthetic_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_synthetic_folder(tmp_path_factory.mktemp("synthetic_dataset"))


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tiny models run several times faster on one thread than on two contended cores."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
