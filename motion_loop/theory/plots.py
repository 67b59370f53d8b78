"""Trajectory plots of the theory experiments: a mean over seeds with its 95 % band, theory dashed.

matplotlib Figure objects on the Agg canvas, no pyplot state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from motion_loop.loop.graph import InteractionGraph
from motion_loop.theory.bands import band
from motion_loop.theory.common import curves


def save(figure: Figure, path: Path, *, dpi: int = 100) -> Path:
    """Write `figure` to `path` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi)
    return path


def draw_band(
    axis: Axes,
    x: np.ndarray,
    values: np.ndarray,
    *,
    label: str,
    log: bool = False,
    **style: Any,
) -> None:
    """Mean over seeds (line) and its 95 % interval (shaded) of values (S, G) against x (G,).

    With `log`, the band is drawn only where its lower end is > 0 (a log axis cannot show the rest; a
    missing band means the interval reaches 0).
    """
    result = band(values)
    (line,) = axis.plot(x, result.mean, label=label, **style)
    where = result.low > 0 if log else None
    axis.fill_between(
        x, result.low, result.high, where=where, color=line.get_color(), alpha=0.2, lw=0
    )


def plot_heat_death(
    records: Sequence[dict[str, Any]],
    temperatures: Sequence[float],
    seeds: Sequence[int],
    mean_field: Mapping[float, np.ndarray],
    drift: Sequence[Any],
    path: Path,
) -> Path:
    """Max probability and entropy vs generation per tau (bands; mean-field dashed); tau = 1 variance."""
    figure = Figure(figsize=(14, 4), layout="constrained")
    axes = figure.subplots(1, 3)
    for temperature in temperatures:
        generation = curves(records, "generation", seeds, temperature=temperature)[0]
        for axis, key in zip(axes[:2], ("max_prob", "entropy"), strict=True):
            draw_band(
                axis,
                generation,
                curves(records, key, seeds, temperature=temperature),
                label=f"tau={temperature:g}",
            )
        axes[0].plot(generation, mean_field[temperature].max(axis=1), "k--", lw=0.8)
    axes[0].plot([], [], "k--", lw=0.8, label="mean field")
    axes[0].set(xlabel="generation", ylabel="max probability", title="mass on the top outcome")
    axes[1].set(xlabel="generation", ylabel="entropy [nats]", title="entropy")
    for axis in axes[:2]:
        axis.legend(fontsize=8)
    for result in drift:
        generation = np.arange(result.squared_change.shape[1])
        draw_band(
            axes[2],
            generation[1:],
            result.squared_change[:, 1:],
            label=f"n0={result.initial_size}",
            log=True,
        )
        axes[2].plot(generation[1:], result.predicted[1:], "k--", lw=0.8)
    if drift:
        axes[2].plot([], [], "k--", lw=0.8, label="closed form")
        axes[2].set_yscale("log")
        axes[2].set(
            xlabel="generation",
            ylabel="sum_k (p_g,k - p_0,k)^2",
            title="tau = 1: martingale spread",
        )
        axes[2].legend(fontsize=8)
    return save(figure, path)


def plot_gaussian(
    records: Sequence[dict[str, Any]],
    summary: Mapping[str, Any],
    panels: Sequence[tuple[float, bool]],
    gammas: Sequence[float],
    seeds: Sequence[int],
    path: Path,
) -> Path:
    """Top: W2 to the truth per gamma (bands). Bottom: |mu - mu*|^2 per gamma with the closed form."""
    figure = Figure(figsize=(4.2 * len(panels), 7), layout="constrained")
    axes = np.array(figure.subplots(2, len(panels), sharex="col", squeeze=False))
    rows = {(r["synthetic_ratio"], r["keep_real"], r["gamma"]): r for r in summary["settings"]}
    for column_index, (ratio, keep_real) in enumerate(panels):
        top, bottom = axes[0, column_index], axes[1, column_index]
        for gamma in gammas:
            where = {"synthetic_ratio": ratio, "gamma": gamma, "keep_real": keep_real}
            generation = curves(records, "generation", seeds, **where)[0]
            draw_band(
                top,
                generation,
                curves(records, "w2", seeds, **where),
                label=f"gamma={gamma:g}",
                log=True,
            )
            squared = curves(records, "mean_error", seeds, **where) ** 2
            draw_band(bottom, generation, squared, label=f"gamma={gamma:g}")
            row = rows[(ratio, keep_real, gamma)]
            if "stationary_excess_predicted" in row:
                # Predicted E|mu - mu*|^2 = bias^2 + excess; the bias term uses the seeds' real means.
                predicted = row["stationary_excess_predicted"] + row["bias_squared_predicted"]
                bottom.axhline(predicted, color=bottom.lines[-1].get_color(), ls="--", lw=0.8)
        title = f"real + {ratio:g}x synthetic" if keep_real else f"synthetic only ({ratio:g}x)"
        top.set(title=title, yscale="log")
        # Linear: the t-interval of a squared error can reach below 0, which a log axis cannot show.
        bottom.set(xlabel="generation", ylim=(0.0, None))
    axes[0, 0].set_ylabel("W2 to the truth")
    axes[1, 0].set_ylabel("|mu - mu*|^2 (dashed: closed form)")
    axes[0, 0].legend(fontsize=7)
    return save(figure, path)


def _layout(graph: InteractionGraph) -> dict[str, tuple[float, float]]:
    angle = 2 * math.pi / len(graph.nodes)
    return {node: (math.cos(k * angle), math.sin(k * angle)) for k, node in enumerate(graph.nodes)}


def plot_interaction(
    records: Sequence[dict[str, Any]],
    graph: InteractionGraph,
    bounded: Mapping[str, bool],
    seeds: Sequence[int],
    random_walk: Mapping[str, np.ndarray],
    path: Path,
) -> Path:
    """The graph (fresh nodes filled; green: predicted bounded) and each node's squared error (bands)."""
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.6])
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
        color = "tab:green" if bounded[node] else "tab:red"
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
        title="filled: fresh data; green: predicted bounded",
    )
    left.axis("off")
    for node in graph.nodes:
        generation = curves(records, "generation", seeds, node=node)[0]
        squared = curves(records, "param_error", seeds, node=node) ** 2
        draw_band(
            right, generation, squared, label=node, log=True, ls="-" if bounded[node] else "--"
        )
        if node in random_walk:
            right.plot(generation, random_walk[node], "k:", lw=1)
    if random_walk:
        right.plot([], [], "k:", lw=1, label="(g+1) s^2 d/(n-d-1)")
    right.set(
        xlabel="generation", ylabel="|w - w*|^2", title="squared error per node", yscale="log"
    )
    right.legend(ncols=2, fontsize=8)
    return save(figure, path)


def _self_loop(x: float, y: float) -> Circle:
    radius = 0.22
    norm = math.hypot(x, y) or 1.0
    return Circle(
        (x + radius * x / norm * 1.4, y + radius * y / norm * 1.4), radius, fill=False, lw=1
    )
