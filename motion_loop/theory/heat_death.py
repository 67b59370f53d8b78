"""Experiment: closed-loop learning with temperature on a categorical model ("heat death", Marchi et al.).

Each temperature runs `seeds` seeds; beside them the mean-field trajectory (every draw replaced by its
expectation, from each seed's real frequencies) and its limit, the fixed point of
(lambda + f) p = lambda q(p) + f p*. The tau = 1 study compares the spread of the martingale p over
`drift_replicates` runs with its exact closed form (closed_forms.unit_temperature_variance).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.errors import ConfigError
from motion_loop.loop.arrays import ArrayOps
from motion_loop.loop.engine import LoopEngine, LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.theory.bands import band, late_slice, seed_list
from motion_loop.theory.categorical import (
    CategoricalEvaluator,
    CategoricalLearner,
    CategoricalSource,
    check_temperature,
    check_truncation,
    total_variation,
    zipf_probs,
)
from motion_loop.theory.closed_forms import (
    mean_field_fixed_point,
    mean_field_trajectory,
    unit_temperature_variance,
)
from motion_loop.theory.common import (
    curves,
    run_identity,
    run_seeds,
    runs_dir,
    setting_name,
    write_outputs,
)
from motion_loop.theory.config import HeatDeathConfig
from motion_loop.theory.plots import plot_heat_death

_NODE = "model"


@dataclass(frozen=True)
class DriftResult:
    """tau = 1 spread of p: per replicate and generation sum_k (p_g,k - p_0,k)^2, and its closed form."""

    initial_size: int
    squared_change: np.ndarray  # (R, G) simulated
    predicted: np.ndarray  # (G,) closed form, mean over the replicates' p_0
    mean_change: np.ndarray  # (K,) replicate mean of p_G - p_0 (martingale: ~0)

    def summary(self) -> dict[str, Any]:
        final = band(self.squared_change[:, -1])
        return {
            "initial_size": self.initial_size,
            "replicates": int(self.squared_change.shape[0]),
            "squared_change_last": final.as_dict(),
            "squared_change_last_predicted": float(self.predicted[-1]),
            "predicted_inside_ci95": final.contains(float(self.predicted[-1])),
            "max_abs_mean_change": float(np.abs(self.mean_change).max()),
        }


@dataclass(frozen=True)
class HeatDeathResult:
    records: list[dict[str, Any]]  # one per (temperature, seed, generation)
    drift: list[DriftResult]
    summary: dict[str, Any]


def validate(cfg: HeatDeathConfig) -> None:
    for temperature in cfg.temperatures:
        check_temperature(temperature)
    check_truncation(cfg.top_k, cfg.top_p)
    if cfg.initial_size < 1 or cfg.num_outcomes < 2:
        raise ConfigError(
            f"need initial_size >= 1 and num_outcomes >= 2, got {cfg.initial_size}, {cfg.num_outcomes}"
        )
    cfg.mixing.validate()


def real_probs(cfg: HeatDeathConfig, *, initial_size: int, seed: int) -> np.ndarray:
    """The seed's real frequencies p_0 (K,): the same draw `build_spec` makes."""
    truth = zipf_probs(cfg.num_outcomes, cfg.zipf_exponent)
    real = CategoricalSource(truth).draw(initial_size, rng=derive_rng(seed, 0, 0, Stream.SETUP))
    return np.bincount(real["x"], minlength=cfg.num_outcomes) / initial_size


def build_spec(
    cfg: HeatDeathConfig, *, temperature: float, initial_size: int, seed: int, mixing: Any = None
) -> LoopSpec:
    """One node, its own samples fed back, fresh data from the truth when mixing.fresh_fraction > 0."""
    truth = zipf_probs(cfg.num_outcomes, cfg.zipf_exponent)
    source = CategoricalSource(truth)
    real = source.draw(initial_size, rng=derive_rng(seed, 0, 0, Stream.SETUP))
    return LoopSpec(
        graph=InteractionGraph.single(_NODE, fresh=True),
        learners={
            _NODE: CategoricalLearner(
                cfg.num_outcomes, temperature=temperature, top_k=cfg.top_k, top_p=cfg.top_p
            )
        },
        real={_NODE: real},
        ops=ArrayOps(),
        policy=cfg.mixing if mixing is None else mixing,
        evaluator=CategoricalEvaluator(truth),
        fresh=source,
    )


def drift_study(cfg: HeatDeathConfig, initial_size: int) -> DriftResult:
    """`drift_replicates` tau = 1 loops (accumulate, no fresh data) in memory, against the closed form."""
    mixing = replace(cfg.mixing, fresh_fraction=0.0, pool="accumulate")
    cfg = replace(cfg, top_k=0, top_p=1.0)  # the closed form is for the untruncated tau = 1 sampler
    changes, predicted, final = [], [], []
    for replicate in range(cfg.drift_replicates):
        seed = int(np.random.SeedSequence([cfg.seed, initial_size, replicate]).generate_state(1)[0])
        spec = build_spec(cfg, temperature=1.0, initial_size=initial_size, seed=seed, mixing=mixing)
        records = LoopEngine(spec, seed=seed).run(cfg.drift_generations)
        probs = np.array(
            [[r[f"p_{k:02d}"] for k in range(cfg.num_outcomes)] for r in records]
        )  # (G, K)
        changes.append(((probs - probs[0]) ** 2).sum(axis=1))
        final.append(probs[-1] - probs[0])
        predicted.append(
            unit_temperature_variance(
                probs[0], policy=mixing, real_size=initial_size, generations=cfg.drift_generations
            )
        )
    return DriftResult(
        initial_size=initial_size,
        squared_change=np.array(changes),
        predicted=np.mean(predicted, axis=0),
        mean_change=np.mean(final, axis=0),
    )


def run_heat_death(cfg: HeatDeathConfig, out_dir: Path | None) -> HeatDeathResult:
    """All temperatures x seeds (run folders out_dir/tau_X/seed_K, resumable), the drift study, outputs."""
    validate(cfg)
    seeds = seed_list(cfg.seed, cfg.seeds)
    records: list[dict[str, Any]] = []
    for temperature in cfg.temperatures:
        name = setting_name(tau=temperature)
        run = run_seeds(
            lambda seed, t=temperature: build_spec(
                cfg, temperature=t, initial_size=cfg.initial_size, seed=seed
            ),
            seeds,
            generations=cfg.generations,
            run_dir=runs_dir(cfg, out_dir, name),
            identity=lambda seed, t=temperature: run_identity(cfg, temperature=t, seed=seed),
            progress=cfg.progress,
            desc=name,
        )
        records += [{"temperature": temperature, **record} for record in run]
    drift = [drift_study(cfg, size) for size in cfg.drift_initial_sizes]
    mean_field = {t: mean_field_per_seed(cfg, t, seeds) for t in cfg.temperatures}
    summary = summarise(cfg, records, drift, mean_field)
    if out_dir is not None:
        write_outputs(out_dir, records, summary)
        plot_heat_death(
            records,
            cfg.temperatures,
            seeds,
            {t: trajectories.mean(axis=0) for t, trajectories in mean_field.items()},
            drift,
            out_dir / "plots" / "heat_death.png",
        )
    return HeatDeathResult(records=records, drift=drift, summary=summary)


def mean_field_per_seed(cfg: HeatDeathConfig, temperature: float, seeds: list[int]) -> np.ndarray:
    """The mean-field trajectory from each seed's own p_0; (S, G, K)."""
    truth = zipf_probs(cfg.num_outcomes, cfg.zipf_exponent)
    return np.stack(
        [
            mean_field_trajectory(
                real_probs(cfg, initial_size=cfg.initial_size, seed=seed),
                truth,
                temperature=temperature,
                policy=cfg.mixing,
                real_size=cfg.initial_size,
                generations=cfg.generations,
                top_k=cfg.top_k,
                top_p=cfg.top_p,
            )
            for seed in seeds
        ]
    )


def summarise(
    cfg: HeatDeathConfig,
    records: list[dict[str, Any]],
    drift: list[DriftResult],
    mean_field: dict[float, np.ndarray],
) -> dict[str, Any]:
    seeds = seed_list(cfg.seed, cfg.seeds)
    truth = zipf_probs(cfg.num_outcomes, cfg.zipf_exponent)
    keys = [f"p_{k:02d}" for k in range(cfg.num_outcomes)]
    per_tau = {}
    for temperature in cfg.temperatures:
        probs = np.stack([curves(records, key, seeds, temperature=temperature) for key in keys], -1)
        late = late_slice(probs.shape[1], cfg.late_fraction)
        late_probs = probs[:, late].mean(axis=1)  # (S, K)
        entry: dict[str, Any] = {
            "max_prob_first": band(probs[:, 0].max(axis=1)).as_dict(),
            "max_prob_last": band(probs[:, -1].max(axis=1)).as_dict(),
            "entropy_first": band(
                curves(records, "entropy", seeds, temperature=temperature)[:, 0]
            ).as_dict(),
            "entropy_last": band(
                curves(records, "entropy", seeds, temperature=temperature)[:, -1]
            ).as_dict(),
            "support_last": band(
                curves(records, "support", seeds, temperature=temperature)[:, -1]
            ).as_dict(),
            # Simulation against the mean-field trajectory at the same generations (late mean of TV).
            "tv_to_mean_field_late": band(
                [
                    total_variation(p, own[late].mean(axis=0))
                    for p, own in zip(late_probs, mean_field[temperature], strict=True)
                ]
            ).as_dict(),
        }
        total = cfg.mixing.synthetic_ratio + cfg.mixing.fresh_fraction
        truncated = cfg.top_k > 0 or cfg.top_p < 1.0
        if (
            cfg.mixing.pool == "accumulate"
            and cfg.mixing.fresh_fraction > 0
            and total > 0
            and not truncated
        ):
            fixed = mean_field_fixed_point(
                truth,
                temperature=temperature,
                synthetic_ratio=cfg.mixing.synthetic_ratio,
                fresh_fraction=cfg.mixing.fresh_fraction,
            )
            entry["fixed_point"] = fixed.tolist()
            entry["fixed_point_max_prob"] = float(fixed.max())
            entry["tv_to_fixed_point_late"] = band(
                [total_variation(p, fixed) for p in late_probs]
            ).as_dict()
            entry["mean_field_tv_to_fixed_point_last"] = float(
                np.mean([total_variation(own[-1], fixed) for own in mean_field[temperature]])
            )
        per_tau[f"{temperature:g}"] = entry
    return {
        "generations": cfg.generations,
        "seeds": seeds,
        "mixing": cfg.mixing.__dict__,
        "truth_max_prob": float(truth.max()),
        "truth_tv_to_uniform": total_variation(truth, np.full_like(truth, 1 / len(truth))),
        "temperatures": per_tau,
        "drift_tau_1": [d.summary() for d in drift],
    }
