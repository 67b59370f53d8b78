"""A tiny multirun through Hydra's submitit launcher with its local executor (as on Slurm, minus Slurm)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import cli

pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="hydra-submitit-launcher is not installed (pip install 'motion-loop[slurm]')")


def test_submitit_local_runs_each_job_in_its_folder(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    result = cli(
        "theory", "heat-death", "-m", "hydra/launcher=submitit_local", "seed=0,1", "generations=4",
        "drift_generations=3", "drift_replicates=2", "progress=false", "--out", str(sweep),
        cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert (sweep / ".submitit").is_dir()  # the jobs went through submitit, not the basic launcher
    for job in (0, 1):
        assert f"seed={job}" in (sweep / str(job) / ".hydra" / "overrides.yaml").read_text()
    summaries = [json.loads((sweep / str(job) / "summary.json").read_text()) for job in (0, 1)]
    assert summaries[0] != summaries[1]  # two seeds, two different results
    assert not (tmp_path / "multirun").exists()  # nothing outside the folder named with --out
