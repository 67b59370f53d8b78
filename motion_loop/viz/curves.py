"""Metric-against-generation plots: one panel per metric, one line per arm, seed spread as a 95% band."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from motion_loop.eval.metrics import interval_half_width  # noqa: E402
from motion_loop.viz.metric_info import metric_info  # noqa: E402

# Columns of metrics.csv that are bookkeeping, not metrics.
_NOT_METRICS = {
    "generation", "node", "arm", "seed", "n_train", "n_incoming", "n_samples",
    # where a generation's wall time went (motion_loop.loop.engine stage timings): not a metric of the model
    "fit_seconds", "sample_seconds", "correct_seconds", "evaluate_seconds", "store_seconds",
}  # fmt: skip
# Counts of clips left out when the data was read (constant over a run; listed in dropped_clips.json).
_NOT_METRIC_PREFIXES = ("dropped_", "reference_dropped")
_CI_SUFFIX = "_ci95"
# The metrics drawn together in all_metrics.png (every metric also gets its own PNG).
HEADLINE_METRICS = (
    "fid", "kid", "r_precision_top3", "matching_score", "diversity", "multimodality", "penetrate_mm", "float_mm",
    "skate_mm", "skating_ratio", "jerk", "correction_mpjpe_mm", "correction_residual_force_pct_bw",
)  # fmt: skip


def read_metrics_csv(path: Path) -> list[dict[str, float | str]]:
    """Rows of a metrics.csv with numeric cells converted to float."""
    rows = []
    with Path(path).open(newline="") as stream:
        for row in csv.DictReader(stream):
            rows.append({key: _number(value) for key, value in row.items()})
    return rows


def _number(text: str) -> float | str:
    try:
        return float(text)
    except (TypeError, ValueError):
        return text


def metric_names(rows: Iterable[Mapping[str, float | str]]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        for key, value in row.items():
            bookkeeping = key in _NOT_METRICS or key.startswith(_NOT_METRIC_PREFIXES)
            if not bookkeeping and not key.endswith(_CI_SUFFIX) and isinstance(value, float):
                names.setdefault(key)
    return list(names)


def summarize(rows: Sequence[Mapping[str, float | str]], metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per generation: mean over seeds and the half-width of its 95% t interval over seeds.

    With a single seed, the run's own interval (the `METRIC_ci95` column, over evaluation
    replications) is used when present.
    """
    by_generation: dict[int, list[float]] = defaultdict(list)
    own_interval: dict[int, float] = {}
    for row in rows:
        value = row.get(metric)
        if isinstance(value, float) and math.isfinite(value):
            by_generation[int(row["generation"])].append(value)
            half = row.get(metric + _CI_SUFFIX)
            if isinstance(half, float) and math.isfinite(half):
                own_interval[int(row["generation"])] = half
    generations = np.array(sorted(by_generation))
    means = np.array([np.mean(by_generation[g]) for g in generations])
    half = np.array([
        interval_half_width(np.asarray(by_generation[g], dtype=np.float64)) if len(by_generation[g]) > 1
        else own_interval.get(int(g), 0.0)
        for g in generations
    ])  # fmt: skip
    return generations, means, half


def plot_arms(
    arms: Mapping[str, Sequence[Mapping[str, float | str]]], out_dir: Path, *, metrics: Sequence[str] | None = None
) -> list[Path]:
    """One PNG per metric (and `all_metrics.png`) with a line per arm, mean over seeds and a 95% band.

    Each panel is titled in words with the direction that is better, its y axis carries the unit, and
    the real-data value is a dashed line where metrics.csv has one (e.g. `diversity_real`).

    Args:
        arms: arm label -> metric rows of every seed of that arm (each row has `generation`).
        out_dir: folder for the PNGs (created).
        metrics: which metrics to draw; default every numeric column.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = list(metrics) if metrics is not None else metric_names(row for rows in arms.values() for row in rows)
    headline = [name for name in HEADLINE_METRICS if name in names] or names
    paths = []
    columns = min(3, max(1, len(headline)))
    grid_rows = math.ceil(len(headline) / columns) if headline else 1
    # One colour per arm in every panel, also where only some arms have the metric (correction_*).
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colours = {arm: cycle[k % len(cycle)] for k, arm in enumerate(arms)}
    overview, axes = plt.subplots(grid_rows, columns, figsize=(4.6 * columns, 3.3 * grid_rows), squeeze=False)
    for metric in names:
        single, single_ax = plt.subplots(figsize=(5.4, 3.6))
        targets = [single_ax]
        if metric in headline:
            index = headline.index(metric)
            targets.append(axes[index // columns, index % columns])
        for ax in targets:
            draw_metric(ax, metric, arms, colours)
        single_ax.legend(fontsize=8)
        single.tight_layout()
        path = out_dir / f"{_file_name(metric)}.png"
        single.savefig(path, dpi=100)
        plt.close(single)
        paths.append(path)
    for index in range(len(headline), grid_rows * columns):
        axes[index // columns, index % columns].axis("off")
    if headline:
        axes[0, 0].legend(fontsize=8)
    overview.tight_layout()
    overview_path = out_dir / "all_metrics.png"
    overview.savefig(overview_path, dpi=90)
    plt.close(overview)
    return [overview_path, *paths]


def draw_metric(
    ax: plt.Axes, metric: str, arms: Mapping[str, Sequence[Mapping[str, float | str]]], colours: Mapping[str, str]
) -> None:
    """One panel: a line and 95% band per arm, the real-data reference dashed, titled and labelled in words."""
    info = metric_info(metric)
    for arm, rows in arms.items():
        generations, means, half = summarize(rows, metric)
        if len(generations) == 0:
            continue
        ax.plot(generations, means, marker="o", markersize=3, label=arm, color=colours[arm])
        if np.any(half > 0):
            ax.fill_between(generations, means - half, means + half, color=colours[arm], alpha=0.2)
    if info.reference:
        rows = [row for arm_rows in arms.values() for row in arm_rows]
        generations, means, _ = summarize(rows, info.reference)
        if len(generations):
            real = float(np.mean(means))
            ax.axhline(real, color="0.35", linestyle="--", linewidth=1.0, label="real data")
            ax.annotate("real data", xy=(0.99, real), xycoords=("axes fraction", "data"), ha="right", va="bottom",
                        fontsize=7, color="0.35")  # fmt: skip
    ax.set_xlabel("generation")
    ax.set_ylabel(_wrap(f"[{info.unit}]" if info.unit else "value", 28), fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(_wrap(info.title, 46), fontsize=9)
    ax.grid(alpha=0.3)


def _wrap(text: str, width: int) -> str:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return "\n".join([*lines, current])


def _file_name(metric: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in metric)
