"""The contact-consistent kinematic projection (physics.projection): stance feet locked on the floor by
inverse kinematics (mink) on the clip's own humanoid, within a bounded change. Real MuJoCo, no mocks."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.procedural import ClipParams, clip_rng, generate_clip
from physics import correct_motion, summarize
from physics.assess import fit_clip, surface_metrics
from physics.config import with_options
from physics.errors import PhysicsError
from physics.projection import foot_offsets
from physics.reference import prepare

pytest.importorskip("mink")


def _standing(seed: int = 3) -> np.ndarray:
    params = ClipParams(family="wave", duration=4.0, seed=seed)
    return generate_clip(params, clip_rng(params)).joints.astype(np.float64)  # (T, 22, 3), y-up


def _shaken(joints: np.ndarray, amplitude: float = 0.03) -> np.ndarray:
    """The whole body shaken sideways at 1.5 Hz: the stance feet slide back and forth, and since their
    slip averages out over the stance, planting (a root shift by the mean slip) cannot remove it."""
    t = np.arange(len(joints)) / 20.0
    out = joints.copy()
    out[..., 0] += amplitude * np.sin(2 * np.pi * 1.5 * t)[:, None]
    return out


def _reference(joints: np.ndarray, project: bool, **options: object):
    clip = fit_clip(joints, 20.0, with_options(None, options))
    return clip.model, prepare(clip.model, clip.qpos, 20.0, clip.config, project=project)


def test_foot_offsets_lock_a_sliding_pivot_at_its_stance_mean_on_the_floor() -> None:
    T = 12
    corners = np.zeros((T, 2, 4, 3))
    corners[..., 0] = np.arange(4)[None, None, :] * 0.05  # four corners along x, 5 cm apart
    corners[..., 2] = 0.01 + 0.01 * np.arange(4)[None, None, :]  # corner 0 lowest, 1 cm up
    corners[:, 0, :, 0] += 0.02 * np.arange(T)[:, None]  # the left foot slides 2 cm per frame
    labels = np.zeros((T, 2), dtype=bool)
    labels[2:6, 0] = labels[8:12, 0] = True  # two stances of the left foot
    offset, pivot, lock = foot_offsets(corners, labels)
    assert np.all(pivot == 0)
    moved = corners[:, 0, 0] + offset[:, 0]  # (T, 3) the left pivot after the offsets
    for start, end in ((2, 6), (8, 12)):
        np.testing.assert_allclose(moved[start:end] - moved[start], 0.0, atol=1e-9)  # locked
        np.testing.assert_allclose(moved[start:end, 2], 0.0, atol=1e-9)  # on the floor
        np.testing.assert_allclose(moved[start, 0], corners[start:end, 0, 0, 0].mean(), atol=1e-9)  # at the mean
        np.testing.assert_allclose(lock[start:end, 0], moved[start:end], atol=1e-9)
    # Swing between the stances: blended, so no frame jumps by more than a stance's own offsets.
    assert np.abs(np.diff(offset[5:9, 0, 0])).max() < np.abs(offset[2:6, 0, 0]).max()
    assert np.all(offset[:, 1] == 0) and np.isnan(lock[:, 1]).all()  # no stance, no change


def test_projection_stops_feet_that_planting_leaves_sliding() -> None:
    shaken = _shaken(_standing())
    model, planted = _reference(shaken, project=False)
    _, projected = _reference(shaken, project=True)
    assert planted.contact.all()  # a standing body: both feet in stance throughout
    before = surface_metrics(model, planted.frame_qpos)["surface_skate_mm"]
    after = surface_metrics(model, projected.frame_qpos)["surface_skate_mm"]
    assert before > 5.0 and after < 0.5  # [mm/frame] ~9 -> ~0 at this commit
    projection = projected.projection
    assert projection is not None and projection.reason is None
    assert projection.foot_error_mm < 5.0
    assert projection.pose_change_mm < 30.0  # the legs absorb the 3-cm shake; the rest of the pose stays


def test_projection_puts_hovering_stance_feet_on_the_floor() -> None:
    glide = _standing(seed=2)
    glide[..., 2] += 2.0 * np.arange(len(glide))[:, None] / 20.0  # the body glides forward at 2 m/s
    glide[..., 1] += 0.02  # on feet hovering 2 cm above the floor
    model, planted = _reference(glide, project=False, refloor="none")
    _, projected = _reference(glide, project=True, refloor="none")
    assert surface_metrics(model, planted.frame_qpos)["surface_float_mm"] > 15.0
    assert surface_metrics(model, projected.frame_qpos)["surface_float_mm"] < 3.0


def test_a_projection_beyond_its_bound_is_not_applied_and_flagged() -> None:
    shaken = _shaken(_standing())
    model, planted = _reference(shaken, project=False)
    _, refused = _reference(shaken, project=True, projection_max_change=0.002)
    assert refused.projection is not None and "projection_max_change" in refused.projection.reason
    np.testing.assert_array_equal(refused.frame_qpos, planted.frame_qpos)  # the change is not applied
    result = correct_motion(shaken, 20.0, project_contacts=True, projection_max_change=0.002)
    assert result.report.projected is False and "unprojectable" in result.report.flags
    assert "projection_max_change" in result.report.flags["unprojectable"]
    assert summarize([result.report]).unprojectable_rate == 1.0


def test_correct_motion_reports_the_projection_and_leaves_a_rigid_clip_unprojected_by_default() -> None:
    shaken = _shaken(_standing())
    on = correct_motion(shaken, 20.0, project_contacts=True).report
    off = correct_motion(shaken, 20.0).report  # the default: a rigid clip is not projected
    assert on.projected is True and on.projection_pose_change_mm is not None and not on.flags
    assert off.projected is None and off.projection_foot_error_mm is None
    # The input's own residual is measured before the projection, so it does not depend on it.
    assert on.input_residual_pct_bw == pytest.approx(off.input_residual_pct_bw)
    assert on.surface_skate_mm_after <= off.surface_skate_mm_after + 0.5


@pytest.mark.parametrize("clip_id", ["012314", "000000"])  # a run-up and leap; a walk
def test_clean_motion_capture_is_barely_changed_and_stays_dynamically_consistent(reference_clips, clip_id: str) -> None:
    """Motion capture already keeps its stance feet still: the projection must leave it nearly as it is,
    and must not make it dearer to play (a pelvis yanked at toe-off raised the inverse dynamics' root
    force 2-4x on Bandai-Namco 2 runs before the steady-pelvis task)."""
    joints = reference_clips[clip_id][0].astype(np.float64)
    clip = fit_clip(joints, 20.0, with_options(None, {}))

    def residual_p95(reference) -> float:  # [% body weight] root force the reference needs
        force = np.linalg.norm(reference.tau[:, :3], axis=-1) / (clip.config.mass * 9.81)
        return 100 * float(np.percentile(force, 95))

    planted = prepare(clip.model, clip.qpos, 20.0, clip.config)
    projected = prepare(clip.model, clip.qpos, 20.0, clip.config, project=True)
    projection = projected.projection
    assert projection is not None and projection.reason is None
    assert projection.pose_change_mm < 40.0 and projection.root_shift_mm < 25.0 and projection.foot_error_mm < 5.0
    assert residual_p95(projected) < 1.3 * residual_p95(planted) + 2.0  # 37 -> 39 and 12.5 -> 15 at this commit


def test_the_default_projects_generated_clips_and_leaves_motion_capture_alone() -> None:
    """"generated" (the default) projects a clip whose bone lengths fluctuate (a model's sample) and
    not a rigid one (motion capture), by the jitter test that also decides smoothing."""
    clean = _shaken(_standing())
    noisy = clean + np.random.default_rng(0).normal(scale=0.003, size=clean.shape)  # 3 mm per coordinate
    assert correct_motion(clean, 20.0).report.projected is None
    assert correct_motion(noisy, 20.0).report.projected is not None
    assert correct_motion(noisy, 20.0, project_contacts="off").report.projected is None
    assert correct_motion(clean, 20.0, project_contacts="always").report.projected is not None


@pytest.mark.parametrize(("given", "mode"), [(True, "always"), (False, "off"), ("true", "always"),
                                             ("False", "off"), ("generated", "generated")])
def test_project_contacts_keeps_its_old_boolean_values(given: object, mode: str) -> None:
    assert with_options(None, {"project_contacts": given}).project_contacts == mode


def test_an_unknown_projection_mode_is_refused_with_the_choices() -> None:
    with pytest.raises(PhysicsError, match="project_contacts must be one of"):
        with_options(None, {"project_contacts": "sometimes"})
