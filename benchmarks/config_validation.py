"""How fast a bad config fails: the validation pass alone, and `motion-loop run` end to end.

    python benchmarks/config_validation.py [--repeats R] [--cli-repeats C]

Writes benchmarks/results/config_validation.json: the seconds `validate_run_config` takes on the smoke
preset with `physics.mpc=bogus` (median and max over R calls; the first call includes importing the
rule tables) and the wall seconds of a whole `motion-loop run experiment=smoke physics.mpc=bogus`
process (interpreter start, imports, Hydra composition, validation) until its non-zero exit. The
machine is shared: the load average is recorded with the numbers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_result  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from motion_loop.cli.hydra_utils import compose_config  # noqa: E402
from motion_loop.errors import ConfigError  # noqa: E402
from motion_loop.loop.motion.config import validate_run_config  # noqa: E402

_OVERRIDES = ["experiment=smoke", "physics.mpc=bogus"]


def time_validation(repeats: int) -> dict[str, float]:
    config = OmegaConf.to_object(compose_config("run", _OVERRIDES))
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            validate_run_config(config, overrides=_OVERRIDES)
        except ConfigError:
            pass
        seconds.append(time.perf_counter() - start)
    return {"first_s": seconds[0], "median_s": statistics.median(seconds[1:] or seconds), "max_s": max(seconds)}


def time_cli(repeats: int) -> dict[str, float]:
    seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        for k in range(repeats):
            command = [sys.executable, "-m", "motion_loop.cli", "run", *_OVERRIDES,
                       f"out_dir={scratch}/run{k}", f"cache_dir={scratch}/cache", f"hydra.run.dir={scratch}/hydra{k}"]  # fmt: skip
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            seconds.append(time.perf_counter() - start)
            if done.returncode != 1 or "mpc must be one of" not in done.stderr:
                raise SystemExit(f"unexpected result: {done.returncode} {done.stderr[-500:]}")
            if Path(f"{scratch}/cache").exists():
                raise SystemExit("the run did work before failing: its cache folder exists")
    return {"median_s": statistics.median(seconds), "max_s": max(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--cli-repeats", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    result = {
        "overrides": _OVERRIDES,
        "validate_run_config": time_validation(args.repeats),
        "cli_process": time_cli(args.cli_repeats),
        "load_average_1min": [load_before, os.getloadavg()[0]],
    }
    write_result("config_validation", result)


if __name__ == "__main__":
    main()
