"""The motion learner's saved state: a moved run folder continues from its own checkpoints, and a
damaged checkpoint of a DONE generation names the file on resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.loop.motion.clips import load_clip_set
from motion_loop.loop.motion.learner import MotionLearner
from motion_loop.model.checkpoint import CheckpointError
from motion_loop.text.encoder import HashEncoder
from tests.io.test_checked import truncate
from tests.model.model_helpers import (
    make_synthetic_folder,
    tiny_diffusion_config,
    tiny_model_config,
    tiny_sample_config,
    tiny_train_config,
)


def _learner(folder: HumanML3DFolder, work: Path) -> MotionLearner:
    mean, std = folder.mean_std()
    work.mkdir(parents=True, exist_ok=True)
    return MotionLearner(
        model=tiny_model_config(), diffusion=tiny_diffusion_config(), train=tiny_train_config(), finetune_steps=2,
        reset_optimizer=False, sample=tiny_sample_config(), mean=mean, std=std, text_encoder=HashEncoder(),
        continue_from="best", work_dir=work,
    )  # fmt: skip


@pytest.fixture(scope="module")
def moved_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two saved generations (generation 0 scored best), then the run folder moved elsewhere."""
    root = tmp_path_factory.mktemp("learner_state")
    folder = HumanML3DFolder(make_synthetic_folder(root / "data"))
    clips = load_clip_set(folder, "train")
    learner = _learner(folder, root / "work")
    rng = np.random.default_rng(0)
    for generation, score in enumerate([1.0, 2.0]):
        learner.fit(clips, rng=rng)
        learner.record_score(score)
        learner.save(root / "run" / f"gen_{generation:03d}")
    moved = Path(shutil.move(root / "run", root / "elsewhere" / "run"))
    return root, moved


def test_state_stores_paths_relative_to_the_run_folder(moved_run) -> None:
    _, moved = moved_run
    state = json.loads((moved / "gen_001" / "learner_state.json").read_text())
    assert state["history"] == {"0": ["gen_000/checkpoint.pt", 1.0], "1": ["gen_001/checkpoint.pt", 2.0]}


def test_moved_run_continues_from_its_own_location(moved_run) -> None:
    root, moved = moved_run
    folder = HumanML3DFolder(root / "data")
    resumed = _learner(folder, root / "work2")
    resumed.load(moved / "gen_001")
    assert resumed._start_point() == moved / "gen_000" / "checkpoint.pt"  # best score, in the moved folder
    resumed.fit(load_clip_set(folder, "train"), rng=np.random.default_rng(1))
    assert resumed.generation == 2


def test_truncated_checkpoint_of_a_done_generation_is_named_on_resume(moved_run, tmp_path: Path) -> None:
    root, moved = moved_run
    copy = Path(shutil.copytree(moved, tmp_path / "run"))
    truncate(copy / "gen_000" / "checkpoint.pt", 0.6)
    folder = HumanML3DFolder(root / "data")
    resumed = _learner(folder, tmp_path / "work")
    resumed.load(copy / "gen_001")
    with pytest.raises(CheckpointError, match=rf"{copy / 'gen_000' / 'checkpoint.pt'} is truncated .*delete that gen_NNN folder"):
        resumed.fit(load_clip_set(folder, "train"), rng=np.random.default_rng(1))


def test_damaged_generation0_cache_is_retrained_not_used(moved_run, tmp_path: Path) -> None:
    from motion_loop.io.checked import read_checked
    from tests.io.test_checked import flip_bytes

    root, _ = moved_run
    folder = HumanML3DFolder(root / "data")
    clips = load_clip_set(folder, "train")

    def learner() -> MotionLearner:
        built = _learner(folder, tmp_path / "work")
        built.generation0_cache, built.generation0_key = tmp_path / "cache", "key"
        return built

    learner().fit(clips, rng=np.random.default_rng(0))
    (cached,) = (tmp_path / "cache").glob("generation0_*.pt")
    flip_bytes(cached, 100)
    with pytest.warns(UserWarning, match=rf"cached generation-0 model {cached} is corrupt"):
        learner().fit(clips, rng=np.random.default_rng(0))
    assert read_checked(cached, what="x", fix="y").verified  # retrained and stored again
