"""Contact labels relative to the body's speed, and what planting does with them (physics.reference)."""

from __future__ import annotations

import numpy as np

from physics.assess import fit_clip
from physics.config import with_options
from physics.reference import contact_labels, prepare


def _overtravel(joints: np.ndarray, factor: float) -> np.ndarray:
    out = joints.copy()
    out[..., [0, 2]] += (factor - 1.0) * (joints[:, :1, [0, 2]] - joints[:1, :1, [0, 2]])
    return out


def test_relative_bound_labels_overtravelled_stance_feet(reference_clips) -> None:
    clean = reference_clips["012314"][0]  # a run-up and a leap
    for joints, expect_more in ((clean, False), (_overtravel(clean, 1.6), True)):
        clip = fit_clip(joints, 20.0, with_options(None, {}))
        absolute = contact_labels(clip.model, clip.qpos, 20.0, with_options(clip.config, {"contact_speed_ratio": 0.0}))
        relative = contact_labels(clip.model, clip.qpos, 20.0, with_options(clip.config, {"contact_speed_ratio": 0.5}))
        assert np.all(relative >= absolute)  # the relative bound only adds contacts
        added = int(relative.sum() - absolute.sum())
        if expect_more:
            assert added >= 4  # the sliding stance feet of the run-up (7 frames at this commit)
        else:
            assert added <= 0.05 * absolute.size  # clean mocap: stance feet are slow anyway


def test_planting_with_relative_labels_pulls_an_overtravelled_run_back(reference_clips) -> None:
    clean = reference_clips["012314"][0]
    clean_root = prepare_root(clean, {})

    def distance(options: dict) -> float:
        return float(np.linalg.norm(prepare_root(_overtravel(clean, 1.6), options) - clean_root, axis=-1).mean())

    unplanted = distance({"plant_feet": False, "contact_speed_ratio": 0.0})
    planted = distance({"plant_feet": True, "contact_speed_ratio": 0.0})
    planted_relative = distance({})  # the defaults: planting with the relative bound
    assert planted_relative < planted < unplanted


def test_planting_does_not_turn_jitter_into_drift(reference_clips) -> None:
    clean = reference_clips["000000"][0]  # a walk
    jittered = clean + np.random.default_rng(0).normal(0.0, 0.008, size=clean.shape)
    unplanted = prepare_root(jittered, {"plant_feet": False})
    planted = prepare_root(jittered, {})
    # Stance-averaged slip: the random shaking of the feet is not added up into root drift.
    drift = np.linalg.norm(planted - unplanted, axis=-1)
    assert drift.mean() < 0.03 and drift.max() < 0.06


def prepare_root(joints: np.ndarray, options: dict) -> np.ndarray:
    """Horizontal pelvis track (T, 2) of the prepared (re-floored, planted) reference [m]."""
    clip = fit_clip(joints, 20.0, with_options(None, options))
    ref = prepare(clip.model, clip.qpos, 20.0, clip.config)
    adr = clip.model.joint("root").qposadr[0]
    return ref.frame_qpos[:, adr:adr + 2]


def test_a_body_gliding_on_hovering_feet_is_planted_not_dragged() -> None:
    """Generated samples glide: the root travels at metres per second while the feet, a few cm up,
    move with it instead of stepping. Labelled as gliding, those feet are planted and the travel
    they cannot carry is removed; unlabelled, the simulation drags them over the floor."""
    from motion_loop.data.procedural import ClipParams, clip_rng, generate_clip
    from physics import correct_motion

    params = ClipParams(family="wave", duration=3.0, seed=2)
    glide = generate_clip(params, clip_rng(params)).joints
    glide[..., 2] += 2.0 * np.arange(len(glide))[:, None] / 20.0  # forward at 2 m/s, legs still
    glide[..., 1] += 0.02  # feet hovering 2 cm above the floor
    dragged = correct_motion(glide, 20.0, glide_ratio=0.0)
    planted = correct_motion(glide, 20.0, glide_ratio=0.5)
    assert dragged.report.surface_skate_mm_after > 50.0  # [mm/frame] the feet slide with the body
    assert planted.report.surface_skate_mm_after < 5.0 and planted.report.controller == "base"
    travel_in = np.linalg.norm(glide[-1, 0, [0, 2]] - glide[0, 0, [0, 2]])
    travel_out = np.linalg.norm(planted.joints[-1, 0, [0, 2]] - planted.joints[0, 0, [0, 2]])
    assert travel_in > 5.5 and travel_out < 0.5  # [m] the body stays where its feet are
