"""Model checkpoints carry a sha256: flipped, truncated or garbage files fail with the file named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from motion_loop.cli import main
from motion_loop.model import load_checkpoint, train_model
from motion_loop.model.checkpoint import CheckpointError
from tests.io.test_checked import flip_bytes, truncate

from .model_helpers import tiny_diffusion_config, tiny_model_config, tiny_train_config

FIX = "delete it and re-run the command that wrote it"


@pytest.fixture(scope="module")
def trained(synthetic_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trained")
    result = train_model(tiny_model_config(), tiny_diffusion_config(), tiny_train_config(), synthetic_folder, out)
    return result.checkpoint


@pytest.fixture
def copy(trained: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(trained, tmp_path / "checkpoint.pt"))


def test_intact_checkpoint_loads_with_its_optimizer_state(copy: Path) -> None:
    checkpoint = load_checkpoint(copy)
    assert checkpoint.optimizer is not None and checkpoint.optimizer["state"]


@pytest.mark.parametrize("where", [0.3, 0.6, 0.95])
def test_flipped_bytes_anywhere_are_refused(copy: Path, where: float) -> None:
    # The optimiser's two moment buffers are half of the payload: most positions land in them.
    flip_bytes(copy, 2000, start_fraction=where)
    with pytest.raises(CheckpointError, match=rf"model checkpoint {copy} is corrupt .*; {FIX}"):
        load_checkpoint(copy)


def test_truncated_and_garbage_checkpoints_are_refused(copy: Path, tmp_path: Path) -> None:
    truncate(copy, 0.7)
    with pytest.raises(CheckpointError, match=rf"model checkpoint {copy} is truncated"):
        load_checkpoint(copy)
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(bytes(range(256)) * 100)
    with pytest.raises(CheckpointError, match=rf"{garbage} is damaged or not a torch file"):
        load_checkpoint(garbage)


def test_sample_command_names_the_truncated_checkpoint(copy: Path, tmp_path: Path, capsys) -> None:
    truncate(copy, 0.5)
    code = main(["sample", f"checkpoint={copy}", f"out_dir={tmp_path / 'samples'}", "captions=[a person walks]"])
    assert code != 0
    error = capsys.readouterr().err
    assert f"model checkpoint {copy} is truncated" in error and FIX in error
    assert not (tmp_path / "samples").exists()
