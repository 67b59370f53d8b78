"""A self-contained HTML page of a run (or of a sweep folder holding several runs) that answers "did the
loop degrade, and did correction help?" at a glance: the verdict table first (from summary.json), the
change of each headline metric from generation 0 to the last, the metric curves, videos with their
prompts, then per-run tables with the full columns behind a toggle. Everything is embedded."""

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
from motion_loop.eval.coherence import content_label
from motion_loop.eval.verdict import (
    RunRecord,
    load_run,
    one_run_per_arm_and_seed,
    swept_keys,
    swept_label,
)
from motion_loop.io import atomic_write_text
from motion_loop.loop.motion.clips import source_clip_id
from motion_loop.viz.coherence_strip import coherence_html
from motion_loop.viz.curves import (
    HEADLINE_METRICS,
    metric_names,
    plot_arms,
    read_metrics_csv,
    summarize,
)
from motion_loop.viz.metric_info import metric_info
from motion_loop.viz.verdict_table import read_summary, verdict_html

# Videos are embedded only up to this total size, so the page stays openable [bytes].
_MAX_EMBEDDED_VIDEO_BYTES = 40_000_000
_CORRECTION_KEYS = ("fell", "resets", "mpjpe_mm", "residual_force_pct_bw", "seconds")
_CORRECTION_HEADLINE = ("generation", "clips", "flagged", "fallback", "dropped", "fell", "resets", "mpjpe_mm",
                        "residual_force_pct_bw", "seconds")
_CONTENT_KEYS = ("surface_skate_mm_before", "surface_skate_mm_after", "surface_float_mm_after",
                 "surface_penetrate_mm_after", "mpjpe_mm", "residual_force_pct_bw")  # fmt: skip
_CI = "_ci95"


def find_runs(path: Path) -> list[Path]:
    """The run folders at or below `path` (a folder with config.yaml and metrics.csv is a run)."""
    path = Path(path)
    if (path / "metrics.csv").is_file() and (path / "config.yaml").is_file():
        return [path]
    runs = sorted(p.parent for p in path.rglob("metrics.csv") if (p.parent / "config.yaml").is_file())
    if not runs:
        raise MotionLoopError(f"no run under {path}: expected a folder with config.yaml and metrics.csv")
    return runs


def _config(run: Path) -> dict[str, Any]:
    config = yaml.safe_load((run / "config.yaml").read_text()) or {}
    return config if isinstance(config, dict) else {}


def _seed(run: Path, config: dict[str, Any]) -> str:
    loop = config.get("loop") if isinstance(config.get("loop"), dict) else {}
    return str(loop.get("seed", config.get("seed", run.name)))


def _progress(config: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[int, int] | None:
    """(generations finished, generations planned) of a run (its config.yaml and metrics.csv `rows`)
    whose config says how many it plans."""
    loop = config.get("loop") if isinstance(config.get("loop"), dict) else {}
    planned = loop.get("generations", config.get("generations"))
    if not isinstance(planned, int):
        return None
    done = {int(row["generation"]) for row in rows if isinstance(row.get("generation"), float)}
    return len(done), planned


def _replications(config: dict[str, Any]) -> int | None:
    metrics = ((config.get("eval") or {}).get("metrics") or {}) if isinstance(config.get("eval"), dict) else {}
    value = metrics.get("replications") if isinstance(metrics, dict) else None
    return int(value) if isinstance(value, int) else None


def correction_reports(run: Path) -> dict[int, list[dict[str, Any]]]:
    """The corrector's per-clip reports (correction.jsonl) of each generation that has them."""
    out = {}
    for gen_dir in sorted(run.glob("gen_*")):
        reports = [json.loads(line) for path in sorted(gen_dir.rglob("correction.jsonl")) for line in path.read_text().splitlines() if line.strip()]
        if reports:
            out[int(gen_dir.name.removeprefix("gen_"))] = reports
    return out


def correction_summary(reports_of: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per generation: clip count; fractions of clips flagged (any flag), dragged by the stiff-root
    fallback and dropped from the mix (`loop.drop_flagged`); fall and reset rates; mean before/after
    plausibility of the corrector."""
    rows = []
    for generation, reports in sorted(reports_of.items()):
        row: dict[str, Any] = {"generation": generation, "clips": len(reports)}
        if any("flags" in r for r in reports):  # reports of the physics corrector (other correctors: none)
            row["flagged"] = sum(bool(r.get("flags")) for r in reports) / len(reports)
            row["fallback"] = sum(r.get("controller") == "fallback" for r in reports) / len(reports)
        if any("dropped" in r for r in reports):
            row["dropped"] = sum(bool(r.get("dropped")) for r in reports) / len(reports)
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


def correction_by_content(reports_of: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per content label of the prompt's real clip (Bandai-Namco ids; others pool as "other"), over all
    generations: clips, fractions flagged and dragged by the fallback, and the mean surface plausibility
    before / after correction. Empty when every clip is "other" (no content labels to tell apart)."""
    by_content: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reports in reports_of.values():
        for report in reports:
            by_content[content_label(source_clip_id(str(report.get("clip_id", ""))))].append(report)
    if set(by_content) <= {"other"}:
        return []
    rows = []
    for content, reports in sorted(by_content.items()):
        row: dict[str, Any] = {"content": content, "clips": len(reports)}
        row["flagged"] = sum(bool(r.get("flags")) for r in reports) / len(reports)
        row["fallback"] = sum(r.get("controller") == "fallback" for r in reports) / len(reports)
        for key in _CONTENT_KEYS:
            values = [float(r[key]) for r in reports if isinstance(r.get(key), (int, float))]
            if values:
                row[key] = sum(values) / len(values)
        rows.append(row)
    return rows


def _cell(value: Any, half: Any = None) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if isinstance(half, float) and math.isfinite(half) and half > 0:
            return f"{value:.4g} <small>± {half:.2g}</small>"
        return f"{value:.4g}"
    return html.escape(str(value))


def _table(rows: list[dict[str, Any]], columns: list[str] | None = None, *, with_ci: bool = False) -> str:
    if not rows:
        return "<p class='note'>none</p>"
    if columns is None:
        columns = []
        for row in rows:
            columns += [key for key in row if key not in columns and not (with_ci and key.endswith(_CI))]
    head = "".join(f"<th title='{html.escape(metric_info(c).title)}'>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c, ''), row.get(c + _CI) if with_ci else None)}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _prompts(run: Path) -> list[str]:
    """The captions of the kept prompts (videos/prompt_K.mp4), as the loop stores them per generation."""
    from motion_loop.loop.motion.evaluator import VIDEO_CAPTIONS

    found = sorted(run.glob(f"gen_*/{VIDEO_CAPTIONS}"))
    if not found:
        return []
    path = found[0]
    captions = json.loads(path.read_text())
    return [str(c) for c in captions] if isinstance(captions, list) else []


def _videos(runs: list[Path], labels: dict[Path, str], seed_of: dict[Path, str]) -> str:
    parts, budget = [], _MAX_EMBEDDED_VIDEO_BYTES
    for run in runs:
        prompts = _prompts(run)
        for video in sorted(run.glob("videos/*.mp4")):
            index = video.stem.removeprefix("prompt_")
            prompt = prompts[int(index)] if index.isdigit() and int(index) < len(prompts) else video.stem
            caption = (f"<figcaption><q>{html.escape(prompt)}</q><br><small>{html.escape(labels[run])}, seed "
                       f"{html.escape(seed_of[run])}</small></figcaption>")  # fmt: skip
            size = video.stat().st_size
            if size > budget:
                parts.append(f"<figure><p>{html.escape(str(video))} (not embedded: size limit)</p>{caption}</figure>")
                continue
            budget -= size
            data = base64.b64encode(video.read_bytes()).decode()
            parts.append(f"<figure><video controls loop muted preload='metadata' src=\"data:video/mp4;base64,{data}\"></video>{caption}</figure>")
    return f"<div class='videos'>{''.join(parts)}</div>" if parts else "<p class='note'>no videos</p>"


def _change_table(arms: dict[str, list[dict[str, Any]]], metrics: list[str]) -> str:
    """Rows: headline metrics; one column per arm: mean at generation 0 -> at the last generation (change)."""
    rows = []
    for metric in metrics:
        info = metric_info(metric)
        cells = []
        for arm_rows in arms.values():
            generations, means, half = summarize(arm_rows, metric)
            if len(generations) < 2:
                cells.append("<td></td>")
                continue
            first, last = float(means[0]), float(means[-1])
            band = f" <small>± {half[-1]:.2g}</small>" if half[-1] > 0 else ""
            cells.append(f"<td>{first:.3g} → {last:.3g}{band}<br><small>change {last - first:+.3g}</small></td>")
        if any(cell != "<td></td>" for cell in cells):
            rows.append(f"<tr><td class='text'>{html.escape(info.label)}<br><small>{html.escape(info.better_text)}</small></td>"
                        f"<td class='text'>{html.escape(info.unit)}</td>{''.join(cells)}</tr>")  # fmt: skip
    if not rows:
        return "<p class='note'>only one generation: nothing changed yet</p>"
    head = "<tr><th>metric</th><th>unit</th>" + "".join(f"<th>{html.escape(arm)}</th>" for arm in arms) + "</tr>"
    return (f"<p class='note'>Mean over seeds at generation 0 → at the last generation; ± is the 95 % interval of the "
            f"last value. Descriptive only: the verdict above is the comparison.</p><div class='scroll'><table><thead>"
            f"{head}</thead><tbody>{''.join(rows)}</tbody></table></div>")  # fmt: skip


def _curve_runs(
    rows_of: dict[Path, list[dict[str, Any]]], configs: dict[Path, dict[str, Any]]
) -> tuple[list[Path], dict[Path, str], list[str]]:
    """The runs to draw, each with its curve's label (the arm, and the swept values it uses, as the
    verdict groups them: runs at λ = 0.5 and λ = 1 are two curves, not one), and a note for each run left
    out because another run of the same label and seed got further (it would count as a second seed)."""
    records = [load_run(run, rows, configs[run]) for run, rows in rows_of.items()]
    keys = swept_keys(records)
    by_label: dict[str, list[RunRecord]] = defaultdict(list)
    for record in records:
        by_label[swept_label(record, keys)].append(record)
    labels, notes = {}, []
    for label, members in by_label.items():
        kept, left_out = one_run_per_arm_and_seed(members)
        labels.update({record.path: label for record in kept})
        notes += left_out
    return [run for run in rows_of if run in labels], labels, notes


def _warnings(
    runs: dict[Path, list[dict[str, Any]]], arms: dict[str, list[dict[str, Any]]], labels: dict[Path, str],
    seed_of: dict[Path, str], configs: dict[Path, dict[str, Any]],
) -> list[str]:
    """Warnings about the design of a sweep; `runs`: each run folder with its metrics.csv rows."""
    seeds: dict[str, set[str]] = defaultdict(set)
    for run in runs:
        seeds[labels[run]].add(seed_of[run])
    out = []
    single = sorted(arm for arm, s in seeds.items() if len(s) == 1)
    if single:
        out.append(f"One seed only ({', '.join(single)}): the bands show evaluation noise at best, not the spread "
                   "between training runs, and no verdict across seeds can be formed. Run at least 2 seeds per arm.")  # fmt: skip
    replications = {_replications(configs[run]) for run in runs}
    if 1 in replications:
        out.append("One evaluation replication: the metrics carry no interval of their own (bands of width 0).")
    if len(arms) == 1:
        out.append("One arm only: nothing to compare it with. Run arm=baseline,synthetic,corrected to answer the question.")
    unfinished = [(run, p) for run, rows in runs.items() if (p := _progress(configs[run], rows)) is not None and p[0] < p[1]]
    if unfinished:
        listed = "; ".join(f"{labels[run]} seed {seed_of[run]}: {done} of {planned}" for run, (done, planned) in unfinished)
        out.append(f"Unfinished runs (generations done of planned): {listed}. Curves stop where each run stopped, and "
                   "the verdict covers only the generations that every paired seed has reached.")  # fmt: skip
    return out


_STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;padding:1.2em 2em;max-width:1280px;color:#222;line-height:1.4}
h1{font-size:1.6em;margin:.2em 0}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.lead{color:#555;margin:.2em 0 1em}.note{color:#555;font-size:.9em}
.warning{background:#fff4d6;border-left:4px solid #e0a400;padding:.5em .8em;margin:.4em 0;font-size:.95em}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f3f3f3;white-space:nowrap;text-align:left}td.text{text-align:left}td small{color:#666}
table.verdict td.reading{min-width:22em}tr.detected td{background:#eaf6ea}tr.detected td.reading{font-weight:600}
img{max-width:100%;height:auto;margin:4px 0}
.videos{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;flex:1 1 460px;max-width:720px}
video{width:100%;background:#fff;border:1px solid #ddd}figcaption{font-size:.95em;margin-top:.2em}
pre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto}details{margin:.4em 0}summary{cursor:pointer;color:#0b5cab}
"""


def write_report(path: Path, out: Path | None = None) -> Path:
    """Write `report.html` for the run (or sweep) at `path`; returns the file written.

    Reads `path/summary.json` (the verdict across seeds, see `verdict_table`) when it exists.
    """
    found = find_runs(path)
    summary = read_summary(Path(path))  # before any drawing: a broken summary fails at once
    rows_of = {run: read_metrics_csv(run / "metrics.csv") for run in found}  # read once, used three times
    configs = {run: _config(run) for run in found}  # likewise
    runs, labels, left_out = _curve_runs(rows_of, configs)
    rows_of = {run: rows_of[run] for run in runs}
    seed_of = {run: _seed(run, configs[run]) for run in runs}
    arms: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        arms[labels[run]] += rows_of[run]
    all_rows = [row for rows in arms.values() for row in rows]
    names = metric_names(all_rows)
    headline = [m for m in HEADLINE_METRICS if m in names]
    plots = plot_arms(arms, Path(path) / "plots", metrics=names)
    seeds = sorted(set(seed_of.values()))
    generations = sorted({int(row["generation"]) for row in all_rows if isinstance(row.get("generation"), float)})
    last = generations[-1] if generations else 0
    sections = [
        f"<h1>Did the loop degrade, and did correction help? <small>({html.escape(Path(path).resolve().name)})</small></h1>",
        f"<p class='lead'>{len(runs)} run(s); arms: {', '.join(html.escape(a) for a in arms)}; seeds: "
        f"{', '.join(html.escape(s) for s in seeds)}; generations 0 to {last}.</p>",
    ]
    sections += [f"<div class='warning'>{html.escape(w)}</div>" for w in _warnings(rows_of, arms, labels, seed_of, configs) + left_out]
    sections.append("<h2>Verdict across seeds</h2>")
    if summary is not None:
        sections.append(verdict_html(summary))
    else:
        sections.append("<p class='note'>No summary.json here: the verdict compares arms that share a seed, so it "
                        "needs a sweep folder with several arms (and at least 2 seeds for an interval). Run "
                        "<code>motion-loop report SWEEP_DIR</code> on such a folder.</p>")  # fmt: skip
    sections.append("<h2>Change from generation 0 to the last</h2>" + _change_table(arms, headline))
    sections.append(
        "<h2>Metrics against generation</h2><p class='note'>Mean over seeds; the band is the 95 % interval over "
        "seeds (with one seed, over evaluation replications). The dashed line is real data where it was measured.</p>"
        + _image(plots[0], "headline metrics against generation")
        + "<details><summary>every metric, one plot each</summary>"
        + "".join(_image(p, p.stem) for p in plots[1:])
        + "</details>"
    )
    sections.append("<h2>Motions across generations</h2><p class='note'>Each video shows the same prompt at the "
                    "first, middle and last generation.</p>" + _videos(runs, labels, seed_of))  # fmt: skip
    for run in runs:
        rows = rows_of[run]
        columns = ["generation"] + [m for m in headline if any(m in row for row in rows)]
        reports_of = correction_reports(run)
        correction = correction_summary(reports_of)
        by_content = correction_by_content(reports_of)
        sections.append(f"<h2>Run: {html.escape(labels[run])}, seed {html.escape(seed_of[run])}</h2>"
                        f"<p class='note'>{html.escape(str(run))}</p>")  # fmt: skip
        sections.append("<h3>Headline metrics</h3>" + _table(rows, columns, with_ci=True))
        sections.append(f"<details><summary>all {len(metric_names(rows))} metric columns</summary>" + _table(rows, with_ci=True) + "</details>")
        if correction:
            shown = [c for c in _CORRECTION_HEADLINE if any(c in row for row in correction)]
            sections.append("<h3>Physics correction (mean per clip)</h3>" + _table(correction, shown))
            sections.append("<details><summary>before / after plausibility of the corrector</summary>" + _table(correction) + "</details>")
        if by_content:
            sections.append("<details><summary>physics correction per content of the prompt (all generations)</summary>"
                            + _table(by_content) + "</details>")  # fmt: skip
        sections.append(coherence_html(run))  # issue 16: headline coherence ratio and filmstrip
        sections.append("<details><summary>config</summary><pre>" + html.escape((run / "config.yaml").read_text()) + "</pre></details>")
    page = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width, "
            f"initial-scale=1'><title>motion-loop report</title><style>{_STYLE}</style></head><body>{''.join(sections)}</body></html>")  # fmt: skip
    target = Path(out) if out is not None else Path(path) / "report.html"
    atomic_write_text(target, page)
    return target
