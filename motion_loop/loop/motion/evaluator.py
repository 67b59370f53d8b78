"""The loop's per-generation evaluation of the motion model against the real test split.

The same test prompts (captions and true lengths, fixed by the run's seed) are generated every
generation, so that generations differ only by the model; each of eval.metrics.replications is a
freshly sampled set of them (the published protocol: 20 sets of 1,000 clips), so the intervals
include the sampling noise. Metrics: FID, R-precision top-1..3,
matching score, diversity (and the real split's), multimodality when asked, plausibility of the
generated joints, and the coherence of the feet against the prompts' real clips. The first few prompts'
motions are returned as artefacts (video_joints.npy, video_captions.json, video_lengths.json and, with
real clips, video_real_joints.npy), which the engine stores in the generation's folder, for videos
across generations and the report's coherence filmstrip.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from motion_loop.data.features import features_to_joints
from motion_loop.eval.coherence import content_label
from motion_loop.eval.config import MetricsConfig, PlausibilityConfig
from motion_loop.eval.evaluation import GeneratedMotion, ReferenceEmbeddings, evaluate_motions
from motion_loop.eval.evaluator import Evaluator
from motion_loop.loop.motion.clips import Prompt
from motion_loop.loop.motion.learner import MotionLearner
from motion_loop.loop.protocols import Evaluation
from motion_loop.model.config import SampleConfig

# The metric that continue_from="best" minimises (the engine keeps the history).
SCORE_METRIC = "fid"
# Artefacts of an evaluated generation: joints (P, T, 22, 3) of the first prompts, and their captions.
VIDEO_JOINTS = "video_joints.npy"
VIDEO_CAPTIONS = "video_captions.json"
VIDEO_LENGTHS = "video_lengths.json"  # true frame counts of the kept prompts (the arrays are padded)
VIDEO_REAL_JOINTS = "video_real_joints.npy"  # the kept prompts' real clips, for the coherence filmstrip
# Coherence per content of the prompts (rows of eval.coherence.coherence_table; issue 16): the targets are
# per content, and the pooled ratios in metrics.csv mix locomotion with standing contents.
COHERENCE_PER_CONTENT = "coherence_per_content.json"
COHERENCE_PER_CLIP = "coherence_per_clip.json"  # per prompt, generated and real (eval.coherence.clip_rows)


class MotionEvaluator:
    """Scores a MotionLearner each generation (see module docstring).

    Args:
        evaluator: the trained text-motion evaluator.
        reference: embeddings of the real test split.
        prompts: the fixed evaluation prompts (>= 32 for R-precision).
        sample: how evaluation motions are drawn (guidance, temperature, steps).
        metrics, plausibility: metric settings.
        every: evaluate generations 0, every, 2*every, ... and the last one; others return no metrics.
        last_generation: index of the run's last generation.
        multimodality: (prompts, repeats) for the multimodality; (0, 0) skips it, as the published loop.
        keep_for_video: how many of the first prompts' joints to return per evaluated generation.
        real_features: features (T, 263) of the prompts' real clips by clip id: adds the coherence
            ratios generated/real (eval/coherence.py) per generation, and the kept prompts' real joints
            to the artefacts (the report's filmstrip); None: absolute coherence only.
    """

    def __init__(
        self,
        *,
        evaluator: Evaluator,
        reference: ReferenceEmbeddings,
        prompts: list[Prompt],
        sample: SampleConfig,
        metrics: MetricsConfig,
        plausibility: PlausibilityConfig,
        every: int,
        last_generation: int,
        multimodality: tuple[int, int] = (0, 0),
        keep_for_video: int = 3,
        real_features: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.evaluator, self.reference, self.prompts = evaluator, reference, prompts
        self.sample, self.metrics, self.plausibility = sample, metrics, plausibility
        self.every, self.last_generation = max(1, every), last_generation
        self.multimodality, self.keep_for_video = multimodality, keep_for_video
        self.coherence_real = None  # the real clip of each prompt, cut to its length (issue 16)
        if real_features is not None:
            self.coherence_real = [GeneratedMotion(real_features[p.source_id][: p.length], p.caption, p.length) for p in prompts]

    def evaluate(self, learner: MotionLearner, *, generation: int, rng: np.random.Generator) -> Evaluation:
        """Metrics of the learner's current model (every `every` generations) plus its last fit's record."""
        fit = dict(learner.last_fit)
        if generation % self.every != 0 and generation != self.last_generation:
            return Evaluation(fit)
        captions = [p.caption for p in self.prompts]
        lengths = [p.length for p in self.prompts]
        # One freshly sampled set per replication (the published protocol: 20 sets of 1,000 clips).
        sets = []
        for _ in range(max(1, self.metrics.replications)):
            drawn = learner.draw(captions, lengths, self.sample, rng)
            sets.append([GeneratedMotion(f, c, n) for f, c, n in zip(drawn, captions, lengths, strict=True)])
        features = [m.features for m in sets[0]]
        generated = sets if len(sets) > 1 else sets[0]
        multimodal = self._multimodal(learner, rng)
        result = evaluate_motions(
            self.evaluator, generated, self.reference, self.metrics, rng,
            plausibility=self.plausibility, multimodal=multimodal, coherence_real=self.coherence_real,
            coherence_labels=[content_label(p.source_id) for p in self.prompts],
        )  # fmt: skip
        artefacts: dict[str, Any] = {}
        if result.info.get("coherence"):
            artefacts[COHERENCE_PER_CONTENT] = result.info["coherence"]
        if result.info.get("coherence_clips"):
            artefacts[COHERENCE_PER_CLIP] = result.info["coherence_clips"]
        if self.keep_for_video > 0:
            joints = np.stack(_padded([features_to_joints(f) for f in features[: self.keep_for_video]]))
            artefacts |= {
                VIDEO_JOINTS: joints.astype(np.float32),
                VIDEO_CAPTIONS: captions[: self.keep_for_video],
                VIDEO_LENGTHS: lengths[: self.keep_for_video],
            }
            if self.coherence_real is not None:
                kept = self.coherence_real[: self.keep_for_video]
                artefacts[VIDEO_REAL_JOINTS] = np.stack(_padded([features_to_joints(m.valid) for m in kept])).astype(np.float32)
        return Evaluation({**_flatten(result.to_dict()["metrics"]), **fit}, artefacts)

    def _multimodal(self, learner: MotionLearner, rng: np.random.Generator) -> list[list[GeneratedMotion]] | None:
        prompts, repeats = self.multimodality
        if prompts <= 0 or repeats <= 1:
            return None
        chosen = self.prompts[:prompts]
        captions = [p.caption for p in chosen for _ in range(repeats)]
        lengths = [p.length for p in chosen for _ in range(repeats)]
        features = learner.draw(captions, lengths, self.sample, rng)
        return [
            [GeneratedMotion(features[k * repeats + r], captions[k * repeats], lengths[k * repeats]) for r in range(repeats)]
            for k in range(len(chosen))
        ]


def _padded(clips: list[np.ndarray]) -> list[np.ndarray]:
    """Pad clips (T_i, 22, 3) to the longest by holding the last frame."""
    longest = max(len(c) for c in clips)
    return [np.concatenate([c, np.repeat(c[-1:], longest - len(c), axis=0)]) for c in clips]


def _flatten(metrics: dict[str, Any]) -> dict[str, float]:
    """{name: record dict} -> {name: mean, name_ci95: half-width}, dropping unavailable metrics."""
    flat: dict[str, float] = {}
    for name, record in metrics.items():
        value = record.get("mean")
        if isinstance(value, (int, float)) and value == value:
            flat[name] = float(value)
            half = record.get("ci95")
            if isinstance(half, (int, float)) and half == half:
                flat[f"{name}_ci95"] = float(half)
    return flat
