from pathlib import Path

import numpy as np
import pytest

from motion_loop.cli import main
from motion_loop.cli.hydra_utils import compose_config, to_object
from motion_loop.model.config import SampleAppConfig, TrainAppConfig
from motion_loop.model.denoiser import MotionDenoiser, count_parameters


@pytest.mark.parametrize(
    ("preset", "size"),
    [("tiny", (64, 2, 4, 128)), ("small", (256, 4, 4, 512)), ("mdm", (512, 8, 4, 1024))],
)
def test_presets_compose_and_build(preset: str, size: tuple[int, int, int, int]) -> None:
    config = to_object(compose_config("train", [f"model={preset}", "out_dir=/tmp/unused"]))
    assert isinstance(config, TrainAppConfig)
    model = config.model
    assert (model.latent_dim, model.layers, model.heads, model.ff_dim) == size
    assert config.diffusion.steps == 1000 and config.diffusion.schedule == "cosine"
    assert model.cond_mask_prob == 0.1 and model.text.name == "minilm"
    assert count_parameters(MotionDenoiser(model, text_dim=384, num_diffusion_steps=1000)) > 0


def test_sample_config_composes() -> None:
    config = to_object(
        compose_config(
            "sample", ["checkpoint=x.pt", "out_dir=y", "captions=[a b,c d]", "lengths=[1,2.5]"]
        )
    )
    assert isinstance(config, SampleAppConfig)
    assert config.captions == ["a b", "c d"] and config.lengths == [1.0, 2.5]
    assert config.sample.method == "ddim" and config.sample.steps == 50


def test_train_then_sample_cli(synthetic_folder: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert (
        main(
            [
                "train",
                f"data.root={synthetic_folder}",
                "model=tiny",
                "model.text.name=hash",
                "train.steps=3",
                "train.progress=false",
                "diffusion.steps=50",
                f"out_dir={run}",
            ]
        )
        == 0
    )
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a person jumps up#2.0\nsomeone waves the right hand\n")
    out = tmp_path / "samples"
    assert (
        main(
            [
                "sample",
                f"checkpoint={run / 'checkpoint.pt'}",
                f"out_dir={out}",
                "captions=[a person walks forward]",
                "lengths=[3]",
                f"captions_file={prompts}",
                "default_length=2.5",
                "sample.steps=4",
                "video=false",
            ]
        )
        == 0
    )
    shapes = [np.load(out / "new_joint_vecs" / f"00000{i}.npy").shape for i in range(3)]
    assert shapes == [(60, 263), (40, 263), (50, 263)]
    assert np.load(out / "new_joints" / "000002.npy").shape == (50, 22, 3)
    assert (out / "texts" / "000001.txt").read_text().startswith("a person jumps up#")
    assert (out / "test.txt").read_text().split() == ["000000", "000001", "000002"]


def test_cli_reports_missing_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["sample", f"checkpoint={tmp_path / 'none.pt'}", f"out_dir={tmp_path}", "captions=[x]"]
    )
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


def test_stick_video(tmp_path: Path) -> None:
    from motion_loop.viz.stick import render_stick_video

    joints = np.zeros((6, 22, 3))
    joints[:, :, 1] = np.linspace(0, 1.7, 22)
    path = render_stick_video([joints, joints[:3]], tmp_path / "v.mp4", fps=20, titles=["a", "b"])
    assert path.stat().st_size > 0
