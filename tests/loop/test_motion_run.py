"""`motion-loop run experiment=smoke` end to end: every piece runs, and a killed run resumes exactly.

The whole pipeline runs for real (procedural data, tiny diffusion model, trained evaluator, MuJoCo
physics correction, plots, videos, report). Step counts are lowered from the preset to keep CI fast.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

FAST = ["train.steps=40", "loop.finetune_steps=10", "progress=false"]
_TIMEOUT = 1500  # [s] one run on a loaded 2-core machine


def _command(out_dir: Path, cache_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "motion_loop.cli", "run", "experiment=smoke",
            f"out_dir={out_dir}", f"cache_dir={cache_dir}", *FAST, *extra]  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "MPLBACKEND": "Agg"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("run_cache")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("runs") / "uninterrupted"
    done = subprocess.run(_command(out, cache_dir), env=_env(), capture_output=True, text=True, timeout=_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_smoke_run_writes_every_output(uninterrupted: Path):
    rows = _rows(uninterrupted / "metrics.csv")
    assert [int(r["generation"]) for r in rows] == [0, 1, 2]
    for row in rows:
        assert float(row["fid"]) >= 0 and 0 <= float(row["diversity"])
        stages = [float(row[f"{stage}_seconds"]) for stage in ("fit", "sample", "correct", "evaluate", "store")]
        assert all(seconds > 0 for seconds in stages)  # where a generation's wall time goes
    assert int(rows[1]["n_train"]) == 48 + 12  # n real + round(0.25 n) synthetic
    for generation in range(3):
        folder = uninterrupted / f"gen_{generation:03d}"
        assert (folder / "DONE").is_file() and (folder / "checkpoint.pt").is_file()
        reports = (folder / "correction.jsonl").read_text().splitlines()
        assert len(reports) == 12  # every corrected clip is reported, falls and resets included
        assert (folder / "synthetic" / "new_joint_vecs").is_dir()
        assert (folder / "video_joints.npy").is_file()  # the evaluator's artefacts, stored by the run folder
        per_content = json.loads((folder / "coherence_per_content.json").read_text())
        assert per_content[0]["group"] == "all"  # then one row per content of the prompts
        assert sum(row["clips"] for row in per_content[1:]) == per_content[0]["clips"] > 0
    assert "dropped_train" in rows[0] and (uninterrupted / "dropped_clips.json").is_file()
    assert (uninterrupted / "plots" / "all_metrics.png").is_file()
    assert (uninterrupted / "videos" / "prompt_0.mp4").stat().st_size > 1000
    page = (uninterrupted / "report.html").read_text()
    assert "Physics correction" in page and "per content of the prompts" in page


def test_killed_run_resumes_with_identical_metrics(uninterrupted: Path, tmp_path: Path, cache_dir: Path):
    out = tmp_path / "killed"
    # The run kills itself with SIGKILL at an exact point: in the middle of generation 1, right after its
    # physics correction (kill_at is an execution setting: the resumed run's config is the same run's).
    killed = subprocess.run(_command(out, cache_dir, "kill_at=1:correct"), env=_env(), capture_output=True,
                            text=True, timeout=_TIMEOUT)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-3000:] + killed.stderr[-3000:]
    assert (out / "gen_000" / "DONE").is_file() and (out / "gen_001").is_dir()
    assert not (out / "gen_001" / "DONE").exists() and not (out / "gen_002").exists()
    resumed = subprocess.run(_command(out, cache_dir), env=_env(), capture_output=True, text=True, timeout=_TIMEOUT)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    expected, got = _rows(uninterrupted / "metrics.csv"), _rows(out / "metrics.csv")
    assert len(got) == len(expected)
    # Wall and CPU times of the physics correction are measurements of this machine, not results.
    differing = [(row["generation"], key, row[key], other.get(key)) for row, other in zip(expected, got, strict=True)
                 for key in row if row[key] != other.get(key) and "seconds" not in key]  # fmt: skip
    assert not differing, differing


def test_run_extended_by_more_generations_matches_uninterrupted(uninterrupted: Path, tmp_path: Path, cache_dir: Path):
    out = tmp_path / "extended"
    first = subprocess.run(_command(out, cache_dir, "loop.generations=2"), env=_env(), capture_output=True,
                           text=True, timeout=_TIMEOUT)  # fmt: skip
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "generations: 2" in (out / "config.yaml").read_text()
    extended = subprocess.run(_command(out, cache_dir), env=_env(), capture_output=True, text=True, timeout=_TIMEOUT)
    assert extended.returncode == 0, extended.stdout[-3000:] + extended.stderr[-3000:]
    assert "generations: 3" in (out / "config.yaml").read_text()  # the record holds the current plan
    expected, got = _rows(uninterrupted / "metrics.csv"), _rows(out / "metrics.csv")
    assert len(got) == len(expected) == 3
    differing = [(row["generation"], key, row[key], other.get(key)) for row, other in zip(expected, got, strict=True)
                 for key in row if row[key] != other.get(key) and "seconds" not in key]  # fmt: skip
    assert not differing, differing
