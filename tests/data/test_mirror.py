"""Left-right mirrored clips (HumanML3D's `M` copies): joints, features, captions, ids."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.features import (
    CONTACT_DIMS,
    canonicalize,
    features_to_joints,
    joints_to_features,
)
from motion_loop.data.humanml3d import Caption
from motion_loop.data.mirror import MIRROR_PERMUTATION, mirror_caption, mirror_clip, mirror_joints
from motion_loop.data.procedural import clip_rng, generate_clip
from motion_loop.data.procedural.sampling import sample_one
from motion_loop.errors import DataFormatError
from motion_loop.eval.coherence import content_label

# HumanML3D's swap_left_right chains (shared/reference/humanml3d-format.md).
_RIGHT = (2, 5, 8, 11, 14, 17, 19, 21)
_LEFT = (1, 4, 7, 10, 13, 16, 18, 20)


@pytest.fixture(scope="module")
def turning_walk() -> np.ndarray:
    rng = np.random.default_rng(3)
    params = sample_one("walk", rng, seed=11)
    while params.turn == 0.0:  # a turning walk: not symmetric by itself
        params = sample_one("walk", rng, seed=11)
    joints, _ = generate_clip(params, clip_rng(params))
    return canonicalize(joints).joints  # (T, 22, 3), as new_joints stores it


def test_permutation_exchanges_humanml3d_chains() -> None:
    for right, left in zip(_RIGHT, _LEFT, strict=True):
        assert MIRROR_PERMUTATION[right] == left and MIRROR_PERMUTATION[left] == right
    assert all(MIRROR_PERMUTATION[j] == j for j in (0, 3, 6, 9, 12, 15))


def test_mirror_twice_is_identity_and_flips_x(turning_walk) -> None:
    once = mirror_joints(turning_walk)
    assert np.array_equal(mirror_joints(once), turning_walk)
    assert np.allclose(once[:, 2, 0], -turning_walk[:, 1, 0])  # right hip of the mirror = left hip, x flipped
    assert np.allclose(once[..., 1:], turning_walk[:, MIRROR_PERMUTATION, 1:])


def test_mirrored_features_recover_the_mirrored_motion(turning_walk) -> None:
    clip = mirror_clip("000001", turning_walk, [Caption("a person walks and turns left")])
    original = joints_to_features(turning_walk)  # (T-1, 263)
    assert clip.features.shape == original.shape
    assert np.abs(features_to_joints(clip.features) - clip.joints[:-1]).max() < 1e-6
    # Refitted to HumanML3D's skeleton, whose left and right bones differ by up to 8.6 mm, the mirror
    # moves by centimetres, not more.
    assert np.abs(clip.joints - mirror_joints(turning_walk)).max() < 0.05
    # Root (frame 0 aside, whose turn is canonicalisation's edge): the turn and the sideways step change
    # sign, the forward step and the height do not; tolerances cover the skeleton refit.
    later = slice(1, None)
    assert np.allclose(clip.features[later, 0], -original[later, 0], atol=1e-5)
    assert np.allclose(clip.features[later, 1], -original[later, 1], atol=1e-3)
    assert np.allclose(clip.features[later, 2], original[later, 2], atol=1e-3)
    assert np.allclose(clip.features[:, 3], original[:, 3], atol=3e-3)
    assert abs(original[later, 0].sum()) > 0.1  # the clip does turn, so the sign test above means something
    contacts = original[:, CONTACT_DIMS]  # left ankle, left foot, right ankle, right foot
    assert np.array_equal(clip.features[:, CONTACT_DIMS], contacts[:, [2, 3, 0, 1]])
    assert clip.clip_id == "M000001" and clip.captions[0].text == "a person walks and turns right"


@pytest.mark.parametrize(
    ("text", "mirrored"),
    [
        ("raises the left hand", "raises the right hand"),
        ("Left hand up, RIGHT foot back", "Right hand up, LEFT foot back"),
        ("walks leftwards", "walks rightwards"),
        ("a bright light", "a bright light"),  # only words that start with a side
    ],
)
def test_caption_sides_are_exchanged(text: str, mirrored: str) -> None:
    assert mirror_caption(text) == mirrored


def test_content_of_a_mirrored_bandai_clip() -> None:
    assert content_label("Mdataset-2_wave-left-hand_elderly_001_000") == "wave-right-hand"
    assert content_label("Mdataset-2_walk_normal_002") == "walk"
    assert content_label("M000123") == "other"


def test_bad_joints_fail_clearly() -> None:
    with pytest.raises(DataFormatError, match=r"shape \(T, 22, 3\)"):
        mirror_joints(np.zeros((10, 21, 3)))
