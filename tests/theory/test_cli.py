"""`motion-loop theory NAME`: every preset composes, runs tiny, writes its outputs; -m sweeps; errors."""

from __future__ import annotations

import json
import sys

import pytest

from motion_loop.cli import main
from motion_loop.cli.hydra_utils import compose_config, to_object
from motion_loop.cli.theory import EXPERIMENTS
from motion_loop.theory.config import register_theory_configs

TINY = {
    "heat-death": ["generations=3", "drift_generations=3", "drift_replicates=2", "seeds=2"],
    "gaussian-correction": ["generations=3", "lambdas=[2.0]", "gammas=[0.0,1.0]", "seeds=2"],
    "gaussian-figure2": ["generations=3", "gammas=[0.0,5.0]", "seeds=2"],
    "stability-map": [
        "generations=3",
        "lambdas=[0.5,4.0]",
        "gammas=[0.0,2.0]",
        "seeds=2",
        "keep_runs=true",
    ],
    "interaction-graph": ["generations=3", "seeds=2"],
    "digits": [
        "generations=2",
        "seeds=2",
        "train_size=100",
        "clusters=5",
        "hidden=16",
        "diffusion_steps=4",
        "initial_steps=5",
        "finetune_steps=2",
        "eval_samples=30",
    ],
}
PLOTS = {
    "heat-death": "heat_death.png",
    "gaussian-correction": "gaussian_correction.png",
    "gaussian-figure2": "gaussian_correction.png",
    "stability-map": "stability_map.png",
    "interaction-graph": "interaction_graph.png",
    "digits": "digits_collapse.png",
}


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_preset_composes_to_its_schema(name: str) -> None:
    register_theory_configs()
    config = to_object(compose_config(EXPERIMENTS[name][0], []))
    assert config.generations > 1 and config.out_dir == "" and config.seeds >= 5


# gaussian-figure2 shares gaussian-correction's runner and plot (its preset composes above).
@pytest.mark.parametrize("name", [name for name in EXPERIMENTS if name != "gaussian-figure2"])
def test_theory_command_writes_outputs(tmp_path, name: str) -> None:
    out = tmp_path / name
    assert main(["theory", name, f"out_dir={out}", "progress=false", *TINY[name]]) == 0
    assert (
        (out / "metrics.csv")
        .read_text()
        .startswith(("temperature,", "synthetic_ratio,", "seed,", "gamma,"))
    )
    assert (out / "plots" / PLOTS[name]).stat().st_size > 10_000
    assert json.loads((out / "summary.json").read_text())
    run_dirs = [p for p in out.glob("*/seed_*") if (p / "config.yaml").is_file()]
    last = int(next(o for o in TINY[name] if o.startswith("generations=")).split("=")[1]) - 1
    assert len(run_dirs) >= 2 and all((p / f"gen_{last:03d}" / "DONE").is_file() for p in run_dirs)
    if name == "interaction-graph":
        # Re-running the same command resumes: nothing to do, same numbers.
        before = (out / "metrics.csv").read_text()
        assert main(["theory", name, f"out_dir={out}", "progress=false", *TINY[name]]) == 0
        assert (out / "metrics.csv").read_text() == before


def test_multirun_sweeps_one_folder_per_job(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", list(sys.argv))  # Hydra reads and the CLI sets sys.argv
    argv = [
        "theory",
        "interaction-graph",
        "-m",
        "seed=0,1",
        "seeds=2",
        "generations=2",
        "progress=false",
        f"hydra.sweep.dir={tmp_path}",
    ]
    assert main(argv) == 0
    for job in ("0", "1"):
        assert (tmp_path / job / "metrics.csv").is_file()
        assert (tmp_path / job / "graph" / f"seed_{job}" / "gen_001" / "DONE").is_file()


def test_bad_values_fail_with_a_clear_message(tmp_path, capsys) -> None:
    assert main(["theory", "heat-death", f"out_dir={tmp_path}", "temperatures=[0.0]"]) == 1
    assert "temperature (tau) must be a finite number > 0, got 0.0" in capsys.readouterr().err
    assert main(["theory", "gaussian-correction", f"out_dir={tmp_path}", "gammas=[-1.0]"]) == 1
    assert (
        "gamma (Gillman's correction strength) must be finite and >= 0, got -1.0"
        in capsys.readouterr().err
    )
    assert main(["theory", "heat-death", f"out_dir={tmp_path}", "seeds=1"]) == 1
    assert (
        "seeds must be >= 2 (every theory number comes with an interval over seeds), got 1"
        in capsys.readouterr().err
    )
    assert (
        main(["theory", "interaction-graph", f"out_dir={tmp_path}", "mixing.synthetic_ratio=-1"])
        == 1
    )
    assert (
        "synthetic_ratio (lambda) must be a finite number >= 0, got -1.0" in capsys.readouterr().err
    )
    assert main(["theory", "nope"]) == 1
    assert "unknown theory experiment 'nope'; available: heat-death" in capsys.readouterr().err
