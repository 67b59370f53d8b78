"""Side-by-side videos of an input motion and its physics correction (matplotlib stick figures -> mp4).

Stick figures need no GL context, so they work on headless CPU machines (this project's default).
Each panel shows the clip in 3D from a fixed oblique camera that follows the pelvis horizontally,
with the floor grid; joints below the floor are drawn red, so penetration, floating and skating are
visible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import imageio.v2 as imageio
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from motion_loop.data.skeleton import KINEMATIC_CHAINS  # noqa: E402
from physics.errors import PhysicsError  # noqa: E402

# Right leg, left leg, spine, right arm, left arm (right side red, left side blue).
_CHAIN_COLOURS = ("#c0392b", "#2e86c1", "#34495e", "#e74c3c", "#5dade2")
_VIEW_RADIUS = 1.2  # [m] half-width of the shown floor patch around the pelvis
_FLOOR_STEP = 0.5  # [m] floor grid spacing


def _draw(ax: Any, pose: np.ndarray, centre: np.ndarray, title: str) -> None:
    """One pose (22, 3), HumanML3D y-up, in a 3D axis with MuJoCo-like z-up display."""
    ax.cla()
    x, z = centre[0], centre[2]
    grid = np.arange(np.floor((x - _VIEW_RADIUS) / _FLOOR_STEP), np.ceil((x + _VIEW_RADIUS) / _FLOOR_STEP) + 1) * _FLOOR_STEP
    grid_z = np.arange(np.floor((z - _VIEW_RADIUS) / _FLOOR_STEP), np.ceil((z + _VIEW_RADIUS) / _FLOOR_STEP) + 1) * _FLOOR_STEP
    for g in grid:
        ax.plot([g, g], [grid_z[0], grid_z[-1]], [0, 0], color="#bbbbbb", linewidth=0.6)
    for g in grid_z:
        ax.plot([grid[0], grid[-1]], [g, g], [0, 0], color="#bbbbbb", linewidth=0.6)
    for chain, colour in zip(KINEMATIC_CHAINS, _CHAIN_COLOURS, strict=True):
        points = pose[list(chain)]
        ax.plot(points[:, 0], points[:, 2], points[:, 1], color=colour, linewidth=2.0)
    below = pose[:, 1] < 0.0
    ax.scatter(pose[~below, 0], pose[~below, 2], pose[~below, 1], color="#222222", s=5)
    ax.scatter(pose[below, 0], pose[below, 2], pose[below, 1], color="#ff0000", s=14)
    ax.set_xlim(x - _VIEW_RADIUS, x + _VIEW_RADIUS)
    ax.set_ylim(z - _VIEW_RADIUS, z + _VIEW_RADIUS)
    ax.set_zlim(-0.1, 2.0)
    ax.set_box_aspect((1, 1, 0.9))
    ax.view_init(elev=12, azim=-60)
    ax.set_axis_off()
    ax.set_title(title, fontsize=9)


def render_side_by_side(panels: list[tuple[np.ndarray, str]], path: Path | str, *, fps: float = 20.0,
                        size: tuple[float, float] = (4.0, 4.0), dpi: int = 80) -> Path:
    """Write an mp4 with one 3D stick-figure panel per motion, frames in lockstep.

    Args:
        panels: (joints (T, 22, 3) metres y-up, title) pairs; all with the same T.
        path: output .mp4 (its folder is created).
        fps: frame rate of the clips and of the video [Hz].
        size: inches per panel; dpi: pixels per inch.

    Raises:
        PhysicsError: no panels, or panels of different lengths or shapes.
    """
    if not panels:
        raise PhysicsError("render_side_by_side needs at least one (joints, title) panel")
    lengths = {np.asarray(j).shape for j, _ in panels}
    if len(lengths) != 1 or len(next(iter(lengths))) != 3:
        raise PhysicsError(f"panels must all be (T, 22, 3) arrays of the same T, got shapes {sorted(lengths)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = plt.figure(figsize=(size[0] * len(panels), size[1]), dpi=dpi)
    axes = [fig.add_subplot(1, len(panels), i + 1, projection="3d") for i in range(len(panels))]
    fig.subplots_adjust(left=0, right=1, bottom=0, top=0.93, wspace=0)
    T = panels[0][0].shape[0]
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    with imageio.get_writer(tmp, fps=fps, codec="libx264", quality=6, macro_block_size=1) as writer:
        for t in range(T):
            for ax, (joints, title) in zip(axes, panels, strict=True):
                _draw(ax, joints[t], joints[t, 0], f"{title}  {t / fps:4.1f} s")
            fig.canvas.draw()
            frame = np.asarray(fig.canvas.buffer_rgba())[..., :3]  # type: ignore[attr-defined]  # Agg canvas
            writer.append_data(frame)  # type: ignore[attr-defined]
    plt.close(fig)
    tmp.replace(path)
    return path
