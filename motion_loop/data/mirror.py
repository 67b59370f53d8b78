"""Left-right mirror of a clip, as HumanML3D builds its mirrored copies (`M` + id, left and right
swapped in the captions).

The mirror is taken on joint positions (x -> -x, every left joint exchanged with its right
counterpart); its 263-d features then come from `joints_to_features`, as for any other clip.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from motion_loop.data import skeleton as sk
from motion_loop.data.features import canonicalize, joints_to_features
from motion_loop.data.humanml3d import Caption

MIRROR_PREFIX = "M"  # HumanML3D's id of the mirror of clip 012314 is M012314


def _mirror_permutation() -> tuple[int, ...]:
    index = {name: i for i, name in enumerate(sk.JOINT_NAMES)}
    swapped = {"left_": "right_", "right_": "left_"}
    order = []
    for name in sk.JOINT_NAMES:
        side = next((prefix for prefix in swapped if name.startswith(prefix)), None)
        order.append(index[swapped[side] + name.removeprefix(side)] if side else index[name])
    return tuple(order)


# Joint j of a mirrored clip is joint MIRROR_PERMUTATION[j] of the original, mirrored.
MIRROR_PERMUTATION = _mirror_permutation()
_SIDE_WORD = re.compile(r"\b(left|right)", re.IGNORECASE)


def mirror_joints(joints: np.ndarray) -> np.ndarray:
    """The left-right mirror of a joint trajectory: (T, 22, 3) [m], y-up -> (T, 22, 3).

    Raises:
        DataFormatError: wrong shape or NaN/inf values (skeleton.check_joints).
    """
    joints = sk.check_joints(joints, min_frames=1)
    mirrored = joints[:, MIRROR_PERMUTATION].copy()  # (T, 22, 3)
    mirrored[..., 0] *= -1.0
    return mirrored


def mirror_caption(text: str) -> str:
    """The caption of the mirrored clip: every word starting with left/right has its side exchanged,
    case kept ("Left" -> "Right", "leftwards" -> "rightwards"), as HumanML3D's mirrored captions."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        other = "right" if word.lower() == "left" else "left"
        if word.isupper():
            return other.upper()
        return other.capitalize() if word[0].isupper() else other

    return _SIDE_WORD.sub(swap, text)


def mirror_clip_id(clip_id: str) -> str:
    """The id of the mirrored clip (HumanML3D's convention)."""
    return MIRROR_PREFIX + clip_id


@dataclasses.dataclass(frozen=True)
class MirroredClip:
    """A clip's mirror: joints (T, 22, 3) [m], features (T-1, 263), captions with sides exchanged."""

    clip_id: str
    joints: np.ndarray
    features: np.ndarray
    captions: list[Caption]


def mirror_clip(clip_id: str, joints: np.ndarray, captions: list[Caption]) -> MirroredClip:
    """The mirror of a clip given by its joints (T, 22, 3), as `new_joints` stores them.

    The mirrored joints are processed like any imported clip (`canonicalize`): HumanML3D's target
    skeleton is not left-right symmetric (its left and right bones differ by up to 7 mm), so the mirror
    is fitted to it again, which moves joints by a few centimetres, as HumanML3D's own mirrors are.
    """
    mirrored = canonicalize(mirror_joints(joints)).joints  # (T, 22, 3)
    return MirroredClip(
        clip_id=mirror_clip_id(clip_id),
        joints=mirrored,
        features=joints_to_features(mirrored),
        captions=[
            dataclasses.replace(c, text=mirror_caption(c.text), tokens=mirror_caption(c.tokens)) for c in captions
        ],
    )
