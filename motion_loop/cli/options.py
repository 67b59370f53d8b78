"""Options every argparse subcommand shares with the Hydra ones: `--out PATH` and `--cfg`.

Hydra commands take `--out PATH` as their output override (motion_loop.cli.translate_out) and `--cfg`
through hydra_utils.config_flags; the argparse commands (`data`, `correct`, `report`) use these.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

from motion_loop.cli.hydra_utils import config_flags


def add_out_argument(parser: argparse.ArgumentParser, name: str, help_text: str, *, positional: bool = True) -> None:
    """`NAME` (optional positional, for backward compatibility) or `--out NAME`: the output path."""
    if positional:
        parser.add_argument(name, type=Path, nargs="?", default=None, help=f"{help_text} (or --out)")
    parser.add_argument("--out", dest=f"{name}_flag" if positional else name, type=Path, default=None, help=help_text)


def resolve_out(parser: argparse.ArgumentParser, args: argparse.Namespace, name: str) -> None:
    """Merge the positional and `--out` spellings into `args.NAME`; exactly one must be given."""
    positional, flag = getattr(args, name), getattr(args, f"{name}_flag")
    if positional is not None and flag is not None and positional != flag:
        parser.error(f"the output is given twice ({positional} and --out {flag}); give it once")
    value = positional if positional is not None else flag
    if value is None:
        parser.error("give the output folder: --out PATH")
    setattr(args, name, value)
    delattr(args, f"{name}_flag")


def split_cfg(argv: list[str]) -> tuple[list[str], bool]:
    """Remove `--cfg [job|hydra|all]` from argv; True when it was there (print the configuration)."""
    return config_flags(argv)


def print_arguments(args: argparse.Namespace, extra: dict[str, Any] | None = None) -> None:
    """The resolved arguments of an argparse command as YAML (what `--cfg` shows)."""
    values = {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items() if not callable(value)}
    print(yaml.safe_dump({**values, **(extra or {})}, sort_keys=False), end="")
