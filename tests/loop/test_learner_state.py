"""The motion learner's saved generations: a moved run folder continues from its own checkpoints, and a
damaged checkpoint of a DONE generation names the file on resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.loop.motion.clips import load_clip_set
from motion_loop.loop.motion.learner import MotionLearner
from motion_loop.model.checkpoint import CheckpointError, load_checkpoint
from motion_loop.model.training import Trainer
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
        work_dir=work,
    )  # fmt: skip


@pytest.fixture(scope="module")
def moved_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two saved generations, then the run folder moved elsewhere."""
    root = tmp_path_factory.mktemp("learner_state")
    folder = HumanML3DFolder(make_synthetic_folder(root / "data"))
    clips = load_clip_set(folder, "train").clips
    learner = _learner(folder, root / "work")
    rng = np.random.default_rng(0)
    for generation in range(2):
        learner.fit(clips, generation=generation, rng=rng)
        learner.save(root / "run" / f"gen_{generation:03d}")
    moved = Path(shutil.move(root / "run", root / "elsewhere" / "run"))
    return root, moved


def test_moved_run_continues_from_its_own_location(moved_run) -> None:
    root, moved = moved_run
    folder = HumanML3DFolder(root / "data")
    resumed = _learner(folder, root / "work2")
    resumed.load(moved / "gen_000")
    assert resumed.checkpoint == moved / "gen_000" / "checkpoint.pt"  # in the moved folder
    resumed.fit(load_clip_set(folder, "train").clips, generation=1, rng=np.random.default_rng(1))
    assert resumed.checkpoint is not None and resumed.checkpoint.is_file()


def test_truncated_checkpoint_of_a_done_generation_is_named_on_resume(moved_run, tmp_path: Path) -> None:
    root, moved = moved_run
    copy = Path(shutil.copytree(moved, tmp_path / "run"))
    truncate(copy / "gen_000" / "checkpoint.pt", 0.6)
    folder = HumanML3DFolder(root / "data")
    resumed = _learner(folder, tmp_path / "work")
    resumed.load(copy / "gen_000")
    with pytest.raises(CheckpointError, match=rf"{copy / 'gen_000' / 'checkpoint.pt'} is truncated .*delete that gen_NNN folder"):
        resumed.fit(load_clip_set(folder, "train").clips, generation=1, rng=np.random.default_rng(1))


def test_damaged_generation0_cache_is_retrained_not_used(moved_run, tmp_path: Path) -> None:
    from motion_loop.io.checked import read_checked
    from tests.io.test_checked import flip_bytes

    root, _ = moved_run
    folder = HumanML3DFolder(root / "data")
    clips = load_clip_set(folder, "train").clips

    def learner() -> MotionLearner:
        built = _learner(folder, tmp_path / "work")
        built.generation0_cache, built.generation0_key = tmp_path / "cache", "key"
        return built

    learner().fit(clips, generation=0, rng=np.random.default_rng(0))
    (cached,) = (tmp_path / "cache").glob("generation0_*.pt")
    flip_bytes(cached, 100)
    with pytest.warns(UserWarning, match=rf"cached generation-0 model {cached} is corrupt"):
        learner().fit(clips, generation=0, rng=np.random.default_rng(0))
    assert read_checked(cached, what="x", fix="y").verified  # retrained and stored again


def test_fit_killed_midway_continues_from_its_periodic_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = HumanML3DFolder(make_synthetic_folder(tmp_path / "data"))
    clips = load_clip_set(folder, "train").clips

    def learner(work: Path) -> MotionLearner:
        mean, std = folder.mean_std()
        work.mkdir(parents=True, exist_ok=True)
        return MotionLearner(
            model=tiny_model_config(), diffusion=tiny_diffusion_config(),
            train=tiny_train_config(steps=6, save_every=2), finetune_steps=2, reset_optimizer=True,
            sample=tiny_sample_config(), mean=mean, std=std, text_encoder=HashEncoder(), work_dir=work,
        )  # fmt: skip

    straight = learner(tmp_path / "straight")
    straight.fit(clips, generation=0, rng=np.random.default_rng(0))
    real_step = Trainer._train_step
    calls: list[int] = []
    dying = [True]

    def step_or_die(self: Trainer, model, dataset):  # noqa: ANN001, ANN202 - Trainer._train_step's
        calls.append(self.step)
        if dying[0] and self.step == 4:  # the process dies after the periodic save at step 4
            dying[0] = False
            raise KeyboardInterrupt
        return real_step(self, model, dataset)

    monkeypatch.setattr(Trainer, "_train_step", step_or_die)
    with pytest.raises(KeyboardInterrupt):
        learner(tmp_path / "killed").fit(clips, generation=0, rng=np.random.default_rng(0))
    resumed = learner(tmp_path / "killed")  # a new process, the same work folder
    resumed.fit(clips, generation=0, rng=np.random.default_rng(0))
    assert calls == [0, 1, 2, 3, 4, 4, 5]  # it continued at step 4 instead of starting over
    assert resumed.last_fit["fit_steps"] == straight.last_fit["fit_steps"] == 6
    assert resumed.last_fit["fit_loss_end"] == straight.last_fit["fit_loss_end"]
    a, b = load_checkpoint(straight.checkpoint), load_checkpoint(resumed.checkpoint)
    for key in a.weights:
        torch.testing.assert_close(a.weights[key], b.weights[key], rtol=0, atol=0)
    calls.clear()
    dying[0] = True
    with pytest.raises(KeyboardInterrupt):  # killed again, then resumed with another seed: other inputs
        learner(tmp_path / "again").fit(clips, generation=0, rng=np.random.default_rng(0))
    calls.clear()
    learner(tmp_path / "again").fit(clips, generation=0, rng=np.random.default_rng(1))
    assert calls[0] == 0  # the half-done fit of seed 0 is not continued by a fit of another seed
