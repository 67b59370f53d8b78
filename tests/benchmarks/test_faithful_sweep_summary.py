"""The sweep summary keys runs by arm and seed: it refuses runs at different swept values and leaves out
a shorter copy of a run instead of overwriting one with the other."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
import yaml

from .scripts import load_script


def _run(root: Path, arm: str, seed: int, fids: list[float], *, ratio: float = 1.0) -> None:
    root.mkdir(parents=True)
    loop = {"arm": arm, "seed": seed, "synthetic_ratio": ratio, "generations": len(fids)}
    (root / "config.yaml").write_text(yaml.safe_dump({"loop": loop}))
    with (root / "metrics.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["generation", "node", "fid"])
        writer.writeheader()
        writer.writerows({"generation": g, "node": "model", "fid": fid} for g, fid in enumerate(fids))


def _summarise(sweep: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["faithful_sweep_summary.py", str(sweep), "--out", str(out)])
    load_script("faithful_sweep_summary").main()


def test_runs_at_two_lambdas_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(tmp_path / "a", "synthetic", 0, [1.0, 2.0], ratio=1.0)
    _run(tmp_path / "b", "synthetic", 0, [1.0, 1.5], ratio=0.5)
    with pytest.raises(SystemExit, match="synthetic_ratio"):
        _summarise(tmp_path, tmp_path / "out.json", monkeypatch)


def test_a_generation0_only_copy_does_not_replace_the_full_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(tmp_path / "runs" / "baseline_seed0", "baseline", 0, [1.0, 1.1, 1.2])
    _run(tmp_path / "zz_gen0_only" / "baseline_seed0", "baseline", 0, [1.0])  # sorts after the full run
    (tmp_path / "summary.json").write_text(json.dumps({"comparisons": []}))
    _summarise(tmp_path, tmp_path / "out.json", monkeypatch)
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["generations_done"] == {"baseline_seed0": 2}
    assert list(result["runs"]["baseline_seed0"]) == ["0", "1", "2"]
