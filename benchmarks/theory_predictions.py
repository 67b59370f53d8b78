"""Measure the theory lab's predictions against simulation over seeds and write them as JSON.

nice .venv/bin/python benchmarks/theory_predictions.py [--out benchmarks/results/theory_predictions.json]

Every number is a mean over seeds (or replicates) with its 95 % interval, beside its closed form; all
runs are in memory. The settings are fixed here, not tuned.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.loop.mixing import MixingPolicy
from motion_loop.theory.bands import band
from motion_loop.theory.closed_forms import regression_random_walk_mse
from motion_loop.theory.config import (
    GaussianCorrectionConfig,
    HeatDeathConfig,
    InteractionGraphConfig,
)
from motion_loop.theory.gaussian_correction import run_gaussian_correction
from motion_loop.theory.heat_death import run_heat_death
from motion_loop.theory.interaction_graph import run_interaction_graph

SEEDS = 10


def graph_verdicts() -> dict[str, Any]:
    """The issue's counterexample and the default graph: verdicts and late errors over 10 seeds."""
    out = {}
    for name, cfg in (
        (
            "counterexample_FEXY",
            InteractionGraphConfig(
                seeds=SEEDS,
                generations=200,
                progress=False,
                nodes=["F", "E", "X", "Y"],
                edges=["F->F", "E->E", "F->X", "E->X", "F->Y"],
                fresh_nodes=["F"],
            ),
        ),
        ("default_graph", InteractionGraphConfig(seeds=SEEDS, generations=200, progress=False)),
    ):
        out[name] = run_interaction_graph(cfg, out_dir=None).summary
    return out


def random_walk() -> dict[str, Any]:
    """8 lone self-loop nodes x 10 seeds: E|w_g - w*|^2 at g = 10, 30, 60 against (g+1) s^2 d/(n-d-1)."""
    walkers = [f"E{k}" for k in range(8)]
    cfg = InteractionGraphConfig(
        seeds=SEEDS,
        generations=61,
        progress=False,
        nodes=walkers,
        edges=[f"{n}->{n}" for n in walkers],
        fresh_nodes=[],
        require_fresh_node=False,
    )
    records = run_interaction_graph(cfg, out_dir=None).records
    rows = {}
    for g in (10, 30, 60):
        squared = [r["param_error"] ** 2 for r in records if r["generation"] == g]
        noise = [r["noise_std"] ** 2 for r in records if r["generation"] == g]
        rows[str(g)] = {
            "squared_error": band(squared).as_dict(),
            "predicted": float(
                regression_random_walk_mse(np.array(g), noise_std=1.0, dim=3, real_size=50)
            ),
            "fitted_noise_variance": band(noise).as_dict(),
            "fitted_noise_variance_median": float(np.median(noise)),
        }
    return {"replicates": 8 * SEEDS, "generations": rows}


def gaussian() -> dict[str, Any]:
    """Published loop (real kept, replace): bias ratio and stationary excess for lambda x gamma."""
    cfg = GaussianCorrectionConfig(
        seeds=SEEDS,
        generations=300,
        progress=False,
        lambdas=[0.5, 2.0, 4.0],
        gammas=[0.0, 1.0, 3.0],
        fully_synthetic=False,
    )
    keys = (
        "synthetic_ratio",
        "gamma",
        "bias_ratio",
        "bias_ratio_predicted",
        "stationary_excess",
        "stationary_excess_predicted",
        "w2_late_mean",
    )
    rows = run_gaussian_correction(cfg, out_dir=None).summary["settings"]
    return {"settings": [{k: row[k] for k in keys} for row in rows]}


def overdispersed() -> dict[str, Any]:
    """Sampler scale 1.5: measured covariance growth factor against rho, and the stability verdict."""
    cfg = GaussianCorrectionConfig(
        seeds=SEEDS,
        generations=60,
        progress=False,
        lambdas=[0.25, 0.5, 1.0, 2.0, 4.0],
        gammas=[0.0, 0.5, 2.0],
        sample_scale=1.5,
        fully_synthetic=False,
        late_fraction=0.25,
    )
    keys = (
        "synthetic_ratio",
        "gamma",
        "growth_factor",
        "growth_factor_measured",
        "critical_lambda",
        "predicted_stable",
        "log10_w2_late_mean",
    )
    rows = run_gaussian_correction(cfg, out_dir=None).summary["settings"]
    return {"sample_scale": 1.5, "settings": [{k: row[k] for k in keys} for row in rows]}


def categorical() -> dict[str, Any]:
    """Mean field with fresh data (f = 0.5) at g = 300, and the tau = 1 spread against its closed form."""
    fresh = HeatDeathConfig(
        seeds=SEEDS,
        generations=300,
        progress=False,
        temperatures=[0.7, 1.0, 1.3],
        drift_initial_sizes=[],
        mixing=MixingPolicy(synthetic_ratio=1.0, fresh_fraction=0.5, pool="accumulate"),
    )
    drift = HeatDeathConfig(
        seeds=2,
        generations=2,
        progress=False,
        temperatures=[1.0],
        drift_initial_sizes=[20, 200],
        drift_replicates=50,
        drift_generations=100,
    )
    return {
        "fresh_fraction_0.5": run_heat_death(fresh, out_dir=None).summary["temperatures"],
        "tau_1_spread": run_heat_death(drift, out_dir=None).summary["drift_tau_1"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/theory_predictions.json")
    )
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for name, measure in (
        ("interaction_graph", graph_verdicts),
        ("regression_random_walk", random_walk),
        ("gaussian_closed_forms", gaussian),
        ("overdispersed_sampler", overdispersed),
        ("categorical", categorical),
    ):
        start = time.process_time()
        results[name] = {**measure(), "cpu_seconds": time.process_time() - start}
        print(f"{name}: {results[name]['cpu_seconds']:.1f} s CPU", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=float))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
