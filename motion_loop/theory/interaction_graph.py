"""Experiment: linear-regression learners training on each other's samples along a directed graph.

The verdict of every node comes from the condition derived in motion_loop.theory.graph_condition: a node
stays bounded iff no closed, fresh-free group (an SCC without fresh data or input from outside, a lone
self-loop included) is upstream of it. A path from fresh data is necessary, not sufficient. The runs
(`seeds` seeds) measure each node's late error as a mean over seeds with its 95 % interval.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps
from motion_loop.loop.engine import LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.theory.bands import band, late_slice, seed_list
from motion_loop.theory.closed_forms import regression_random_walk_mse
from motion_loop.theory.common import curves, run_identity, run_seeds, runs_dir, write_outputs
from motion_loop.theory.config import InteractionGraphConfig
from motion_loop.theory.graph_condition import NodeVerdict, verdicts
from motion_loop.theory.interaction import RegressionEvaluator, RegressionLearner, RegressionSource
from motion_loop.theory.plots import plot_interaction

CONDITION = (
    "a node stays bounded iff no closed, fresh-free group (a strongly connected component with no fresh "
    "data and no input from outside it, a lone self-loop included) is upstream of it (its own included); "
    "a directed path from fresh data is necessary but not sufficient"
)


@dataclass(frozen=True)
class InteractionResult:
    records: list[dict[str, Any]]  # one per (seed, generation, node)
    graph: InteractionGraph
    verdicts: dict[str, NodeVerdict]
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


def lone_self_loops(graph: InteractionGraph, cfg: InteractionGraphConfig) -> list[str]:
    """Nodes whose only data is their own samples (the closed form's random walk applies to them)."""
    return [
        node
        for node in graph.nodes
        if graph.in_neighbours(node) == (node,)
        and node not in graph.fresh_nodes
        and not cfg.mixing.keep_real
        and cfg.mixing.pool == "replace"
        and round(cfg.mixing.synthetic_ratio * cfg.real_size) == cfg.real_size
    ]


def run_interaction_graph(cfg: InteractionGraphConfig, out_dir: Path | None) -> InteractionResult:
    """The graph for every seed (run folders out_dir/graph/seed_K, resumable), metrics.csv, summary.json."""
    seeds = seed_list(cfg.seed, cfg.seeds)
    graph = build_graph(cfg)
    records = run_seeds(
        lambda seed: build_spec(cfg, seed=seed),
        seeds,
        generations=cfg.generations,
        run_dir=runs_dir(cfg, out_dir, "graph"),
        identity=lambda seed: run_identity(cfg, seed=seed),
        progress=cfg.progress,
        desc="graph",
    )
    verdict = verdicts(graph, cfg.mixing, cfg.real_size)
    summary = summarise(cfg, graph, verdict, records)
    if out_dir is not None:
        write_outputs(out_dir, records, summary)
        generation = np.arange(cfg.generations)
        walk = {
            node: regression_random_walk_mse(
                generation, noise_std=cfg.noise_std, dim=cfg.dim, real_size=cfg.real_size
            )
            for node in lone_self_loops(graph, cfg)
        }
        plot_interaction(
            records,
            graph,
            {node: v.bounded for node, v in verdict.items()},
            seeds,
            walk,
            out_dir / "plots" / "interaction_graph.png",
        )
    return InteractionResult(records=records, graph=graph, verdicts=verdict, summary=summary)


def summarise(
    cfg: InteractionGraphConfig,
    graph: InteractionGraph,
    verdict: dict[str, NodeVerdict],
    records: list[dict[str, Any]],
) -> dict[str, Any]:
    """Per node: the derived verdict and the measured errors (means over seeds with 95 % intervals)."""
    seeds = seed_list(cfg.seed, cfg.seeds)
    walkers = lone_self_loops(graph, cfg)
    nodes = {}
    for node in graph.nodes:
        error = curves(records, "param_error", seeds, node=node)  # (S, G)
        late = late_slice(error.shape[1], cfg.late_fraction)
        entry: dict[str, Any] = {
            **asdict(verdict[node]),
            "error_gen0": band(error[:, 0]).as_dict(),
            "error_late_mean": band(error[:, late].mean(axis=1)).as_dict(),
            "squared_error_last": band(error[:, -1] ** 2).as_dict(),
            "noise_std_last": band(curves(records, "noise_std", seeds, node=node)[:, -1]).as_dict(),
        }
        if node in walkers:
            entry["squared_error_last_predicted"] = float(
                regression_random_walk_mse(
                    np.array(cfg.generations - 1),
                    noise_std=cfg.noise_std,
                    dim=cfg.dim,
                    real_size=cfg.real_size,
                )
            )
        nodes[node] = entry
    return {"condition": CONDITION, "seeds": seeds, "generations": cfg.generations, "nodes": nodes}
