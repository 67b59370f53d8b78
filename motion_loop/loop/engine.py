"""The generation loop: for each generation and node, build the training set, fit, sample, correct,
evaluate; write each generation to the run folder and resume after the last complete one.

Per node and generation g the engine stores in the node's folder (`gen_g/` itself for a one-node graph,
as in DESIGN.md's run layout, else `gen_g/<node>/`):
    (learner files)   the learner's state, written by `Learner.save(folder)` (e.g. checkpoint.pt); the
                      names below and metrics.json / DONE are reserved
    incoming/         the items it received this generation (fresh + in-neighbours' samples), g >= 1
    synthetic/        its (corrected) samples, which its out-neighbours train on in generation g+1
    correction.jsonl  the corrector's reports (when there is a corrector)
    (artefacts)       the evaluator's artefacts (`Evaluation.artefacts`, e.g. video_joints.npy)
Pools are rebuilt on resume from the `incoming/` folders, so an accumulated pool is stored once.

The engine passes each generation's index to the learner and the evaluator, and keeps each node's score
history (the evaluator's `score_metric` per evaluated generation, rebuilt from metrics.json on resume):
with `continue_from="best"` it loads the best-scored generation's state into the learner before a fit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from tqdm import tqdm

from motion_loop.errors import ConfigError
from motion_loop.io import atomic_save_npy, atomic_write_json
from motion_loop.loop.errors import MixingError, RunStateError
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import (
    MixingPolicy,
    build_training_set,
    fresh_count,
    next_pool,
    split_evenly,
    synthetic_count,
)
from motion_loop.loop.protocols import (
    Corrector,
    Dataset,
    DatasetOps,
    Evaluator,
    FreshSource,
    Learner,
)
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.loop.run_state import RunFolder, atomic_write_text

_INCOMING_DIR = "incoming"
_SYNTHETIC_DIR = "synthetic"
_CORRECTION_FILE = "correction.jsonl"
CONTINUE_FROM = ("last", "best")
# Named points of a node's generation, in order, at which `run(on_point=...)` is called (e.g. by a test
# that kills the process there to check that the run resumes exactly).
POINTS = ("fit", "sample", "correct", "evaluate", "stored")


LearnerT = TypeVar("LearnerT", bound=Learner)


@dataclass
class LoopSpec(Generic[LearnerT]):
    """Everything one loop run is made of.

    Attributes:
        graph: the interaction graph (`InteractionGraph.single()` for the ordinary loop).
        learners: one learner per graph node; the engine fits it in place every generation.
        real: each node's real dataset (generation 0's training set; prompts are drawn from it).
        ops: the adapter for the dataset kind.
        policy: the data-mixing policy.
        evaluator: scores each node after each generation.
        corrector: optional; applied to every node's samples with strength `gamma`.
        gamma: correction strength in [0, 1].
        fresh: source of fresh data; required when fresh_fraction > 0 and the graph has fresh nodes.
        record_fields: fixed numeric fields added to every record (e.g. how many real clips were
            dropped when the data was read), so that they reach metrics.json and metrics.csv.
        continue_from: "last" (each fit continues from the learner's state) or "best" (from the state of
            the generation with the lowest `score_metric` so far; needs a run folder to reload it).
        score_metric: the evaluator's metric that "best" minimises (e.g. "fid").
        stage_timings: add each stage's wall time to the records (`sample_seconds`, `correct_seconds`,
            `evaluate_seconds`, `store_seconds`; the learner reports its own fit time). Off for the theory
            models, whose records must be identical between runs.
    """

    graph: InteractionGraph
    learners: Mapping[str, LearnerT]
    real: Mapping[str, Dataset]
    ops: DatasetOps
    policy: MixingPolicy
    evaluator: Evaluator[LearnerT]
    corrector: Corrector[LearnerT] | None = None
    gamma: float = 0.0
    fresh: FreshSource | None = None
    record_fields: Mapping[str, float] = field(default_factory=dict)
    continue_from: str = "last"
    score_metric: str = ""
    stage_timings: bool = False

    def validate(self) -> None:
        """Raise a MotionLoopError subclass naming what is missing or out of range."""
        self.policy.validate()
        if self.continue_from not in CONTINUE_FROM:
            raise ConfigError(f"continue_from must be one of {list(CONTINUE_FROM)}, got {self.continue_from!r}")
        if self.continue_from == "best" and not self.score_metric:
            raise ConfigError('continue_from="best" needs the score_metric it minimises, got none')
        nodes = set(self.graph.nodes)
        for name, mapping in (("learners", self.learners), ("real", self.real)):
            if set(mapping) != nodes:
                raise ConfigError(
                    f"{name} must have one entry per graph node {sorted(nodes)}, got {sorted(mapping)}"
                )
        if not 0.0 <= self.gamma <= 1.0:
            raise ConfigError(f"gamma (correction strength) must lie in [0, 1], got {self.gamma!r}")
        if self.gamma > 0.0 and self.corrector is None:
            raise ConfigError(
                f"gamma={self.gamma} asks for a correction but no corrector was given"
            )
        needs_fresh = self.policy.fresh_fraction > 0.0 and bool(self.graph.fresh_nodes)
        if needs_fresh and self.fresh is None:
            raise ConfigError(
                f"fresh_fraction={self.policy.fresh_fraction} with fresh-data nodes "
                f"{sorted(self.graph.fresh_nodes)} needs a fresh-data source, got none"
            )
        if not self.policy.keep_real:
            for node in self.graph.nodes:
                gets_fresh = fresh_count(
                    self.policy,
                    self.ops.size(self.real[node]),
                    gets_fresh=node in self.graph.fresh_nodes,
                )
                gets_synthetic = self.policy.synthetic_ratio > 0 and bool(
                    self.graph.in_neighbours(node)
                )
                if not (gets_fresh or gets_synthetic):
                    raise MixingError(
                        f"node {node!r} would train on nothing after generation 0: keep_real=False and it "
                        "has no fresh data and no in-edges with synthetic_ratio > 0"
                    )


@dataclass
class _NodeState:
    samples: Dataset | None  # this node's (corrected) samples of the last generation
    pool: list[Dataset]  # incoming batches it trains on (see MixingPolicy.pool)
    scores: dict[int, float] = field(default_factory=dict)  # generation -> score_metric (lower is better)


def best_generation(scores: Mapping[int, float]) -> int | None:
    """The generation with the lowest score (the earliest among equals); None when nothing was scored."""
    if not scores:
        return None
    return min(scores, key=lambda generation: (scores[generation], generation))


def _store_artefacts(directory: Path, artefacts: Mapping[str, Any]) -> None:
    """Write an evaluator's artefacts atomically: ".npy" names as arrays, ".json" names as JSON."""
    for name, value in artefacts.items():
        if Path(name).name != name:
            raise ConfigError(f"artefact names are plain file names, got {name!r}")
        if name.endswith(".npy"):
            atomic_save_npy(directory / name, np.asarray(value))
        elif name.endswith(".json"):
            atomic_write_json(directory / name, value)
        else:
            raise ConfigError(f"artefact {name!r}: the run folder stores '.npy' and '.json' artefacts only")


def summarise_reports(reports: list[dict[str, Any]]) -> dict[str, float]:
    """Mean of every numeric field over the correction reports, as `correction_<field>` metrics."""
    values: dict[str, list[float]] = {}
    for report in reports:
        for key, value in report.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values.setdefault(key, []).append(float(value))
    return {f"correction_{key}": float(np.mean(items)) for key, items in values.items()}


def _write_jsonl(path: Path, reports: list[dict[str, Any]]) -> None:
    atomic_write_text(path, "".join(json.dumps(report) + "\n" for report in reports))


class LoopEngine(Generic[LearnerT]):
    """Runs a `LoopSpec` for a number of generations, optionally persisting to a run folder."""

    def __init__(self, spec: LoopSpec[LearnerT], *, seed: int) -> None:
        spec.validate()
        self.spec = spec
        self.seed = seed
        self._index = {node: k for k, node in enumerate(spec.graph.nodes)}

    def _node_dir(self, gen_dir: Path, node: str) -> Path:
        return gen_dir if len(self.spec.graph.nodes) == 1 else gen_dir / node

    def _rng(self, generation: int, node: str, stream: Stream) -> np.random.Generator:
        return derive_rng(self.seed, generation, self._index[node], stream)

    def _sample_counts(self) -> dict[str, int]:
        """How many samples each node draws per generation: enough for each out-neighbour's share."""
        spec = self.spec
        counts: dict[str, int] = {}
        for node in spec.graph.nodes:
            needs = [synthetic_count(spec.policy, spec.ops.size(spec.real[node]))]
            for target in spec.graph.out_neighbours(node):
                sources = spec.graph.in_neighbours(target)
                shares = split_evenly(
                    synthetic_count(spec.policy, spec.ops.size(spec.real[target])), len(sources)
                )
                needs.append(shares[sources.index(node)])
            counts[node] = max(needs)
        return counts

    def _incoming(
        self, generation: int, node: str, states: Mapping[str, _NodeState]
    ) -> Dataset | None:
        """Fresh items plus this node's share of each in-neighbour's samples of generation g-1."""
        spec = self.spec
        rng = self._rng(generation, node, Stream.MIX)
        n_real = spec.ops.size(spec.real[node])
        parts: list[Dataset] = []
        n_fresh = fresh_count(spec.policy, n_real, gets_fresh=node in spec.graph.fresh_nodes)
        if n_fresh > 0:
            assert spec.fresh is not None  # checked by LoopSpec.validate
            parts.append(spec.fresh.draw(n_fresh, rng=rng))
        sources = spec.graph.in_neighbours(node)
        shares = split_evenly(synthetic_count(spec.policy, n_real), len(sources))
        for source, share in zip(sources, shares, strict=True):
            samples = states[source].samples
            if share == 0 or samples is None:
                continue
            available = spec.ops.size(samples)
            if available < share and spec.corrector is None:
                raise RunStateError(
                    f"node {source!r} has {available} samples, {node!r} needs {share}"
                )
            # A corrector may have left out clips it could not correct plausibly: take what is left.
            take = min(share, available)
            if take == 0:
                continue
            parts.append(spec.ops.take(samples, rng.choice(available, size=take, replace=False)))
        return spec.ops.concat(parts) if parts else None

    def _resume(self, folder: RunFolder, done: int) -> dict[str, _NodeState]:
        """Learner states, last samples and pools after generation `done - 1`."""
        spec = self.spec
        last = folder.gen_dir(done - 1)
        states: dict[str, _NodeState] = {}
        for node in spec.graph.nodes:
            node_dir = self._node_dir(last, node)
            spec.learners[node].load(node_dir)
            samples = (
                spec.ops.load(node_dir / _SYNTHETIC_DIR)
                if (node_dir / _SYNTHETIC_DIR).exists()
                else None
            )
            pool: list[Dataset] = []
            for generation in range(1, done):
                path = self._node_dir(folder.gen_dir(generation), node) / _INCOMING_DIR
                pool = next_pool(spec.policy, pool, spec.ops.load(path) if path.exists() else None)
                pool = [spec.ops.concat(pool)] if len(pool) > 1 else pool
            states[node] = _NodeState(samples=samples, pool=pool)
        return states

    def run(
        self,
        generations: int,
        *,
        run_dir: Path | None = None,
        config: Mapping[str, Any] | None = None,
        config_ignore: Sequence[str] = (),
        config_extendable: Sequence[str] = (),
        progress: bool = False,
        desc: str = "generations",
        on_generation: Callable[[int, list[dict[str, Any]]], None] | None = None,
        on_point: Callable[[int, str, str], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Run generations 0..`generations`-1 (resuming after the last DONE one in `run_dir`).

        Args:
            generations: total number of generations, generation 0 (real data only) included.
            run_dir: run folder; None keeps everything in memory (tests, sweeps of many replicates).
            config: the run's config, written to config.yaml and checked on resume.
            config_ignore: dotted paths of `config` written but not checked on resume (cache locations).
            config_extendable: dotted paths of counts a resumed run may raise (its planned generations).
            progress: show a tqdm bar over generations.
            on_generation: called with (generation, its records) after each generation is stored
                (e.g. to log TensorBoard scalars); not called for generations loaded on resume.
            on_point: called with (generation, node, point) after each of a node's steps (`POINTS`):
                a deterministic place to interrupt a run in tests.

        Returns:
            One flat record per (generation, node): generation, node, counts and the evaluator's metrics.
        """
        if generations < 1:
            raise ConfigError(
                f"generations must be >= 1 (generation 0 included), got {generations}"
            )
        spec = self.spec
        if spec.continue_from == "best" and run_dir is None:
            raise ConfigError('continue_from="best" reloads earlier generations from the run folder: give run_dir')
        folder = RunFolder(run_dir) if run_dir is not None else None
        records: list[dict[str, Any]] = []
        done = 0
        states = {node: _NodeState(samples=None, pool=[]) for node in spec.graph.nodes}
        if folder is not None:
            folder.open(dict(config or {}), ignore=config_ignore, extendable=config_extendable)
            done = min(folder.completed(), generations)
            for generation in range(done):
                records += folder.read_records(generation)
            if done > 0:
                states = self._resume(folder, done)
            for record in records:  # the score history, as the uninterrupted run built it
                score = record.get(spec.score_metric) if spec.score_metric else None
                if isinstance(score, (int, float)):
                    states[record["node"]].scores[int(record["generation"])] = float(score)
        counts = self._sample_counts()
        for generation in tqdm(
            range(done, generations),
            desc=desc,
            disable=not progress,
            initial=done,
            total=generations,
        ):
            if folder is not None:
                folder.begin(generation)
            incoming = {
                node: self._incoming(generation, node, states) if generation > 0 else None
                for node in spec.graph.nodes
            }
            new_records = []
            for node in spec.graph.nodes:
                record = self._step(
                    generation, node, states[node], incoming[node], counts[node], folder, on_point
                )
                new_records.append(record)
            if folder is not None:
                folder.finish(generation, new_records)
            records += new_records
            if folder is not None:
                folder.write_csv(records)
            if on_generation is not None:
                on_generation(generation, new_records)
        return records

    def _step(
        self,
        generation: int,
        node: str,
        state: _NodeState,
        incoming: Dataset | None,
        n_samples: int,
        folder: RunFolder | None,
        on_point: Callable[[int, str, str], None] | None = None,
    ) -> dict[str, Any]:
        """One node's generation: mix, fit, sample, correct, evaluate, store; updates `state`."""

        timings: dict[str, float] = {}
        stage_start = time.perf_counter()

        def point(name: str) -> None:
            nonlocal stage_start
            now = time.perf_counter()
            timings[f"{name}_seconds"] = now - stage_start
            stage_start = now
            if on_point is not None:
                on_point(generation, node, name)

        spec = self.spec
        learner = spec.learners[node]
        gen_dir = folder.gen_dir(generation) if folder is not None else None
        if generation > 0:
            pool = next_pool(spec.policy, state.pool, incoming)
            # One merged batch keeps an accumulated pool O(n) per generation instead of a growing list.
            state.pool = [spec.ops.concat(pool)] if len(pool) > 1 else pool
        train = build_training_set(
            spec.policy, real=spec.real[node], pool=state.pool, ops=spec.ops, generation=generation
        )
        if generation > 0 and spec.continue_from == "best":
            best = best_generation(state.scores)
            if best is not None and best != generation - 1:
                assert folder is not None  # checked in run()
                learner.load(self._node_dir(folder.gen_dir(best), node))
        learner.fit(train, generation=generation, rng=self._rng(generation, node, Stream.FIT))
        point("fit")  # the learner records its own fit time; this one also holds the mixing
        prompts = spec.ops.prompts(
            spec.real[node], n_samples, rng=self._rng(generation, node, Stream.PROMPTS)
        )
        samples = learner.sample(
            prompts, generation=generation, rng=self._rng(generation, node, Stream.SAMPLE)
        )
        point("sample")
        reports: list[dict[str, Any]] = []
        summary: dict[str, float] = {}
        if spec.corrector is not None:
            correction = spec.corrector.correct(
                samples,
                gamma=spec.gamma,
                rng=self._rng(generation, node, Stream.CORRECT),
                source=learner,
            )
            samples, reports = correction.samples, correction.reports
            summary = correction.summary if correction.summary is not None else summarise_reports(reports)
        point("correct")
        state.samples = samples
        evaluation = spec.evaluator.evaluate(
            learner, generation=generation, rng=self._rng(generation, node, Stream.EVALUATE)
        )
        point("evaluate")
        metrics = evaluation.metrics
        score = metrics.get(spec.score_metric) if spec.score_metric else None
        if score is not None:
            state.scores[generation] = float(score)
        if gen_dir is not None:
            node_dir = self._node_dir(gen_dir, node)
            node_dir.mkdir(parents=True, exist_ok=True)
            learner.save(node_dir)
            spec.ops.save(samples, node_dir / _SYNTHETIC_DIR)
            if incoming is not None:
                spec.ops.save(incoming, node_dir / _INCOMING_DIR)
            if spec.corrector is not None:
                _write_jsonl(node_dir / _CORRECTION_FILE, reports)
            _store_artefacts(node_dir, evaluation.artefacts)
        point("stored")
        return {
            "generation": generation,
            "node": node,
            "n_train": spec.ops.size(train),
            "n_incoming": 0 if incoming is None else spec.ops.size(incoming),
            "n_samples": spec.ops.size(samples),
            **{key: float(value) for key, value in spec.record_fields.items()},
            **{key: float(value) for key, value in metrics.items()},
            **summary,
            **(_stage_timings(timings) if spec.stage_timings else {}),
        }


def _stage_timings(timings: Mapping[str, float]) -> dict[str, float]:
    """The stages after the fit, by their `POINTS` names: sample, correct, evaluate, store(d)."""
    renamed = {"stored_seconds": "store_seconds"}
    return {renamed.get(key, key): value for key, value in timings.items() if key != "fit_seconds"}
