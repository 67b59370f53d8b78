"""The run folder: config, one folder per generation with a DONE marker, and metrics.csv.

Layout:
    RUN/config.yaml                 the run's config (a resume refuses a different one)
    RUN/gen_000/...                 whatever the engine stores for the generation
    RUN/gen_000/metrics.json        the generation's records
    RUN/gen_000/DONE                written last, by atomic rename: the generation is complete
    RUN/metrics.csv                 all records so far, one row per (generation, node)
    RUN/.lock                       while a process writes the run: its pid, host and command
A generation folder without DONE is an interrupted one: it is deleted and redone on resume.
A second process is refused while the first holds the lock; a lock left by a killed process is taken over.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from motion_loop.io import atomic_write_text as _durable_write_text
from motion_loop.io.atomic import output_error
from motion_loop.io.lock import FolderLock
from motion_loop.loop.errors import RunStateError


def atomic_write_text(path: Path, text: str) -> None:
    """Atomic against a killed process (temp file + rename); no fsync, which doubled the cost of cheap
    theory generations and guards only against power loss."""
    _durable_write_text(path, text, fsync=False)

def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise output_error(error, folder) from error


DONE_NAME = "DONE"
METRICS_JSON = "metrics.json"
METRICS_CSV = "metrics.csv"
CONFIG_NAME = "config.yaml"


def records_to_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """CSV text of flat records; columns in first-seen order, missing cells left empty."""
    columns: list[str] = []
    for record in records:
        columns += [key for key in record if key not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def _differing_paths(stored: Any, wanted: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the settings that differ between two nested configs, sorted."""
    if not (isinstance(stored, dict) and isinstance(wanted, dict)):
        return [] if stored == wanted else [prefix]
    paths: list[str] = []
    for key in sorted(set(stored) | set(wanted), key=str):
        path = f"{prefix}.{key}" if prefix else str(key)
        if key not in stored or key not in wanted:
            paths += [] if stored.get(key) == wanted.get(key) else [path]
        else:
            paths += _differing_paths(stored[key], wanted[key], path)
    return paths


def _dotted(config: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a nested config, None where it is absent."""
    value: Any = config
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _set_dotted(config: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        config = config.setdefault(part, {})
    config[leaf] = value


def _larger(wanted: Any, stored: Any) -> bool:
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (wanted, stored))
    return numbers and wanted > stored


class RunFolder:
    """One run's folder on disk (see the module docstring for the layout)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def lock(self) -> FolderLock:
        """The run folder's lock, to hold (`with folder.lock():`) while this process writes the run.

        Raises (on entering):
            LockedError: another live process writes this run; the message names its pid and host.
        """
        return FolderLock(self.root, what="run folder")

    def gen_dir(self, generation: int) -> Path:
        return self.root / f"gen_{generation:03d}"

    def open(
        self, config: Mapping[str, Any], *, ignore: Sequence[str] = (), extendable: Sequence[str] = ()
    ) -> None:
        """Create the folder and write config.yaml, or check that an existing run has the same config.

        `ignore`: dotted paths (e.g. "model.text.cache_dir") written for the record but not compared.
        `extendable`: dotted paths of counts that a resumed run may raise (e.g. "loop.generations": a
        finished run extended by more generations). A larger value replaces the stored one in
        config.yaml, so the record holds the current plan; a smaller one leaves it unchanged.

        Raises:
            RunStateError: when the folder holds a run with a different config; the message names every
                differing setting by its dotted path.
        """
        _mkdir(self.root)
        path = self.root / CONFIG_NAME
        # A YAML round trip normalises tuples and the like, so that equal configs compare equal.
        wanted = yaml.safe_load(yaml.safe_dump(dict(config), sort_keys=False))
        if path.is_file():
            stored = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            skipped = (*ignore, *extendable)
            changed = [key for key in _differing_paths(stored, wanted) if key not in skipped]
            if changed:
                raise RunStateError(
                    f"{self.root} holds a run with another config (keys differing: {changed}); "
                    "resume with the same config or choose a new out_dir"
                )
            raised = [key for key in extendable if _larger(_dotted(wanted, key), _dotted(stored, key))]
            for key in raised:
                _set_dotted(stored, key, _dotted(wanted, key))
            if raised:
                atomic_write_text(path, yaml.safe_dump(stored, sort_keys=False))
            return
        atomic_write_text(path, yaml.safe_dump(wanted, sort_keys=False))

    def is_done(self, generation: int) -> bool:
        return (self.gen_dir(generation) / DONE_NAME).is_file()

    def completed(self) -> int:
        """Number of complete generations (0..n-1 all have DONE); later partial folders are removed.

        Raises:
            RunStateError: when a DONE generation follows an incomplete one (a gap).
        """
        count = 0
        while self.is_done(count):
            count += 1
        later = sorted(self.root.glob("gen_*"))
        for folder in later:
            index = int(folder.name.removeprefix("gen_"))
            if index < count:
                continue
            if (folder / DONE_NAME).is_file():
                raise RunStateError(
                    f"{folder} is complete but generation {count} is not; the run folder has a gap, "
                    "delete the later generations or start a new out_dir"
                )
        return count

    def begin(self, generation: int) -> Path:
        """A fresh, empty folder for `generation` (an interrupted attempt's leftovers are deleted)."""
        folder = self.gen_dir(generation)
        try:
            if folder.exists():
                shutil.rmtree(folder)
        except OSError as error:
            raise output_error(error, folder) from error
        _mkdir(folder)
        return folder

    def finish(self, generation: int, records: Sequence[Mapping[str, Any]]) -> None:
        """Write the generation's metrics.json, then its DONE marker (atomic rename, last)."""
        folder = self.gen_dir(generation)
        atomic_write_text(folder / METRICS_JSON, json.dumps(list(records), indent=1))
        atomic_write_text(folder / DONE_NAME, f"{generation}\n")

    def read_records(self, generation: int) -> list[dict[str, Any]]:
        path = self.gen_dir(generation) / METRICS_JSON
        if not path.is_file():
            raise RunStateError(
                f"{path} is missing although generation {generation} is marked DONE"
            )
        records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return records

    def write_csv(self, records: Sequence[Mapping[str, Any]]) -> None:
        atomic_write_text(self.root / METRICS_CSV, records_to_csv(records))
