"""Experiment: linear-regression learners training on each other's samples along a directed graph.

Condition tested: a node stays bounded iff it has a directed path from a fresh-data node; nodes
without such a path (a closed group, or a node feeding only itself) drift as a random walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps
from motion_loop.loop.engine import LoopEngine, LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.theory.common import column, run_identity, write_outputs
from motion_loop.theory.config import InteractionGraphConfig
from motion_loop.theory.interaction import RegressionEvaluator, RegressionLearner, RegressionSource
from motion_loop.theory.plots import plot_interaction


@dataclass(frozen=True)
class InteractionResult:
    records: list[dict[str, Any]]  # one per (generation, node)
    graph: InteractionGraph
    summary: dict[str, Any]


def build_graph(cfg: InteractionGraphConfig) -> InteractionGraph:
    graph = InteractionGraph.from_spec(cfg.nodes, cfg.edges, cfg.fresh_nodes)
    if cfg.require_fresh_node:
        graph.require_fresh_node()
    return graph


def build_spec(cfg: InteractionGraphConfig, *, seed: int) -> LoopSpec:
    if cfg.real_size <= cfg.dim:
        raise ConfigError(
            f"real_size must exceed dim={cfg.dim} for least squares, got {cfg.real_size}"
        )
    graph = build_graph(cfg)
    weights = np.full(cfg.dim, cfg.true_weight)
    source = RegressionSource(weights, cfg.noise_std)
    return LoopSpec(
        graph=graph,
        learners={node: RegressionLearner(cfg.dim) for node in graph.nodes},
        real={
            node: source.draw(cfg.real_size, rng=derive_rng(seed, 0, k, Stream.SETUP))
            for k, node in enumerate(graph.nodes)
        },
        ops=ArrayOps(),
        policy=cfg.mixing,
        evaluator=RegressionEvaluator(weights),
        fresh=source,
    )


def run_interaction_graph(cfg: InteractionGraphConfig, out_dir: Path | None) -> InteractionResult:
    """One run of the whole graph (run folder out_dir/graph, resumable), metrics.csv, summary.json."""
    spec = build_spec(cfg, seed=cfg.seed)
    records = LoopEngine(spec, seed=cfg.seed).run(
        cfg.generations,
        run_dir=None if out_dir is None else out_dir / "graph",
        config=run_identity(cfg),
        progress=cfg.progress,
        desc="graph",
    )
    summary = summarise(spec.graph, records)
    if out_dir is not None:
        write_outputs(out_dir, records, summary)
        plot_interaction(records, spec.graph, out_dir / "plots" / "interaction_graph.png")
    return InteractionResult(records=records, graph=spec.graph, summary=summary)


def summarise(graph: InteractionGraph, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per node: anchored (path from fresh data) or not, gen-0 error and mean error of the last quarter."""
    anchored = graph.reachable_from_fresh()
    nodes = {}
    for node in graph.nodes:
        error = column(records, "param_error", node=node)
        nodes[node] = {
            "anchored": node in anchored,
            "error_gen0": float(error[0]),
            "error_late_mean": float(error[-max(1, len(error) // 4) :].mean()),
            "noise_std_last": float(column(records, "noise_std", node=node)[-1]),
        }
    return {"condition": "bounded iff a directed path from a fresh-data node", "nodes": nodes}
