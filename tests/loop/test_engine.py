"""The loop engine: counts per generation, graph wiring, validation, resume after an interruption."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps, Arrays
from motion_loop.loop.engine import LoopEngine, LoopSpec
from motion_loop.loop.errors import MixingError, RunStateError
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.protocols import Correction

from .engine_helpers import MeanEvaluator, RunningMeanLearner, make_spec

CONFIG = {"name": "test"}


@pytest.mark.parametrize(
    ("pool", "expected"), [("replace", [10, 17, 17, 17]), ("accumulate", [10, 17, 24, 31])]
)
def test_training_set_sizes(pool: str, expected: list[int]) -> None:
    policy = MixingPolicy(synthetic_ratio=0.5, fresh_fraction=0.2, pool=pool)
    records = LoopEngine(make_spec(policy), seed=0).run(4)
    assert [r["n_train"] for r in records] == expected
    assert [r["n_incoming"] for r in records] == [0, 7, 7, 7]


def test_correction_is_applied_and_reported(tmp_path) -> None:
    records = LoopEngine(make_spec(MixingPolicy(synthetic_ratio=1.0), gamma=0.5), seed=0).run(
        2, run_dir=tmp_path, config=CONFIG
    )
    assert [r["correction_shift"] for r in records] == [0.5, 0.5]
    assert (tmp_path / "gen_001" / "correction.jsonl").read_text().strip() == '{"shift": 0.5}'


class _DropHalf:
    """Leaves out every second sample, as the physics corrector does with `loop.drop_flagged`."""

    def correct(self, samples: Arrays, *, gamma: float, rng: np.random.Generator, source: object) -> Correction:
        return Correction(Arrays({"x": samples["x"][::2]}), [{"kept": 0.5}])


def test_a_corrector_that_leaves_clips_out_shrinks_the_next_mix() -> None:
    spec = make_spec(MixingPolicy(synthetic_ratio=1.0))
    spec.corrector, spec.gamma = _DropHalf(), 1.0
    records = LoopEngine(spec, seed=0).run(3)
    assert [r["n_samples"] for r in records] == [5, 5, 5]  # 10 drawn, 5 left
    assert [r["n_incoming"] for r in records] == [0, 5, 5]  # lambda n = 10 asked, 5 available
    assert [r["n_train"] for r in records] == [10, 15, 15]


def test_graph_node_trains_on_in_neighbour_samples_only() -> None:
    graph = InteractionGraph.from_spec(["A", "B"], ["A->A", "A->B"], ["A"])
    real = {node: Arrays({"x": np.zeros(20)}) for node in graph.nodes}
    spec = LoopSpec(
        graph=graph,
        learners={node: RunningMeanLearner() for node in graph.nodes},
        real=real,
        ops=ArrayOps(),
        policy=MixingPolicy(synthetic_ratio=1.0, keep_real=False),
        evaluator=MeanEvaluator(),
    )
    records = LoopEngine(spec, seed=1).run(3)
    b = [r for r in records if r["node"] == "B"]
    assert [r["n_train"] for r in b] == [20, 20, 20]


def test_validation_errors() -> None:
    with pytest.raises(
        ConfigError, match=r"gamma \(correction strength\) must lie in \[0, 1\], got 1.5"
    ):
        LoopEngine(make_spec(MixingPolicy(synthetic_ratio=1.0), gamma=1.5), seed=0)
    spec = make_spec(MixingPolicy(synthetic_ratio=1.0, fresh_fraction=0.5))
    spec.fresh = None
    with pytest.raises(ConfigError, match="needs a fresh-data source"):
        LoopEngine(spec, seed=0)
    spec = make_spec(MixingPolicy(synthetic_ratio=0.0, keep_real=False))
    with pytest.raises(MixingError, match="would train on nothing"):
        LoopEngine(spec, seed=0)
    spec = make_spec(MixingPolicy(synthetic_ratio=1.0))
    spec.learners = {"other": RunningMeanLearner()}
    with pytest.raises(ConfigError, match=r"learners must have one entry per graph node \['m'\]"):
        LoopEngine(spec, seed=0)


def _run(run_dir, generations: int, policy: MixingPolicy, evaluator: MeanEvaluator | None = None):
    return LoopEngine(make_spec(policy, evaluator=evaluator), seed=7).run(
        generations, run_dir=run_dir, config=CONFIG
    )


@pytest.mark.parametrize("pool", ["replace", "accumulate"])
def test_resume_after_lost_done_marker_matches_uninterrupted(tmp_path, pool: str) -> None:
    policy = MixingPolicy(synthetic_ratio=1.0, fresh_fraction=0.3, pool=pool)
    reference = _run(tmp_path / "a", 3, policy)
    _run(tmp_path / "b", 3, policy)
    (
        tmp_path / "b" / "gen_002" / "DONE"
    ).unlink()  # as if killed before the marker: redo generation 2
    resumed = _run(tmp_path / "b", 3, policy)
    assert resumed == reference
    assert (tmp_path / "b" / "metrics.csv").read_text() == (
        tmp_path / "a" / "metrics.csv"
    ).read_text()
    assert all((tmp_path / "b" / f"gen_{g:03d}" / "DONE").is_file() for g in range(3))


@pytest.mark.parametrize("pool", ["replace", "accumulate"])
def test_resume_after_kill_mid_generation_matches_uninterrupted(tmp_path, pool: str) -> None:
    policy = MixingPolicy(synthetic_ratio=0.5, fresh_fraction=0.2, pool=pool)
    reference = _run(tmp_path / "a", 5, policy)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path / "b", 5, policy, MeanEvaluator(fail_at_call=4))  # dies inside generation 3
    assert (tmp_path / "b" / "gen_003").is_dir() and not (
        tmp_path / "b" / "gen_003" / "DONE"
    ).exists()
    assert _run(tmp_path / "b", 5, policy) == reference


def test_extending_a_finished_run(tmp_path) -> None:
    policy = MixingPolicy(synthetic_ratio=1.0, pool="accumulate")
    reference = _run(tmp_path / "a", 4, policy)
    _run(tmp_path / "b", 2, policy)
    assert _run(tmp_path / "b", 4, policy) == reference


def test_resume_refuses_another_config(tmp_path) -> None:
    _run(tmp_path, 1, MixingPolicy(synthetic_ratio=1.0))
    with pytest.raises(RunStateError, match=r"another config \(keys differing: \['name'\]\)"):
        LoopEngine(make_spec(MixingPolicy(synthetic_ratio=1.0)), seed=7).run(
            2, run_dir=tmp_path, config={"name": "other"}
        )


def test_planned_generations_may_grow_on_resume_and_the_record_follows(tmp_path) -> None:
    policy = MixingPolicy(synthetic_ratio=1.0, pool="accumulate")
    reference = _run(tmp_path / "a", 4, policy)

    def run(generations: int, width: int = 8) -> list:
        config = {"loop": {"generations": generations}, "model": {"width": width}}
        return LoopEngine(make_spec(policy), seed=7).run(
            generations, run_dir=tmp_path / "b", config=config, config_extendable=("loop.generations",)
        )

    def recorded() -> int:
        return yaml.safe_load((tmp_path / "b" / "config.yaml").read_text())["loop"]["generations"]

    run(2)
    assert run(4) == reference and recorded() == 4
    assert len(run(3)) == 3 and recorded() == 4  # a smaller plan reads the first generations, keeps the record
    with pytest.raises(RunStateError, match=r"keys differing: \['model.width'\]"):
        run(5, width=16)  # other settings are still compared
    assert recorded() == 4


def test_resume_names_nested_settings_and_skips_ignored_ones(tmp_path) -> None:
    def run(config: dict) -> None:
        LoopEngine(make_spec(MixingPolicy(synthetic_ratio=1.0)), seed=7).run(
            2, run_dir=tmp_path, config=config, config_ignore=("model.cache",)
        )

    run({"model": {"cache": "/a", "width": 8}})
    run({"model": {"cache": "/b", "width": 8}})  # a cache location may move between sessions
    with pytest.raises(RunStateError, match=r"keys differing: \['model.width'\]"):
        run({"model": {"cache": "/b", "width": 16}})


def test_gap_in_run_folder_is_reported(tmp_path) -> None:
    _run(tmp_path, 3, MixingPolicy(synthetic_ratio=1.0))
    shutil.rmtree(tmp_path / "gen_001")
    with pytest.raises(RunStateError, match="has a gap"):
        _run(tmp_path, 3, MixingPolicy(synthetic_ratio=1.0))


def test_one_node_run_uses_the_flat_generation_layout(tmp_path) -> None:
    _run(tmp_path, 2, MixingPolicy(synthetic_ratio=1.0))
    names = sorted(p.name for p in (tmp_path / "gen_001").iterdir())
    assert names == ["DONE", "incoming", "mean.txt", "metrics.json", "synthetic"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "config.yaml",
        "gen_000",
        "gen_001",
        "metrics.csv",
    ]
