"""`motion-loop report RUN_DIR [--out FILE]`: one self-contained HTML page of a run or a sweep folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from motion_loop.cli.options import print_arguments, split_cfg
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
    print(f"report: {write_report(args.run_dir, args.out)}")
    return 0
