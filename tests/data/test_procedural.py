"""Tests of the procedural motion dataset: determinism, plausibility, captions, the written folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from motion_loop.cli.data import run as data_cli
from motion_loop.data.dataset import MotionDataset
from motion_loop.data.features import CONTACT_DIMS, features_to_joints, joints_to_features
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.data.procedural import (
    FAMILIES,
    ClipParams,
    clip_rng,
    generate_clip,
    generate_dataset,
    generate_pose,
    param_drift,
    read_params,
    sample_params,
)  # fmt: skip
from motion_loop.data.procedural.body import assemble
from motion_loop.data.procedural.families import FAMILY_FUNCTIONS
from motion_loop.data.procedural.sampling import sample_one
from motion_loop.data.skeleton import TARGET_BONE_LENGTHS, bone_lengths
from motion_loop.errors import ConfigError

FEET = (7, 10, 8, 11)  # left ankle, left foot, right ankle, right foot
# A planted heel or toe moves less than this [m/s] (the planner keeps it exactly still).
PLANTED_SPEED_LIMIT = 0.05


def _one_per_family(seed: int = 0) -> list[ClipParams]:
    rng = np.random.default_rng(seed)
    return [sample_one(family, rng, seed=1000 + i) for i, family in enumerate(FAMILIES)]


@pytest.fixture(scope="module")
def clips() -> dict[str, tuple[ClipParams, np.ndarray, list[str]]]:
    out = {}
    for params in _one_per_family():
        joints, captions = generate_clip(params, clip_rng(params))
        out[params.family] = (params, joints, captions)
    return out


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("procedural") / "data"
    assert data_cli(["procedural", str(root), "--clips", "22", "--seed", "5", "--quiet"]) == 0
    return root


def test_at_least_eight_families_each_generates(clips) -> None:
    assert len(FAMILIES) >= 8
    assert set(FAMILY_FUNCTIONS) == set(FAMILIES)
    assert set(clips) == set(FAMILIES)
    for family, (params, joints, _) in clips.items():
        assert joints.shape == (params.frames, 22, 3), family
        assert joints.dtype == np.float64
        assert np.all(np.isfinite(joints)), family
        assert 41 <= joints.shape[0] <= 197, family


def test_bone_lengths_are_the_target_skeleton(clips) -> None:
    for family, (_, joints, _) in clips.items():
        np.testing.assert_allclose(bone_lengths(joints), np.broadcast_to(TARGET_BONE_LENGTHS, (len(joints), 21)),
                                   atol=1e-9, err_msg=family)  # fmt: skip


def test_on_the_floor_and_canonical(clips) -> None:
    for family, (_, joints, _) in clips.items():
        assert abs(joints[..., 1].min()) < 1e-9, family
        assert abs(joints[:, list(FEET), 1].min()) < 1e-9, family  # the feet touch the floor
        assert np.allclose(joints[0, 0, [0, 2]], 0.0), family
        assert joints[:, 0, 1].min() > 0.4, family  # the pelvis stays well above the floor


def test_joints_are_already_canonical(clips) -> None:
    """new_joints equal what the features recover: the clip is in HumanML3D's canonical frame."""
    for family in ("walk", "turn", "jump"):
        joints = clips[family][1]
        np.testing.assert_allclose(features_to_joints(joints_to_features(joints)), joints[:-1], atol=1e-6)


def test_same_seed_same_clip_different_seed_different_clip() -> None:
    params = _one_per_family()[0]
    a = generate_clip(params, clip_rng(params))
    b = generate_clip(params, clip_rng(params))
    assert np.array_equal(a.joints, b.joints) and a.captions == b.captions
    other = ClipParams.from_dict({**params.to_dict(), "seed": params.seed + 1})
    assert not np.array_equal(generate_clip(other, clip_rng(other)).joints, a.joints)


def test_many_sampled_clips_are_valid() -> None:
    """Every parameter set the sampler draws gives finite joints on the floor with exact bones."""
    for params in sample_params(np.random.default_rng(12), 66):
        joints = generate_clip(params, clip_rng(params)).joints
        assert np.all(np.isfinite(joints)) and abs(joints[..., 1].min()) < 1e-9, params
        assert np.abs(bone_lengths(joints) - TARGET_BONE_LENGTHS).max() < 1e-9, params
        assert joints[:, 0, 1].min() > 0.4, params


def test_sample_params_balanced_and_deterministic() -> None:
    a = sample_params(np.random.default_rng(1), 44)
    assert a == sample_params(np.random.default_rng(1), 44)
    counts = {f: sum(p.family == f for p in a) for f in FAMILIES}
    assert set(counts.values()) == {4}


@pytest.mark.parametrize("family", ["walk", "run", "walk_backward", "side_step", "turn", "jump", "kick"])
def test_planted_feet_do_not_slide(family: str) -> None:
    """While the planner says a heel (toe) is down, the ankle (toe joint) does not move at all."""
    params = sample_one(family, np.random.default_rng(3), seed=7)
    pose = generate_pose(params, clip_rng(params))
    joints = assemble(pose)
    for side, ankle, toe in ((0, 7, 10), (1, 8, 11)):
        for joint, down in ((ankle, pose.heel_contact[side]), (toe, pose.toe_contact[side])):
            still = down[1:] & down[:-1]
            assert still.mean() > 0.05, (family, joint)
            speed = np.linalg.norm(np.diff(joints[:, joint], axis=0), axis=-1) * 20.0  # [m/s]
            assert speed[still].max() < PLANTED_SPEED_LIMIT, (family, joint, speed[still].max())


@pytest.mark.parametrize("family", ["walk", "run", "side_step"])
def test_feature_contact_labels_alternate_on_gaits(clips, family: str) -> None:
    contacts = joints_to_features(clips[family][1])[:, CONTACT_DIMS]
    rates = contacts.mean(axis=0)
    assert np.all(rates > 0.2) and np.all(rates < 0.95), (family, rates)
    assert np.mean(contacts[:, [0, 2]].max(axis=1)) > 0.3  # some foot is usually down


@pytest.mark.parametrize("family", ["walk", "run", "walk_backward", "side_step", "turn"])
def test_measured_parameters_match_the_generator(family: str) -> None:
    """Speed, travel direction and turn measured from the joints agree with params (no drift)."""
    params = sample_one(family, np.random.default_rng(8), seed=3)
    drift = param_drift(params, generate_clip(params, clip_rng(params)).joints)
    assert abs(drift["speed"]) < 0.05 and abs(drift["turn"]) < 0.1 and abs(drift["duration"]) < 1e-9, drift
    if family != "turn":
        assert abs(drift["direction"]) < 0.1, drift


def _clip(family: str, **kwargs: object) -> np.ndarray:
    params = ClipParams(family=family, seed=4, **kwargs)  # type: ignore[arg-type]
    return generate_clip(params, clip_rng(params)).joints


def test_left_and_right_mean_the_bodys_left_and_right() -> None:
    """Captions say left/right from the person's point of view; the left side is +x at rest."""
    kick = _clip("kick", duration=3.0, side="left")
    assert kick[:, 7, 1].max() > kick[:, 8, 1].max() + 0.2  # the left ankle goes up
    wave = _clip("wave", duration=4.0, repetitions=3, side="right")
    assert wave[:, 21, 1].max() > wave[:, 20, 1].max() + 0.4  # the right wrist goes up
    step = _clip("side_step", duration=4.0, speed=0.4, direction=np.pi / 2, side="left")
    assert step[-1, 0, 0] > 1.0  # towards +x, the body's left
    turn = _clip("turn", duration=4.0, turn=np.pi / 2, side="left")
    forward = turn[-1, 1] - turn[-1, 2]  # left hip minus right hip points to the body's left
    assert forward[2] < -0.08  # after turning left by 90 degrees, the body's left faces -z


def test_captions_non_empty_and_varied(clips) -> None:
    for family, (_, _, captions) in clips.items():
        assert len(captions) == 3 and len(set(captions)) == 3, family
        assert all(c.strip() and "#" not in c and "  " not in c for c in captions), family
    rng = np.random.default_rng(0)
    walks = [sample_one("walk", rng, seed=i) for i in range(8)]
    texts = {c for p in walks for c in generate_clip(p, clip_rng(p)).captions}
    assert len(texts) >= 15


def test_captions_mention_side_and_count() -> None:
    params = ClipParams(family="kick", duration=4.0, repetitions=2, side="right", seed=1)
    captions = generate_clip(params, clip_rng(params)).captions
    assert all("right" in c for c in captions)
    assert any("twice" in c or "two" in c for c in captions)


def test_params_round_trip_and_validation() -> None:
    for params in _one_per_family():
        assert ClipParams.from_dict(json.loads(json.dumps(params.to_dict()))) == params
    with pytest.raises(ConfigError, match="available: walk"):
        ClipParams(family="moonwalk", duration=3.0)
    with pytest.raises(ConfigError, match="duration"):
        ClipParams(family="walk", duration=12.0)


def test_written_folder_loads(dataset_dir: Path) -> None:
    folder = HumanML3DFolder(dataset_dir)
    assert len(folder.ids()) == 22
    assert {len(folder.ids(s)) for s in ("train", "val", "test")} <= set(range(1, 22))
    assert sorted(folder.ids("train") + folder.ids("val") + folder.ids("test")) == folder.ids()
    meta = folder.meta()
    assert meta is not None and meta.source == "procedural" and meta.fps == 20
    for clip_id in folder.ids():
        assert folder.features(clip_id).shape == (len(folder.joints(clip_id)) - 1, 263)
        assert len(folder.captions(clip_id)) == 3
    dataset = MotionDataset(folder, "train", random_cut=False)
    assert all(40 <= len(item.features) <= 196 for item in dataset.items)
    assert not dataset.dropped


def test_params_jsonl_round_trip(dataset_dir: Path) -> None:
    stored = read_params(dataset_dir)
    assert list(stored.values()) == sample_params(np.random.default_rng(5), 22)
    folder = HumanML3DFolder(dataset_dir)
    params = stored["000003"]
    joints = generate_clip(params, clip_rng(params)).joints
    np.testing.assert_array_equal(folder.joints("000003"), joints.astype(np.float32))


def test_refuses_a_non_empty_folder_unless_overwriting(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not empty"):
        generate_dataset(tmp_path, 11, 0, progress=False)
    (tmp_path / "new_joints").mkdir()
    (tmp_path / "new_joints" / "999999.npy").write_bytes(b"stale")
    generate_dataset(tmp_path, 11, 0, progress=False, overwrite=True)
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert len(HumanML3DFolder(tmp_path).ids()) == 11


def test_dataset_is_deterministic(tmp_path: Path, dataset_dir: Path) -> None:
    generate_dataset(tmp_path, 22, 5, progress=False, workers=2)
    for name in ("new_joints/000010.npy", "new_joint_vecs/000010.npy", "Mean.npy", "Std.npy", "texts/000010.txt",
                 "params.jsonl", "train.txt"):  # fmt: skip
        assert (tmp_path / name).read_bytes() == (dataset_dir / name).read_bytes(), name
