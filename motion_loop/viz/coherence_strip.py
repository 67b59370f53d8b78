"""Filmstrip of generated clips against the real clips of the same prompts, over consecutive frames.

Flicker (legs jumping between gait phases from one frame to the next) is invisible in frames a second
apart and obvious in consecutive ones, so each row shows `frames` frames `stride` apart from the middle
of the clip, with the root-relative foot motion per frame (eval/coherence.py) in its title.
"""

from __future__ import annotations

import base64
import csv
import html
import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from motion_loop.errors import MotionLoopError  # noqa: E402
from motion_loop.eval.coherence import FOOT_JOINTS, root_relative_speed  # noqa: E402
from motion_loop.viz.frames import draw_pose, save_figure  # noqa: E402

# Horizontal distance between drawn frames [m]: poses are drawn with their own root removed.
_SPACING = 0.75
_TITLE_CHARS = 90


def _window(length: int, frames: int, stride: int) -> np.ndarray:
    span = (frames - 1) * stride
    start = max(0, (length - 1 - span) // 2)
    return np.minimum(start + stride * np.arange(frames), length - 1)


def save_coherence_filmstrip(
    rows: Sequence[tuple[str, Sequence[tuple[str, np.ndarray]]]],
    path: Path,
    *,
    frames: int = 8,
    stride: int = 1,
    dpi: int = 70,
) -> Path:
    """One block per prompt: its real clip and generated clips, each over `frames` consecutive frames.

    Args:
        rows: (caption, [(label, joints (T, 22, 3) [m] y-up), ...]) per prompt, e.g.
            ("a person walks", [("real", real), ("generation 0", generated)]).
        path: the PNG to write (its folder is created).
        frames, stride: frames drawn per clip and the step between them [frames at 20 fps].
    """
    strips = [(label, caption, joints) for caption, clips in rows for label, joints in clips]
    if not strips:
        raise MotionLoopError("save_coherence_filmstrip: no clips given")
    fig, axes = plt.subplots(len(strips), 1, figsize=(frames * 0.75, 1.45 * len(strips)), squeeze=False)
    for ax, (label, caption, joints) in zip(axes[:, 0], strips, strict=True):
        joints = np.asarray(joints, dtype=np.float64)
        feet = root_relative_speed(joints, FOOT_JOINTS)  # (T - 1, 4) [mm/frame]
        for k, frame in enumerate(_window(len(joints), frames, stride)):
            pose = joints[frame] - joints[frame, 0] * np.array([1.0, 0.0, 1.0])  # root over the origin
            draw_pose(ax, pose, x_shift=k * _SPACING)
        ax.axhline(0.0, color="#999999", linewidth=0.6)
        title = f"{label}, feet {np.median(feet):.0f} / p95 {np.percentile(feet, 95):.0f} mm/frame: {caption}"
        ax.set_title(title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 3] + "...", fontsize=7, loc="left")
        ax.set_aspect("equal")
        ax.set_xlim(-0.6, (frames - 1) * _SPACING + 0.6)
        ax.set_ylim(-0.05, 1.9)
        ax.axis("off")
    return save_figure(fig, path, dpi=dpi)


_HEADLINE = ("foot_motion_median_ratio", "foot_motion_p95_ratio", "foot_motion_median_mm", "foot_motion_p95_mm")


def run_filmstrip(run: Path, out: Path) -> Path | None:
    """Filmstrip of a loop run's kept prompts: real clip, first and last evaluated generation (None if absent).

    Reads the artefacts that loop/motion/evaluator.py returns and the engine stores in each finished
    generation's folder (gen_NNN/video_joints.npy, video_real_joints.npy, video_lengths.json, ...).
    """
    from motion_loop.loop.motion.evaluator import (
        VIDEO_CAPTIONS,
        VIDEO_JOINTS,
        VIDEO_LENGTHS,
        VIDEO_REAL_JOINTS,
    )
    from motion_loop.loop.run_state import DONE_NAME

    folders = sorted(
        path.parent for path in Path(run).glob(f"gen_*/{VIDEO_REAL_JOINTS}")
        if (path.parent / DONE_NAME).is_file() and (path.parent / VIDEO_JOINTS).is_file()
    )  # fmt: skip
    if not folders:
        return None
    real = np.load(folders[0] / VIDEO_REAL_JOINTS)
    lengths = json.loads((folders[0] / VIDEO_LENGTHS).read_text())
    captions = json.loads((folders[0] / VIDEO_CAPTIONS).read_text())
    generated = {int(f.name.removeprefix("gen_")): np.load(f / VIDEO_JOINTS) for f in sorted({folders[0], folders[-1]})}
    rows = []
    for k, length in enumerate(lengths):
        clips = [("real", real[k, :length])] + [(f"generation {g}", a[k, :length]) for g, a in generated.items()]
        rows.append((captions[k] if k < len(captions) else f"prompt {k}", clips))
    return save_coherence_filmstrip(rows, out)


def _ratio_cell(row: dict, key: str) -> str:
    value, interval = row.get(key), row.get(f"{key}_ci95") or []
    if not isinstance(value, (int, float)):
        return "–"
    bounds = [b for b in interval if isinstance(b, (int, float)) and np.isfinite(b)]
    return f"{value:.2f}" + (f" <small>[{bounds[0]:.2f}, {bounds[1]:.2f}]</small>" if len(bounds) == 2 else "")


def per_content_html(run: Path) -> str:
    """Per content of the prompts, the feet's motion ratio to the real clips (median; p95, each with its
    95 % interval) at the first and the last evaluated generation ("" when the run stored none)."""
    from motion_loop.loop.motion.evaluator import COHERENCE_PER_CONTENT

    tables = sorted(Path(run).glob(f"gen_*/{COHERENCE_PER_CONTENT}"))
    if not tables:
        return ""
    chosen = [tables[0]] + ([tables[-1]] if len(tables) > 1 else [])
    rows_of = {path.parent.name.removeprefix("gen_").lstrip("0") or "0": json.loads(path.read_text()) for path in chosen}
    head = "<tr><th>content</th><th>clips</th>" + "".join(
        f"<th>generation {g}: median</th><th>generation {g}: p95</th>" for g in rows_of) + "</tr>"  # fmt: skip
    body = []
    for first in next(iter(rows_of.values())):  # the contents and their clip counts, from the first table
        content = first.get("group")
        cells = [f"<td class='text'>{html.escape(str(content))}</td><td>{first.get('clips', '–')}</td>"]
        for rows in rows_of.values():
            row = next((r for r in rows if r.get("group") == content), {})
            cells += [f"<td>{_ratio_cell(row, 'foot_median_ratio')}</td>", f"<td>{_ratio_cell(row, 'foot_p95_ratio')}</td>"]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return ("<details><summary>per content of the prompts: the feet's motion per frame / the real clips'</summary>"
            f"<div class='scroll'><table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div></details>")  # fmt: skip


def coherence_html(run: Path) -> str:
    """The report's coherence section of a run: headline ratios and the filmstrip ("" when it has neither)."""
    metrics_file = Path(run) / "metrics.csv"
    rows = list(csv.DictReader(metrics_file.open(newline=""))) if metrics_file.is_file() else []
    rows = [r for r in rows if r.get(_HEADLINE[0])]
    parts = ["<h3>Temporal coherence</h3>"]
    if rows:
        first, last = rows[0], rows[-1]
        parts.append(
            "<p><b>Feet move {:.2f}x (median) / {:.2f}x (p95) as much per frame, relative to the root, as in the real "
            "clips of the same prompts</b> at generation {} ({:.2f}x / {:.2f}x at generation {}); 1 = as coherent as the "
            "data, well above 1 = flicker.</p>".format(
                float(last[_HEADLINE[0]]), float(last[_HEADLINE[1]]), html.escape(str(last.get("generation", "?"))),
                float(first[_HEADLINE[0]]), float(first[_HEADLINE[1]]), html.escape(str(first.get("generation", "?"))),
            )
        )  # fmt: skip
    parts.append(per_content_html(run))
    strip = run_filmstrip(run, Path(run) / "plots" / "coherence_filmstrip.png")
    if not rows and strip is None:
        return ""  # not a motion run (e.g. a theory run): no section
    if strip is not None:
        data = base64.b64encode(strip.read_bytes()).decode()
        parts.append(f'<img alt="coherence filmstrip" src="data:image/png;base64,{data}">')
    return "".join(parts)
