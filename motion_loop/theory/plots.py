"""Trajectory plots of the theory experiments (matplotlib Figure objects, Agg canvas, no pyplot state)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from motion_loop.loop.graph import InteractionGraph
from motion_loop.theory.common import column


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    return path


def plot_heat_death(
    records: Sequence[dict[str, Any]],
    temperatures: Sequence[float],
    drift: Sequence[Any],
    path: Path,
) -> Path:
    """Max probability and entropy vs generation per temperature; tau = 1 drift vs initial size."""
    figure = Figure(figsize=(13, 4), layout="constrained")
    axes = figure.subplots(1, 3)
    for temperature in temperatures:
        generation = column(records, "generation", temperature=temperature)
        axes[0].plot(
            generation,
            column(records, "max_prob", temperature=temperature),
            label=f"tau={temperature:g}",
        )
        axes[1].plot(
            generation,
            column(records, "entropy", temperature=temperature),
            label=f"tau={temperature:g}",
        )
    support = column(records, "support")
    if support.size:
        axes[1].axhline(
            math.log(support.max()), color="grey", ls="--", lw=1, label="log(#outcomes)"
        )
    axes[0].set(xlabel="generation", ylabel="max probability", title="mass on the top outcome")
    axes[1].set(xlabel="generation", ylabel="entropy [nats]", title="entropy")
    for axis in axes[:2]:
        axis.legend()
    if drift:
        sizes = [d.initial_size for d in drift]
        axes[2].loglog(sizes, [d.mean_tv_drift for d in drift], "o-", label="mean TV(p_G, p_0)")
        reference = drift[0].mean_tv_drift * np.sqrt(sizes[0] / np.asarray(sizes, dtype=float))
        axes[2].loglog(sizes, reference, "k--", lw=1, label="slope -1/2")
        axes[2].set(xlabel="initial dataset size n0", ylabel="drift", title="tau = 1: drift vs n0")
        axes[2].legend()
    return _save(figure, path)


def plot_gaussian(
    records: Sequence[dict[str, Any]],
    panels: Sequence[tuple[float, bool]],
    gammas: Sequence[float],
    path: Path,
) -> Path:
    """W2 to the truth vs generation, one curve per gamma, one panel per (lambda, keep_real)."""
    figure = Figure(figsize=(4.2 * len(panels), 3.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(panels), sharey=True))
    for axis, (ratio, keep_real) in zip(axes, panels, strict=True):
        for gamma in gammas:
            where = {"synthetic_ratio": ratio, "gamma": gamma, "keep_real": keep_real}
            axis.semilogy(
                column(records, "generation", **where),
                column(records, "w2", **where),
                label=f"gamma={gamma:g}",
            )
        title = f"real + {ratio:g}x synthetic" if keep_real else f"synthetic only ({ratio:g}x)"
        axis.set(xlabel="generation", title=title)
    axes[0].set_ylabel("W2 to the truth")
    axes[0].legend()
    return _save(figure, path)


def _layout(graph: InteractionGraph) -> dict[str, tuple[float, float]]:
    angle = 2 * math.pi / len(graph.nodes)
    return {node: (math.cos(k * angle), math.sin(k * angle)) for k, node in enumerate(graph.nodes)}


def plot_interaction(
    records: Sequence[dict[str, Any]], graph: InteractionGraph, path: Path
) -> Path:
    """The graph (fresh nodes filled, anchored nodes green) and each node's parameter error vs generation."""
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.6])
    anchored = graph.reachable_from_fresh()
    position = _layout(graph)
    for source, target in graph.edges:
        (x0, y0), (x1, y1) = position[source], position[target]
        if source == target:
            left.add_patch(_self_loop(x0, y0))
            continue
        left.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={"arrowstyle": "-|>", "shrinkA": 14, "shrinkB": 14},
        )
    for node, (x, y) in position.items():
        color = "tab:green" if node in anchored else "tab:red"
        left.scatter(
            [x],
            [y],
            s=600,
            color=color if node in graph.fresh_nodes else "white",
            edgecolors=color,
            linewidths=2,
            zorder=3,
        )
        left.text(x, y, node, ha="center", va="center", zorder=4)
    left.set(
        xlim=(-1.6, 1.6),
        ylim=(-1.6, 1.6),
        aspect="equal",
        title="graph (filled: fresh data; green: path from fresh)",
    )
    left.axis("off")
    for node in graph.nodes:
        style = "-" if node in anchored else "--"
        right.semilogy(
            column(records, "generation", node=node),
            column(records, "param_error", node=node),
            style,
            label=node,
        )
    right.set(xlabel="generation", ylabel="|w - w*|", title="parameter error per node")
    right.legend(ncols=2)
    return _save(figure, path)


def _self_loop(x: float, y: float) -> Circle:
    radius = 0.22
    norm = math.hypot(x, y) or 1.0
    return Circle(
        (x + radius * x / norm * 1.4, y + radius * y / norm * 1.4), radius, fill=False, lw=1
    )
