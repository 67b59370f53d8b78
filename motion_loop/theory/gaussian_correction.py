"""Experiment: Gaussian model in a self-consuming loop with an idealised correction of strength gamma."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps
from motion_loop.loop.engine import LoopEngine, LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.theory.common import column, run_identity, setting_name, write_outputs
from motion_loop.theory.config import GaussianCorrectionConfig
from motion_loop.theory.gaussian import (
    GaussianEvaluator,
    GaussianLearner,
    GaussianSource,
    OTCorrector,
    check_gamma,
)
from motion_loop.theory.plots import plot_gaussian

_NODE = "model"


@dataclass(frozen=True)
class Setting:
    """One run: synthetic ratio lambda, correction gamma, and whether the real data stays."""

    synthetic_ratio: float
    gamma: float
    keep_real: bool

    @property
    def name(self) -> str:
        prefix = "real" if self.keep_real else "synthetic_only"
        return f"{prefix}_{setting_name(lambda_=self.synthetic_ratio, gamma=self.gamma)}".replace(
            "lambda__", "lambda_"
        )


@dataclass(frozen=True)
class GaussianCorrectionResult:
    records: list[dict[str, Any]]  # one per (setting, generation)
    summary: dict[str, Any]


def truth(cfg: GaussianCorrectionConfig) -> tuple[np.ndarray, np.ndarray]:
    """(mean (d,), cov (d, d)) of the true law, checked against dim and for positive definiteness."""
    mean, cov = np.asarray(cfg.true_mean, dtype=float), np.asarray(cfg.true_cov, dtype=float)
    if mean.shape != (cfg.dim,) or cov.shape != (cfg.dim, cfg.dim):
        raise ConfigError(
            f"true_mean must have shape ({cfg.dim},) and true_cov ({cfg.dim}, {cfg.dim}); got {mean.shape}, {cov.shape}"
        )
    if not np.allclose(cov, cov.T) or np.linalg.eigvalsh(cov).min() <= 0:
        raise ConfigError(f"true_cov must be symmetric positive definite, got {cov.tolist()}")
    return mean, cov


def settings(cfg: GaussianCorrectionConfig) -> list[Setting]:
    for gamma in cfg.gammas:
        check_gamma(gamma)
    grid = [
        Setting(lam, gamma, cfg.mixing.keep_real) for lam in cfg.lambdas for gamma in cfg.gammas
    ]
    if cfg.fully_synthetic:
        grid += [Setting(cfg.fully_synthetic_lambda, gamma, False) for gamma in cfg.gammas]
    return grid


def build_spec(cfg: GaussianCorrectionConfig, setting: Setting, *, seed: int) -> LoopSpec:
    mean, cov = truth(cfg)
    source = GaussianSource(mean, cov)
    policy: MixingPolicy = replace(
        cfg.mixing, synthetic_ratio=setting.synthetic_ratio, keep_real=setting.keep_real
    )
    return LoopSpec(
        graph=InteractionGraph.single(_NODE, fresh=True),
        learners={_NODE: GaussianLearner(cfg.dim)},
        # The same real set for every setting (common random numbers make the settings comparable).
        real={_NODE: source.draw(cfg.real_size, rng=derive_rng(seed, 0, 0, Stream.SETUP))},
        ops=ArrayOps(),
        policy=policy,
        evaluator=GaussianEvaluator(mean, cov),
        corrector=OTCorrector(mean, cov),
        gamma=setting.gamma,
        fresh=source,
    )


def run_gaussian_correction(
    cfg: GaussianCorrectionConfig, out_dir: Path | None
) -> GaussianCorrectionResult:
    """Every (lambda, gamma) setting (run folders out_dir/NAME, resumable), metrics.csv, summary.json."""
    records: list[dict[str, Any]] = []
    for setting in settings(cfg):
        spec = build_spec(cfg, setting, seed=cfg.seed)
        run = LoopEngine(spec, seed=cfg.seed).run(
            cfg.generations,
            run_dir=None if out_dir is None else out_dir / setting.name,
            config=run_identity(cfg, **setting.__dict__),
            progress=cfg.progress,
            desc=setting.name,
        )
        records += [
            {
                "synthetic_ratio": setting.synthetic_ratio,
                "gamma": setting.gamma,
                "keep_real": setting.keep_real,
                **r,
            }
            for r in run
        ]
    summary = summarise(cfg, records)
    if out_dir is not None:
        write_outputs(out_dir, records, summary)
        panels = list(dict.fromkeys((s.synthetic_ratio, s.keep_real) for s in settings(cfg)))
        plot_gaussian(records, panels, cfg.gammas, out_dir / "plots" / "gaussian_correction.png")
    return GaussianCorrectionResult(records=records, summary=summary)


def late_mean(records: list[dict[str, Any]], key: str, setting: Setting) -> float:
    """Mean of `key` over the second half of the generations of `setting`."""
    values = column(
        records,
        key,
        synthetic_ratio=setting.synthetic_ratio,
        gamma=setting.gamma,
        keep_real=setting.keep_real,
    )
    return float(values[len(values) // 2 :].mean())


def summarise(cfg: GaussianCorrectionConfig, records: list[dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for setting in settings(cfg):
        w2 = column(
            records,
            "w2",
            synthetic_ratio=setting.synthetic_ratio,
            gamma=setting.gamma,
            keep_real=setting.keep_real,
        )
        rows.append(
            {
                **setting.__dict__,
                "w2_gen0": float(w2[0]),
                "w2_last": float(w2[-1]),
                "w2_late_mean": late_mean(records, "w2", setting),
                "trace_ratio_last": float(
                    column(
                        records,
                        "trace_ratio",
                        synthetic_ratio=setting.synthetic_ratio,
                        gamma=setting.gamma,
                        keep_real=setting.keep_real,
                    )[-1]
                ),
            }
        )
    return {"generations": cfg.generations, "settings": rows}
