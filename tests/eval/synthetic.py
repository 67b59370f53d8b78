"""A tiny synthetic HumanML3D-layout dataset for evaluator tests: K actions, distinct feature patterns."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motion_loop.data.features import FEATURE_DIM, features_to_joints
from motion_loop.data.humanml3d import (
    Caption,
    HumanML3DFolder,
    compute_stats,
    write_clip,
    write_splits,
    write_stats,
)

ACTIONS = ("walks forward", "jumps up", "waves a hand", "kicks", "turns around", "sits down", "runs", "bows")


def make_synthetic_dataset(root: Path, *, clips_per_action: int = 12, seed: int = 0, frames: tuple[int, int] = (48, 120), test_fraction: float = 0.25) -> Path:
    """Write clips whose features are an action-specific pattern plus noise; 3 caption phrasings each."""
    rng = np.random.default_rng(seed)
    patterns = rng.normal(size=(len(ACTIONS), 4, FEATURE_DIM))  # per action: 4 harmonics' amplitudes
    ids: list[str] = []
    for a, action in enumerate(ACTIONS):
        for c in range(clips_per_action):
            T = int(rng.integers(*frames))
            t = np.linspace(0, 1, T)[:, None]
            basis = np.stack([np.sin(2 * np.pi * (k + 1) * t[:, 0]) for k in range(4)], axis=1)  # (T, 4)
            features = 0.05 * (basis @ patterns[a]) + 0.02 * rng.normal(size=(T, FEATURE_DIM))
            features[:, 3] = 0.9 + 0.01 * features[:, 3]
            clip_id = f"{a:02d}{c:03d}"
            captions = [Caption(f"a person {action}"), Caption(f"someone {action} slowly"), Caption(f"the man {action}")]
            write_clip(root, clip_id, joints=features_to_joints(features), features=features, captions=captions)
            ids.append(clip_id)
    order = rng.permutation(len(ids))
    n_test = int(len(ids) * test_fraction)
    test = sorted(ids[i] for i in order[:n_test])
    train = sorted(ids[i] for i in order[n_test:])
    write_splits(root, {"train": train, "test": test})
    folder = HumanML3DFolder(root)
    write_stats(root, *compute_stats(folder, train))
    return root
