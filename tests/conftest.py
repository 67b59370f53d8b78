"""Fixtures shared by every test package: where ../shared/data is, and small real datasets built from it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA_ENV = "MOTION_LOOP_SHARED_DATA"


def shared_data_dir() -> Path:
    """../shared/data beside the checkout, or $MOTION_LOOP_SHARED_DATA."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    return Path(os.environ.get(SHARED_DATA_ENV, default))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder; skips the test when it is absent (a user's fresh machine has none)."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real data not found at {path} (set {SHARED_DATA_ENV} to the shared data folder)")
    return path


@pytest.fixture(scope="session")
def reference_dir(shared_data: Path) -> Path:
    path = shared_data / "humanml3d-reference"
    if not (path / "new_joints" / "012314.npy").is_file():
        pytest.skip(f"HumanML3D reference samples not found under {path}")
    return path


@pytest.fixture(scope="session")
def reference_clips(reference_dir: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The two official HumanML3D pairs: id -> (new_joints (T, 22, 3), new_joint_vecs (T, 263))."""
    return {
        "012314": (
            np.load(reference_dir / "new_joints" / "012314.npy"),
            np.load(reference_dir / "new_joint_vecs" / "012314.npy"),
        ),
        "000000": (
            np.load(reference_dir / "sample_000000" / "new_joints" / "000000.npy"),
            np.load(reference_dir / "sample_000000" / "new_joint_vecs" / "000000.npy"),
        ),
    }


@pytest.fixture(scope="session")
def reference_dataset(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path, reference_clips) -> Path:
    """A tiny HumanML3D-layout folder made of the two reference clips (real captions), train split only."""
    from motion_loop.data.features import joints_to_features
    from motion_loop.data.humanml3d import (
        Caption,
        HumanML3DFolder,
        compute_stats,
        write_clip,
        write_splits,
        write_stats,
    )

    root = tmp_path_factory.mktemp("reference_dataset")
    sample_captions = HumanML3DFolder(reference_dir / "sample_000000").captions("000000")
    captions = {"000000": sample_captions, "012314": [Caption("a person dances and spins around")]}
    for clip_id, (joints, _) in reference_clips.items():
        write_clip(root, clip_id, joints=joints, features=joints_to_features(joints), captions=captions[clip_id])
    write_splits(root, {"train": sorted(reference_clips)})
    folder = HumanML3DFolder(root)
    write_stats(root, *compute_stats(folder, folder.ids("train")))
    return root


# -- procedural motion: realistic clips on every machine (no shared data) -----------------------------


def _reference_present() -> bool:
    return (shared_data_dir() / "humanml3d-reference" / "new_joints" / "012314.npy").is_file()


# Tests of "realistic motion" run on a procedural clip everywhere, and on the real HumanML3D sample too
# where the shared data is (extra coverage, not a skip on a machine without it).
MOTION_SOURCES = ["procedural", *(["reference"] if _reference_present() else [])]

PROCEDURAL_FAMILIES = ("walk", "run", "jump", "turn", "squat")


def procedural_joints(family: str, seed: int = 0) -> np.ndarray:
    """One clip (T, 22, 3) [m] of the embedded procedural generator, HumanML3D's frame (y-up, 20 fps)."""
    from motion_loop.data.procedural import clip_rng, generate_clip
    from motion_loop.data.procedural.sampling import sample_one

    params = sample_one(family, np.random.default_rng(seed), seed=seed)
    return generate_clip(params, clip_rng(params)).joints


@pytest.fixture(scope="session")
def procedural_clips() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Realistic motion that runs everywhere: family -> (joints (T, 22, 3), features (T-1, 263))."""
    from motion_loop.data.features import joints_to_features

    clips = {}
    for family in PROCEDURAL_FAMILIES:
        joints = procedural_joints(family)
        clips[family] = (joints, joints_to_features(joints))
    return clips


@pytest.fixture(scope="session")
def procedural_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete procedural HumanML3D-layout dataset of 24 clips (every family); read-only for tests."""
    from motion_loop.data.procedural import generate_dataset

    root = tmp_path_factory.mktemp("procedural") / "dataset"
    generate_dataset(root, 24, seed=0, progress=False)
    return root


def _motion(request: pytest.FixtureRequest, family: str, reference_id: str) -> tuple[np.ndarray, np.ndarray]:
    if request.param == "reference":
        return request.getfixturevalue("reference_clips")[reference_id]
    return request.getfixturevalue("procedural_clips")[family]


@pytest.fixture(scope="session", params=MOTION_SOURCES)
def clean_motion(request: pytest.FixtureRequest) -> tuple[np.ndarray, np.ndarray]:
    """Clean motion, (joints (T, 22, 3), features (T-1, 263)): a procedural walk, and the real HumanML3D
    sample 000000 where the shared data is."""
    return _motion(request, "walk", "000000")


@pytest.fixture(scope="session", params=MOTION_SOURCES)
def lively_motion(request: pytest.FixtureRequest) -> tuple[np.ndarray, np.ndarray]:
    """Fast whole-body motion, (joints (T, 22, 3), features (T-1, 263)): a procedural jump, and the real
    HumanML3D sample 012314 (a dance with spins) where the shared data is."""
    return _motion(request, "jump", "012314")
