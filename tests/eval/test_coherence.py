"""The coherence measure separates a clean procedural walk from the same walk with its legs' phase jittered."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.procedural.generate import clip_rng, generate_clip
from motion_loop.data.procedural.params import ClipParams
from motion_loop.eval.coherence import (
    FOOT_JOINTS,
    CoherenceError,
    clip_coherence,
    coherence_table,
    compare_coherence,
    content_label,
    root_relative_speed,
    set_coherence,
)

LEG_JOINTS = (1, 2, 4, 5, 7, 8, 10, 11)  # hips, knees, ankles, toes


def _walk(seed: int = 0, speed: float = 1.2) -> np.ndarray:
    params = ClipParams("walk", duration=4.0, speed=speed, seed=seed)
    return generate_clip(params, clip_rng(params)).joints  # (81, 22, 3)


def _phase_jittered(joints: np.ndarray, rng: np.random.Generator, *, window: int = 10) -> np.ndarray:
    """Each frame's legs (relative to the pelvis) from a random frame within +-window (about half a gait
    cycle at 20 fps, i.e. the gait phase jumps frame to frame); the root trajectory is intact."""
    T = joints.shape[0]
    out = joints.copy()
    relative = joints[:, LEG_JOINTS] - joints[:, :1]  # (T, 8, 3)
    source = np.clip(np.arange(T) + rng.integers(-window, window + 1, size=T), 0, T - 1)
    out[:, LEG_JOINTS] = joints[:, :1] + relative[source]
    return out


def test_static_pose_and_rigid_translation_do_not_move() -> None:
    pose = _walk()[0]
    still = np.repeat(pose[None], 10, axis=0)
    gliding = still + np.linspace(0, 2, 10)[:, None, None] * np.array([0.0, 0.0, 1.0])
    assert np.allclose(root_relative_speed(still), 0.0)
    assert np.allclose(root_relative_speed(gliding), 0.0, atol=1e-9)  # travelling root: no relative motion


def test_speed_is_millimetres_per_frame() -> None:
    joints = np.repeat(_walk()[:1], 3, axis=0)
    joints[1, FOOT_JOINTS[0]] += np.array([0.0, 0.0, 0.05])  # one foot 50 mm forward for one frame
    speed = root_relative_speed(joints, FOOT_JOINTS)  # (2, 4)
    assert speed.shape == (2, 4)
    assert speed[0, 0] == pytest.approx(50.0) and speed[1, 0] == pytest.approx(50.0)
    assert np.allclose(speed[:, 1:], 0.0)


def test_jittered_walk_is_flagged_by_a_large_factor() -> None:
    rng = np.random.default_rng(0)
    clean = [_walk(seed) for seed in range(4)]
    jittered = [_phase_jittered(j, rng) for j in clean]
    clean_clip, jittered_clip = clip_coherence(clean[0]), clip_coherence(jittered[0])
    # A walk at 1.2 m/s moves the feet a few tens of mm per frame relative to the pelvis.
    assert 10.0 < clean_clip.foot_median_mm < 120.0
    assert jittered_clip.foot_median_mm > 3.0 * clean_clip.foot_median_mm
    assert jittered_clip.foot_p95_mm > 2.0 * clean_clip.foot_p95_mm
    comparison = compare_coherence(jittered, clean, labels=["walk", "walk", "walk", "walk"])
    assert set(comparison) == {"all", "walk"}
    assert comparison["all"].foot_median_ratio > 3.0
    stat = comparison["all"].generated.foot_median
    assert stat.low <= stat.value <= stat.high
    same = compare_coherence(clean, clean)["all"]
    assert same.foot_median_ratio == pytest.approx(1.0) and same.foot_p95_ratio == pytest.approx(1.0)
    rows = coherence_table(comparison)
    assert rows[0]["group"] == "all" and rows[0]["foot_median_ratio"] == pytest.approx(comparison["all"].foot_median_ratio)


def test_ratio_intervals_pair_each_prompt_with_its_real_clip() -> None:
    rng = np.random.default_rng(1)
    clean = [_walk(seed) for seed in range(6)]
    jittered = [_phase_jittered(j, rng) for j in clean]
    flicker = compare_coherence(jittered, clean)["all"]
    low, high = flicker.foot_p95_ratio_ci95
    assert 1.0 < low <= flicker.foot_p95_ratio <= high
    # Paired: a set against itself has ratio 1 in every draw; a bootstrap of the two sets apart would not.
    assert compare_coherence(clean, clean)["all"].foot_median_ratio_ci95 == pytest.approx((1.0, 1.0))
    row = coherence_table(compare_coherence(jittered, clean))[0]
    assert row["foot_median_ratio_ci95"] == list(flicker.foot_median_ratio_ci95)
    assert all(np.isnan(compare_coherence(jittered[:1], clean[:1])["all"].foot_median_ratio_ci95))


def test_pooled_statistics_count_every_frame() -> None:
    clips = [_walk(0), _walk(1)[:41]]
    stats = set_coherence(clips)
    assert stats.clips == 2 and stats.frames == 80 + 40
    pooled = np.concatenate([root_relative_speed(c, FOOT_JOINTS).reshape(-1) for c in clips])
    assert stats.foot_median.value == pytest.approx(float(np.median(pooled)))


def test_content_labels_of_bandai_ids() -> None:
    assert content_label("dataset-2_walk-turn-left_normal_012_003") == "walk-turn-left"
    assert content_label("dataset-1_run_elderly_001") == "run"
    assert content_label("M000123") == "other"


def test_bad_input_is_named() -> None:
    with pytest.raises(CoherenceError, match=r"shape \(T, 22, 3\)"):
        root_relative_speed(np.zeros((5, 21, 3)))
    with pytest.raises(CoherenceError, match="at least 2 frames"):
        root_relative_speed(np.zeros((1, 22, 3)))
    with pytest.raises(CoherenceError, match="pair them per prompt"):
        compare_coherence([_walk()], [])
    with pytest.raises(CoherenceError, match="no clips given"):
        compare_coherence([], [])


def test_evaluation_records_coherence_next_to_the_real_clips(trained, synthetic_root) -> None:
    from dataclasses import replace

    from motion_loop.data.humanml3d import HumanML3DFolder
    from motion_loop.eval.config import MetricsConfig
    from motion_loop.eval.evaluation import evaluate_motions, reference_embeddings, split_motions

    evaluator, _, _ = trained
    folder = HumanML3DFolder(synthetic_root)
    reference = reference_embeddings(evaluator, folder, "test")
    rng = np.random.default_rng(0)
    real = split_motions(folder, "test", rng)
    cfg = MetricsConfig(replications=1, diversity_times=10)
    same = evaluate_motions(evaluator, real, reference, cfg, rng, coherence_real=real, coherence_labels=["x"] * len(real))
    assert same["foot_motion_median_ratio"].mean == pytest.approx(1.0)
    assert same["foot_motion_p95_mm"].unit == "mm/frame" and same["foot_motion_p95_mm"].ci95 >= 0
    assert [row["group"] for row in same.info["coherence"]] == ["all", "x"]
    clips = same.info["coherence_clips"]
    assert len(clips) == len(real) and clips[0]["content"] == "x"
    assert all(row["foot_median_mm"] == pytest.approx(row["real_foot_median_mm"]) for row in clips)  # the clips themselves
    # Frame-to-frame noise on the features (positions included) makes the joints flicker.
    noisy = [replace(m, features=m.features + rng.normal(scale=0.5, size=m.features.shape)) for m in real]
    flicker = evaluate_motions(evaluator, noisy, reference, cfg, rng, coherence_real=real)
    assert flicker["foot_motion_median_ratio"].mean > 2.0
    alone = evaluate_motions(evaluator, noisy, reference, cfg, rng)
    assert "foot_motion_median_ratio" not in alone.records and alone["joint_motion_median_mm"].mean > 0


class _ReplayLearner:
    """A learner whose "samples" are the real clips of the prompts, played back (loop/motion/evaluator.py's seam)."""

    last_fit: dict[str, float] = {}

    def __init__(self, features: list[np.ndarray]) -> None:
        self.features = features

    def draw(self, captions, lengths, sample, rng):  # noqa: ANN001, ANN201
        return [f[:n] for f, n in zip(self.features, lengths, strict=True)]


def test_loop_metrics_carry_coherence_ratios_and_keep_real_clips_for_the_filmstrip(trained, synthetic_root) -> None:
    from motion_loop.data.humanml3d import HumanML3DFolder
    from motion_loop.eval.config import MetricsConfig, PlausibilityConfig
    from motion_loop.eval.evaluation import reference_embeddings
    from motion_loop.loop.motion.clips import ClipSetOps, load_clip_set
    from motion_loop.loop.motion.evaluator import (
        COHERENCE_PER_CLIP,
        COHERENCE_PER_CONTENT,
        VIDEO_LENGTHS,
        VIDEO_REAL_JOINTS,
        MotionEvaluator,
    )
    from motion_loop.model.config import SampleConfig

    evaluator, _, _ = trained
    folder = HumanML3DFolder(synthetic_root)
    test = load_clip_set(folder, "test").clips
    prompts = ClipSetOps().prompts(test, 32, rng=np.random.default_rng(0))
    real = {clip.clip_id: clip.features for clip in test.clips}
    scorer = MotionEvaluator(
        evaluator=evaluator, reference=reference_embeddings(evaluator, folder, "test"), prompts=prompts,
        sample=SampleConfig(), metrics=MetricsConfig(replications=1, diversity_times=10),
        plausibility=PlausibilityConfig(enabled=False), every=1, last_generation=0, keep_for_video=2,
        real_features=real,
    )  # fmt: skip
    replay = _ReplayLearner([real[p.source_id] for p in prompts])
    evaluation = scorer.evaluate(replay, generation=0, rng=np.random.default_rng(1))
    metrics = evaluation.metrics
    assert metrics["foot_motion_median_ratio"] == pytest.approx(1.0)
    assert metrics["foot_motion_p95_mm"] > 0
    assert evaluation.artefacts[VIDEO_REAL_JOINTS].shape[0] == 2 and len(evaluation.artefacts[VIDEO_LENGTHS]) == 2
    per_clip = evaluation.artefacts[COHERENCE_PER_CLIP]
    assert len(per_clip) == 32 and per_clip[3]["foot_p95_mm"] == pytest.approx(per_clip[3]["real_foot_p95_mm"])
    assert evaluation.artefacts[COHERENCE_PER_CONTENT][0]["foot_median_ratio"] == pytest.approx(1.0)
