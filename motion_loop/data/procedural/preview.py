"""A picture of procedural clips as stick-figure frames (one row per clip), to check them by eye."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motion_loop.data.features import foot_contacts
from motion_loop.data.skeleton import KINEMATIC_CHAINS

# Left limbs blue, right limbs red, trunk dark grey; chains in skeleton.KINEMATIC_CHAINS order.
_CHAIN_COLOURS = ("tab:red", "tab:blue", "0.2", "tab:red", "tab:blue")
# Camera yaw of the oblique view [rad] (0 = looking at the body's left side).
_VIEW_YAW = 0.5
# Horizontal spacing between drawn frames [m].
_SPACING = 0.75


def _project(joints: np.ndarray, view_yaw: float) -> np.ndarray:
    """(..., 3) -> (..., 2): horizontal = forward seen obliquely, vertical = height."""
    u = joints[..., 2] * np.cos(view_yaw) - joints[..., 0] * np.sin(view_yaw)
    return np.stack([u, joints[..., 1]], axis=-1)


def draw_preview(
    path: Path,
    rows: list[tuple[str, np.ndarray]],
    *,
    frames_per_row: int = 8,
    columns: int = 2,
    dpi: int = 60,
    view_yaw: float = _VIEW_YAW,
) -> None:
    """Save a PNG with one panel per (title, joints (T, 22, 3)) pair, `frames_per_row` frames each.

    Frames are spread evenly over the clip and drawn side by side around their own pelvis, seen
    obliquely (`view_yaw` [rad] away from a pure view of the body's left side); foot joints that
    HumanML3D labels as in contact are green dots.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_rows = -(-len(rows) // columns)
    width = frames_per_row * _SPACING + 0.5  # [m] drawn per panel
    panel_w = 7.0  # [in]
    panel_h = panel_w * 2.3 / width
    fig, axes = plt.subplots(n_rows, columns, figsize=(panel_w * columns, panel_h * n_rows), squeeze=False)
    for ax in axes.reshape(-1):
        ax.axis("off")
    for ax, (title, joints) in zip(axes.T.reshape(-1), rows, strict=False):
        contacts = np.concatenate([foot_contacts(joints), np.zeros((1, 4))])  # (T, 4)
        idx = np.linspace(0, len(joints) - 1, frames_per_row).round().astype(int)
        for slot, t in enumerate(idx):
            flat = _project(joints[t], view_yaw)
            flat[:, 0] += slot * _SPACING - _project(joints[t, 0], view_yaw)[0]
            for chain, colour in zip(KINEMATIC_CHAINS, _CHAIN_COLOURS, strict=True):
                ax.plot(flat[list(chain), 0], flat[list(chain), 1], color=colour, lw=1.6)
            ax.plot(*flat[15], "o", color="0.2", ms=4)
            for k, joint in enumerate((7, 10, 8, 11)):
                if contacts[t, k]:
                    ax.plot(*flat[joint], ".", color="tab:green", ms=6)
        ax.axhline(0.0, color="0.6", lw=0.8)
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlim(-0.45, width - 0.45)
        ax.set_ylim(-0.05, 2.0)
        ax.set_aspect("equal")
    fig.tight_layout(pad=0.3, h_pad=0.3, w_pad=0.5)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
