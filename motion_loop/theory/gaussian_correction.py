"""Experiment: Gaussian model in a self-consuming loop with a correction of strength gamma (Gillman et al.).

Every (lambda, gamma) setting runs `seeds` seeds; the summary gives each number as a mean over seeds with
its 95 % interval, beside the closed forms of motion_loop.theory.closed_forms where they apply.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps
from motion_loop.loop.engine import LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.theory.bands import band, late_slice, seed_list
from motion_loop.theory.closed_forms import (
    covariance_growth_factor,
    critical_synthetic_ratio,
    gaussian_fixed_point_mean,
    gaussian_stationary_excess,
    mixture_fraction,
)
from motion_loop.theory.common import (
    curves,
    run_identity,
    run_seeds,
    runs_dir,
    select,
    setting_name,
    write_outputs,
)
from motion_loop.theory.config import GaussianCorrectionConfig
from motion_loop.theory.gaussian import (
    GaussianEvaluator,
    GaussianLearner,
    GaussianSource,
    get_corrector,
)
from motion_loop.theory.plots import plot_gaussian
from motion_loop.theory.plots_maps import plot_stability_map

_NODE = "model"


@dataclass(frozen=True)
class Setting:
    """One setting: synthetic ratio lambda, Gillman's gamma in [0, inf), and whether the real data stays."""

    synthetic_ratio: float
    gamma: float
    keep_real: bool

    @property
    def name(self) -> str:
        prefix = "real" if self.keep_real else "synthetic_only"
        return f"{prefix}_{setting_name(lambda_=self.synthetic_ratio, gamma=self.gamma)}".replace(
            "lambda__", "lambda_"
        )

    @property
    def where(self) -> dict[str, Any]:
        """Record filter of this setting."""
        return {
            "synthetic_ratio": self.synthetic_ratio,
            "gamma": self.gamma,
            "keep_real": self.keep_real,
        }


@dataclass(frozen=True)
class GaussianCorrectionResult:
    records: list[dict[str, Any]]  # one per (setting, seed, generation)
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
        mixture_fraction(gamma)  # raises on gamma < 0
    get_corrector(cfg.corrector)
    grid = [
        Setting(lam, gamma, cfg.mixing.keep_real) for lam in cfg.lambdas for gamma in cfg.gammas
    ]
    if cfg.fully_synthetic:
        grid += [Setting(cfg.fully_synthetic_lambda, gamma, False) for gamma in cfg.gammas]
    return grid


def real_set(cfg: GaussianCorrectionConfig, seed: int) -> np.ndarray:
    """The seed's n real points (n, d); the same for every setting (common random numbers)."""
    mean, cov = truth(cfg)
    return GaussianSource(mean, cov).draw(cfg.real_size, rng=derive_rng(seed, 0, 0, Stream.SETUP))[
        "x"
    ]


def build_spec(cfg: GaussianCorrectionConfig, setting: Setting, *, seed: int) -> LoopSpec:
    mean, cov = truth(cfg)
    source = GaussianSource(mean, cov)
    policy: MixingPolicy = replace(
        cfg.mixing, synthetic_ratio=setting.synthetic_ratio, keep_real=setting.keep_real
    )
    real = source.draw(cfg.real_size, rng=derive_rng(seed, 0, 0, Stream.SETUP))
    return LoopSpec(
        graph=InteractionGraph.single(_NODE, fresh=True),
        learners={_NODE: GaussianLearner(cfg.dim, sample_scale=cfg.sample_scale)},
        real={_NODE: real},
        ops=ArrayOps(),
        policy=policy,
        evaluator=GaussianEvaluator(mean, cov),
        corrector=get_corrector(cfg.corrector)(mean, cov),
        # The engine takes the fraction w = gamma / (1 + gamma) in [0, 1].
        gamma=mixture_fraction(setting.gamma),
        fresh=source,
    )


def run_gaussian_correction(
    cfg: GaussianCorrectionConfig, out_dir: Path | None
) -> GaussianCorrectionResult:
    """Every setting x seed (run folders out_dir/SETTING/seed_K, resumable), metrics.csv, summary.json."""
    seeds = seed_list(cfg.seed, cfg.seeds)
    records: list[dict[str, Any]] = []
    for setting in settings(cfg):
        run = run_seeds(
            lambda seed, s=setting: build_spec(cfg, s, seed=seed),
            seeds,
            generations=cfg.generations,
            run_dir=runs_dir(cfg, out_dir, setting.name),
            identity=lambda seed, s=setting: run_identity(cfg, seed=seed, **s.__dict__),
            progress=cfg.progress,
            desc=setting.name,
        )
        records += [{**setting.where, **r} for r in run]
    summary = summarise(cfg, records)
    if out_dir is not None:
        write_outputs(out_dir, records, summary)
        panels = list(dict.fromkeys((s.synthetic_ratio, s.keep_real) for s in settings(cfg)))
        plot_gaussian(
            records,
            summary,
            panels,
            cfg.gammas,
            seeds,
            out_dir / "plots" / "gaussian_correction.png",
        )
        if len(cfg.lambdas) > 1 and len(cfg.gammas) > 1:
            plot_stability_map(summary, cfg, out_dir / "plots" / "stability_map.png")
    return GaussianCorrectionResult(records=records, summary=summary)


def late_values(
    cfg: GaussianCorrectionConfig, records: Sequence[Mapping[str, Any]], key: str, setting: Setting
) -> np.ndarray:
    """Per seed, the mean of `key` over the late generations (last `late_fraction`); shape (S,)."""
    values = curves(records, key, seed_list(cfg.seed, cfg.seeds), **setting.where)  # (S, G)
    return values[:, late_slice(values.shape[1], cfg.late_fraction)].mean(axis=1)


def predictions(
    cfg: GaussianCorrectionConfig, records: Sequence[Mapping[str, Any]], setting: Setting
) -> dict[str, Any]:
    """Closed forms beside the simulation for one setting (mean over seeds with intervals)."""
    seeds = seed_list(cfg.seed, cfg.seeds)
    mean, _ = truth(cfg)
    lam, w = setting.synthetic_ratio, mixture_fraction(setting.gamma)
    out: dict[str, Any] = {}
    if not (setting.keep_real and cfg.mixing.pool == "replace" and cfg.mixing.fresh_fraction == 0):
        return out  # the closed forms are derived for the published loop (real data kept, replace)
    if cfg.corrector == "mixture":
        out["growth_factor"] = covariance_growth_factor(
            synthetic_ratio=lam, gamma=setting.gamma, sample_scale=cfg.sample_scale
        )
        critical = critical_synthetic_ratio(gamma=setting.gamma, sample_scale=cfg.sample_scale)
        out["critical_lambda"] = critical if math.isfinite(critical) else None
        out["predicted_stable"] = out["growth_factor"] < 1.0
        # Measured: exp of the per-generation log growth of tr S over the late generations (rho when
        # rho > 1; about 1 when the covariance is stationary).
        trace = curves(records, "trace_ratio", seeds, **setting.where)  # (S, G)
        late_trace = trace[:, late_slice(trace.shape[1], cfg.late_fraction)]
        span = max(late_trace.shape[1] - 1, 1)
        out["growth_factor_measured"] = band(
            np.exp(np.log(late_trace[:, -1] / late_trace[:, 0]) / span)
        ).as_dict()
    late = late_slice(cfg.generations, cfg.late_fraction)
    ratios, excess, predicted_excess, bias_squared = [], [], [], []
    for seed in seeds:
        real_mean = real_set(cfg, seed).mean(axis=0)
        means = np.stack(
            [curves(records, f"mean_{k}", [seed], **setting.where)[0] for k in range(cfg.dim)],
            axis=1,
        )  # (G, d)
        fixed = gaussian_fixed_point_mean(real_mean, mean, synthetic_ratio=lam, fraction=w)
        offset = real_mean - mean
        bias_squared.append(float(((fixed - mean) ** 2).sum()))
        ratios.append(float((means[late].mean(axis=0) - mean) @ offset / (offset @ offset)))
        excess.append(float(((means[late] - fixed) ** 2).sum(axis=1).mean()))
        trace = curves(records, "correction_corrected_cov_trace", [seed], **setting.where)[0]
        predicted_excess.append(
            gaussian_stationary_excess(
                synthetic_ratio=lam,
                fraction=w,
                corrected_trace=float(trace[late].mean()),
                real_size=cfg.real_size,
            )
        )
    out["bias_ratio"] = band(ratios).as_dict()
    out["bias_ratio_predicted"] = 1.0 / (1.0 + lam * w)
    out["stationary_excess"] = band(excess).as_dict()
    out["stationary_excess_predicted"] = float(np.mean(predicted_excess))
    out["bias_squared_predicted"] = float(np.mean(bias_squared))
    return out


def summarise(cfg: GaussianCorrectionConfig, all_records: list[dict[str, Any]]) -> dict[str, Any]:
    seeds = seed_list(cfg.seed, cfg.seeds)
    rows = []
    for setting in settings(cfg):
        records = select(all_records, **setting.where)
        w2 = curves(records, "w2", seeds, **setting.where)  # (S, G)
        trace = curves(records, "trace_ratio", seeds, **setting.where)
        rows.append(
            {
                **setting.__dict__,
                "fraction": mixture_fraction(setting.gamma),
                "w2_gen0": band(w2[:, 0]).as_dict(),
                "w2_last": band(w2[:, -1]).as_dict(),
                "w2_late_mean": band(late_values(cfg, records, "w2", setting)).as_dict(),
                "log10_w2_late_mean": band(
                    np.log10(late_values(cfg, records, "w2", setting))
                ).as_dict(),
                "trace_ratio_last": band(trace[:, -1]).as_dict(),
                **predictions(cfg, records, setting),
            }
        )
    return {
        "generations": cfg.generations,
        "seeds": seeds,
        "corrector": cfg.corrector,
        "sample_scale": cfg.sample_scale,
        "late_fraction": cfg.late_fraction,
        "settings": rows,
    }
