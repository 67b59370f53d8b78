"""The verdict at the top of the report: `SWEEP_DIR/summary.json` (written by `motion-loop report` from
`motion_loop.eval.verdict`) as a table with one plain sentence per comparison.

An entry is `{"metric", "arms": [a, b], "difference", "ci95": [low, high], "seeds", ...}` with
difference = a − b; `ci95` bounds are null when there were too few seeds to form an interval.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

from motion_loop.errors import DataFormatError
from motion_loop.viz.metric_info import CLOSER, HIGHER, LOWER, metric_info

SUMMARY_FILE = "summary.json"


def read_summary(folder: Path) -> dict[str, Any] | None:
    """`folder/summary.json`, or None when there is none.

    Raises:
        DataFormatError: a summary.json that is not JSON or has no "comparisons" list.
    """
    path = Path(folder) / SUMMARY_FILE
    if not path.is_file():
        return None
    try:
        summary = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise DataFormatError(f"{path} is not valid JSON ({error}); re-run `motion-loop report` on the sweep") from error
    if not isinstance(summary, dict) or not isinstance(summary.get("comparisons"), list):
        raise DataFormatError(f"{path} has no 'comparisons' list; re-run `motion-loop report` on the sweep")
    return summary


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def _seed_count(entry: dict[str, Any]) -> int:
    seeds = entry.get("seeds")
    return len(seeds) if isinstance(seeds, list) else int(_number(seeds)) if math.isfinite(_number(seeds)) else 0


def reading(entry: dict[str, Any]) -> tuple[str, bool]:
    """(plain sentence, whether the 95 % interval excludes 0) for one comparison."""
    info = metric_info(str(entry.get("metric", "")))
    a, b = (list(entry.get("arms") or ["?", "?"]) + ["?", "?"])[:2]
    difference = _number(entry.get("difference"))
    low, high = (list(entry.get("ci95") or [None, None]) + [None, None])[:2]
    low, high = _number(low), _number(high)
    seeds = _seed_count(entry)
    if not (math.isfinite(low) and math.isfinite(high)):
        return (f"No verdict on {info.label} between {a} and {b}: with {seeds} seed(s) there is no "
                "interval (run at least 2 seeds per arm).", False)  # fmt: skip
    if low <= 0 <= high:
        return (f"No detectable difference in {info.label} between {a} and {b} "
                f"(95 % interval {low:.3g} to {high:.3g}, {seeds} seeds).", False)  # fmt: skip
    direction = "higher" if difference > 0 else "lower"
    judgement = ""
    if info.better in (LOWER, HIGHER):
        good = (direction == "lower") == (info.better == LOWER)
        judgement = f", so {a} is {'better' if good else 'worse'}"
    elif info.better == CLOSER:
        judgement = " (closer to the real data is better: compare with the real-data line in the plot)"
    unit = f" {info.unit}" if info.unit else ""
    return (f"{info.label} is {direction} with {a} than with {b} by {abs(difference):.3g}{unit} "
            f"(95 % interval {low:.3g} to {high:.3g}, {seeds} seeds){judgement}.", True)  # fmt: skip


def verdict_html(summary: dict[str, Any]) -> str:
    """The verdict table (detected differences first) and the pairs that could not be compared."""
    entries = [e for e in summary["comparisons"] if isinstance(e, dict)]
    skipped = summary.get("skipped") or []
    notes = "".join(f"<li>{html.escape(str(s))}</li>" for s in skipped)
    if not entries:
        why = f"<ul>{notes}</ul>" if notes else ""
        return ("<p class='note'>summary.json holds no comparison: the verdict needs at least two arms run with the "
                f"same seed, sharing generation 0, and both evaluated after it.</p>{why}")  # fmt: skip
    rows = []
    read = [(entry, *reading(entry)) for entry in entries]
    read.sort(key=lambda item: not item[2])  # detected differences first, otherwise the file's order
    for entry, sentence, detected in read:
        info = metric_info(str(entry.get("metric", "")))
        a, b = (list(entry.get("arms") or ["?", "?"]) + ["?", "?"])[:2]
        low, high = (list(entry.get("ci95") or [None, None]) + [None, None])[:2]
        interval = (f"{_number(low):.3g} to {_number(high):.3g}"
                    if math.isfinite(_number(low)) and math.isfinite(_number(high)) else "none")  # fmt: skip
        group = entry.get("group") or {}
        where = "".join(f"<br><small>{html.escape(str(k))} = {html.escape(str(v))}</small>" for k, v in group.items())
        rows.append(
            f"<tr class='{'detected' if detected else 'none'}'>"
            f"<td class='text'>{html.escape(info.label)}<br><small>{html.escape(info.better_text)}</small></td>"
            f"<td class='text'>{html.escape(str(a))} − {html.escape(str(b))}{where}</td>"
            f"<td>{_number(entry.get('difference')):.3g}</td><td>{interval}</td><td>{_seed_count(entry)}</td>"
            f"<td class='text reading'>{html.escape(sentence)}</td></tr>"
        )
    head = ("<tr><th>metric</th><th>arms (a − b)</th><th>difference</th><th>95 % interval</th><th>seeds</th>"
            "<th>reading</th></tr>")  # fmt: skip
    definition = summary.get("definition")
    parts = [f"<div class='scroll'><table class='verdict'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></div>"]
    if definition:
        parts.append(f"<p class='note'>{html.escape(str(definition))}.</p>")
    if notes:
        parts.append(f"<details><summary>{len(skipped)} pair(s) not compared</summary><ul>{notes}</ul></details>")
    return "".join(parts)
