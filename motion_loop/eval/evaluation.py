"""Library API of an evaluation: motions + captions -> named metric records (mean and 95 % interval).

    reference = reference_embeddings(evaluator, folder, "test")          # cached per content hash
    result = evaluate_motions(evaluator, generated, reference, MetricsConfig(), rng)
    result["fid"].mean, result["r_precision_top3"].ci95, result.to_dict()

`generated` is one set of `GeneratedMotion` (then replications re-draw batches and pairs; a set's
FID and plausibility are identical across them, so their interval is 0 and the note says so) or a
list of sets, one per replication (e.g. samples drawn with different seeds), as the reference
evaluation does. A dataset split is evaluated like a generator with `split_motions`, which cuts
items as the reference "ground truth" loader does (random caption, random unit-rounded crop).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.data.dataset import MotionDataset, MotionItem
from motion_loop.data.features import features_to_joints
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import ConfigError
from motion_loop.eval.coherence import coherence_records
from motion_loop.eval.config import MetricsConfig, PlausibilityConfig
from motion_loop.eval.evaluator import MAX_FRAMES, Evaluator
from motion_loop.eval.metrics import (
    GaussianStats,
    MetricError,
    MetricRecord,
    diversity,
    fid,
    fid_infinity,
    gaussian_stats,
    kid,
    multimodality,
    r_precision_and_matching,
    summarize,
    unavailable,
)
from motion_loop.eval.physics_metrics import (
    SURFACE_METRICS,
    physics_available,
    physics_error_type,
    surface_plausibility,
)
from motion_loop.eval.plausibility import clip_plausibility
from motion_loop.io import CorruptFileError
from motion_loop.io.checked import read_checked, write_checked
from motion_loop.io.content_key import ContentHash

# FID∞ fits FID at 40-100 % of the set: below this many clips its smallest subsets are too few to fit.
_MIN_FID_INFINITY_CLIPS = 10


@dataclass(frozen=True)
class GeneratedMotion:
    """One motion to evaluate: un-normalised features (T, 263), its caption and valid length [frames].

    `tokens` ("word/POS ...", as in HumanML3D texts/) is only used by evaluators that want POS tokens
    (the original T2M one); empty means the caption's words.
    """

    features: np.ndarray
    caption: str
    length: int | None = None
    tokens: str = ""

    @property
    def valid(self) -> np.ndarray:
        return self.features[: self.length] if self.length is not None else self.features


@dataclass
class ReferenceEmbeddings:
    """Motion embeddings (N, D) of a real split and their FID statistics, under a content key."""

    key: str
    split: str
    motion: np.ndarray
    stats: GaussianStats
    # Clips of the split left out when it was read, by reason ("too short", "no caption", ...).
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass
class EvaluationResult:
    """Named metric records plus how they were obtained (counts, availability, mismatch flags)."""

    records: dict[str, MetricRecord]
    info: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> MetricRecord:
        return self.records[name]

    def to_dict(self) -> dict[str, Any]:
        return {"metrics": {name: r.to_dict() for name, r in self.records.items()}, "info": self.info}


def _split_key(evaluator: Evaluator, split: str, items: Sequence[MotionItem]) -> str:
    """Content key of a split's reference embeddings: the evaluator's weights and every item's features."""
    digest = ContentHash("reference-embeddings").text(evaluator.content_hash()).text(split)
    for item in items:
        digest.text(item.key).array(item.features)
    return digest.hexdigest()


def _load_cached(path: Path) -> np.ndarray | None:
    """A cached array (checksummed .npy), or None when absent or damaged (then it is recomputed)."""
    if not path.is_file():
        return None
    try:
        payload = read_checked(path, what="cached reference embeddings", fix="they are recomputed")
        if not payload.verified:
            raise CorruptFileError(f"cached reference embeddings {path} have no checksum; they are recomputed")
        return np.load(io.BytesIO(payload.data))
    except (CorruptFileError, ValueError, OSError) as error:
        warnings.warn(str(error), stacklevel=3)
        return None


def reference_embeddings(
    evaluator: Evaluator,
    folder: HumanML3DFolder,
    split: str = "test",
    *,
    cache_dir: Path | None = None,
    min_frames: int = 40,
) -> ReferenceEmbeddings:
    """Embeddings of every usable clip of a real split (full clip, cut to a multiple of 4, <= 196).

    Memoised on the evaluator (one process, many generations) and, with `cache_dir`, on disk as a
    checksummed `ref_<key>.npy`, keyed on the evaluator's weights and the split's clip keys and features.
    """
    dataset = MotionDataset(folder, split, min_frames=min_frames, max_frames=MAX_FRAMES, random_cut=False)
    key = _split_key(evaluator, split, dataset.items)
    if key in evaluator.reference_cache:
        return evaluator.reference_cache[key]
    path = Path(cache_dir) / f"ref_{key[:32]}.npy" if cache_dir else None
    motion = _load_cached(path) if path is not None else None
    if motion is None:
        motion = evaluator.embed_motion([item.features for item in dataset.items])
        if path is not None:
            buffer = io.BytesIO()
            np.save(buffer, motion)
            write_checked(path, buffer.getvalue())
    reference = ReferenceEmbeddings(key, split, motion, gaussian_stats(motion), dict(dataset.dropped))
    evaluator.reference_cache[key] = reference
    return reference


def split_motions(
    folder: HumanML3DFolder,
    split: str,
    rng: np.random.Generator,
    *,
    min_frames: int = 40,
    dropped: dict[str, int] | None = None,
) -> list[GeneratedMotion]:
    """A real split as a "generator": each clip once, random caption and random unit-rounded crop.

    Args:
        dropped: when given, filled with the counts of the split's clips left out, by reason.
    """
    dataset = MotionDataset(folder, split, min_frames=min_frames, max_frames=MAX_FRAMES, seed=int(rng.integers(2**31)))
    if dropped is not None:
        dropped.update(dataset.dropped)
    out = []
    for index in range(len(dataset)):
        item = dataset[index]
        length = int(item["length"])
        features = dataset.denormalize(item["motion"].numpy()[:length].astype(np.float64))
        out.append(GeneratedMotion(features, str(item["caption"]), length, str(item["tokens"])))
    return out


def _texts(evaluator: Evaluator, motions: Sequence[GeneratedMotion]) -> list[str]:
    if getattr(evaluator, "wants_tokens", False):  # the T2M evaluator reads "word/POS" tokens
        return [m.tokens or m.caption.lower() for m in motions]
    return [m.caption for m in motions]


def _as_replications(generated: Sequence[Any]) -> list[Sequence[GeneratedMotion]]:
    if not generated:
        raise ConfigError("evaluate_motions: no generated motions given")
    if isinstance(generated[0], GeneratedMotion):
        return [generated]
    return list(generated)


def _plausibility_records(
    sets: list[Sequence[GeneratedMotion]], cfg: PlausibilityConfig, *, interval: str = "t"
) -> tuple[dict[str, MetricRecord], dict[str, Any]]:
    per_set: dict[str, list[float]] = {}
    info: dict[str, Any] = {}
    want_physics = cfg.physics == "auto"
    available, reason = physics_available() if want_physics else (False, "disabled (eval.plausibility.physics=off)")
    physics_errors = 0
    for motions in sets:
        values: dict[str, list[float]] = {}
        for index, motion in enumerate(motions):
            features = motion.valid
            joints = features_to_joints(features)
            clip = clip_plausibility(
                joints, features=features, fps=cfg.fps, tolerance_m=cfg.tolerance_m,
                contact_height_m=cfg.contact_height_m, skate_speed_mps=cfg.skate_speed_mps,
            )  # fmt: skip
            for name in ("penetrate_mm", "float_mm", "skate_mm", "skating_ratio", "jerk", "contact_consistency"):
                values.setdefault(name, []).append(float(getattr(clip, name)))
            if available and (cfg.physics_max_clips == 0 or index < cfg.physics_max_clips):
                try:
                    surface = surface_plausibility(joints, fps=cfg.fps)
                except physics_error_type() as error:  # a clip the humanoid cannot fit: counted and reported
                    physics_errors += 1
                    info.setdefault("physics_errors", []).append(f"{type(error).__name__}: {error}"[:200])
                    continue
                for name, value in surface.items():
                    values.setdefault(name, []).append(value)
        for name, clip_values in values.items():
            per_set.setdefault(name, []).append(float(np.mean(clip_values)))
    units = {"penetrate_mm": "mm", "float_mm": "mm", "skate_mm": "mm/frame", "skating_ratio": "ratio",
             "jerk": "m/s^3", "contact_consistency": "ratio", "surface_penetrate_mm": "mm",
             "surface_float_mm": "mm", "surface_skate_mm": "mm/frame", "residual_force_pct_bw": "% body weight",
             "residual_force_p95_pct_bw": "% body weight"}  # fmt: skip
    records: dict[str, MetricRecord] = {}
    for name, values in per_set.items():
        better = "higher" if name == "contact_consistency" else "lower"
        note = "mean over clips (joints)"
        if name in SURFACE_METRICS:
            limit = cfg.physics_max_clips
            note = f"mean over {'all' if limit == 0 else f'the first {limit}'} clips (humanoid surface / inverse dynamics)"
        records[name] = summarize(name, values, better=better, unit=units[name], note=note, interval=interval)
    for name in SURFACE_METRICS:
        if name not in records:
            why = reason if not available else f"every clip failed in physics ({physics_errors} errors)"
            records[name] = unavailable(name, why, unit=units[name])
    info["physics_metrics"] = "computed" if available else f"not available: {reason}"
    info["physics_clip_errors"] = physics_errors
    return records, info


def evaluate_motions(
    evaluator: Evaluator,
    generated: Sequence[GeneratedMotion] | Sequence[Sequence[GeneratedMotion]],
    reference: ReferenceEmbeddings,
    cfg: MetricsConfig,
    rng: np.random.Generator,
    *,
    plausibility: PlausibilityConfig | None = None,
    multimodal: Sequence[Sequence[GeneratedMotion]] | None = None,
    coherence_real: Sequence[GeneratedMotion] | None = None,
    coherence_labels: Sequence[str] | None = None,
) -> EvaluationResult:
    """FID, R-precision top-1..k, matching score, diversity, multimodality, plausibility and coherence.

    Args:
        evaluator: the embedding model (its cache keeps `reference` between calls).
        generated: one set of motions, or one set per replication.
        reference: real embeddings from `reference_embeddings` (FID statistics and real diversity).
        cfg: metric settings (replications, batch of 32, diversity_times, mm_times).
        rng: randomness of batch shuffles and pairs.
        plausibility: thresholds; None skips the plausibility metrics.
        multimodal: prompts x repeats generations for the multimodality (None: reported as not available).
        coherence_real: the real clip of each prompt (same order as each set): adds the generated/real
            ratios of the root-relative foot motion per frame (eval/coherence.py); None: absolute values only.
        coherence_labels: a content label per prompt for the per-content coherence table in the info.
    """
    sets = _as_replications(generated)
    replications = len(sets) if len(sets) > 1 else cfg.replications
    same_set_note = "one set reused: only batches and pairs change between replications" if len(sets) == 1 else ""
    embedded = []
    for motions in sets:
        text = evaluator.embed_text(_texts(evaluator, motions))
        motion = evaluator.embed_motion([m.features for m in motions], [m.length or len(m.features) for m in motions])
        embedded.append((text, motion))
    values: dict[str, list[float]] = {}
    info: dict[str, Any] = {"replications": replications, "set_sizes": [len(s) for s in sets],
                            "reference_split": reference.split, "reference_size": int(reference.motion.shape[0]),
                            "reference_dropped": dict(reference.dropped),
                            "reference_dropped_total": int(sum(reference.dropped.values()))}  # fmt: skip
    notes: dict[str, str] = {}
    kid_spread: list[float] = []  # std of KID's subset estimates, per set
    fid_inf_stderr: list[float] = []  # standard error of FID∞'s intercept, per set
    fids: dict[int, float] = {}  # FID of a set is deterministic: one sqrtm (the slow part) per set
    for r in range(replications):
        text, motion = embedded[r % len(embedded)]
        N = motion.shape[0]
        if r % len(embedded) not in fids:
            fids[r % len(embedded)] = fid(reference.stats, motion)
        values.setdefault("fid", []).append(fids[r % len(embedded)])
        if r < len(embedded):  # KID and FID∞ of a set: once per distinct set, like its FID
            kid_result = kid(reference.motion, motion, rng, subsets=cfg.kid_subsets, subset_size=cfg.kid_subset_size)
            values.setdefault("kid", []).append(kid_result.mean)
            kid_spread.append(kid_result.std)
            if cfg.fid_infinity and N >= _MIN_FID_INFINITY_CLIPS:
                fid_inf = fid_infinity(reference.motion, motion, rng)
                values.setdefault("fid_infinity", []).append(fid_inf.value)
                fid_inf_stderr.append(fid_inf.stderr)
        times = min(cfg.diversity_times, N)
        if times < cfg.diversity_times:
            notes["diversity"] = f"S = {times} pairs (only {N} motions; diversity_times = {cfg.diversity_times})"
        values.setdefault("diversity", []).append(diversity(motion, times, rng))
        ref_times = min(cfg.diversity_times, reference.motion.shape[0])
        values.setdefault("diversity_real", []).append(diversity(reference.motion, ref_times, rng))
        if N >= cfg.batch_size:
            matching = r_precision_and_matching(text, motion, rng, batch_size=cfg.batch_size, top_k=cfg.top_k)
            for k in range(cfg.top_k):
                values.setdefault(f"r_precision_top{k + 1}", []).append(float(matching.r_precision[k]))
            values.setdefault("matching_score", []).append(matching.matching_score)
            info["r_precision_pairs"], info["r_precision_dropped"] = matching.count, matching.dropped
    records: dict[str, MetricRecord] = {}
    better = {"fid": "lower", "kid": "lower", "fid_infinity": "lower", "matching_score": "lower", "diversity": "closer_to_real", "diversity_real": "reference"}
    # FID depends on the set alone: one value per distinct set, so a reused set has no interval (not ± 0).
    values["fid"] = list(fids.values())
    for name, vals in values.items():
        note = notes.get(name, same_set_note if name == "fid" else "")
        records[name] = summarize(name, vals, better=better.get(name, "higher"), note=note, interval=cfg.interval)
    records.update(_single_set_intervals(records, kid_spread, fid_inf_stderr, cfg))
    if cfg.fid_infinity and "fid_infinity" not in records:
        records["fid_infinity"] = unavailable(
            "fid_infinity", f"needs >= {_MIN_FID_INFINITY_CLIPS} clips per set, got {min(len(s) for s in sets)}"
        )
    if "matching_score" not in records:
        reason = f"needs at least one batch of {cfg.batch_size} pairs, got {min(len(s) for s in sets)}"
        for name in [f"r_precision_top{k + 1}" for k in range(cfg.top_k)] + ["matching_score"]:
            records[name] = unavailable(name, reason)
    records["multimodality"] = _multimodality_record(evaluator, multimodal, cfg, rng, replications)
    if plausibility is not None and plausibility.enabled:
        plaus_records, plaus_info = _plausibility_records(sets, plausibility, interval=cfg.interval)
        records.update(plaus_records)
        info.update(plaus_info)
    # Temporal coherence (issue 16): root-relative joint motion per frame, next to the prompts' real clips.
    coherence, coherence_info = coherence_records(
        [[features_to_joints(m.valid) for m in motions] for motions in sets],
        real=None if coherence_real is None else [features_to_joints(m.valid) for m in coherence_real],
        labels=coherence_labels,
        interval=cfg.interval,
    )
    records.update(coherence)
    info.update(coherence_info)
    return EvaluationResult(records, info)


def _single_set_intervals(
    records: dict[str, MetricRecord], kid_spread: list[float], fid_inf_stderr: list[float], cfg: MetricsConfig
) -> dict[str, MetricRecord]:
    """KID and FID∞ records; with one set their interval comes from within the set, not from replications.

    KID: 1.96 · the std of its subset estimates (the spread of one estimate on half the clips, so a
    conservative interval). FID∞: 1.96 · the standard error of the fitted intercept.
    """
    out: dict[str, MetricRecord] = {}
    if "kid" in records and len(kid_spread) == 1:
        record = records["kid"]
        out["kid"] = replace(record, ci95=1.96 * kid_spread[0], values=(record.mean,),
                             note=f"one set: interval = 1.96 std over {cfg.kid_subsets} subsets")  # fmt: skip
    if "fid_infinity" in records and len(fid_inf_stderr) == 1:
        record = records["fid_infinity"]
        out["fid_infinity"] = replace(record, ci95=1.96 * fid_inf_stderr[0], values=(record.mean,),
                                      note="one set: interval = 1.96 standard errors of the fitted intercept")  # fmt: skip
    return out


def _multimodality_record(
    evaluator: Evaluator, multimodal: Sequence[Sequence[GeneratedMotion]] | None, cfg: MetricsConfig,
    rng: np.random.Generator, replications: int,
) -> MetricRecord:  # fmt: skip
    if not multimodal:
        return unavailable("multimodality", "no repeated generations per prompt were given")
    repeats = {len(group) for group in multimodal}
    if len(repeats) != 1:
        raise MetricError(f"multimodality: every prompt needs the same number of repeats, got {sorted(repeats)}")
    flat = [m for group in multimodal for m in group]
    motion = evaluator.embed_motion([m.features for m in flat], [m.length or len(m.features) for m in flat])
    grid = motion.reshape(len(multimodal), repeats.pop(), -1)  # (P, R, D)
    vals = [multimodality(grid, cfg.mm_times, rng) for _ in range(replications)]
    return summarize("multimodality", vals, better="closer_to_real", interval=cfg.interval)


def evaluate_generation(
    evaluator: Evaluator,
    generated: Sequence[GeneratedMotion] | Sequence[Sequence[GeneratedMotion]],
    folder: HumanML3DFolder,
    reference_split: str,
    cfg: MetricsConfig,
    rng: np.random.Generator,
    *,
    plausibility: PlausibilityConfig | None = None,
    multimodal: Sequence[Sequence[GeneratedMotion]] | None = None,
    cache_dir: Path | None = None,
) -> EvaluationResult:
    """`evaluate_motions` against a real split; its embeddings are computed once per process (and cache_dir)."""
    reference = reference_embeddings(evaluator, folder, reference_split, cache_dir=cache_dir)
    return evaluate_motions(evaluator, generated, reference, cfg, rng, plausibility=plausibility, multimodal=multimodal)
