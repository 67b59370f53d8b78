"""One convention across the CLI: --out PATH, --cfg and --help on every command; one output root."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from motion_loop.cli import COMMANDS, main, translate_out
from motion_loop.cli.hydra_utils import config_flags, output_overrides
from tests.cli.helpers import cli

CFG_COMMANDS = {
    "run": ["run", "experiment=smoke", "--out", "X", "--cfg", "job"],
    "train": ["train", "--out", "X", "--cfg", "job"],
    "sample": ["sample", "--out", "X", "--cfg"],
    "evaluate": ["evaluate", "--out", "X", "--cfg"],
    "evaluator": ["evaluator", "train", "--out", "X", "--cfg"],
    "theory": ["theory", "heat-death", "--out", "X", "--cfg", "job"],
    "data": ["data", "procedural", "--out", "X", "--cfg"],
    "correct": ["correct", "IN", "--out", "X", "--cfg"],
    "report": ["report", "RUN", "--out", "X", "--cfg"],
    "export": ["export", "mdm", "IN", "--out", "X", "--cfg"],
}
OUT_KEY = {"evaluate": "out", "evaluator": "out", "report": "out", "data": "out_dir", "correct": "out_dir", "export": "out"}


def test_every_command_is_covered() -> None:
    assert set(CFG_COMMANDS) == set(COMMANDS)


@pytest.mark.parametrize("name", [n for n in CFG_COMMANDS if n != "run"])
def test_cfg_prints_the_resolved_configuration_with_the_output(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(CFG_COMMANDS[name]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown[OUT_KEY.get(name, "out_dir")] == "X"


@pytest.mark.parametrize("name", list(CFG_COMMANDS))
def test_help_describes_every_command(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = {"evaluator": [name, "train", "--help"], "export": [name, "mdm", "--help"]}.get(name, [name, "--help"])
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's --help exits
        code = int(stop.code or 0)
    assert code == 0 and "--out" in capsys.readouterr().out


def test_out_flag_becomes_the_output_override() -> None:
    assert translate_out("train", ["a=1", "--out", "/x", "b=2"]) == ["a=1", "out_dir=/x", "b=2"]
    assert translate_out("evaluate", ["--out=/r.json"]) == ["out=/r.json"]
    assert translate_out("data", ["procedural", "--out", "/x"]) == ["procedural", "--out", "/x"]
    assert config_flags(["a=1", "--cfg", "job", "b=2"]) == (["a=1", "b=2"], True)
    assert config_flags(["job=1"]) == (["job=1"], False)


def test_out_dir_names_hydras_folders() -> None:
    assert output_overrides(["out_dir=/r", "--cfg", "job"]) == ["out_dir=/r", "hydra.run.dir=/r", "--cfg", "job"]
    assert output_overrides(["-m", "out_dir=/t", "out_dir=/s", "arm=a,b"]) == ["-m", "hydra.sweep.dir=/s", "arm=a,b"]
    assert output_overrides(["arm=a"]) == ["arm=a"]


def test_run_help_and_cfg_in_a_child_process(tmp_path: Path) -> None:
    shown = cli("run", "experiment=smoke", "--out", str(tmp_path / "r"), "--cfg", "job", cwd=tmp_path)
    assert shown.returncode == 0 and yaml.safe_load(shown.stdout)["out_dir"] == str(tmp_path / "r")
    assert not (tmp_path / "runs").exists() and not (tmp_path / "r").exists()  # --cfg writes nothing


def test_a_sweep_writes_only_under_its_out_folder(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    result = cli("run", "-m", "experiment=smoke", "arm=baseline,synthetic", f"data.root={tmp_path / 'none'}",
                 "--out", str(sweep), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1  # both jobs fail fast on the missing dataset, after Hydra set them up
    for arm in ("baseline", "synthetic"):
        job = sweep / arm / "seed_0"
        assert (job / ".hydra" / "config.yaml").is_file()
        assert "none" in (job / "run.log").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep"]
