"""Still pictures of motions: a few frames of each clip as stick figures, side by side (one row per clip)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from motion_loop.data.skeleton import KINEMATIC_CHAINS  # noqa: E402

# Chain colours: right leg, left leg, spine, right arm, left arm (right side red, left side blue).
_CHAIN_COLOURS = ("#c0392b", "#2e86c1", "#34495e", "#e74c3c", "#5dade2")


def draw_pose(ax: plt.Axes, pose: np.ndarray, *, x_shift: float = 0.0, alpha: float = 1.0) -> None:
    """Draw one pose (22, 3) (metres, y-up) seen from the performer's right: z horizontal, y vertical."""
    for chain, colour in zip(KINEMATIC_CHAINS, _CHAIN_COLOURS, strict=True):
        points = pose[list(chain)]
        ax.plot(points[:, 2] + x_shift, points[:, 1], color=colour, linewidth=1.6, alpha=alpha)


def save_figure(fig: plt.Figure, path: Path, *, dpi: int) -> Path:
    """Lay out `fig`, write it as a PNG atomically (a temporary file renamed into place), close it."""
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
    tmp.replace(path)
    return path


def save_filmstrip(
    clips: list[tuple[np.ndarray, str]], path: Path, *, frames_per_clip: int = 6, spacing: float = 0.9, dpi: int = 90
) -> Path:
    """Save a PNG with one row per clip showing `frames_per_clip` evenly spaced frames.

    Args:
        clips: (joints (T, 22, 3) metres y-up, title) pairs.
        path: the PNG to write (its folder is created).
        spacing: horizontal distance between the drawn frames [m]; each frame is drawn with its own root
            z removed so frames do not overlap. Clips are seen from the side (HumanML3D clips start facing +Z).
    """
    rows = len(clips)
    fig, axes = plt.subplots(rows, 1, figsize=(frames_per_clip * 1.3, 2.1 * rows), squeeze=False)
    for ax, (joints, title) in zip(axes[:, 0], clips, strict=True):
        picks = np.linspace(0, len(joints) - 1, frames_per_clip).round().astype(int)
        for k, frame in enumerate(picks):
            pose = joints[frame] - joints[frame, 0] * np.array([0.0, 0.0, 1.0])
            draw_pose(ax, pose, x_shift=k * spacing)
        ax.axhline(0.0, color="#999999", linewidth=0.8)
        ax.set_title(title, fontsize=8, loc="left")
        ax.set_aspect("equal")
        ax.set_xlim(-0.6, (frames_per_clip - 1) * spacing + 0.6)
        ax.set_ylim(-0.05, 2.0)
        ax.axis("off")
    return save_figure(fig, path, dpi=dpi)
