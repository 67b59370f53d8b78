"""`motion-loop report RUN_DIR [--out FILE]`: one self-contained HTML page of a run or a sweep folder.

For a folder of several runs (a sweep) it first writes `RUN_DIR/summary.json`: the arms compared
across seeds (paired differences over the last third of the generations, 95 % intervals; see
motion_loop.eval.verdict), and prints one sentence per comparison.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from motion_loop.cli.options import print_arguments, split_cfg
from motion_loop.eval.verdict import SUMMARY_NAME, find_sweep_runs, write_summary
from motion_loop.viz.report import write_report


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motion-loop report", description=__doc__)
    parser.add_argument("run_dir", type=Path, help="a run folder, or a folder of runs (a sweep)")
    parser.add_argument("--out", type=Path, default=None, help="HTML file to write (default RUN_DIR/report.html)")
    argv, show = split_cfg(argv)
    args = parser.parse_args(argv)
    if show:
        print_arguments(args)
        return 0
    if len(find_sweep_runs(args.run_dir)) > 1:
        verdict = write_summary(args.run_dir)
        for comparison in verdict.comparisons:
            where = ", ".join(f"{key.rsplit('.', 1)[-1]}={value}" for key, value in comparison.group.items())
            print(f"  {where + ': ' if where else ''}{comparison.sentence}")
        for reason in verdict.skipped:
            print(f"  skipped: {reason}")
        print(f"verdict: {args.run_dir / SUMMARY_NAME} ({len(verdict.comparisons)} comparisons)")
    print(f"report: {write_report(args.run_dir, args.out)}")
    return 0
