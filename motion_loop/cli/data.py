"""`motion-loop data ...`: dataset subcommands (argparse sub-parsers; add one function per subcommand).

    motion-loop data procedural OUT_DIR [--clips N] [--seed S] [--workers W] [--overwrite] [--quiet]
    motion-loop data import SRC OUT [--joint-map NAME] [--limit N] [--licence TEXT] [--overwrite] ...
"""

from __future__ import annotations

import argparse
from pathlib import Path

from motion_loop.cli.data_import import add_import_parser


def add_procedural_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `data procedural`."""
    parser = subparsers.add_parser(
        "procedural",
        help="generate the embedded procedural dataset (HumanML3D layout)",
        description="Generate a deterministic procedural motion dataset with captions in the HumanML3D "
        "layout, with params.jsonl holding every clip's generating parameters.",
    )
    parser.add_argument("out_dir", type=Path, help="output folder (created)")
    parser.add_argument("--clips", type=int, default=1000, help="number of clips (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="dataset seed (default 0)")
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1; output does not depend on it)")
    parser.add_argument("--overwrite", action="store_true", help="replace the dataset files of a non-empty OUT_DIR")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_run_procedural)


def _run_procedural(args: argparse.Namespace) -> int:
    from motion_loop.data.procedural import generate_dataset

    summary = generate_dataset(
        args.out_dir, args.clips, args.seed, progress=not args.quiet, workers=args.workers, overwrite=args.overwrite
    )
    print(
        f"wrote {summary.n_clips} clips ({summary.frames} feature frames) to {summary.out_dir} in "
        f"{summary.seconds:.1f} s ({summary.clips_per_second:.1f} clips/s); splits {summary.splits}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motion-loop data", description="Create and inspect datasets.")
    subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
    add_procedural_parser(subparsers)
    add_import_parser(subparsers)
    return parser


def run(argv: list[str]) -> int:
    """Entry point called by `motion-loop data`."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
