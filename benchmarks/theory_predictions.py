"""Measure each theory prediction at the default presets (in memory) and write the numbers as JSON.

.venv/bin/python benchmarks/theory_predictions.py [--out benchmarks/results/theory_predictions.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from motion_loop.theory.config import (
    GaussianCorrectionConfig,
    HeatDeathConfig,
    InteractionGraphConfig,
)
from motion_loop.theory.gaussian_correction import run_gaussian_correction
from motion_loop.theory.heat_death import run_heat_death
from motion_loop.theory.interaction_graph import run_interaction_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/theory_predictions.json")
    )
    args = parser.parse_args()
    results = {}
    for name, run, cfg in (
        ("heat-death", run_heat_death, HeatDeathConfig(progress=False)),
        ("gaussian-correction", run_gaussian_correction, GaussianCorrectionConfig(progress=False)),
        ("interaction-graph", run_interaction_graph, InteractionGraphConfig(progress=False)),
    ):
        start = time.perf_counter()
        summary = run(cfg, None).summary  # type: ignore[operator]
        results[name] = {
            "seconds": time.perf_counter() - start,
            "seed": cfg.seed,
            "summary": summary,
        }
        print(f"{name}: {results[name]['seconds']:.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=float))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
