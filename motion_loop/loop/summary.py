"""What a loop run says on the console and in its log: one line per generation, a short final table.

Both read the flat per-generation records of the loop engine (metrics.csv's rows) and show a few
headline metrics; every other number stays in metrics.csv, TensorBoard and the report.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

# (record key, short label, format) in the order shown; absent keys are skipped.
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("fid", "FID", ".3f"),
    ("r_precision_top3", "R@3", ".3f"),
    ("matching_score", "match", ".3f"),
    ("diversity", "diversity", ".3f"),
    ("multimodality", "multimod", ".3f"),
    ("correction_mpjpe_mm", "moved by correction mm", ".1f"),
)

OnGeneration = Callable[[int, list[dict[str, Any]]], None]


def _number(record: Mapping[str, Any], key: str) -> float | None:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def generation_line(generation: int, generations: int, record: Mapping[str, Any], *, label: str = "", seconds: float | None = None) -> str:
    """e.g. `corrected gen 2/2: FID 1.234 ±0.210  R@3 0.406  ...  n_train 60 (12 synthetic)  41 s`."""
    parts = [f"{label + ' ' if label else ''}gen {generation}/{generations - 1}:"]
    for key, name, fmt in HEADLINE:
        value = _number(record, key)
        if value is None:
            continue
        ci = _number(record, f"{key}_ci95")
        parts.append(f"{name} {value:{fmt}}" + (f" ±{ci:{fmt}}" if ci else ""))
    n_train, incoming = _number(record, "n_train"), _number(record, "n_incoming")
    if n_train is not None:
        parts.append(f"n_train {n_train:.0f}" + (f" ({incoming:.0f} synthetic)" if incoming else ""))
    if seconds is not None:
        parts.append(f"{seconds:.0f} s")
    return parts[0] + " " + "  ".join(parts[1:])


def final_table(records: Sequence[Mapping[str, Any]]) -> str:
    """Headline metrics at generation 0 and the last generation, with the change, as a text table."""
    if not records:
        return "no generation was run"
    first = min(records, key=lambda r: r["generation"])
    last = max(records, key=lambda r: r["generation"])
    rows = [("metric", "gen 0", f"gen {last['generation']}", "change")]
    for key, name, fmt in HEADLINE:
        start, end = _number(first, key), _number(last, key)
        if start is None and end is None:
            continue
        change = "" if start is None or end is None else f"{end - start:+{fmt}}"
        if start and end is not None and start != 0:
            change += f" ({(end - start) / abs(start):+.1%})"
        cells = ("-" if v is None else f"{v:{fmt}}" for v in (start, end))
        rows.append((name, *cells, change))
    widths = [max(len(row[k]) for row in rows) for k in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


class GenerationLog:
    """Loop-engine callback: logs one line per finished generation, then calls the next callback."""

    def __init__(self, generations: int, *, label: str = "", then: OnGeneration | None = None) -> None:
        self.generations = generations
        self.label = label
        self.then = then
        self._since = time.perf_counter()

    def __call__(self, generation: int, records: list[dict[str, Any]]) -> None:
        if self.then is not None:
            self.then(generation, records)
        now = time.perf_counter()
        for record in records:
            log.info("%s", generation_line(generation, self.generations, record, label=self.label, seconds=now - self._since))
        self._since = now
