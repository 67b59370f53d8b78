"""Evaluation results as JSON and as a console table."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from motion_loop.eval.evaluation import EvaluationResult
from motion_loop.io import atomic_write_json


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.3e}"


def format_table(result: EvaluationResult, *, title: str = "") -> str:
    """A fixed-width table: metric, mean +- 95 % interval, unit, which way is better, note."""
    rows = [("metric", "mean", "±95%", "unit", "better", "note")]
    for record in result.records.values():
        rows.append((
            record.name,
            _fmt(record.mean) if record.available else "n/a",
            _fmt(record.ci95) if record.available else "",
            record.unit,
            record.better if record.available else "",
            record.note,
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [title] if title else []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)) + "  " + row[5])
        if index == 0:
            lines.append("-" * (sum(widths) + 2 * 5 + 4))
    return "\n".join(line.rstrip() for line in lines)


def write_json(result: EvaluationResult, path: Path | str, *, extra: dict[str, Any] | None = None) -> None:
    """Write `result.to_dict()` (plus `extra`, e.g. the resolved config) atomically; NaN becomes null."""
    payload = {**result.to_dict(), **(extra or {})}
    atomic_write_json(Path(path), _nan_to_none(payload))


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    return value
