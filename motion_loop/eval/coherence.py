"""Temporal coherence of motions: how far each joint moves relative to the root from one frame to the next.

A diffusion model that has not learnt temporal structure produces clips whose root travels correctly
while the legs jump between gait phases frame after frame. FID and R-precision on a motion embedding can
miss this; this measure cannot: real walking moves the feet by ~50-170 mm per frame (20 fps) relative to
the pelvis, a phase-jittered walk by several hundred.

Definitions (joints (T, 22, 3) [m], y-up, `fps` frames per second):
    rel[t, j] = joints[t, j] - joints[t, 0]              root-relative position (pelvis = joint 0)
    speed[t, j] = 1000 * ||rel[t + 1, j] - rel[t, j]||   [mm/frame], t = 0..T-2
Feet are the ankles and toes (joints 7, 8, 10, 11). A clip's statistics are the median and 95th
percentile of its speed values; a set's (or a content group's) pool every value of its clips, and
their 95 % interval is a bootstrap over clips (clips resampled with replacement, fixed seed). Values
are per frame at `fps`; clips at another rate are compared in mm/frame at their own rate, so every
set compared must share the frame rate (the evaluation's is 20 fps).

The generated/real ratio compares clips drawn for the same prompts with the real clips those prompts
come from, overall and per content label (e.g. Bandai-Namco's "walk", "run").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from motion_loop.data import skeleton as sk
from motion_loop.data.mirror import MIRROR_PREFIX, mirror_caption
from motion_loop.errors import MotionLoopError

FOOT_JOINTS: tuple[int, ...] = (*sk.LEFT_FOOT_JOINTS, *sk.RIGHT_FOOT_JOINTS)  # ankles and toes
ROOT_JOINT = 0  # pelvis
NUM_JOINTS = 22
_MM_PER_M = 1000.0
# Bootstrap resamples of the pooled statistics' interval; a fixed seed keeps reports reproducible.
_BOOTSTRAP = 200
_BOOTSTRAP_SEED = 0
_BANDAI_CLIP = re.compile(r"^dataset-\d+_(?P<content>[a-z\-]+)_[a-z\-]+_\d+(_\d+)?$")


class CoherenceError(MotionLoopError):
    """Joints of the wrong shape, too short, or non-finite."""


def _check(joints: np.ndarray, name: str) -> np.ndarray:
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3):
        raise CoherenceError(f"{name}: joints must have shape (T, {NUM_JOINTS}, 3), got {joints.shape}")
    if joints.shape[0] < 2:
        raise CoherenceError(f"{name}: needs at least 2 frames to measure motion per frame, got {joints.shape[0]}")
    if not np.all(np.isfinite(joints)):
        raise CoherenceError(f"{name}: joints contain NaN or inf")
    return joints


def root_relative_speed(joints: np.ndarray, joint_indices: Sequence[int] | None = None) -> np.ndarray:
    """Per-frame motion of joints relative to the root, (T - 1, J) [mm/frame].

    Args:
        joints: (T, 22, 3) positions [m].
        joint_indices: joints to measure (None: all 22).
    """
    joints = _check(joints, "root_relative_speed")
    relative = joints - joints[:, ROOT_JOINT : ROOT_JOINT + 1]  # (T, 22, 3)
    if joint_indices is not None:
        relative = relative[:, list(joint_indices)]
    return _MM_PER_M * np.linalg.norm(np.diff(relative, axis=0), axis=-1)  # (T - 1, J)


@dataclass(frozen=True)
class ClipCoherence:
    """One clip's root-relative motion per frame [mm/frame]: feet and all joints, median and p95."""

    foot_median_mm: float
    foot_p95_mm: float
    joint_median_mm: float
    joint_p95_mm: float


def clip_coherence(joints: np.ndarray) -> ClipCoherence:
    """Median and p95 of one clip's root-relative motion per frame, feet and all joints [mm/frame]."""
    feet = root_relative_speed(joints, FOOT_JOINTS)
    every = root_relative_speed(joints)
    return ClipCoherence(
        float(np.median(feet)), float(np.percentile(feet, 95)), float(np.median(every)), float(np.percentile(every, 95))
    )


@dataclass(frozen=True)
class PooledStat:
    """A pooled statistic of a set of clips with its 95 % bootstrap interval (over clips) [mm/frame]."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class SetCoherence:
    """Pooled root-relative motion per frame of a set of clips (every frame of every clip) [mm/frame]."""

    clips: int
    frames: int
    foot_median: PooledStat
    foot_p95: PooledStat
    joint_median: PooledStat
    joint_p95: PooledStat


def _sorted_pool(per_clip: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every value of every clip, sorted (N,), and the clip each came from (N,)."""
    values = np.concatenate(per_clip)  # (N,)
    clip_of = np.repeat(np.arange(len(per_clip)), [len(v) for v in per_clip])  # (N,)
    order = np.argsort(values, kind="stable")
    return values[order], clip_of[order]


def _weighted_quantiles(
    pool: tuple[np.ndarray, np.ndarray], counts: np.ndarray, quantiles: tuple[float, ...]
) -> np.ndarray:
    """Percentiles of a sorted pool whose clips are weighted by `counts` (one bootstrap draw; nearest rank).

    The values are sorted once, so a draw costs one cumulative sum instead of a new sort."""
    sorted_values, sorted_clips = pool
    cumulative = np.cumsum(counts[sorted_clips])  # (N,) weight of the values up to each one
    targets = np.asarray(quantiles) / 100.0 * cumulative[-1]
    return sorted_values[np.minimum(np.searchsorted(cumulative, targets), len(sorted_values) - 1)]


def _pooled(per_clip: list[np.ndarray], quantiles: tuple[float, ...], rng: np.random.Generator) -> list[PooledStat]:
    """Pooled percentiles of every value of every clip, with a bootstrap over clips (each draw weights a
    clip by how often it is drawn)."""
    exact = [float(np.percentile(np.concatenate(per_clip), q)) for q in quantiles]
    if len(per_clip) < 2:
        return [PooledStat(v, float("nan"), float("nan")) for v in exact]
    pool = _sorted_pool(per_clip)
    draws = np.empty((_BOOTSTRAP, len(quantiles)))
    for b in range(_BOOTSTRAP):
        draws[b] = _weighted_quantiles(pool, np.bincount(rng.integers(len(per_clip), size=len(per_clip)), minlength=len(per_clip)), quantiles)
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    return [PooledStat(v, float(lo), float(hi)) for v, lo, hi in zip(exact, low, high, strict=True)]


def _ratio_intervals(
    generated: Sequence[np.ndarray], real: Sequence[np.ndarray], quantiles: tuple[float, ...], rng: np.random.Generator
) -> list[tuple[float, float]]:
    """95 % intervals of the generated/real ratios of pooled percentiles, by a paired bootstrap over
    prompts: each draw resamples prompts and weights a prompt's generated and real clip alike."""
    if len(generated) < 2:
        return [(float("nan"), float("nan"))] * len(quantiles)
    generated_pool, real_pool = _sorted_pool(generated), _sorted_pool(real)
    draws = np.empty((_BOOTSTRAP, len(quantiles)))
    for b in range(_BOOTSTRAP):
        counts = np.bincount(rng.integers(len(generated), size=len(generated)), minlength=len(generated))
        real_values = _weighted_quantiles(real_pool, counts, quantiles)
        draws[b] = _weighted_quantiles(generated_pool, counts, quantiles) / np.maximum(real_values, 1e-9)
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    return [(float(lo), float(hi)) for lo, hi in zip(low, high, strict=True)]


def set_coherence(clips: Sequence[np.ndarray]) -> SetCoherence:
    """Pooled median and p95 of the root-relative motion per frame of `clips` (each (T_i, 22, 3) [m])."""
    if not clips:
        raise CoherenceError("set_coherence: no clips given")
    return _set_coherence([root_relative_speed(c, FOOT_JOINTS).reshape(-1) for c in clips], clips)


def _set_coherence(feet: list[np.ndarray], clips: Sequence[np.ndarray]) -> SetCoherence:
    """`set_coherence` with the feet's speeds per clip already measured."""
    every = [root_relative_speed(c).reshape(-1) for c in clips]
    rng = np.random.default_rng(_BOOTSTRAP_SEED)
    foot_median, foot_p95 = _pooled(feet, (50.0, 95.0), rng)
    joint_median, joint_p95 = _pooled(every, (50.0, 95.0), rng)
    return SetCoherence(len(clips), int(sum(len(c) - 1 for c in clips)), foot_median, foot_p95, joint_median, joint_p95)


@dataclass(frozen=True)
class CoherenceComparison:
    """Generated clips against the real clips of the same prompts, for one group (or all clips).

    Ratios are generated / real of the pooled statistics: 1 = as coherent as the data, >> 1 = flicker.
    Their 95 % intervals come from a bootstrap over prompts that keeps each prompt's pair together
    (NaN for fewer than 2 prompts).
    """

    label: str
    generated: SetCoherence
    real: SetCoherence
    foot_median_ratio_ci95: tuple[float, float] = (float("nan"), float("nan"))
    foot_p95_ratio_ci95: tuple[float, float] = (float("nan"), float("nan"))

    @property
    def foot_median_ratio(self) -> float:
        return self.generated.foot_median.value / max(self.real.foot_median.value, 1e-9)

    @property
    def foot_p95_ratio(self) -> float:
        return self.generated.foot_p95.value / max(self.real.foot_p95.value, 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "generated": asdict(self.generated),
            "real": asdict(self.real),
            "foot_median_ratio": self.foot_median_ratio,
            "foot_median_ratio_ci95": list(self.foot_median_ratio_ci95),
            "foot_p95_ratio": self.foot_p95_ratio,
            "foot_p95_ratio_ci95": list(self.foot_p95_ratio_ci95),
        }


def _comparison(label: str, generated: Sequence[np.ndarray], real: Sequence[np.ndarray]) -> CoherenceComparison:
    feet_generated = [root_relative_speed(c, FOOT_JOINTS).reshape(-1) for c in generated]
    feet_real = [root_relative_speed(c, FOOT_JOINTS).reshape(-1) for c in real]
    median_ci, p95_ci = _ratio_intervals(feet_generated, feet_real, (50.0, 95.0), np.random.default_rng(_BOOTSTRAP_SEED))
    return CoherenceComparison(
        label, _set_coherence(feet_generated, generated), _set_coherence(feet_real, real), median_ci, p95_ci
    )


def compare_coherence(
    generated: Sequence[np.ndarray],
    real: Sequence[np.ndarray],
    *,
    labels: Sequence[str] | None = None,
) -> dict[str, CoherenceComparison]:
    """Coherence of generated clips next to the real clips of the same prompts, overall and per label.

    Args:
        generated: joints (T_i, 22, 3) [m] per prompt.
        real: the real clip each prompt comes from, same order (lengths may differ).
        labels: a content label per prompt (e.g. `content_label(source_id)`); None: only "all".

    Returns:
        {"all": ..., label: ...} in order of first appearance of each label.
    """
    if len(generated) != len(real):
        raise CoherenceError(f"compare_coherence: {len(generated)} generated clips but {len(real)} real ones; pair them per prompt")
    if labels is not None and len(labels) != len(generated):
        raise CoherenceError(f"compare_coherence: {len(labels)} labels for {len(generated)} clips")
    if not generated:
        raise CoherenceError("compare_coherence: no clips given")
    out = {"all": _comparison("all", generated, real)}
    for label in dict.fromkeys(labels or ()):
        picks = [i for i, name in enumerate(labels or ()) if name == label]
        out[label] = _comparison(label, [generated[i] for i in picks], [real[i] for i in picks])
    return out


def content_label(clip_id: str) -> str:
    """The content of a Bandai-Namco clip id (`dataset-2_walk_normal_001_000` -> "walk"); else "other".
    A mirrored clip (`M` + id) has its side exchanged (`Mdataset-2_wave-left-hand_...` -> "wave-right-hand")."""
    match = _BANDAI_CLIP.match(clip_id)
    if match:
        return match["content"]
    if clip_id.startswith(MIRROR_PREFIX) and (match := _BANDAI_CLIP.match(clip_id.removeprefix(MIRROR_PREFIX))):
        return mirror_caption(match["content"])
    return "other"


def coherence_table(comparisons: dict[str, CoherenceComparison]) -> list[dict[str, Any]]:
    """Flat rows (one per group) for reports: clips, pooled median/p95 of feet and all joints, ratios."""
    rows = []
    for name, comp in comparisons.items():
        gen, real = comp.generated, comp.real
        rows.append({
            "group": name, "clips": gen.clips,
            "foot_median_mm": gen.foot_median.value, "foot_median_real_mm": real.foot_median.value,
            "foot_median_ratio": comp.foot_median_ratio, "foot_median_ratio_ci95": list(comp.foot_median_ratio_ci95),
            "foot_p95_mm": gen.foot_p95.value, "foot_p95_real_mm": real.foot_p95.value,
            "foot_p95_ratio": comp.foot_p95_ratio, "foot_p95_ratio_ci95": list(comp.foot_p95_ratio_ci95),
            "joint_median_mm": gen.joint_median.value, "joint_median_real_mm": real.joint_median.value,
            "joint_p95_mm": gen.joint_p95.value, "joint_p95_real_mm": real.joint_p95.value,
        })  # fmt: skip
    return rows


# Names of the evaluation records (evaluation.evaluate_motions): generated pooled statistics [mm/frame]
# and, when the real clips of the prompts are given, the generated/real ratios of the feet.
RECORD_UNITS = {
    "foot_motion_median_mm": "mm/frame", "foot_motion_p95_mm": "mm/frame",
    "joint_motion_median_mm": "mm/frame", "joint_motion_p95_mm": "mm/frame",
    "foot_motion_median_ratio": "ratio", "foot_motion_p95_ratio": "ratio",
}  # fmt: skip


def coherence_records(
    sets: Sequence[Sequence[np.ndarray]],
    *,
    real: Sequence[np.ndarray] | None = None,
    labels: Sequence[str] | None = None,
    interval: str = "t",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Evaluation records of the coherence of generated sets (one per replication), and info rows.

    Args:
        sets: per replication, the generated joints (T_i, 22, 3) [m] of every prompt.
        real: the real clip of each prompt (same order as every set); None: no ratios.
        labels: content label per prompt, for the per-content table in the info.
        interval: the interval over sets (motion_loop.eval.metrics.summarize).

    Returns:
        ({record name: MetricRecord}, {"coherence": rows of `coherence_table` for the first set,
        "coherence_clips": one row per prompt of the first set (`clip_rows`)}).
        Over several sets the interval is over sets; for one set it is the bootstrap over clips.
    """
    from motion_loop.eval.metrics import MetricRecord, summarize

    per_set: dict[str, list[float]] = {name: [] for name in RECORD_UNITS}
    bootstrap: dict[str, PooledStat] = {}
    table: list[dict[str, Any]] = []
    for index, clips in enumerate(sets):
        stats = set_coherence(list(clips))
        pooled = {"foot_motion_median_mm": stats.foot_median, "foot_motion_p95_mm": stats.foot_p95,
                  "joint_motion_median_mm": stats.joint_median, "joint_motion_p95_mm": stats.joint_p95}  # fmt: skip
        if real is not None:
            comparison = compare_coherence(list(clips), real, labels=labels)
            pooled["foot_motion_median_ratio"] = _ratio(stats.foot_median, comparison["all"].real.foot_median)
            pooled["foot_motion_p95_ratio"] = _ratio(stats.foot_p95, comparison["all"].real.foot_p95)
            if index == 0:
                table = coherence_table(comparison)
        for name, stat in pooled.items():
            per_set[name].append(stat.value)
        if index == 0:
            bootstrap = pooled
    records: dict[str, MetricRecord] = {}
    for name, values in per_set.items():
        if not values:
            continue
        if len(values) > 1:
            records[name] = summarize(name, values, better="closer_to_real", unit=RECORD_UNITS[name], note="root-relative motion per frame; interval over sets", interval=interval)
        else:
            stat = bootstrap[name]
            records[name] = MetricRecord(
                name, stat.value, (stat.high - stat.low) / 2, (stat.value,), "closer_to_real", RECORD_UNITS[name],
                "root-relative motion per frame, pooled over clips; interval: half the 95 % bootstrap range over clips",
            )  # fmt: skip
    clips = clip_rows(sets[0], real=real, labels=labels) if sets else []
    return records, {"coherence": table, "coherence_clips": clips}


def clip_rows(
    generated: Sequence[np.ndarray], *, real: Sequence[np.ndarray] | None = None, labels: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Per prompt: its content label, and the feet's and all joints' median / p95 motion per frame of the
    generated clip and, when given, of the prompt's real clip [mm/frame]."""
    rows = []
    for index, joints in enumerate(generated):
        row: dict[str, Any] = {"prompt": index, "content": labels[index] if labels is not None else ""}
        row |= asdict(clip_coherence(joints))
        if real is not None:
            row |= {f"real_{k}": v for k, v in asdict(clip_coherence(real[index])).items()}
        rows.append(row)
    return rows


def _ratio(generated: PooledStat, real: PooledStat) -> PooledStat:
    """generated / real, with the generated interval scaled by the real value (the real clips are fixed)."""
    scale = 1.0 / max(real.value, 1e-9)
    return PooledStat(generated.value * scale, generated.low * scale, generated.high * scale)
