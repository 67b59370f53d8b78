from pathlib import Path

import pytest
import torch

from motion_loop.data.dataset import MotionDataset
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.model import Trainer, load_checkpoint, train_model, training
from motion_loop.model.checkpoint import CheckpointError
from motion_loop.model.training import collate
from motion_loop.text.encoder import HashEncoder, TextConfig, get_text_encoder

from .model_helpers import tiny_diffusion_config, tiny_model_config, tiny_train_config


def _assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)


def test_train_writes_self_describing_checkpoint(synthetic_folder: Path, tmp_path: Path) -> None:
    result = train_model(
        tiny_model_config(),
        tiny_diffusion_config(),
        tiny_train_config(),
        synthetic_folder,
        tmp_path,
    )
    checkpoint = load_checkpoint(result.checkpoint)
    assert checkpoint.step == 4 and result.step == 4
    assert checkpoint.model.latent_dim == 32 and checkpoint.diffusion.steps == 100
    assert checkpoint.text_encoder == "hash" and checkpoint.mean.shape == (263,)
    assert "loss" in checkpoint.metrics
    assert any((tmp_path / "tensorboard").iterdir())


def test_resume_is_exact(synthetic_folder: Path, tmp_path: Path) -> None:
    model, diffusion = tiny_model_config(), tiny_diffusion_config()
    straight = train_model(
        model, diffusion, tiny_train_config(steps=6), synthetic_folder, tmp_path / "straight"
    )
    first = train_model(
        model, diffusion, tiny_train_config(steps=3), synthetic_folder, tmp_path / "split"
    )
    resumed = train_model(
        model,
        diffusion,
        tiny_train_config(steps=6),
        synthetic_folder,
        tmp_path / "split",
        resume_from=first.checkpoint,
    )
    a, b = load_checkpoint(straight.checkpoint), load_checkpoint(resumed.checkpoint)
    assert a.step == b.step == 6
    _assert_same_state(a.weights, b.weights)
    _assert_same_state(a.ema_weights, b.ema_weights)
    assert a.metrics["loss"] == pytest.approx(b.metrics["loss"], rel=1e-6)


def test_finetune_fresh_and_resumed_optimizer(synthetic_folder: Path, tmp_path: Path) -> None:
    base = train_model(
        tiny_model_config(),
        tiny_diffusion_config(),
        tiny_train_config(steps=2),
        synthetic_folder,
        tmp_path / "g0",
    )
    for reset in (True, False):
        out = tmp_path / f"g1_{reset}"
        result = train_model(
            tiny_model_config(),
            tiny_diffusion_config(),
            tiny_train_config(steps=2, reset_optimizer=reset),
            synthetic_folder,
            out,
            init_from=base.checkpoint,
        )
        checkpoint = load_checkpoint(result.checkpoint)
        assert checkpoint.step == 2
        steps_in_adam = int(next(iter(checkpoint.optimizer["state"].values()))["step"])
        assert steps_in_adam == (2 if reset else 4)


def test_checkpoint_refuses_other_text_encoder(synthetic_folder: Path, tmp_path: Path) -> None:
    result = train_model(
        tiny_model_config(),
        tiny_diffusion_config(),
        tiny_train_config(steps=1),
        synthetic_folder,
        tmp_path,
    )

    class Other(HashEncoder):
        name = "other"

    with pytest.raises(CheckpointError, match="trained with text encoder 'hash'"):
        Trainer.from_checkpoint(
            result.checkpoint, tiny_train_config(), resume=True, text_encoder=Other()
        )


def test_load_refuses_foreign_file(tmp_path: Path) -> None:
    torch.save({"state_dict": {}}, tmp_path / "x.pt")
    with pytest.raises(CheckpointError, match="not a motion-loop model checkpoint"):
        load_checkpoint(tmp_path / "x.pt")


def test_one_batch_overfit_drives_loss_near_zero(synthetic_folder: Path) -> None:
    folder = HumanML3DFolder(synthetic_folder)
    dataset = MotionDataset(folder, "train", random_cut=False)
    batch = collate([dataset[0], dataset[1]])
    batch.motion, batch.mask = batch.motion[:, :40], batch.mask[:, :40]
    model = tiny_model_config(latent_dim=64, ff_dim=128, dropout=0.0, cond_mask_prob=0.0)
    encoder = get_text_encoder(TextConfig(name="hash"))
    trainer = Trainer(
        model,
        tiny_diffusion_config(),
        tiny_train_config(lr=1e-3, ema_decay=0.0, grad_clip=0.0),
        mean=dataset.mean,
        std=dataset.std,
        text_encoder=encoder,
    )

    def mean_loss() -> float:
        with torch.no_grad():
            return sum(float(trainer._loss(trainer.denoiser, batch)[0]) for _ in range(20)) / 20

    before = mean_loss()
    steps = 300
    for step in range(steps):
        for group in trainer.optimizer.param_groups:
            group["lr"] = 1e-3 * (1 - step / steps)  # linear decay: settle instead of bouncing
        loss, _ = trainer._loss(trainer.denoiser, batch)
        trainer.optimizer.zero_grad()
        loss.backward()
        trainer.optimizer.step()
    after = mean_loss()
    assert before > 0.5
    assert after < 0.05, (before, after)  # normalised units: the data variance is ~1


def test_geometric_losses_train(synthetic_folder: Path, tmp_path: Path) -> None:
    train = tiny_train_config(steps=2)
    train.loss.lambda_joints, train.loss.lambda_velocity, train.loss.lambda_foot_contact = (
        1.0,
        1.0,
        1.0,
    )
    result = train_model(
        tiny_model_config(), tiny_diffusion_config(), train, synthetic_folder, tmp_path
    )
    assert torch.isfinite(torch.tensor(result.loss))


def test_training_without_a_bar_logs_its_progress(
    synthetic_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tiny_train_config(steps=4, log_every=2, progress=False)
    with caplog.at_level("INFO", logger="motion_loop.model.training"):
        train_model(tiny_model_config(), tiny_diffusion_config(), config, synthetic_folder, tmp_path / "a")
        assert not [r for r in caplog.records if r.name == "motion_loop.model.training"]  # a short fit is silent
        monkeypatch.setattr(training, "_LOG_INTERVAL_SECONDS", 0.0)  # as if every log_every step took minutes
        train_model(tiny_model_config(), tiny_diffusion_config(), config, synthetic_folder, tmp_path / "b")
    lines = [r.getMessage() for r in caplog.records if r.name == "motion_loop.model.training"]
    assert [line.split()[2] for line in lines] == ["2/4", "4/4"]  # one line per log_every steps
    assert all("s/step" in line and "min left" in line for line in lines)


class _DiesAfter(MotionDataset):
    """The same clips; reading item number `limit` raises, as a process killed in the middle of a fit."""

    def __init__(self, folder: HumanML3DFolder, limit: int) -> None:
        super().__init__(folder, "train")
        self.limit, self.reads = limit, 0

    def __getitem__(self, index: int):  # noqa: ANN204 - the parent's item
        self.reads += 1
        if self.reads > self.limit:
            raise RuntimeError("killed")
        return super().__getitem__(index)


def test_fit_killed_midway_resumes_exactly_from_its_periodic_checkpoint(synthetic_folder: Path, tmp_path: Path) -> None:
    from motion_loop.model.plateau import PlateauRule

    folder = HumanML3DFolder(synthetic_folder)
    rule = PlateauRule(window=2, patience=50, min_improvement=0.5, max_steps=8)  # runs to its cap of 8
    config = tiny_train_config(steps=3, save_every=2)
    encoder = get_text_encoder(TextConfig(name="hash"))
    base = train_model(tiny_model_config(), tiny_diffusion_config(), config, synthetic_folder, tmp_path / "base")

    def fine_tuner(checkpoint: Path, *, resume: bool) -> Trainer:
        return Trainer.from_checkpoint(checkpoint, config, resume=resume, text_encoder=encoder)

    straight = fine_tuner(base.checkpoint, resume=False).fit(MotionDataset(folder, "train"), tmp_path / "straight", plateau=rule)
    with pytest.raises(RuntimeError, match="killed"):  # dies during step 6, after the save at step 4
        fine_tuner(base.checkpoint, resume=False).fit(_DiesAfter(folder, limit=5 * 4 + 1), tmp_path / "killed", plateau=rule)
    periodic = load_checkpoint(tmp_path / "killed" / "checkpoint.pt")
    assert periodic.step == 4 and periodic.fit_progress["start_step"] == 0
    resumed = fine_tuner(tmp_path / "killed" / "checkpoint.pt", resume=True).fit(
        MotionDataset(folder, "train"), tmp_path / "killed", plateau=rule
    )
    assert (resumed.step, resumed.steps_done, resumed.stopped) == (straight.step, straight.steps_done, "cap") == (8, 8, "cap")
    assert (resumed.loss_start, resumed.loss_end) == (straight.loss_start, straight.loss_end)
    a, b = load_checkpoint(straight.checkpoint), load_checkpoint(resumed.checkpoint)
    _assert_same_state(a.weights, b.weights)
    _assert_same_state(a.ema_weights, b.ema_weights)
    assert a.ema_updates == b.ema_updates == 3 + 8  # the fine-tune continues generation 0's EMA count
    assert a.fit_progress == b.fit_progress == {}
