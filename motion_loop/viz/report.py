"""A self-contained HTML page of a run (or of a sweep folder holding several runs): config, metric
curves per arm, the metrics table, physics-correction statistics and videos, all embedded."""

from __future__ import annotations

import base64
import html
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from motion_loop.errors import MotionLoopError
from motion_loop.io import atomic_write_text
from motion_loop.viz.coherence_strip import coherence_html
from motion_loop.viz.curves import metric_names, plot_arms, read_metrics_csv

# Videos are embedded only up to this total size, so the page stays openable [bytes].
_MAX_EMBEDDED_VIDEO_BYTES = 40_000_000
_CORRECTION_KEYS = ("fell", "resets", "mpjpe_mm", "residual_force_pct_bw", "seconds")


def find_runs(path: Path) -> list[Path]:
    """The run folders at or below `path` (a folder with config.yaml and metrics.csv is a run)."""
    path = Path(path)
    if (path / "metrics.csv").is_file() and (path / "config.yaml").is_file():
        return [path]
    runs = sorted(p.parent for p in path.rglob("metrics.csv") if (p.parent / "config.yaml").is_file())
    if not runs:
        raise MotionLoopError(f"no run under {path}: expected a folder with config.yaml and metrics.csv")
    return runs


def arm_label(run: Path) -> str:
    """The run's arm (a motion run's `loop.arm`, a theory run's `arm`), else its folder name."""
    config = yaml.safe_load((run / "config.yaml").read_text()) or {}
    loop = config.get("loop") if isinstance(config.get("loop"), dict) else {}
    return str(loop.get("arm") or config.get("arm") or run.name)


def correction_summary(run: Path) -> list[dict[str, Any]]:
    """Per generation: clip count, fall and reset rates, and mean before/after plausibility of the corrector."""
    rows = []
    for gen_dir in sorted(run.glob("gen_*")):
        reports = [json.loads(line) for path in sorted(gen_dir.rglob("correction.jsonl")) for line in path.read_text().splitlines() if line.strip()]
        if not reports:
            continue
        row: dict[str, Any] = {"generation": int(gen_dir.name.removeprefix("gen_")), "clips": len(reports)}
        for key in _CORRECTION_KEYS:
            values = [float(r[key]) for r in reports if isinstance(r.get(key), (int, float, bool))]
            if values:
                row[key] = sum(values) / len(values)
        for key in sorted({k for r in reports for k in r if k.endswith(("_before", "_after"))}):
            values = [float(r[key]) for r in reports if isinstance(r.get(key), (int, float))]
            if values:
                row[key] = sum(values) / len(values)
        rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>none</p>"
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c, ''))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return html.escape(str(value))


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _videos(runs: list[Path]) -> str:
    parts, budget = [], _MAX_EMBEDDED_VIDEO_BYTES
    for run in runs:
        for video in sorted(run.glob("videos/*.mp4")):
            size = video.stat().st_size
            if size > budget:
                parts.append(f"<p>{html.escape(str(video))} (not embedded: size limit)</p>")
                continue
            budget -= size
            data = base64.b64encode(video.read_bytes()).decode()
            parts.append(
                f"<figure><video controls loop muted src=\"data:video/mp4;base64,{data}\"></video>"
                f"<figcaption>{html.escape(arm_label(run))}: {html.escape(video.stem)}</figcaption></figure>"
            )
    return "".join(parts) or "<p>no videos</p>"


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}
table{border-collapse:collapse;font-size:12px;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}img{max-width:100%;margin:4px 0}video{width:420px;margin:4px}figure{display:inline-block;margin:4px}
pre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto}
"""


def write_report(path: Path, out: Path | None = None) -> Path:
    """Write `report.html` for the run (or sweep) at `path`; returns the file written."""
    runs = find_runs(path)
    arms: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        arms[arm_label(run)] += read_metrics_csv(run / "metrics.csv")
    plot_dir = Path(path) / "plots"
    plots = plot_arms(arms, plot_dir, metrics=metric_names(row for rows in arms.values() for row in rows))
    sections = [f"<h1>motion-loop report: {html.escape(str(Path(path).resolve().name))}</h1>"]
    sections.append(f"<p>{len(runs)} run(s), arms: {', '.join(html.escape(a) for a in arms)}</p>")
    sections.append("<h2>Metrics against generation</h2>" + _image(plots[0]))
    for run in runs:
        sections.append(f"<h2>Run {html.escape(arm_label(run))} <small>({html.escape(str(run))})</small></h2>")
        sections.append("<h3>Metrics</h3>" + _table(read_metrics_csv(run / "metrics.csv")))
        sections.append("<h3>Physics correction</h3>" + _table(correction_summary(run)))
        sections.append(coherence_html(run))  # issue 16: headline coherence ratio and filmstrip
        sections.append("<details><summary>config</summary><pre>" + html.escape((run / "config.yaml").read_text()) + "</pre></details>")
    sections.append("<h2>Videos</h2>" + _videos(runs))
    page = f"<!doctype html><html><head><meta charset='utf-8'><title>motion-loop report</title><style>{_STYLE}</style></head><body>{''.join(sections)}</body></html>"
    target = Path(out) if out is not None else Path(path) / "report.html"
    atomic_write_text(target, page)
    return target
