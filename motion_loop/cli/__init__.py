"""The `motion-loop` command: a thin dispatcher to one module per subcommand.

Each subcommand module exposes `run(argv: list[str]) -> int`. Modules are imported only when their
subcommand is called, so `motion-loop --help` is instant and a missing optional dependency of one
subcommand never breaks another.

Conventions shared by every command (README, "Command-line conventions"):
- `--out PATH` names where the command writes (for Hydra commands it is the same as `out_dir=PATH`,
  or `out=FILE` where the output is one file);
- `--cfg` prints the resolved configuration and exits; `--help` describes the command;
- an error of the tool is one line `motion-loop COMMAND: error: ...` on stderr and exit status 1
  (a usage error, such as an unknown command or option, exits with 2, as argparse does);
  `--debug` (or MOTION_LOOP_DEBUG=1) shows the full traceback instead.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator

from motion_loop.cli.errors import TOOL_ERRORS, describe
from motion_loop.cli.logs import setup_console_logging

DEBUG_ENV_VAR = "MOTION_LOOP_DEBUG"
EXIT_ERROR = 1  # an error of the tool (bad input, setting or file)
EXIT_USAGE = 2  # the command line itself is wrong

# name -> (module, one-line help). Order is the order `--help` prints.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("motion_loop.cli.run", "run the self-consuming loop: motion-loop run experiment=smoke [overrides]"),
    "data": ("motion_loop.cli.data", "datasets: import BVH folders, generate the procedural set, inspect"),
    "train": ("motion_loop.cli.train", "train or fine-tune the text-to-motion diffusion model"),
    "sample": ("motion_loop.cli.sample", "sample motions from a checkpoint for captions and lengths"),
    "correct": ("motion_loop.cli.correct", "physics-correct a HumanML3D-layout folder: correct IN_DIR --out OUT_DIR"),
    "evaluate": ("motion_loop.cli.evaluate", "evaluate a dataset split or generated clips (FID, R-precision, ...)"),
    "evaluator": ("motion_loop.cli.evaluator", "train the text-motion evaluator: evaluator train [overrides]"),
    "report": ("motion_loop.cli.report", "write a self-contained HTML report of a run: report RUN_DIR"),
    "export": ("motion_loop.cli.export", "motions and models for other tools: export mdm|glb|smpl|mdm-checkpoint ..."),
    "theory": ("motion_loop.cli.theory", "cheap theoretical loops: theory heat-death|gaussian-correction|gaussian-figure2|stability-map|interaction-graph|digits"),
}

# Hydra commands: the override that `--out PATH` becomes. Argparse commands take `--out` themselves.
OUT_KEYS: dict[str, str] = {
    "run": "out_dir",
    "train": "out_dir",
    "sample": "out_dir",
    "theory": "out_dir",
    "evaluate": "out",
    "evaluator": "out",
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: motion-loop [--debug] COMMAND [args] [--out PATH] [--cfg] [hydra overrides]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += [
        "",
        "every command: --out PATH (where it writes), --cfg (print the resolved configuration), --help;",
        f"--debug or {DEBUG_ENV_VAR}=1 shows the full traceback of an error.",
        "`motion-loop COMMAND --help` describes one command.",
    ]
    return "\n".join(lines)


def translate_out(name: str, argv: list[str]) -> list[str]:
    """`--out PATH` / `--out=PATH` -> the Hydra command's output override (argparse commands keep it)."""
    key = OUT_KEYS.get(name)
    if key is None:
        return argv
    result: list[str] = []
    items = iter(argv)
    for item in items:
        if item == "--out":
            value = next(items, None)
            if value is None:
                raise SystemExit(f"motion-loop {name}: error: --out needs a path")
            result.append(f"{key}={value}")
        elif item.startswith("--out="):
            result.append(f"{key}={item.removeprefix('--out=')}")
        else:
            result.append(item)
    return result


@contextlib.contextmanager
def _process_environment(*, debug: bool) -> Iterator[None]:
    """Variables read by libraries during the command, restored after it (main may run in-process)."""
    wanted = {}
    if not sys.stderr.isatty():
        wanted["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # no progress bars of the text encoder's loader in logs
    if debug:
        wanted["HYDRA_FULL_ERROR"] = "1"  # Hydra jobs then raise instead of printing their own trace
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update({key: value for key, value in wanted.items() if saved[key] is None or key == "HYDRA_FULL_ERROR"})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `motion-loop` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get(DEBUG_ENV_VAR, "") not in ("", "0") or "--debug" in argv
    argv = [item for item in argv if item != "--debug"]
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"motion-loop: error: unknown command {name!r}; available: {', '.join(COMMANDS)}", file=sys.stderr)
        return EXIT_USAGE
    setup_console_logging()
    from motion_loop.cli.hydra_utils import ReportedError

    try:
        with _process_environment(debug=debug):
            module = importlib.import_module(COMMANDS[name][0])
            return int(module.run(translate_out(name, rest)) or 0)
    except ReportedError:  # a Hydra job's error: already one line on the console and in its run.log
        print(f"(run with --debug or {DEBUG_ENV_VAR}=1 for the traceback)", file=sys.stderr)
        return EXIT_ERROR
    except TOOL_ERRORS as error:
        if debug:
            raise
        print(f"motion-loop {name}: error: {describe(error)}", file=sys.stderr)
        print(f"(run with --debug or {DEBUG_ENV_VAR}=1 for the traceback)", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"motion-loop {name}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
