"""Speed of the procedural dataset generator: clips per second for whole datasets written to disk.

    python benchmarks/procedural_speed.py [--workers 1 2] [--out benchmarks/results/procedural_speed.json]

Measures, for each worker count: the median of 3 runs of 200 clips, and one run of 1,000 clips
(generation, joints_to_features, writing every file, Mean/Std), in wall-clock and in CPU seconds
(the CPU time does not depend on how busy the shared machine is; wall time does). Also the cost of
generation alone and of feature extraction alone per clip, and the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from motion_loop.data.features import joints_to_features
from motion_loop.data.procedural import (
    GENERATOR_VERSION,
    clip_rng,
    generate_clip,
    generate_dataset,
    sample_params,
)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children [s]."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _dataset_seconds(n_clips: int, seed: int, workers: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds to write a dataset of n_clips."""
    root = Path(tempfile.mkdtemp(prefix="procedural_bench_"))
    try:
        cpu = _cpu_seconds()
        wall = generate_dataset(root / "data", n_clips, seed, progress=False, workers=workers).seconds
        return wall, _cpu_seconds() - cpu
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _stage_costs(n_clips: int) -> dict[str, float]:
    params = sample_params(np.random.default_rng(123), n_clips)
    start = time.perf_counter()
    clips = [generate_clip(p, clip_rng(p)) for p in params]
    generated = time.perf_counter()
    frames = sum(len(joints_to_features(c.joints)) for c in clips)
    featured = time.perf_counter()
    return {
        "generate_ms_per_clip": 1e3 * (generated - start) / n_clips,
        "features_ms_per_clip": 1e3 * (featured - generated) / n_clips,
        "mean_feature_frames": frames / n_clips,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--small", type=int, default=200, help="clips per repeated run")
    parser.add_argument("--large", type=int, default=1000, help="clips of the single large run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "procedural_speed.json")
    args = parser.parse_args()

    result: dict[str, object] = {
        "generator_version": GENERATOR_VERSION,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_start": os.getloadavg()},  # fmt: skip
        "stages": _stage_costs(50),
        "runs": {},
    }
    runs: dict[str, dict[str, float | list[float]]] = {}
    for workers in args.workers:
        small = [_dataset_seconds(args.small, seed, workers) for seed in range(args.repeats)]
        large_wall, large_cpu = _dataset_seconds(args.large, 0, workers)
        runs[f"workers_{workers}"] = {
            f"clips_per_s_{args.small}_median": args.small / statistics.median(w for w, _ in small),
            f"seconds_{args.small}": [w for w, _ in small],
            f"cpu_seconds_{args.small}": [c for _, c in small],
            f"clips_per_s_{args.large}": args.large / large_wall,
            f"seconds_{args.large}": large_wall,
            f"cpu_seconds_{args.large}": large_cpu,
        }
        print(f"workers={workers}: {runs[f'workers_{workers}']}", flush=True)
    result["runs"] = runs
    result["machine"]["load_average_end"] = os.getloadavg()  # type: ignore[index]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
