"""The engine owns the generation index and the score history; evaluators return records and artefacts.

A learner that remembers which generation's fit produced its state shows where each fit started:
continue_from="last" always from the previous generation, "best" from the best-scored one so far
(the engine reloads it from the run folder), and a resumed run starts every fit where the uninterrupted
run did.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps, Arrays
from motion_loop.loop.engine import POINTS, LoopEngine, LoopSpec, best_generation
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.protocols import Evaluation

# Scores of generations 0..5 (lower is better); None: the generation is not evaluated.
SCORES = [5.0, 3.0, None, 4.0, 2.0, 6.0]


class TracingLearner:
    """Its state is the generation whose fit produced it; `starts` logs the state each fit began from."""

    def __init__(self) -> None:
        self.state: int | None = None
        self.starts: list[tuple[int, int | None]] = []

    def fit(self, dataset: Arrays, *, generation: int, rng: np.random.Generator) -> None:
        self.starts.append((generation, self.state))
        self.state = generation

    def sample(self, prompts: Arrays, *, generation: int, rng: np.random.Generator) -> Arrays:
        return Arrays({"x": np.full(len(prompts), float(generation))})

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "state.json").write_text(json.dumps(self.state))

    def load(self, directory: Path) -> None:
        self.state = json.loads((directory / "state.json").read_text())


class ScriptedEvaluator:
    """Scores from SCORES by the generation the engine passes, and one artefact per evaluated generation."""

    def evaluate(self, learner: TracingLearner, *, generation: int, rng: np.random.Generator) -> Evaluation:
        score = SCORES[generation]
        if score is None:
            return Evaluation({})
        return Evaluation({"score": score}, {"trace.npy": np.arange(3) * generation, "trace.json": {"g": generation}})


def _spec(continue_from: str) -> LoopSpec:
    return LoopSpec(
        graph=InteractionGraph.single("m"),
        learners={"m": TracingLearner()},
        real={"m": Arrays({"x": np.zeros(4)})},
        ops=ArrayOps(),
        policy=MixingPolicy(synthetic_ratio=1.0),
        evaluator=ScriptedEvaluator(),
        continue_from=continue_from,
        score_metric="score",
    )


def test_best_generation_is_the_lowest_score_earliest_first() -> None:
    assert best_generation({}) is None
    assert best_generation({0: 5.0, 1: 3.0, 3: 4.0}) == 1
    assert best_generation({0: 2.0, 2: 2.0}) == 0


def test_last_continues_from_the_previous_generation(tmp_path: Path) -> None:
    spec = _spec("last")
    LoopEngine(spec, seed=0).run(6, run_dir=tmp_path, config={})
    assert spec.learners["m"].starts == [(0, None), (1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]


def test_best_continues_from_the_best_scored_generation(tmp_path: Path) -> None:
    spec = _spec("best")
    records = LoopEngine(spec, seed=0).run(6, run_dir=tmp_path, config={})
    # Scores so far before each fit: g2 {0: 5, 1: 3} -> 1; g3 the same (2 unscored) -> 1; g4 adds 3: 4 -> 1;
    # g5 adds 4: 2 -> 4.
    assert spec.learners["m"].starts == [(0, None), (1, 0), (2, 1), (3, 1), (4, 1), (5, 4)]
    assert [r.get("score") for r in records] == SCORES


def test_resumed_run_keeps_the_score_history(tmp_path: Path) -> None:
    LoopEngine(_spec("best"), seed=0).run(4, run_dir=tmp_path, config={})
    resumed = _spec("best")
    LoopEngine(resumed, seed=0).run(6, run_dir=tmp_path, config={})
    # Generation 4 starts from 1, not from 3 (the last one loaded on resume): the history came back.
    assert resumed.learners["m"].starts == [(4, 1), (5, 4)]


def test_best_needs_a_run_folder_and_a_metric() -> None:
    with pytest.raises(ConfigError, match="give run_dir"):
        LoopEngine(_spec("best"), seed=0).run(2)
    spec = _spec("best")
    spec.score_metric = ""
    with pytest.raises(ConfigError, match="needs the score_metric"):
        LoopEngine(spec, seed=0)


def test_artefacts_are_stored_in_the_generation_folder(tmp_path: Path) -> None:
    LoopEngine(_spec("last"), seed=0).run(3, run_dir=tmp_path, config={})
    assert np.array_equal(np.load(tmp_path / "gen_001" / "trace.npy"), np.arange(3))
    assert json.loads((tmp_path / "gen_001" / "trace.json").read_text()) == {"g": 1}
    assert not (tmp_path / "gen_002" / "trace.npy").exists()  # generation 2 was not evaluated
    assert not list(tmp_path.glob("gen_*/.*.tmp"))  # no temporary file left behind


class _Interrupt(Exception):
    """Stands in for a kill at a named point (the motion run's kill_at sends SIGKILL at the same hook)."""


@pytest.mark.parametrize("point", POINTS)
def test_interrupted_at_each_point_resumes_exactly(point: str, tmp_path: Path) -> None:
    from .engine_helpers import make_spec

    policy = MixingPolicy(synthetic_ratio=1.0, fresh_fraction=0.2, pool="accumulate")
    expected = LoopEngine(make_spec(policy, gamma=0.5), seed=3).run(4, run_dir=tmp_path / "whole", config={})

    def interrupt(generation: int, node: str, name: str) -> None:
        if (generation, name) == (2, point):
            raise _Interrupt(name)

    with pytest.raises(_Interrupt):
        LoopEngine(make_spec(policy, gamma=0.5), seed=3).run(4, run_dir=tmp_path / "cut", config={}, on_point=interrupt)
    assert not (tmp_path / "cut" / "gen_002" / "DONE").exists()
    resumed = LoopEngine(make_spec(policy, gamma=0.5), seed=3).run(4, run_dir=tmp_path / "cut", config={})
    assert resumed == expected
