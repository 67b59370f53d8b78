from __future__ import annotations

from pathlib import Path

import imageio.v2 as imageio
import numpy as np
import pytest

from physics import PhysicsError
from physics.video import render_side_by_side


def test_side_by_side_video(tmp_path: Path, standing: np.ndarray) -> None:
    clip = np.repeat(standing[None], 4, axis=0)
    path = render_side_by_side([(clip, "input"), (clip + [0.0, -0.02, 0.0], "corrected")], tmp_path / "v.mp4",
                               size=(2.0, 2.0), dpi=40)
    reader = imageio.get_reader(path)
    frame = reader.get_data(0)
    assert frame.shape[1] == 2 * frame.shape[0]  # two square panels
    assert reader.count_frames() == 4


def test_video_rejects_mismatched_panels(tmp_path: Path, standing: np.ndarray) -> None:
    with pytest.raises(PhysicsError, match="same T"):
        render_side_by_side([(np.repeat(standing[None], 3, 0), "a"), (np.repeat(standing[None], 4, 0), "b")],
                            tmp_path / "v.mp4")
