"""A tiny stateful learner and spec builder for the engine tests (imported by test_engine.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motion_loop.loop.arrays import ArrayOps, Arrays
from motion_loop.loop.engine import LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.protocols import Evaluation


class RunningMeanLearner:
    """Stateful on purpose: the new mean blends the old one, so a resume must restore the state."""

    def __init__(self) -> None:
        self.mean = 0.0

    def fit(self, dataset: Arrays, *, generation: int, rng: np.random.Generator) -> None:
        self.mean = 0.5 * self.mean + 0.5 * float(dataset["x"].mean())

    def sample(self, prompts: Arrays, *, generation: int, rng: np.random.Generator) -> Arrays:
        return Arrays({"x": self.mean + rng.standard_normal(len(prompts))})

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "mean.txt").write_text(repr(self.mean))

    def load(self, directory: Path) -> None:
        self.mean = float((directory / "mean.txt").read_text())


class NormalSource:
    def draw(self, count: int, *, rng: np.random.Generator) -> Arrays:
        return Arrays({"x": 3.0 + rng.standard_normal(count)})


class MeanEvaluator:
    def __init__(self, fail_at_call: int | None = None) -> None:
        self.calls, self.fail_at_call = 0, fail_at_call

    def evaluate(self, learner: RunningMeanLearner, *, generation: int, rng: np.random.Generator) -> Evaluation:
        self.calls += 1
        if self.calls == self.fail_at_call:
            raise KeyboardInterrupt("simulated kill")
        return Evaluation({"mean": learner.mean, "noise": float(rng.standard_normal())})


class ShiftCorrector:
    def correct(self, samples: Arrays, *, gamma: float, rng: np.random.Generator, source: object):
        from motion_loop.loop.protocols import Correction

        return Correction(Arrays({"x": samples["x"] + gamma}), [{"shift": gamma}])


def make_spec(
    policy: MixingPolicy,
    *,
    evaluator: MeanEvaluator | None = None,
    n_real: int = 10,
    gamma: float = 0.0,
) -> LoopSpec:
    return LoopSpec(
        graph=InteractionGraph.single("m"),
        learners={"m": RunningMeanLearner()},
        real={"m": Arrays({"x": np.linspace(-1.0, 1.0, n_real)})},
        ops=ArrayOps(),
        policy=policy,
        evaluator=evaluator or MeanEvaluator(),
        corrector=ShiftCorrector() if gamma > 0 else None,
        gamma=gamma,
        fresh=NormalSource(),
    )
