"""Experiment: the self-consuming loop on sklearn's 8x8 digits (Gillman et al.'s Figure 3 analogue).

A small DDPM (digits_model.py) is trained on `train_size` real digits, then fine-tuned every generation
on the real set plus lambda x train_size of its own samples (lambda = 1.5: 150 % augmentation), with and
without the paper's kind of correction: each synthetic image moves a fraction w = gamma / (1 + gamma)
towards the centroid of its nearest real-data cluster (k-means on the real training set).

Collapse is measured against the held-out real digits: the Frechet distance of the pixel statistics, the
mean distance of a sample to its nearest real training image, and a digit classifier trained on real
data (entropy of the predicted-class histogram: mode coverage; mean confidence: legibility).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps, Arrays
from motion_loop.loop.engine import LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.protocols import Correction, Evaluation
from motion_loop.theory.bands import band, late_slice, seed_list
from motion_loop.theory.closed_forms import mixture_fraction
from motion_loop.theory.common import (
    curves,
    run_identity,
    run_seeds,
    runs_dir,
    setting_name,
    write_outputs,
)
from motion_loop.theory.config import DigitsConfig
from motion_loop.theory.digits_model import DDPMSettings, DigitsDDPM, to_model_space, to_pixels
from motion_loop.theory.gaussian import psd_sqrt
from motion_loop.theory.plots_maps import plot_curves, plot_image_grids

_NODE = "model"
METRICS = ("frechet", "nn_distance", "class_entropy", "confidence")
_LABELS = (
    "Frechet distance to held-out digits",
    "distance to nearest real digit",
    "entropy of predicted classes [nats]",
    "classifier confidence",
)
_GRID = 64  # images per sample grid


@dataclass(frozen=True)
class DigitsData:
    """One seed's split of the 1,797 digits, in model space [-1, 1]: train (n, 64), test (m, 64)."""

    train: np.ndarray
    train_labels: np.ndarray
    test: np.ndarray


def split(cfg: DigitsConfig, seed: int) -> DigitsData:
    """A random train/test split of sklearn's digits (shipped inside the package, no download)."""
    digits = load_digits()
    total = len(digits.data)
    if not 10 <= cfg.train_size < total:
        raise ConfigError(f"train_size must lie in [10, {total}), got {cfg.train_size}")
    order = np.random.default_rng([seed, 1]).permutation(total)
    train, test = order[: cfg.train_size], order[cfg.train_size :]
    data = to_model_space(digits.data.astype(np.float32))
    return DigitsData(train=data[train], train_labels=digits.target[train], test=data[test])


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance of the Gaussians fitted to a (N, D) and b (M, D)."""
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a.T), np.cov(b.T)
    # tr (A B)^1/2 = tr (A^1/2 B A^1/2)^1/2 through symmetric square roots: the digits' border pixels are
    # constant, so the covariances are singular and a general matrix square root is ill-conditioned.
    root_a = psd_sqrt(cov_a)
    cross = np.trace(psd_sqrt(root_a @ cov_b @ root_a))
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b) - 2.0 * cross)


class ClusterCorrector:
    """x -> x + w (c(x) - x), c(x) the nearest centroid of a k-means clustering of the real digits."""

    def __init__(self, real: np.ndarray, *, clusters: int, seed: int) -> None:
        if not 1 <= clusters <= len(real):
            raise ConfigError(f"clusters must lie in [1, {len(real)}], got {clusters}")
        self.centroids = KMeans(clusters, n_init=1, random_state=seed).fit(real).cluster_centers_

    def correct(
        self, samples: Arrays, *, gamma: float, rng: np.random.Generator, source: Any
    ) -> Correction:
        points = samples["x"]  # (B, 64)
        distances = ((points[:, None, :] - self.centroids[None, :, :]) ** 2).sum(-1)  # (B, k)
        nearest = self.centroids[distances.argmin(axis=1)]  # (B, 64)
        corrected = (points + gamma * (nearest - points)).astype(np.float32)
        shift = float(np.linalg.norm(corrected - points, axis=1).mean())
        return Correction(
            samples=Arrays({"x": corrected}), reports=[{"fraction": gamma, "shift": shift}]
        )


class DigitsEvaluator:
    """Samples `count` digits from the model and scores them against the real data."""

    def __init__(self, data: DigitsData, *, count: int, seed: int) -> None:
        self.data, self.count = data, count
        self.classifier = LogisticRegression(max_iter=2000).fit(data.train, data.train_labels)

    def evaluate(
        self, learner: DigitsDDPM, *, generation: int, rng: np.random.Generator
    ) -> Evaluation:
        generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
        samples = learner.generate(self.count, generator=generator)  # (count, 64)
        distances = ((samples[:, None, :] - self.data.train[None, :, :]) ** 2).sum(-1)
        probs = self.classifier.predict_proba(samples)  # (count, 10)
        histogram = np.bincount(probs.argmax(axis=1), minlength=10) / self.count
        nonzero = histogram[histogram > 0]
        return Evaluation(
            {
                "frechet": frechet_distance(samples, self.data.test),
                "nn_distance": float(np.sqrt(distances.min(axis=1)).mean()),
                "class_entropy": float(-(nonzero * np.log(nonzero)).sum()),
                "confidence": float(probs.max(axis=1).mean()),
            }
        )


def settings_of(cfg: DigitsConfig) -> DDPMSettings:
    return DDPMSettings(
        hidden=cfg.hidden,
        diffusion_steps=cfg.diffusion_steps,
        initial_steps=cfg.initial_steps,
        finetune_steps=cfg.finetune_steps,
        batch_size=cfg.batch_size,
        learning_rate=cfg.learning_rate,
    )


def build_spec(cfg: DigitsConfig, *, gamma: float, seed: int) -> LoopSpec:
    data = split(cfg, seed)
    return LoopSpec(
        graph=InteractionGraph.single(_NODE, fresh=False),
        learners={_NODE: DigitsDDPM(settings_of(cfg), init_seed=seed)},
        real={_NODE: Arrays({"x": data.train})},
        ops=ArrayOps(),
        policy=MixingPolicy(synthetic_ratio=cfg.synthetic_ratio, pool="replace", keep_real=True),
        evaluator=DigitsEvaluator(data, count=cfg.eval_samples, seed=seed),
        corrector=ClusterCorrector(data.train, clusters=cfg.clusters, seed=seed),
        gamma=mixture_fraction(gamma),
    )


@dataclass(frozen=True)
class DigitsResult:
    records: list[dict[str, Any]]  # one per (gamma, seed, generation)
    summary: dict[str, Any]


def run_digits(cfg: DigitsConfig, out_dir: Path | None) -> DigitsResult:
    """Every gamma x seed (run folders out_dir/gamma_X/seed_K), metrics.csv, summary.json, plots/."""
    seeds = seed_list(cfg.seed, cfg.seeds)
    records: list[dict[str, Any]] = []
    final_grids: dict[str, np.ndarray] = {}
    for gamma in cfg.gammas:
        specs: dict[int, LoopSpec] = {}

        def build(seed: int, g: float = gamma, built: dict[int, LoopSpec] = specs) -> LoopSpec:
            # Keep the spec: its learner is the final model, sampled for the grid below.
            built[seed] = build_spec(cfg, gamma=g, seed=seed)
            return built[seed]

        run = run_seeds(
            build,
            seeds,
            generations=cfg.generations,
            run_dir=runs_dir(cfg, out_dir, setting_name(gamma=gamma)),
            identity=lambda seed, g=gamma: run_identity(cfg, gamma=g, seed=seed),
            progress=cfg.progress,
            desc=setting_name(gamma=gamma),
        )
        records += [{"gamma": gamma, **r} for r in run]
        learner = specs[seeds[0]].learners[_NODE]
        grid = learner.generate(_GRID, generator=torch.Generator().manual_seed(seeds[0]))
        final_grids[f"gamma={gamma:g}, generation {cfg.generations - 1}"] = to_pixels(grid)
    summary = summarise(cfg, records)
    if out_dir is not None:
        write_outputs(out_dir, records, summary)
        real = split(cfg, seeds[0]).test[:_GRID]
        plot_image_grids(
            {"real (held out)": to_pixels(real), **final_grids},
            out_dir / "plots" / "digits_samples.png",
        )
        generation = np.arange(cfg.generations)
        arms = {
            f"gamma={gamma:g}": np.stack(
                [curves(records, m, seeds, gamma=gamma) for m in METRICS], axis=-1
            )
            for gamma in cfg.gammas
        }
        plot_curves(arms, generation, _LABELS, out_dir / "plots" / "digits_collapse.png")
    return DigitsResult(records=records, summary=summary)


def summarise(cfg: DigitsConfig, records: list[dict[str, Any]]) -> dict[str, Any]:
    seeds = seed_list(cfg.seed, cfg.seeds)
    arms = {}
    for gamma in cfg.gammas:
        entry = {}
        for metric in METRICS:
            values = curves(records, metric, seeds, gamma=gamma)  # (S, G)
            late = late_slice(values.shape[1], cfg.late_fraction)
            entry[metric] = {
                "gen0": band(values[:, 0]).as_dict(),
                "late_mean": band(values[:, late].mean(axis=1)).as_dict(),
            }
        arms[f"{gamma:g}"] = entry
    return {
        "generations": cfg.generations,
        "seeds": seeds,
        "synthetic_ratio": cfg.synthetic_ratio,
        "train_size": cfg.train_size,
        "arms": arms,
    }
