"""Physics self-correction as a loop corrector: features -> joints -> MuJoCo tracking -> joints -> features."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from motion_loop.data.features import features_to_joints, joints_to_features
from motion_loop.loop.motion.clips import Clip, ClipSet
from motion_loop.loop.protocols import Correction

if TYPE_CHECKING:  # physics is imported only when a corrector runs (it pulls in MuJoCo)
    from physics.report import CorrectionReport


def extend_one_frame(joints: np.ndarray) -> np.ndarray:
    """(T, 22, 3) -> (T+1, 22, 3) by constant-velocity extrapolation, so that features keep T rows."""
    return np.concatenate([joints, 2 * joints[-1:] - joints[-2:-1]], axis=0)


class PhysicsCorrector:
    """Projects every synthetic clip onto the humanoid's physically plausible tracking of it.

    Args:
        config: a `physics.PhysicsConfig`; its gamma is not read: the engine passes the run's one
            correction strength (`loop.gamma`; `physics.gamma` is refused on `run`).
        fps: frame rate of the clips [Hz].
        workers: processes of the batch backend.
        backend: "process" or "ray".
        ray_address: Ray cluster address (backend "ray"); None starts or joins a local Ray.
        progress: show a progress bar over clips.
        original_root_turn: HumanML3D's original root-turn sign in the corrected clips' features.
        drop_flags: flag codes (`physics.report.FLAGS`); a clip whose report has any of them is left
            out of the corrected set (its correction.jsonl line says `dropped`), so it never reaches
            the next generation's mix. Empty: every clip is kept, flagged or not.
    """

    def __init__(
        self,
        config: Any,
        *,
        fps: float = 20.0,
        workers: int = 1,
        backend: str = "process",
        ray_address: str | None = None,
        progress: bool = True,
        original_root_turn: bool = False,
        drop_flags: tuple[str, ...] = (),
    ) -> None:
        self.config, self.fps, self.workers, self.backend = config, fps, workers, backend
        self.ray_address, self.progress = ray_address, progress
        self.original_root_turn = original_root_turn
        self.drop_flags = frozenset(drop_flags)

    def correct(self, samples: ClipSet, *, gamma: float, rng: np.random.Generator, source: object) -> Correction:
        from physics.batch import correct_batch

        if len(samples) == 0:
            return correction_record(samples, samples, [])
        joints = [features_to_joints(clip.features) for clip in samples.clips]
        config = dataclasses.replace(self.config, gamma=gamma)
        with tqdm(total=len(joints), desc="physics correction", unit="clip", disable=not self.progress) as bar:
            results = correct_batch(
                joints,
                fps=self.fps,
                workers=self.workers,
                backend=self.backend,
                config=config,
                on_error="keep",
                ray_address=self.ray_address,
                progress=lambda done: bar.update(done - bar.n),
            )
        clips, dropped = [], []
        for index, (clip, result) in enumerate(zip(samples.clips, results, strict=True)):
            if self.drop_flags & set(result.report.flags):
                dropped.append(index)
                continue
            joints = extend_one_frame(result.joints)
            features = joints_to_features(joints, original_root_turn=self.original_root_turn).astype(np.float32)
            clips.append(Clip(clip.clip_id, features, clip.captions, clip.origin + "+physics"))
        return correction_record(samples, ClipSet(tuple(clips)), [result.report for result in results],
                                 dropped=frozenset(dropped))


def correction_record(samples: ClipSet, corrected: ClipSet, reports: list[CorrectionReport], *,
                      dropped: frozenset[int] = frozenset()) -> Correction:
    """The loop's record of one generation's correction: one report per clip (correction.jsonl, with
    `dropped`: whether the clip was left out of the corrected set) and the generation's summary
    (`physics.report.summarize`: fallback, reset, fall, flagged and rejected rates, residual force
    mean and p95, surface metrics, distance to the input, seconds; plus `dropped`, the number of clips
    left out) as the `correction_*` metrics."""
    from physics.report import summarize

    records = [{"clip_id": clip.clip_id, "dropped": index in dropped, **dataclasses.asdict(report)}
               for index, (clip, report) in enumerate(zip(samples.clips, reports, strict=True))]
    summary = {**summarize(reports).metrics(), "correction_dropped": float(len(dropped))}
    return Correction(corrected, records, summary=summary)
