"""Stick-figure videos of joint positions: one panel per clip, side by side, written as MP4.

Generic over the skeleton (pass its kinematic chains); defaults to the 22-joint HumanML3D chain.
Joints are y-up metres; panels share one camera and follow each clip's root on the ground plane.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from motion_loop.data.skeleton import KINEMATIC_CHAINS
from motion_loop.errors import DataFormatError

# Half-width of the box drawn around the root [m] and the figure size per panel [inch].
_VIEW_RADIUS = 1.0
_PANEL_INCHES = 3.2
_DPI = 80
_CHAIN_COLOURS = ("tab:red", "tab:blue", "black", "tab:orange", "tab:green")
# Text sizes [pt]: at 80 dpi a 12 pt line is ~13 px high, readable in a 256 px wide panel.
_TITLE_POINTS = 12
_CAPTION_POINTS = 13
_CAPTION_INCHES = 0.55  # height of the caption band above the panels, per line


def render_stick_video(
    joints_list: Sequence[np.ndarray],
    path: Path | str,
    *,
    fps: float = 20.0,
    titles: Sequence[str] | None = None,
    chains: Sequence[Sequence[int]] = KINEMATIC_CHAINS,
    caption: str | None = None,
) -> Path:
    """Render clips side by side into one MP4 (shorter clips hold their last frame).

    Args:
        joints_list: clips, each (T_i, J, 3) positions [m], y-up.
        path: output .mp4 (parent folders are created).
        fps: frame rate of the clips and of the video [Hz].
        titles: one title per clip (long titles are wrapped), e.g. the generation.
        chains: joint index chains drawn as connected lines.
        caption: one line of text across the top of the video, e.g. the prompt (wrapped to the width).

    Returns:
        The written path.

    Raises:
        DataFormatError: no clip, a clip of the wrong shape, or a title count that does not match.
    """
    import imageio.v2 as imageio
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    clips = [np.asarray(j, dtype=np.float64) for j in joints_list]
    if not clips or any(c.ndim != 3 or c.shape[-1] != 3 or len(c) == 0 for c in clips):
        raise DataFormatError(f"expected clips of shape (T, J, 3), got {[c.shape for c in clips]}")
    if titles is not None and len(titles) != len(clips):
        raise DataFormatError(f"got {len(titles)} titles for {len(clips)} clips")
    frames = max(len(c) for c in clips)
    # A bare Figure on an Agg canvas: no pyplot, so no process-wide backend or figure registry.
    caption_text = _wrap(caption, width=int(len(clips) * _PANEL_INCHES * 9)) if caption else ""
    caption_inches = _CAPTION_INCHES * (caption_text.count("\n") + 1) if caption else 0.0
    height = _PANEL_INCHES + 0.5 + caption_inches
    figure = Figure(figsize=(_PANEL_INCHES * len(clips), height), dpi=_DPI)
    if caption:
        figure.text(0.5, 1 - 0.12 / height, caption_text, ha="center", va="top", fontsize=_CAPTION_POINTS, weight="bold")
    canvas = FigureCanvasAgg(figure)
    panels = []
    for index, clip in enumerate(clips):
        axis = figure.add_subplot(1, len(clips), index + 1, projection="3d")
        axis.view_init(elev=15, azim=-60)
        axis.set_axis_off()
        axis.set_box_aspect((1, 1, 1), zoom=1.5)
        if titles is not None:
            axis.set_title(_wrap(titles[index], width=28), fontsize=_TITLE_POINTS)
        lines = [
            axis.plot([], [], [], color=_CHAIN_COLOURS[i % len(_CHAIN_COLOURS)], lw=2)[0]
            for i in range(len(chains))
        ]
        (ground,) = axis.plot([], [], [], color="0.7", lw=1)
        panels.append((axis, clip, lines, ground))
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1 - (caption_inches + 0.45) / height, wspace=0)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=1) as writer:
        for frame in range(frames):
            for axis, clip, lines, ground in panels:
                pose = clip[min(frame, len(clip) - 1)]  # (J, 3)
                cx, cz = pose[0, 0], pose[0, 2]
                # matplotlib's 3D z is up: plot (x, z, y).
                axis.set_xlim(cx - _VIEW_RADIUS, cx + _VIEW_RADIUS)
                axis.set_ylim(cz - _VIEW_RADIUS, cz + _VIEW_RADIUS)
                axis.set_zlim(0.0, 2 * _VIEW_RADIUS)
                for line, chain in zip(lines, chains, strict=True):
                    points = pose[list(chain)]
                    line.set_data_3d(points[:, 0], points[:, 2], points[:, 1])
                square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]]) * _VIEW_RADIUS
                ground.set_data_3d(cx + square[:, 0], cz + square[:, 1], np.zeros(5))
            canvas.draw()
            writer.append_data(np.asarray(canvas.buffer_rgba())[..., :3].copy())  # type: ignore[attr-defined]
    return path


def _wrap(text: str, width: int = 40) -> str:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n".join(lines[:3])
