"""Experiment: closed-loop learning with temperature on a categorical model ("heat death")."""

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
from motion_loop.theory.categorical import (
    CategoricalEvaluator,
    CategoricalLearner,
    CategoricalSource,
    check_temperature,
    total_variation,
    zipf_probs,
)
from motion_loop.theory.common import column, run_identity, setting_name, write_outputs
from motion_loop.theory.config import HeatDeathConfig
from motion_loop.theory.plots import plot_heat_death

_NODE = "model"


@dataclass(frozen=True)
class DriftResult:
    """tau = 1 drift after `generations`: mean TV(p_G, p_0) and mean signed change of p over replicates."""

    initial_size: int
    mean_tv_drift: float  # mean over replicates of TV(p_G, p_0)
    max_abs_mean_change: float  # max_k |mean over replicates of p_G,k - p_0,k| (martingale: ~0)


@dataclass(frozen=True)
class HeatDeathResult:
    records: list[dict[str, Any]]  # one per (temperature, generation)
    drift: list[DriftResult]
    summary: dict[str, Any]


def validate(cfg: HeatDeathConfig) -> None:
    for temperature in cfg.temperatures:
        check_temperature(temperature)
    if cfg.initial_size < 1 or cfg.num_outcomes < 2:
        raise ConfigError(
            f"need initial_size >= 1 and num_outcomes >= 2, got {cfg.initial_size}, {cfg.num_outcomes}"
        )
    cfg.mixing.validate()


def build_spec(
    cfg: HeatDeathConfig, *, temperature: float, initial_size: int, seed: int
) -> LoopSpec:
    """One node, its own samples fed back, fresh data from the truth when mixing.fresh_fraction > 0."""
    truth = zipf_probs(cfg.num_outcomes, cfg.zipf_exponent)
    source = CategoricalSource(truth)
    real = source.draw(initial_size, rng=derive_rng(seed, 0, 0, Stream.SETUP))
    return LoopSpec(
        graph=InteractionGraph.single(_NODE, fresh=True),
        learners={_NODE: CategoricalLearner(cfg.num_outcomes, temperature=temperature)},
        real={_NODE: real},
        ops=ArrayOps(),
        policy=cfg.mixing,
        evaluator=CategoricalEvaluator(truth),
        fresh=source,
    )


def drift_study(cfg: HeatDeathConfig, initial_size: int) -> DriftResult:
    """Run `drift_replicates` tau = 1 loops in memory; how far p moves from generation 0's p."""
    changes = []
    for replicate in range(cfg.drift_replicates):
        seed = int(np.random.SeedSequence([cfg.seed, initial_size, replicate]).generate_state(1)[0])
        spec = build_spec(cfg, temperature=1.0, initial_size=initial_size, seed=seed)
        records = LoopEngine(spec, seed=seed).run(cfg.drift_generations)
        probs = np.array(
            [[r[f"p_{k:02d}"] for k in range(cfg.num_outcomes)] for r in (records[0], records[-1])]
        )
        changes.append(probs[1] - probs[0])  # (K,)
    change = np.array(changes)  # (R, K)
    return DriftResult(
        initial_size=initial_size,
        mean_tv_drift=float(0.5 * np.abs(change).sum(axis=1).mean()),
        max_abs_mean_change=float(np.abs(change.mean(axis=0)).max()),
    )


def run_heat_death(cfg: HeatDeathConfig, out_dir: Path | None) -> HeatDeathResult:
    """All temperatures (run folders out_dir/tau_X, resumable), the drift study, metrics.csv, summary.json."""
    validate(cfg)
    records: list[dict[str, Any]] = []
    for temperature in cfg.temperatures:
        spec = build_spec(
            cfg, temperature=temperature, initial_size=cfg.initial_size, seed=cfg.seed
        )
        name = setting_name(tau=temperature)
        run = LoopEngine(spec, seed=cfg.seed).run(
            cfg.generations,
            run_dir=None if out_dir is None else out_dir / name,
            config=run_identity(cfg, temperature=temperature),
            progress=cfg.progress,
            desc=name,
        )
        records += [{"temperature": temperature, **record} for record in run]
    drift = [drift_study(cfg, size) for size in cfg.drift_initial_sizes]
    summary = summarise(cfg, records, drift)
    if out_dir is not None:
        write_outputs(out_dir, records, summary)
        plot_heat_death(records, cfg.temperatures, drift, out_dir / "plots" / "heat_death.png")
    return HeatDeathResult(records=records, drift=drift, summary=summary)


def summarise(
    cfg: HeatDeathConfig, records: list[dict[str, Any]], drift: list[DriftResult]
) -> dict[str, Any]:
    truth = zipf_probs(cfg.num_outcomes, cfg.zipf_exponent)
    per_tau = {}
    for temperature in cfg.temperatures:
        max_prob = column(records, "max_prob", temperature=temperature)
        entropy = column(records, "entropy", temperature=temperature)
        per_tau[f"{temperature:g}"] = {
            "max_prob_first": max_prob[0],
            "max_prob_last": max_prob[-1],
            "entropy_first": entropy[0],
            "entropy_last": entropy[-1],
            "entropy_max_uniform": float(
                np.log(column(records, "support", temperature=temperature)[-1])
            ),
        }
    return {
        "generations": cfg.generations,
        "truth_max_prob": float(truth.max()),
        "truth_tv_to_uniform": total_variation(truth, np.full_like(truth, 1 / len(truth))),
        "temperatures": per_tau,
        "drift_tau_1": [d.__dict__ for d in drift],
    }
