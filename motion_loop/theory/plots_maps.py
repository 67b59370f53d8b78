"""Map-like figures of the theory lab: the lambda x gamma stability map and image grids of the digits toy."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from motion_loop.theory.closed_forms import critical_synthetic_ratio
from motion_loop.theory.plots import draw_band, save


def plot_stability_map(summary: Mapping[str, Any], cfg: Any, path: Path) -> Path:
    """Heatmap of log10 late W2 (mean over seeds) over lambda (rows) x gamma (columns).

    Cells the closed form predicts unstable (lambda > lambda_c(gamma), mixture corrector) are marked "x";
    the text in each cell is the mean and, below it, the half-width of its 95 % interval.
    """
    lambdas, gammas = list(cfg.lambdas), list(cfg.gammas)
    rows = {
        (r["synthetic_ratio"], r["gamma"]): r
        for r in summary["settings"]
        if r["keep_real"] == cfg.mixing.keep_real
    }
    values = np.array(
        [[rows[(lam, g)]["log10_w2_late_mean"]["mean"] for g in gammas] for lam in lambdas]
    )
    figure = Figure(
        figsize=(1.3 * len(gammas) + 2.5, 0.6 * len(lambdas) + 1.8), layout="constrained"
    )
    axis = figure.subplots()
    image = axis.imshow(values, origin="lower", aspect="auto", cmap="magma_r")
    figure.colorbar(image, ax=axis, label="log10 late W2 (mean over seeds)")
    for i, lam in enumerate(lambdas):
        for j, gamma in enumerate(gammas):
            low, high = rows[(lam, gamma)]["log10_w2_late_mean"]["ci95"]
            text = f"{values[i, j]:.2f}\n±{(high - low) / 2:.2f}"
            unstable = summary["corrector"] == "mixture" and lam > critical_synthetic_ratio(
                gamma=gamma, sample_scale=summary["sample_scale"]
            )
            color = "white" if values[i, j] > np.nanmean(values) else "black"
            axis.text(
                j,
                i,
                ("x " if unstable else "") + text,
                ha="center",
                va="center",
                fontsize=7,
                color=color,
            )
    axis.set_xticks(range(len(gammas)), [f"{g:g}" for g in gammas])
    axis.set_yticks(range(len(lambdas)), [f"{lam:g}" for lam in lambdas])
    scale = summary["sample_scale"]
    boundary = [critical_synthetic_ratio(gamma=g, sample_scale=scale) for g in gammas]
    label = ", ".join("inf" if math.isinf(b) else f"{b:.2g}" for b in boundary)
    axis.set(
        xlabel="gamma (Gillman's correction strength)",
        ylabel="lambda (synthetic ratio)",
        title=f"sampler scale s={scale:g}; x: predicted unstable, lambda_c(gamma) = {label}",
    )
    return save(figure, path)


def plot_image_grids(
    grids: Mapping[str, np.ndarray], path: Path, *, image_shape: tuple[int, int] = (8, 8)
) -> Path:
    """One panel per name: images (N, H*W) in [0, 16] tiled into a square grid."""
    figure = Figure(figsize=(3.2 * len(grids), 3.4), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(grids)))
    for axis, (name, images) in zip(axes, grids.items(), strict=True):
        N = len(images)
        side = int(math.ceil(math.sqrt(N)))
        H, W = image_shape
        canvas = np.zeros((side * (H + 1), side * (W + 1)))
        for k, image in enumerate(images):
            row, col = divmod(k, side)
            canvas[row * (H + 1) : row * (H + 1) + H, col * (W + 1) : col * (W + 1) + W] = (
                image.reshape(H, W)
            )
        axis.imshow(canvas, cmap="gray_r", vmin=0, vmax=16)
        axis.set_title(name, fontsize=9)
        axis.axis("off")
    return save(figure, path)


def plot_curves(
    curves_by_arm: Mapping[str, np.ndarray],
    generation: np.ndarray,
    ylabels: Sequence[str],
    path: Path,
) -> Path:
    """One panel per metric: every arm's mean over seeds with its 95 % band; curves (S, G, M)."""

    figure = Figure(figsize=(4.5 * len(ylabels), 3.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(ylabels)))
    for metric, (axis, label) in enumerate(zip(axes, ylabels, strict=True)):
        for arm, values in curves_by_arm.items():
            draw_band(axis, generation, values[:, :, metric], label=arm)
        axis.set(xlabel="generation", ylabel=label)
    axes[0].legend(fontsize=8)
    return save(figure, path)
