"""`motion-loop evaluator train` and `motion-loop evaluate`: presets compose, tiny end-to-end run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from motion_loop.cli import main
from motion_loop.cli.hydra_utils import compose_config, to_object
from motion_loop.eval.config import EvaluateApp, EvaluatorTrainApp


@pytest.mark.parametrize(("name", "schema"), [("eval/evaluator_train", EvaluatorTrainApp), ("eval/evaluate", EvaluateApp)])
def test_presets_compose(name: str, schema: type) -> None:
    overrides = ["out=x.pt"] if schema is EvaluatorTrainApp else ["evaluator=x.pt"]
    app = to_object(compose_config(name, ["data.root=/data", *overrides]))
    assert isinstance(app, schema) and app.data.root == "/data"


def test_train_and_evaluate_end_to_end(synthetic_root: Path, tmp_path: Path, capsys) -> None:
    checkpoint, results = tmp_path / "ev.pt", tmp_path / "results.json"
    tiny = ["model.text_frontend=hashed", "model.motion_conv=16", "model.motion_hidden=16", "model.text_hidden=32", "model.embed_dim=16"]
    assert main(["evaluator", "train", f"data.root={synthetic_root}", f"out={checkpoint}", "train.epochs=1", *tiny]) == 0
    assert checkpoint.is_file()
    code = main([
        "evaluate", f"evaluator={checkpoint}", f"data.root={synthetic_root}", f"out={results}",
        "metrics.replications=2", "metrics.diversity_times=20", "plausibility.physics=off",
    ])  # fmt: skip
    assert code == 0
    table = capsys.readouterr().out
    assert "r_precision_top3" in table and "not available: disabled" in table
    payload = json.loads(results.read_text())
    assert payload["metrics"]["fid"]["available"] and payload["metrics"]["multimodality"]["mean"] is None
    assert payload["info"]["dataset_matches_evaluator"] is True
    assert payload["config"]["split"] == "test"
    # a folder of "generated" clips (here the dataset itself), captions shuffled as a control
    code = main([
        "evaluate", f"evaluator={checkpoint}", f"data.root={synthetic_root}", f"generated={synthetic_root}",
        "shuffle_captions=true", "metrics.diversity_times=20", "plausibility.enabled=false", f"out={results}",
    ])  # fmt: skip
    assert code == 0
    payload = json.loads(results.read_text())
    assert payload["info"]["set_sizes"] == [80] and "captions shuffled" in payload["info"]["evaluated"]
    assert "jerk" not in payload["metrics"]


def test_evaluate_without_data_root_fails_helpfully(tmp_path: Path, capsys) -> None:
    assert main(["evaluate", f"evaluator={tmp_path / 'x.pt'}"]) == 1
    assert "data.root=DATASET" in capsys.readouterr().err
