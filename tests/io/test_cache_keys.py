"""Every cache key follows content: shuffled motions, an edited caption or new statistics give a new
key; an identical copy of the data gives the same key."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from motion_loop.cli.hydra_utils import compose_config
from motion_loop.data.features import FEATURE_DIM
from motion_loop.data.fingerprint import dataset_fingerprint
from motion_loop.data.humanml3d import (
    Caption,
    HumanML3DFolder,
    write_clip,
    write_splits,
    write_stats,
)
from motion_loop.io.content_key import ContentHash, code_version, content_key
from motion_loop.loop.motion.clips import load_clip_set
from motion_loop.loop.motion.experiment import generation0_key

CAPTIONS = ["a person walks forward", "a person jumps", "someone waves", "a man sits down"]


def _dataset(root: Path) -> Path:
    rng = np.random.default_rng(0)
    ids = [f"{k:03d}" for k in range(4)]
    for k, clip_id in enumerate(ids):
        features = rng.normal(size=(48, FEATURE_DIM)).astype(np.float32)
        write_clip(root, clip_id, joints=np.zeros((49, 22, 3)), features=features, captions=[Caption(CAPTIONS[k])])
    write_splits(root, {"train": ids, "test": ids[:2]})
    write_stats(root, np.zeros(FEATURE_DIM), np.ones(FEATURE_DIM))
    return root


def _shuffle_motions(root: Path) -> None:
    """Rotate the feature files among the ids: every caption now describes another motion."""
    files = sorted((root / "new_joint_vecs").glob("*.npy"))
    data = [path.read_bytes() for path in files]
    for path, content in zip(files, data[1:] + data[:1], strict=True):
        path.write_bytes(content)


@pytest.fixture
def original(tmp_path: Path) -> Path:
    return _dataset(tmp_path / "original")


def _variant(original: Path, tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(original, tmp_path / name))


def test_dataset_fingerprint_follows_content(original: Path, tmp_path: Path) -> None:
    key = dataset_fingerprint(HumanML3DFolder(original))
    copy = _variant(original, tmp_path, "copy")
    assert dataset_fingerprint(HumanML3DFolder(copy)) == key  # same content elsewhere: same key

    shuffled = _variant(original, tmp_path, "shuffled")
    _shuffle_motions(shuffled)
    # Same ids, same Mean/Std: the old id-based fingerprint could not tell these apart.
    assert dataset_fingerprint(HumanML3DFolder(shuffled)) != key

    edited = _variant(original, tmp_path, "edited")
    (edited / "texts" / "001.txt").write_text("a person jumps twice#a person jumps twice#0#0\n")
    assert dataset_fingerprint(HumanML3DFolder(edited)) != key

    stats = _variant(original, tmp_path, "stats")
    write_stats(stats, np.zeros(FEATURE_DIM), np.full(FEATURE_DIM, 2.0))
    assert dataset_fingerprint(HumanML3DFolder(stats)) != key

    split = _variant(original, tmp_path, "split")
    write_splits(split, {"train": ["000", "001", "002"], "test": ["003"]})
    assert dataset_fingerprint(HumanML3DFolder(split)) != key


def _generation0_key(root: Path, *overrides: str) -> str:
    config = OmegaConf.to_object(compose_config("run", ["experiment=smoke", *overrides]))
    folder = HumanML3DFolder(root)
    return generation0_key(config, folder, load_clip_set(folder, "train", min_frames=40).clips)


def test_generation0_key_follows_content(original: Path, tmp_path: Path) -> None:
    key = _generation0_key(original)
    assert _generation0_key(_variant(original, tmp_path, "copy")) == key
    shuffled = _variant(original, tmp_path, "shuffled")
    _shuffle_motions(shuffled)
    assert _generation0_key(shuffled) != key
    edited = _variant(original, tmp_path, "edited")
    (edited / "texts" / "002.txt").write_text("someone waves both hands#x#0#0\n")
    assert _generation0_key(edited) != key


def test_generation0_key_ignores_where_captions_are_cached(original: Path, tmp_path: Path) -> None:
    # The caption cache is keyed on content: moving it must not retrain generation 0.
    key = _generation0_key(original)
    assert _generation0_key(original, f"model.text.cache_dir={tmp_path / 'captions'}") == key
    assert _generation0_key(original, "model.latent_dim=32") != key


def test_generation0_key_is_shared_across_lambda_and_arms(original: Path) -> None:
    # Generation 0 sees only real clips: a lambda = 0.5 sweep reuses a lambda = 1 sweep's generation 0.
    key = _generation0_key(original)
    assert _generation0_key(original, "loop.synthetic_ratio=0.5") == key
    assert _generation0_key(original, "arm=corrected") == key
    assert _generation0_key(original, "loop.generations=3") == key


def test_content_key_frames_parts_and_carries_the_code_version() -> None:
    assert content_key("k", "ab", "c") != content_key("k", "a", "bc")
    assert content_key("k", np.zeros(3, np.float32)) != content_key("k", np.zeros(3, np.float64))
    assert content_key("evaluator", 1) != content_key("generation0", 1)
    assert content_key("k", {"a": 1, "b": 2}) == content_key("k", {"b": 2, "a": 1})
    assert "cache-format" in code_version()
    assert ContentHash("k").text("x").hexdigest() == content_key("k", "x")
