"""Errors of the tool end a command as one line on stderr and exit status 1; --debug shows the traceback.

Two tests run the command in a child process, as a shell would (exit status, stderr, no traceback);
the others call `main` in-process, which is the same code path and much faster.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from motion_loop.cli import main
from motion_loop.errors import DataFormatError
from tests.cli.helpers import cli


def _one_line(code: int, stderr: str) -> str:
    errors = [line for line in stderr.splitlines() if ": error: " in line]
    assert code == 1, stderr
    assert "Traceback" not in stderr, stderr
    assert len(errors) == 1, stderr
    return errors[0]


def test_data_format_error_is_one_line_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    args = ("data", "import", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    result = cli(*args, cwd=tmp_path)
    line = _one_line(result.returncode, result.stderr)
    assert line.startswith("motion-loop data: error: ") and "missing" in line and "does not exist" in line
    flagged = cli("--debug", *args, cwd=tmp_path)
    assert flagged.returncode != 0 and "Traceback" in flagged.stderr and "DataFormatError" in flagged.stderr


def test_error_inside_a_hydra_job_is_one_line_and_logged(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = cli("run", "experiment=smoke", f"data.root={tmp_path / 'no_dataset'}", "--out", str(out), cwd=tmp_path)
    line = _one_line(result.returncode, result.stderr)
    assert line.startswith("motion-loop run: error: ") and "no_dataset" in line
    assert "no_dataset" in (out / "run.log").read_text()


def test_debug_variable_raises_the_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTION_LOOP_DEBUG", "1")
    with pytest.raises(DataFormatError, match="does not exist"):
        main(["data", "import", str(tmp_path / "missing"), "--out", str(tmp_path / "out")])


def test_unwritable_output_is_one_line_naming_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    code = main(["data", "procedural", "--out", str(blocker / "set"), "--clips", "2", "--quiet"])
    assert "a_file" in _one_line(code, capsys.readouterr().err)


def test_physics_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["correct", str(tmp_path), "--out", str(tmp_path / "out"), "physics.mpc=bogus"])
    line = _one_line(code, capsys.readouterr().err)
    assert line.startswith("motion-loop correct: error: ") and "bogus" in line


def test_bad_override_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line(main(["train", "train.steps=many", "--cfg"]), capsys.readouterr().err)
    assert "many" in line


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bogus"]) == 2
    assert "unknown command 'bogus'" in capsys.readouterr().err
