"""The `motion-loop` command: a thin dispatcher to one module per subcommand.

Each subcommand module exposes `run(argv: list[str]) -> int`. Modules are imported only when their
subcommand is called, so `motion-loop --help` is instant and a missing optional dependency of one
subcommand never breaks another.
"""

from __future__ import annotations

import importlib
import sys

from motion_loop.errors import MotionLoopError

# name -> (module, one-line help). Order is the order `--help` prints.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("motion_loop.cli.run", "run the self-consuming loop: motion-loop run experiment=smoke [overrides]"),
    "data": ("motion_loop.cli.data", "datasets: import BVH folders, generate the procedural set, inspect"),
    "train": ("motion_loop.cli.train", "train or fine-tune the text-to-motion diffusion model"),
    "sample": ("motion_loop.cli.sample", "sample motions from a checkpoint for captions and lengths"),
    "correct": ("motion_loop.cli.correct", "physics-correct a HumanML3D-layout folder: correct IN_DIR OUT_DIR"),
    "evaluate": ("motion_loop.cli.evaluate", "evaluate a dataset split or generated clips (FID, R-precision, ...)"),
    "evaluator": ("motion_loop.cli.evaluator", "train the text-motion evaluator: evaluator train [overrides]"),
    "report": ("motion_loop.cli.report", "write a self-contained HTML report of a run: report RUN_DIR"),
    "theory": ("motion_loop.cli.theory", "cheap theoretical loops: theory heat-death|gaussian-correction|gaussian-figure2|stability-map|interaction-graph|digits"),
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: motion-loop COMMAND [args] [hydra overrides]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "`motion-loop COMMAND --help` describes one command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `motion-loop` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"motion-loop: unknown command {name!r}; available: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    try:
        return int(module.run(rest) or 0)
    except MotionLoopError as error:
        print(f"motion-loop {name}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
