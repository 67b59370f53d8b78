"""The text-to-motion diffusion model as a loop learner: train on generation 0, fine-tune after.

Each `fit` of generation g >= 1 fine-tunes the current checkpoint (the last one, or the best-scored one,
which the engine loads before the fit) for `finetune_steps` with a fresh or resumed AdamW, as configured;
generation 0 trains a new model for `train.steps`. With a `FitSchedule` of "plateau", either stops
earlier, when its training loss on the mix has stopped improving (the step counts are then caps);
`last_fit` records how far each fit got (steps, passes over its training set, loss at start and end)
for the loop's metrics. The engine passes every generation's index and keeps
the score history. `sample` turns prompts (captions and true lengths of real clips) into a `ClipSet` whose
clips carry all captions of the real clip they were prompted from, as in the published loop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import torch

from motion_loop.data.dataset import MotionDataset, MotionItem
from motion_loop.data.humanml3d import Caption
from motion_loop.errors import ConfigError
from motion_loop.io import atomic_write_json
from motion_loop.io.cache_lock import exclusive
from motion_loop.io.checked import is_intact
from motion_loop.io.content_key import ContentHash
from motion_loop.loop.errors import RunStateError
from motion_loop.loop.motion.clips import Clip, ClipSet, Prompt, synthetic_clip_id
from motion_loop.model.api import build_trainer
from motion_loop.model.checkpoint import load_checkpoint
from motion_loop.model.config import DiffusionConfig, ModelConfig, SampleConfig, TrainConfig
from motion_loop.model.generate import MotionGenerator
from motion_loop.model.plateau import PlateauRule
from motion_loop.model.training import Trainer, TrainResult
from motion_loop.text.encoder import TextEncoder

CHECKPOINT_NAME = "checkpoint.pt"
UNTIL = ("steps", "plateau")


@dataclasses.dataclass(frozen=True)
class FitSchedule:
    """How long each generation trains (see LoopSettings.finetune_until and the plateau_* settings).

    Attributes:
        finetune_until, generation0_until: "steps" (the fixed count) or "plateau" (the count is a cap).
        window, patience, min_improvement: the plateau rule (motion_loop.model.plateau.PlateauRule).
        min_passes: passes over the training set whose loss windows the rule does not compare (the
            fresh optimiser's transient); no fit stops before them.
    """

    finetune_until: str = "steps"
    generation0_until: str = "steps"
    window: int = 50
    patience: int = 3
    min_improvement: float = 0.01
    min_passes: float = 0.0

    def __post_init__(self) -> None:
        for name in ("finetune_until", "generation0_until"):
            if getattr(self, name) not in UNTIL:
                raise ConfigError(f"loop.{name} must be one of {UNTIL}, got {getattr(self, name)!r}")

    def rule(self, *, generation0: bool, cap: int, dataset_size: int, batch_size: int) -> PlateauRule | None:
        """The plateau rule of one fit, or None for a fixed number of steps."""
        until = self.generation0_until if generation0 else self.finetune_until
        if until == "steps":
            return None
        min_steps = math.ceil(self.min_passes * dataset_size / batch_size)
        return PlateauRule(self.window, self.patience, self.min_improvement, max_steps=cap, min_steps=min_steps)


_FIT_IDENTITY = "fit_identity.json"


def bookkeeping_free(train: TrainConfig) -> TrainConfig:
    """`train` without the settings that change what a fit reports, not what it learns (cache keys)."""
    return dataclasses.replace(train, progress=False, log_every=0, save_every=0)


def location_free(model: ModelConfig) -> ModelConfig:
    """`model` without where its caption embeddings are cached: that cache is keyed on content, so moving
    it changes nothing a model learns, and cache keys must not depend on it."""
    return dataclasses.replace(model, text=dataclasses.replace(model.text, cache_dir=""))


def _interrupted_fit(folder: Path, identity: str) -> Path | None:
    """The periodic checkpoint of this same fit, left half done by a killed process, or None."""
    path = folder / CHECKPOINT_NAME
    try:
        same = json.loads((folder / _FIT_IDENTITY).read_text()).get("key") == identity
    except (OSError, ValueError, AttributeError):
        return None
    if not same or not path.is_file() or not is_intact(path, what="checkpoint of an interrupted fit"):
        return None
    return path if load_checkpoint(path).fit_progress else None  # a finished fit's file is redone


def fit_record(result: TrainResult, *, dataset_size: int, batch_size: int) -> dict[str, float]:
    """How far a fit got, as loop metrics: steps, passes over the training set, loss at start and end."""
    return {
        "fit_steps": float(result.steps_done),
        "fit_passes": result.steps_done * batch_size / max(dataset_size, 1),
        "fit_loss_start": result.loss_start,
        "fit_loss_end": result.loss_end,
        "fit_plateau": 1.0 if result.stopped == "plateau" else 0.0,
        "fit_seconds": result.seconds,
    }


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


class MotionLearner:
    """Loop learner around motion_loop.model (see module docstring).

    Args:
        model, diffusion: architecture and noise schedule of the new model.
        train: settings of generation 0's training (steps, batch, lr, ...).
        finetune_steps: optimiser steps of every later generation.
        reset_optimizer: fine-tune with a fresh AdamW (the published loop) instead of the saved state.
        sample: how synthetic motions are drawn (guidance 1 = the published loop's plain conditional).
        mean, std: normalisation statistics (263,) of the real training data, kept for all generations.
        text_encoder: shared, cached sentence encoder.
        work_dir: scratch folder for checkpoints between fit and save.
        generation0_cache: where generation 0's model is kept under `generation0_key` and its training
            seed, so that arms and sweeps that share data, model and seed share it (as the published
            experiment copies one generation-0 checkpoint into every arm); None trains it every time.
        generation0_key: what identifies generation 0's training apart from its seed (data, configs).
        train_log_dir: where each generation's training curves (TensorBoard events) are kept, as
            gen_NNN/ (a generation 0 taken from the cache has none); None drops them with the scratch.
        schedule: fixed step counts (default) or training until the loss plateaus.
    """

    def __init__(
        self,
        *,
        model: ModelConfig,
        diffusion: DiffusionConfig,
        train: TrainConfig,
        finetune_steps: int,
        reset_optimizer: bool,
        sample: SampleConfig,
        mean: np.ndarray,
        std: np.ndarray,
        text_encoder: TextEncoder,
        work_dir: Path,
        generation0_cache: Path | None = None,
        generation0_key: str = "",
        train_log_dir: Path | None = None,
        schedule: FitSchedule | None = None,
    ) -> None:
        if finetune_steps < 1 or train.steps < 1:
            raise ConfigError(f"train.steps and loop.finetune_steps must be >= 1, got {train.steps}, {finetune_steps}")
        self.model_config, self.diffusion_config, self.train_config = model, diffusion, train
        self.finetune_steps, self.reset_optimizer = finetune_steps, reset_optimizer
        self.sample_config = sample
        self.mean, self.std, self.text_encoder = mean, std, text_encoder
        self.work_dir = Path(work_dir)
        self.generation0_cache, self.generation0_key = generation0_cache, generation0_key
        self.train_log_dir = train_log_dir
        self.checkpoint: Path | None = None
        self._generator: MotionGenerator | None = None
        self.schedule = schedule or FitSchedule()
        self.last_fit: dict[str, float] = {}  # fit_record of the latest fit ({} when generation 0 came from the cache)

    # -- training ---------------------------------------------------------------------------------
    def _dataset(self, clips: ClipSet, seed: int) -> MotionDataset:
        items = [MotionItem(c.clip_id, c.features.astype(np.float32), tuple(Caption(t) for t in c.captions)) for c in clips.clips]
        return MotionDataset.from_items(
            items, mean=self.mean, std=self.std, max_frames=self.model_config.max_frames, seed=seed
        )

    def fit(self, dataset: ClipSet, *, generation: int, rng: np.random.Generator) -> None:
        """Train generation 0's model, or fine-tune the current checkpoint for generation >= 1."""
        seed = _seed(rng)
        start = self.checkpoint if generation > 0 else None
        if generation > 0 and start is None:
            raise ConfigError(f"generation {generation} fine-tunes a model, but the learner has none: load or fit one first")
        cached = self._generation0_path(seed) if start is None else None
        # Arms started side by side with one cache train generation 0 once: the others wait, then copy it.
        with exclusive(cached) if cached is not None else contextlib.nullcontext():
            self._fit(dataset, generation=generation, seed=seed, start=start, cached=cached)

    def _fit(self, dataset: ClipSet, *, generation: int, seed: int, start: Path | None, cached: Path | None) -> None:
        out_dir = self.work_dir / f"fit_{generation:03d}"
        self._drop_stale_fits(keep=out_dir)
        identity = self._fit_identity(dataset, generation=generation, seed=seed, start=start)
        resume_from = _interrupted_fit(out_dir, identity)
        if resume_from is None:
            shutil.rmtree(out_dir, ignore_errors=True)
            out_dir.mkdir(parents=True)
            atomic_write_json(out_dir / _FIT_IDENTITY, {"key": identity})
        if cached is not None and cached.is_file() and is_intact(cached, what="cached generation-0 model"):
            shutil.copyfile(cached, out_dir / CHECKPOINT_NAME)
            self._replace_checkpoint(out_dir / CHECKPOINT_NAME)
            record = cached.with_suffix(".fit.json")
            self.last_fit = json.loads(record.read_text()) if record.is_file() else {}  # {}: cached before records
            return
        if resume_from is not None:  # a killed process left this same fit half done: continue it exactly
            train = dataclasses.replace(self.train_config, seed=seed)
            if start is not None:
                train = dataclasses.replace(train, steps=self.finetune_steps, reset_optimizer=self.reset_optimizer)
            trainer = Trainer.from_checkpoint(resume_from, train, resume=True, text_encoder=self.text_encoder)
        elif start is None:
            trainer = Trainer(
                self.model_config,
                self.diffusion_config,
                dataclasses.replace(self.train_config, seed=seed),
                mean=self.mean,
                std=self.std,
                text_encoder=self.text_encoder,
            )
        else:
            train = dataclasses.replace(
                self.train_config, seed=seed, steps=self.finetune_steps, reset_optimizer=self.reset_optimizer
            )
            trainer = build_trainer(
                self.model_config, self.diffusion_config, train, init_from=start, text_encoder=self.text_encoder
            )
        trainer.generation = generation
        training_set = self._dataset(dataset, seed)
        batch_size = self.train_config.batch_size
        cap = self.train_config.steps if start is None else self.finetune_steps
        rule = self.schedule.rule(generation0=start is None, cap=cap, dataset_size=len(training_set), batch_size=batch_size)
        result = trainer.fit(training_set, out_dir, plateau=rule)
        self.last_fit = fit_record(result, dataset_size=len(training_set), batch_size=batch_size)
        self._keep_training_log(out_dir, generation)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_json(cached.with_suffix(".fit.json"), self.last_fit)
            scratch = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            shutil.copyfile(out_dir / CHECKPOINT_NAME, scratch)
            scratch.replace(cached)
        self._replace_checkpoint(out_dir / CHECKPOINT_NAME)

    def _fit_identity(self, dataset: ClipSet, *, generation: int, seed: int, start: Path | None) -> str:
        """What a fit depends on: a half-done fit folder is continued only when all of it is the same."""
        digest = ContentHash("fit").value([generation, seed, self.finetune_steps, self.reset_optimizer])
        digest.parts([location_free(self.model_config), self.diffusion_config, bookkeeping_free(self.train_config)])
        digest.value(dataclasses.astuple(self.schedule))
        digest.data(start.read_bytes() if start is not None else b"")
        for clip in dataset.clips:
            digest.text(clip.clip_id).array(clip.features).value(list(clip.captions))
        return digest.hexdigest()

    def _drop_stale_fits(self, *, keep: Path) -> None:
        """Remove scratch fits of other generations, except the one holding the current model."""
        current = self.checkpoint.parent if self.checkpoint is not None else None
        for folder in self.work_dir.glob("fit_*"):
            if folder.is_dir() and folder not in (keep, current):
                shutil.rmtree(folder, ignore_errors=True)

    def _keep_training_log(self, fit_dir: Path, generation: int) -> None:
        """Move this fit's TensorBoard events (its loss curve) out of the scratch folder."""
        source = fit_dir / "tensorboard"
        if self.train_log_dir is None or not source.is_dir():
            return
        target = self.train_log_dir / f"gen_{generation:03d}"
        shutil.rmtree(target, ignore_errors=True)  # a generation re-run after an interruption
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), str(target))

    def _generation0_path(self, seed: int) -> Path | None:
        if self.generation0_cache is None:
            return None
        digest = hashlib.sha256(f"{self.generation0_key}|{seed}".encode()).hexdigest()[:20]
        return self.generation0_cache / f"generation0_{digest}.pt"

    def _replace_checkpoint(self, path: Path) -> None:
        previous = self.checkpoint
        self.checkpoint = path
        self._generator = None
        if previous is not None and previous.parent.parent == self.work_dir and previous.parent != path.parent:
            shutil.rmtree(previous.parent, ignore_errors=True)

    # -- sampling ---------------------------------------------------------------------------------
    def generator(self) -> MotionGenerator:
        if self.checkpoint is None:
            raise ConfigError("the learner has no model yet: fit (or load) it before sampling")
        if self._generator is None:
            self._generator = MotionGenerator.from_checkpoint(
                self.checkpoint, text_encoder=self.text_encoder, device=self.sample_config.device
            )
        return self._generator

    def draw(self, captions: list[str], lengths: list[int], config: SampleConfig, rng: np.random.Generator) -> list[np.ndarray]:
        """De-normalised features (T_i, 263) for each (caption, length)."""
        if not captions:
            return []
        generator = torch.Generator().manual_seed(_seed(rng))
        return self.generator().sample(captions, lengths, config, generator=generator).features

    def sample(self, prompts: list[Prompt], *, generation: int, rng: np.random.Generator) -> ClipSet:
        features = self.draw([p.caption for p in prompts], [p.length for p in prompts], self.sample_config, rng)
        clips = [
            Clip(synthetic_clip_id(generation, k, p.source_id), f, p.source_captions, f"synthetic/g{generation}")
            for k, (p, f) in enumerate(zip(prompts, features, strict=True))
        ]
        return ClipSet(tuple(clips))

    # -- persistence ----------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Copy the current checkpoint into `directory` (the generation's folder)."""
        directory.mkdir(parents=True, exist_ok=True)
        if self.checkpoint is None:
            raise ConfigError("nothing to save: the learner was never fitted")
        shutil.copyfile(self.checkpoint, directory / CHECKPOINT_NAME)

    def load(self, directory: Path) -> None:
        """Continue from the checkpoint a generation's folder holds."""
        path = directory / CHECKPOINT_NAME
        if not path.is_file():
            raise RunStateError(f"{path} is missing: the generation folder holds no model to continue from")
        self.checkpoint = path
        self._generator = None
