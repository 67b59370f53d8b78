"""Clip sets of the motion loop: stored as HumanML3D folders, prompts from real clips, fixed subsets."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import ConfigError
from motion_loop.loop.motion.clips import (
    Clip,
    ClipSet,
    ClipSetOps,
    load_clip_set,
    source_clip_id,
    synthetic_clip_id,
)
from motion_loop.loop.motion.corrector import extend_one_frame
from motion_loop.loop.motion.experiment import ReservoirSource, split_real


def _clips(count: int, rng: np.random.Generator) -> ClipSet:
    return ClipSet(tuple(
        Clip(f"c{k}", rng.normal(size=(30 + 10 * k, 263)).astype(np.float32), (f"caption {k}", f"other {k}"))
        for k in range(count)
    ))  # fmt: skip


def test_save_load_round_trip(tmp_path):
    ops = ClipSetOps()
    clips = _clips(3, np.random.default_rng(0))
    ops.save(clips, tmp_path / "set")
    again = ops.load(tmp_path / "set")
    assert [c.clip_id for c in again.clips] == [c.clip_id for c in clips.clips]
    assert all(np.array_equal(a.features, b.features) for a, b in zip(again.clips, clips.clips, strict=True))
    assert again.clips[1].captions == ("caption 1", "other 1") and again.clips[0].origin == "real"
    assert len(HumanML3DFolder(tmp_path / "set").ids("train")) == 3


def test_empty_set_round_trips(tmp_path):
    # The baseline arm stores an empty synthetic set each generation; resuming it must load.
    ops = ClipSetOps()
    ops.save(ClipSet(()), tmp_path / "empty")
    assert len(ops.load(tmp_path / "empty")) == 0


def test_prompts_keep_true_lengths_clipped_and_source_captions():
    ops = ClipSetOps(min_frames=40, max_frames=196)
    clips = _clips(4, np.random.default_rng(1))  # lengths 30, 40, 50, 60
    prompts = ops.prompts(clips, 4, rng=np.random.default_rng(2))
    assert sorted(p.source_id for p in prompts) == ["c0", "c1", "c2", "c3"]  # without replacement
    for prompt in prompts:
        source = next(c for c in clips.clips if c.clip_id == prompt.source_id)
        assert prompt.length == max(40, len(source.features))
        assert prompt.caption in source.captions and prompt.source_captions == source.captions


def test_fixed_subset_and_fresh_reservoir():
    clips = _clips(10, np.random.default_rng(3))
    train, rest = split_real(clips, 4, subset_seed=7)
    again, _ = split_real(clips, 4, subset_seed=7)
    assert [c.clip_id for c in train.clips] == [c.clip_id for c in again.clips]
    assert len(train) == 4 and len(rest) == 6
    assert not {c.clip_id for c in train.clips} & {c.clip_id for c in rest.clips}
    with pytest.raises(ConfigError, match=r"loop.n_train=11 but the train split has 10 usable clips"):
        split_real(clips, 11, subset_seed=7)
    source = ReservoirSource(rest, ClipSetOps())
    assert len(source.draw(3, rng=np.random.default_rng(0))) == 3
    with pytest.raises(ConfigError, match="fresh_fraction"):
        source.draw(7, rng=np.random.default_rng(0))


def test_extend_one_frame_keeps_feature_length(clean_motion):
    joints, _ = clean_motion
    from motion_loop.data.features import joints_to_features

    assert len(joints_to_features(extend_one_frame(joints))) == len(joints)


def test_load_clip_set_from_reference(reference_dataset):
    clips = load_clip_set(HumanML3DFolder(reference_dataset), "train").clips
    assert len(clips) == 2 and all(c.captions for c in clips.clips)


def test_load_clip_set_from_procedural(procedural_root):
    folder = HumanML3DFolder(procedural_root)
    loaded = load_clip_set(folder, "train")
    assert len(loaded.clips) + len(loaded.dropped) == len(folder.ids("train"))
    assert all(c.captions and len(c.features) >= 40 for c in loaded.clips.clips)


def test_a_synthetic_id_leads_back_to_its_source_and_a_real_id_to_itself():
    made = synthetic_clip_id(12, 345, "dataset-2_walk_normal_001_000")
    assert made == "g012_00345_dataset-2_walk_normal_001_000"
    assert source_clip_id(made) == "dataset-2_walk_normal_001_000"
    assert source_clip_id("dataset-2_walk_normal_001_000") == "dataset-2_walk_normal_001_000"
    assert source_clip_id("000123") == "000123"
