"""Build and run the self-consuming loop on motion from a `RunConfig`, then draw and report it.

Shared inputs are prepared once and cached under `cache_dir` so that every arm and seed of a sweep sees
the same data and the same evaluator: the procedural dataset (when no `data.root` is given) and the
trained evaluator (when no `eval.checkpoint` is given). Both are written to a temporary name and renamed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.eval.evaluation import reference_embeddings
from motion_loop.eval.evaluator import Evaluator, dataset_fingerprint, train_evaluator
from motion_loop.loop.engine import LoopEngine, LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.motion.clips import ClipSet, ClipSetOps, load_clip_set
from motion_loop.loop.motion.config import EXECUTION_KEYS, RunConfig
from motion_loop.loop.motion.corrector import PhysicsCorrector
from motion_loop.loop.motion.evaluator import MotionEvaluator
from motion_loop.loop.motion.learner import MotionLearner
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.loop.scalars import ScalarLog
from motion_loop.text.encoder import get_text_encoder
from motion_loop.viz.curves import plot_arms
from motion_loop.viz.report import write_report

_VIDEO_JOINTS_DIR = "video_joints"
_MIN_EVAL_PROMPTS = 2  # FID needs two; R-precision needs one batch of 32 and says so when it is missing


def prepare_dataset(config: RunConfig, cache_dir: Path, *, progress: bool) -> HumanML3DFolder:
    """The run's dataset: `data.root`, or the procedural dataset generated once into the cache."""
    if config.data.root:
        return HumanML3DFolder(config.data.root)
    from motion_loop.data.procedural import generate_dataset

    target = cache_dir / f"procedural_{config.data.procedural_clips}_seed{config.data.procedural_seed}"
    if not (target / "meta.json").is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".procedural_", dir=cache_dir))
        generate_dataset(scratch, config.data.procedural_clips, config.data.procedural_seed, progress=progress)
        if not (target / "meta.json").is_file():  # another run of the sweep may have finished first
            shutil.rmtree(target, ignore_errors=True)
            scratch.rename(target)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return HumanML3DFolder(target)


def prepare_evaluator(config: RunConfig, folder: HumanML3DFolder, cache_dir: Path) -> Evaluator:
    """`eval.checkpoint`, or an evaluator trained on the dataset's train split, cached by content."""
    if config.eval.checkpoint:
        evaluator = Evaluator.load(config.eval.checkpoint, device=config.eval.train.device)
        evaluator.check_dataset(folder)
        return evaluator
    settings = json.dumps([dataclasses.asdict(config.eval.model), dataclasses.asdict(config.eval.train)], sort_keys=True)
    key = hashlib.sha256(f"{dataset_fingerprint(folder)}|{settings}".encode()).hexdigest()[:16]
    path = cache_dir / f"evaluator_{key}.pt"
    if not path.is_file():
        evaluator, _ = train_evaluator(folder, config.eval.model, config.eval.train, log=print)
        cache_dir.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.tmp")
        evaluator.save(scratch)
        scratch.replace(path)
    return Evaluator.load(path, device=config.eval.train.device)


def split_real(clips: ClipSet, n_train: int, subset_seed: int) -> tuple[ClipSet, ClipSet]:
    """The n training clips (a fixed random subset) and the rest (the fresh-data reservoir)."""
    if n_train <= 0 or n_train >= len(clips):
        return clips, ClipSet()
    order = np.random.default_rng(subset_seed).permutation(len(clips))
    chosen, rest = sorted(order[:n_train]), sorted(order[n_train:])
    return ClipSet(tuple(clips.clips[i] for i in chosen)), ClipSet(tuple(clips.clips[i] for i in rest))


@dataclasses.dataclass
class ReservoirSource:
    """Fresh real clips drawn without replacement per generation from clips outside the training set."""

    reservoir: ClipSet
    ops: ClipSetOps

    def draw(self, count: int, *, rng: np.random.Generator) -> ClipSet:
        if count > len(self.reservoir):
            raise ConfigError(
                f"fresh_fraction asks for {count} fresh clips per generation but only {len(self.reservoir)} real "
                "clips lie outside the training subset; lower loop.fresh_fraction or loop.n_train"
            )
        return self.ops.take(self.reservoir, rng.choice(len(self.reservoir), size=count, replace=False))


def stored_config(config: RunConfig) -> dict[str, Any]:
    """The config that identifies a run (execution-only keys removed, so they may change on resume)."""
    values = dataclasses.asdict(config)
    for key in EXECUTION_KEYS:
        values.pop(key, None)
    return values


def build_spec(config: RunConfig, out_dir: Path) -> tuple[LoopSpec, HumanML3DFolder]:
    cache_dir = Path(config.cache_dir)
    loop = config.loop
    folder = prepare_dataset(config, cache_dir, progress=config.progress)
    ops = ClipSetOps(min_frames=config.data.min_frames, max_frames=config.data.max_frames)
    real, reservoir = split_real(load_clip_set(folder, "train", min_frames=config.data.min_frames), loop.n_train, loop.subset_seed)
    mean, std = folder.mean_std()
    evaluator = prepare_evaluator(config, folder, cache_dir)
    test = load_clip_set(folder, "test", min_frames=config.data.min_frames)
    count = min(loop.eval_prompts, len(test))
    if count < _MIN_EVAL_PROMPTS:
        raise DataFormatError(
            f"{folder.root} has {len(test)} usable test clips and loop.eval_prompts={loop.eval_prompts}; "
            f"evaluation needs >= {_MIN_EVAL_PROMPTS} (and 32 for R-precision)"
        )
    prompts = ops.prompts(test, count, rng=derive_rng(loop.seed, 0, 0, Stream.SETUP))
    reference = reference_embeddings(evaluator, folder, "test", cache_dir=cache_dir, min_frames=config.data.min_frames)
    learner = MotionLearner(
        model=config.model,
        diffusion=config.diffusion,
        train=dataclasses.replace(config.train, progress=config.progress and config.train.progress),
        finetune_steps=loop.finetune_steps,
        reset_optimizer=loop.reset_optimizer,
        sample=config.sample,
        mean=mean,
        std=std,
        text_encoder=get_text_encoder(config.model.text),
        continue_from=loop.continue_from,
        work_dir=_work_dir(out_dir),
        generation0_cache=cache_dir / "generation0",
        generation0_key=generation0_key(config, folder, real),
    )
    scorer = MotionEvaluator(
        evaluator=evaluator,
        reference=reference,
        prompts=prompts,
        sample=config.eval.sample,
        metrics=config.eval.metrics,
        plausibility=config.eval.plausibility,
        every=loop.eval_every,
        last_generation=loop.generations - 1,
        multimodality=(loop.multimodality_prompts, loop.multimodality_repeats),
        keep_for_video=loop.video_prompts,
        video_dir=out_dir / _VIDEO_JOINTS_DIR,
        real_features={clip.clip_id: clip.features for clip in test.clips},
    )
    corrector = None
    if loop.correct:
        execution = config.physics_execution
        corrector = PhysicsCorrector(
            config.physics, workers=execution.workers, backend=execution.backend,
            ray_address=execution.ray_address or None, progress=config.progress,
        )  # fmt: skip
    spec = LoopSpec(
        graph=InteractionGraph.single("model"),
        learners={"model": learner},
        real={"model": real},
        ops=ops,
        policy=MixingPolicy(
            synthetic_ratio=loop.synthetic_ratio if loop.use_synthetic else 0.0,
            fresh_fraction=loop.fresh_fraction,
            pool=loop.pool,
            keep_real=loop.keep_real,
        ),
        evaluator=scorer,
        corrector=corrector,
        gamma=loop.gamma if loop.correct else 0.0,
        fresh=ReservoirSource(reservoir, ops) if loop.fresh_fraction > 0 else None,
    )
    return spec, folder


def generation0_key(config: RunConfig, folder: HumanML3DFolder, real: ClipSet) -> str:
    """What generation 0's model depends on besides its seed: the real clips and the model's configs."""
    train = dataclasses.replace(config.train, progress=False)
    parts = [
        dataset_fingerprint(folder),
        ",".join(clip.clip_id for clip in real.clips),
        json.dumps([dataclasses.asdict(config.model), dataclasses.asdict(config.diffusion), dataclasses.asdict(train)], sort_keys=True),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _work_dir(out_dir: Path) -> Path:
    path = out_dir / ".work"
    shutil.rmtree(path, ignore_errors=True)  # scratch of an interrupted process
    path.mkdir(parents=True)
    return path


def run_experiment(config: RunConfig, out_dir: Path) -> list[dict[str, Any]]:
    """Run (or resume) the loop into `out_dir`, then write plots, videos and report.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec, _ = build_spec(config, out_dir)
    engine = LoopEngine(spec, seed=config.loop.seed)
    records = engine.run(
        config.loop.generations, run_dir=out_dir, config=stored_config(config), progress=config.progress,
        desc=f"{config.loop.arm} generations", on_generation=ScalarLog(out_dir),
    )  # fmt: skip
    shutil.rmtree(out_dir / ".work", ignore_errors=True)
    finalize(out_dir, arm=config.loop.arm, records=records)
    return records


def finalize(out_dir: Path, *, arm: str, records: list[dict[str, Any]]) -> None:
    """Metric plots, one video per kept prompt across generations, and the HTML report."""
    plot_arms({arm: records}, out_dir / "plots")
    render_generation_videos(out_dir)
    write_report(out_dir)


def render_generation_videos(out_dir: Path, *, panels: int = 3) -> list[Path]:
    """For each kept prompt, first/middle/last evaluated generation side by side in videos/prompt_K.mp4."""
    from motion_loop.viz.stick import render_stick_video

    files = sorted((out_dir / _VIDEO_JOINTS_DIR).glob("gen_*.npy"))
    if not files:
        return []
    picks = sorted({files[round(k * (len(files) - 1) / max(panels - 1, 1))] for k in range(panels)})
    arrays = {int(path.stem.removeprefix("gen_")): np.load(path) for path in picks}
    captions_file = out_dir / _VIDEO_JOINTS_DIR / "captions.json"
    captions = json.loads(captions_file.read_text()) if captions_file.is_file() else []
    videos = []
    prompts = min(a.shape[0] for a in arrays.values())
    for k in range(prompts):
        clips = [arrays[g][k] for g in sorted(arrays)]
        caption = captions[k] if k < len(captions) else f"prompt {k}"
        titles = [f"generation {g}: {caption}" for g in sorted(arrays)]
        videos.append(render_stick_video(clips, out_dir / "videos" / f"prompt_{k}.mp4", titles=titles))
    return videos
