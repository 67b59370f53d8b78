"""Build and run the self-consuming loop on motion from a `RunConfig`, then draw and report it.

Shared inputs are prepared once and cached under `cache_dir` so that every arm and seed of a sweep sees
the same data and the same evaluator: the procedural dataset (when no `data.root` is given) and the
trained evaluator (when no `eval.checkpoint` is given). Both are written to a temporary name and renamed.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import ConfigError, DataFormatError
from motion_loop.eval.evaluation import reference_embeddings
from motion_loop.eval.evaluator import Evaluator, dataset_fingerprint, train_evaluator
from motion_loop.io import atomic_write_json
from motion_loop.io.cache_lock import exclusive
from motion_loop.io.content_key import ContentHash, content_key
from motion_loop.io.folders import publish_dir, scratch_dir_beside
from motion_loop.loop.engine import LoopEngine, LoopSpec
from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.motion.clips import (
    ClipSet,
    ClipSetOps,
    LoadedClips,
    dropped_summary,
    load_clip_set,
)
from motion_loop.loop.motion.config import (
    EXECUTION_KEYS,
    EXECUTION_PATHS,
    EXTENDABLE_PATHS,
    RunConfig,
    parse_kill_point,
    validate_run_config,
)
from motion_loop.loop.motion.corrector import PhysicsCorrector
from motion_loop.loop.motion.evaluator import (
    SCORE_METRIC,
    VIDEO_CAPTIONS,
    VIDEO_JOINTS,
    MotionEvaluator,
)
from motion_loop.loop.motion.learner import (
    FitSchedule,
    MotionLearner,
    bookkeeping_free,
    location_free,
)
from motion_loop.loop.rng import Stream, derive_rng
from motion_loop.loop.run_state import DONE_NAME, RunFolder
from motion_loop.loop.scalars import ScalarLog
from motion_loop.loop.summary import GenerationLog
from motion_loop.text.encoder import get_text_encoder
from motion_loop.viz.report import write_report

_DROPPED_FILE = "dropped_clips.json"
_LOG = logging.getLogger(__name__)
_MIN_EVAL_PROMPTS = 2  # FID needs two; R-precision needs one batch of 32 and says so when it is missing


def prepare_dataset(config: RunConfig, cache_dir: Path, *, progress: bool) -> HumanML3DFolder:
    """The run's dataset: `data.root`, or the procedural dataset generated once into the cache."""
    if config.data.root:
        return HumanML3DFolder(config.data.root)
    from motion_loop.data.procedural import generate_dataset

    key = content_key("procedural-dataset", config.data.procedural_clips, config.data.procedural_seed)[:12]
    target = cache_dir / f"procedural_{config.data.procedural_clips}_seed{config.data.procedural_seed}_{key}"
    with exclusive(target):  # arms started side by side generate it once
        if not (target / "meta.json").is_file():
            scratch = scratch_dir_beside(target)  # honours the umask (mkdtemp made the shared dataset 0700)
            generate_dataset(scratch, config.data.procedural_clips, config.data.procedural_seed, progress=progress)
            if not (target / "meta.json").is_file():  # a run without the lock (another machine) finished first
                publish_dir(scratch, target)
            else:
                shutil.rmtree(scratch, ignore_errors=True)
    return HumanML3DFolder(target)


def prepare_evaluator(config: RunConfig, folder: HumanML3DFolder, cache_dir: Path) -> Evaluator:
    """`eval.checkpoint`, or an evaluator trained on the dataset's train split, cached by content.

    A MiniLM front end shares the generator's caption cache (model.text.cache_dir)."""
    text_cache = config.model.text.cache_dir or None
    if config.eval.checkpoint:
        evaluator = Evaluator.load(config.eval.checkpoint, device=config.eval.train.device, text_cache_dir=text_cache)
        evaluator.check_dataset(folder)
        return evaluator
    key = content_key("evaluator", dataset_fingerprint(folder), config.eval.model, config.eval.train)[:16]
    path = cache_dir / f"evaluator_{key}.pt"
    with exclusive(path):  # arms started side by side train it once
        if not path.is_file():
            evaluator, _ = train_evaluator(folder, config.eval.model, config.eval.train, log=logging.getLogger(__name__).info)
            evaluator.save(path)  # atomic and checksummed
    return Evaluator.load(path, device=config.eval.train.device, text_cache_dir=text_cache)


def split_real(clips: ClipSet, n_train: int, subset_seed: int) -> tuple[ClipSet, ClipSet]:
    """The n training clips (a fixed random subset) and the rest (the fresh-data reservoir).

    Raises:
        ConfigError: when n_train asks for more clips than the split has usable ones (never fewer silently).
    """
    if n_train > len(clips):
        raise ConfigError(
            f"loop.n_train={n_train} but the train split has {len(clips)} usable clips (see dropped_clips.json "
            "for the others); lower loop.n_train or use 0 for the whole split"
        )
    if n_train <= 0 or n_train == len(clips):
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
    train_split = load_clip_set(folder, "train", min_frames=config.data.min_frames)
    test_split = load_clip_set(folder, "test", min_frames=config.data.min_frames)
    dropped = report_dropped(out_dir, {"train": train_split, "test": test_split})
    real, reservoir = split_real(train_split.clips, loop.n_train, loop.subset_seed)
    test = test_split.clips
    mean, std = folder.mean_std()
    evaluator = prepare_evaluator(config, folder, cache_dir)
    count = loop.eval_prompts  # with repeats when the test split is smaller (e.g. the published 1,000)
    if min(count, len(test)) < _MIN_EVAL_PROMPTS:
        raise DataFormatError(
            f"{folder.root} has {len(test)} usable test clips and loop.eval_prompts={loop.eval_prompts}; "
            f"evaluation needs >= {_MIN_EVAL_PROMPTS} (and 32 for R-precision)"
        )
    prompts = ops.prompts(test, count, rng=derive_rng(loop.seed, 0, 0, Stream.SETUP))
    reference = reference_embeddings(evaluator, folder, "test", cache_dir=cache_dir, min_frames=config.data.min_frames)
    # The FID reference cuts clips as the evaluator's loader does (it also leaves out over-long ones).
    dropped["reference_dropped"] = float(sum(reference.dropped.values()))
    dropped.update({f"reference_dropped_{k.replace(' ', '_')}": float(v) for k, v in reference.dropped.items()})
    if reference.dropped:
        _LOG.warning("the FID reference (test split) leaves out %s clips", reference.dropped)
    learner = MotionLearner(
        model=config.model,
        diffusion=config.diffusion,
        train=dataclasses.replace(config.train, progress=config.progress),
        finetune_steps=loop.finetune_steps,
        reset_optimizer=loop.reset_optimizer,
        sample=config.sample,
        mean=mean,
        std=std,
        text_encoder=get_text_encoder(config.model.text),
        work_dir=_work_dir(out_dir),
        generation0_cache=cache_dir / "generation0",
        generation0_key=generation0_key(config, folder, real),
        train_log_dir=out_dir / "tensorboard" / "train",
        schedule=FitSchedule(
            finetune_until=loop.finetune_until, generation0_until=loop.generation0_until,
            window=loop.plateau_window, patience=loop.plateau_patience,
            min_improvement=loop.plateau_min_improvement, min_passes=loop.plateau_min_passes,
        ),  # fmt: skip
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
        real_features={clip.clip_id: clip.features for clip in test.clips},
    )
    corrector = None
    if loop.correct:
        execution = config.physics_execution
        corrector = PhysicsCorrector(
            config.physics, workers=execution.workers, backend=execution.backend,
            ray_address=execution.ray_address or None, progress=config.progress,
            original_root_turn=config.data.original_root_turn, drop_flags=tuple(loop.drop_flagged),
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
        record_fields=dropped,
        continue_from=loop.continue_from,
        stage_timings=True,
        score_metric=SCORE_METRIC,
    )
    return spec, folder


def report_dropped(out_dir: Path, splits: dict[str, LoadedClips]) -> dict[str, float]:
    """Log and store every real clip a run cannot use (too short, no caption, no motion file).

    Writes `out_dir/dropped_clips.json` (one record per clip: id, split, reason, detail) and logs one
    warning per split that lost clips (on the console and in Hydra's job log of the run). Returns the counts as metric fields (`dropped_<split>`, and
    `dropped_<split>_<reason>` for each reason), added to every generation's record.
    """
    fields: dict[str, float] = {}
    records = []
    for split, loaded in splits.items():
        fields[f"dropped_{split}"] = float(len(loaded.dropped))
        for reason, count in dropped_summary(loaded.dropped).items():
            fields[f"dropped_{split}_{reason.replace(' ', '_')}"] = float(count)
        records += [dataclasses.asdict(clip) for clip in loaded.dropped]
        if loaded.dropped:
            total = len(loaded.dropped) + len(loaded.clips)
            _LOG.warning(
                "dropped %d of %d clips of the %s split: %s (each listed in %s)",
                len(loaded.dropped), total, split, dropped_summary(loaded.dropped), out_dir / _DROPPED_FILE,
            )  # fmt: skip
    atomic_write_json(out_dir / _DROPPED_FILE, records)
    return fields


def generation0_key(config: RunConfig, folder: HumanML3DFolder, real: ClipSet) -> str:
    """What generation 0's model depends on besides its seed: the real clips' motions and captions, the
    statistics, the model's configs and the code version (see motion_loop.io.content_key)."""
    train = bookkeeping_free(config.train)
    mean, std = folder.mean_std()
    digest = ContentHash("generation0").array(mean).array(std).parts([location_free(config.model), config.diffusion, train])
    for clip in real.clips:
        digest.text(clip.clip_id).array(clip.features).value(list(clip.captions))
    loop = config.loop
    if loop.generation0_until == "plateau":  # the rule decides how long generation 0 trains
        digest.value([loop.plateau_window, loop.plateau_patience, loop.plateau_min_improvement, loop.plateau_min_passes])
    return digest.hexdigest()


def _work_dir(out_dir: Path) -> Path:
    """The learner's scratch folder. Kept across restarts: a fit that a killed process left half done is
    continued from its last periodic checkpoint when its inputs are the same (MotionLearner)."""
    path = out_dir / ".work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_experiment(config: RunConfig, out_dir: Path) -> list[dict[str, Any]]:
    """Run (or resume) the loop into `out_dir`, then write plots, videos and report.html.

    An empty `config.cache_dir` keeps the cache in `out_dir/.cache`; each finished generation is logged
    as one line (motion_loop.loop.summary) and written to TensorBoard.

    Raises:
        ConfigError: before any work, listing every invalid setting of `config`.
    """
    validate_run_config(config)
    out_dir = Path(out_dir)
    if not config.cache_dir:  # every output under the run folder unless a shared cache is named
        config = dataclasses.replace(config, cache_dir=str(out_dir / ".cache"))
    with RunFolder(out_dir).lock() as lock:  # before anything touches the folder (.work is wiped below)
        if lock.taken_over is not None:
            _LOG.warning("%s: took over the lock of a run that is no longer running (%s)", out_dir, lock.taken_over.describe())
        spec, _ = build_spec(config, out_dir)
        engine = LoopEngine(spec, seed=config.loop.seed)
        loggers: list[Any] = [ScalarLog(out_dir)]
        if config.wandb.enabled:
            from motion_loop.interop.wandb_log import WandbLog

            settings = dataclasses.replace(config.wandb, group=config.wandb.group or config.experiment)
            loggers.append(WandbLog(out_dir, settings, config=stored_config(config), name=f"{config.loop.arm}/seed_{config.loop.seed}"))
        try:
            records = engine.run(
                config.loop.generations, run_dir=out_dir, config=stored_config(config), config_ignore=EXECUTION_PATHS,
                config_extendable=EXTENDABLE_PATHS,
                progress=config.progress,
                desc=f"{config.loop.arm} generations",
                on_generation=GenerationLog(
                    config.loop.generations, label=config.loop.arm,
                    then=lambda g, recs: [log(g, recs) for log in loggers],
                ),
                on_point=_killer(parse_kill_point(config.kill_at)),
            )  # fmt: skip
        finally:
            for log in loggers[1:]:
                log.finish()
        shutil.rmtree(out_dir / ".work", ignore_errors=True)
        finalize(out_dir)
    return records


def _killer(kill_point: tuple[int, str] | None) -> Callable[[int, str, str], None] | None:
    """The `kill_at` testing hook: SIGKILL this process at (generation, point), as `kill -9` would."""
    if kill_point is None:
        return None

    def on_point(generation: int, node: str, point: str) -> None:
        if (generation, point) == kill_point:
            os.kill(os.getpid(), signal.SIGKILL)

    return on_point


def finalize(out_dir: Path) -> None:
    """One video per kept prompt across generations, then the HTML report (which draws the metric plots)."""
    render_generation_videos(out_dir)
    write_report(out_dir)


def render_generation_videos(out_dir: Path, *, panels: int = 3) -> list[Path]:
    """For each kept prompt, first/middle/last evaluated generation side by side in videos/prompt_K.mp4."""
    from motion_loop.viz.stick import render_stick_video

    # Evaluated generations of a complete (DONE) generation folder only.
    files = sorted(path for path in out_dir.glob(f"gen_*/{VIDEO_JOINTS}") if (path.parent / DONE_NAME).is_file())
    if not files:
        return []
    picks = sorted({files[round(k * (len(files) - 1) / max(panels - 1, 1))] for k in range(panels)})
    arrays = {int(path.parent.name.removeprefix("gen_")): np.load(path) for path in picks}
    captions_file = picks[0].parent / VIDEO_CAPTIONS
    captions = json.loads(captions_file.read_text()) if captions_file.is_file() else []
    videos = []
    prompts = min(a.shape[0] for a in arrays.values())
    for k in range(prompts):
        clips = [arrays[g][k] for g in sorted(arrays)]
        caption = captions[k] if k < len(captions) else f"prompt {k}"
        titles = [f"generation {g}" for g in sorted(arrays)]
        videos.append(render_stick_video(clips, out_dir / "videos" / f"prompt_{k}.mp4", titles=titles, caption=caption))
    return videos
