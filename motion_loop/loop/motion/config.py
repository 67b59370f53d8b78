"""Config of `motion-loop run`: the self-consuming loop on motion (a Hydra schema; presets in conf/)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from motion_loop.data.config import DataConfig
from motion_loop.eval.config import (
    EvaluatorModelConfig,
    EvaluatorTrainConfig,
    MetricsConfig,
    PlausibilityConfig,
)
from motion_loop.interop.wandb_log import WandbSettings
from motion_loop.loop.engine import POINTS
from motion_loop.loop.mixing import POOL_MODES
from motion_loop.model.config import DiffusionConfig, ModelConfig, SampleConfig, TrainConfig
from motion_loop.validation import (
    at_least,
    choice,
    config_problems,
    dataset_problems,
    existing_file,
    inapplicable_problems,
    raise_problems,
    within,
)
from physics.config import PhysicsConfig
from physics.report import FLAGS

# loop.continue_from: the last checkpoint, or the best by the score history the engine keeps.
CONTINUE_FROM = ("last", "best")
PHYSICS_BACKENDS = ("process", "ray")
# R-precision needs a batch of 32 but says so itself; FID needs two clips.
_MIN_EVAL_PROMPTS = 2


@dataclass
class LoopSettings:
    """The generations and how each one's training set is made.

    Attributes:
        arm: label of this run in plots and reports (baseline, synthetic, corrected, ...).
        generations: generations including generation 0 (real data only).
        use_synthetic: False makes the baseline arm: real data only, whatever synthetic_ratio says (so that
            one experiment preset's lambda serves every arm).
        synthetic_ratio: lambda, synthetic clips per real training clip and generation.
        fresh_fraction: fresh real clips (not in the n training clips) per real clip and generation.
        pool: "replace" (latest synthetic set only, the published loop) or "accumulate".
        keep_real: keep the n real clips in every generation's training set.
        correct: physics-correct the synthetic clips before they are reused.
        gamma: correction strength in [0, 1] (1 = the physics output).
        drop_flagged: flag codes of the correction report (`physics.report.FLAGS`: fallback, reset,
            fell, large_change, rejected, unprojectable, skating); a corrected clip with any of them is left
            out of the next generation's mix, which then has that many fewer synthetic clips
            (`n_incoming`, `correction_dropped`). [] (default) keeps every clip, as published.
        finetune_steps: optimiser steps of each generation after the first (published: 1000 for small n).
        finetune_until: "steps" (exactly finetune_steps) or "plateau" (until the training loss on the
            mix stops improving, at most finetune_steps steps: motion_loop.model.plateau).
        generation0_until: the same choice for generation 0 ("plateau": at most train.steps steps).
        plateau_window, plateau_patience, plateau_min_improvement: the plateau rule (loss averaged over
            windows of this many steps; stop after `patience` windows without a relative improvement
            of at least `min_improvement` over the best window).
        plateau_min_passes: loss windows within the first this-many passes over the training set are
            not compared (a fresh AdamW's warm-up raises the loss first), so no fit stops before it.
        reset_optimizer: fine-tune with a fresh AdamW each generation (the published loop) or resume it.
        continue_from: "last" checkpoint or "best" by test FID so far.
        n_train: real training clips (0 = the whole train split; else a fixed random subset).
        subset_seed: seed of that subset (shared by every arm and seed, so arms see the same data).
        eval_every: evaluate every k generations (and the last).
        eval_prompts: generated clips per evaluation replication (>= 32; prompts drawn from the test
            split, with repeats when it is smaller); eval.metrics.replications sets, each freshly sampled.
        multimodality_prompts, multimodality_repeats: multimodality set (0 = off, as the published loop).
        video_prompts: prompts whose motions are rendered across generations.
        seed: the run's seed (prompts, training noise, sampling).
    """

    arm: str = "synthetic"
    generations: int = 3
    use_synthetic: bool = True
    synthetic_ratio: float = 0.5
    fresh_fraction: float = 0.0
    pool: str = "replace"
    keep_real: bool = True
    correct: bool = False
    gamma: float = 1.0
    drop_flagged: list[str] = field(default_factory=list)
    finetune_steps: int = 100
    finetune_until: str = "steps"
    generation0_until: str = "steps"
    plateau_window: int = 50
    plateau_patience: int = 3
    plateau_min_improvement: float = 0.01
    plateau_min_passes: float = 0.0
    reset_optimizer: bool = True
    continue_from: str = "last"
    n_train: int = 0
    subset_seed: int = 0
    eval_every: int = 1
    eval_prompts: int = 64
    multimodality_prompts: int = 0
    multimodality_repeats: int = 0
    video_prompts: int = 3
    seed: int = 0

    def problems(self) -> list[str]:
        """What is out of range (field names relative to `loop`)."""
        return [
            *at_least("generations", self.generations, 1),
            *at_least("synthetic_ratio", self.synthetic_ratio, 0.0),
            *within("fresh_fraction", self.fresh_fraction, 0.0, 1.0),
            *choice("pool", self.pool, POOL_MODES),
            *within("gamma", self.gamma, 0.0, 1.0),
            *[problem for code in self.drop_flagged for problem in choice("drop_flagged", code, FLAGS)],
            *at_least("finetune_steps", self.finetune_steps, 1),
            *choice("continue_from", self.continue_from, CONTINUE_FROM),
            *at_least("n_train", self.n_train, 0),
            *at_least("eval_every", self.eval_every, 1),
            *at_least("eval_prompts", self.eval_prompts, _MIN_EVAL_PROMPTS),
            *at_least("multimodality_prompts", self.multimodality_prompts, 0),
            *at_least("multimodality_repeats", self.multimodality_repeats, 0),
            *at_least("video_prompts", self.video_prompts, 0),
        ]


@dataclass
class PhysicsExecution:
    """Where physics correction runs (does not change results).

    Attributes:
        workers: processes (backend "process") or concurrent tasks (backend "ray").
        backend: "process" or "ray".
        ray_address: Ray cluster address; empty starts or joins a local Ray.
    """

    workers: int = 1
    backend: str = "process"
    ray_address: str = ""

    def problems(self) -> list[str]:
        return [*at_least("workers", self.workers, 1), *choice("backend", self.backend, PHYSICS_BACKENDS)]


@dataclass
class EvaluationSettings:
    """The evaluator and how each generation is scored.

    Attributes:
        checkpoint: an evaluator from `motion-loop evaluator train`; empty trains one on the dataset's
            train split at the start (cached under cache_dir by the dataset's fingerprint and settings).
        sample: how evaluation motions are drawn (the published loop: plain conditional, guidance 1).
    """

    checkpoint: str = ""
    model: EvaluatorModelConfig = field(default_factory=EvaluatorModelConfig)
    train: EvaluatorTrainConfig = field(default_factory=EvaluatorTrainConfig)
    metrics: MetricsConfig = field(default_factory=lambda: MetricsConfig(replications=1))
    plausibility: PlausibilityConfig = field(default_factory=lambda: PlausibilityConfig(physics="off"))
    sample: SampleConfig = field(default_factory=lambda: SampleConfig(guidance_scale=1.0))


@dataclass
class RunConfig:
    """`motion-loop run experiment=NAME [overrides]`.

    Attributes:
        experiment: preset name (part of the default output folder).
        out_dir: run folder; empty = Hydra's job folder (runs/EXPERIMENT/ARM/seed_SEED). On the command
            line it also moves Hydra's .hydra/ and run.log there (motion_loop.cli.run).
        cache_dir: shared cache of generated datasets, trained evaluators and generation-0 models (arms
            reuse them); empty = the multirun's sweep folder/.cache, else the run folder/.cache.
        sample: how synthetic training motions are drawn (the published loop: guidance 1).
        threads: CPU threads of torch and of NumPy's BLAS (motion_loop.cli.threads; 0 = their defaults).
        progress: progress bars.
        kill_at: a testing hook: "G:POINT" kills this process with SIGKILL right after POINT (one of
            motion_loop.loop.engine.POINTS) of generation G, as a `kill -9` there would, so that a test
            checks the resumed run at an exact place; empty = never.
        wandb: Weights & Biases logging (off by default; see motion_loop.interop.wandb_log).
    """

    experiment: str = "default"
    out_dir: str = ""
    cache_dir: str = ""
    data: DataConfig = field(default_factory=lambda: DataConfig(procedural_clips=300))
    model: ModelConfig = field(default_factory=ModelConfig)
    diffusion: DiffusionConfig = field(default_factory=DiffusionConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    sample: SampleConfig = field(default_factory=lambda: SampleConfig(guidance_scale=1.0))
    physics: PhysicsConfig = field(default_factory=PhysicsConfig)
    physics_execution: PhysicsExecution = field(default_factory=PhysicsExecution)
    eval: EvaluationSettings = field(default_factory=EvaluationSettings)
    loop: LoopSettings = field(default_factory=LoopSettings)
    threads: int = 0
    progress: bool = True
    kill_at: str = ""
    wandb: WandbSettings = field(default_factory=WandbSettings)

    def problems(self) -> list[str]:
        """Cross-field checks: the dataset has what a run reads, the evaluator file exists."""
        return [
            *dataset_problems("data.root", self.data.root, splits=("train", "test"), stats=True),
            *existing_file("eval.checkpoint", self.eval.checkpoint, what="evaluator checkpoint"),
            *at_least("threads", self.threads, 0),
            *kill_point_problems(self.kill_at),
        ]


def parse_kill_point(value: str) -> tuple[int, str] | None:
    """"G:POINT" -> (G, POINT); "" -> None. Raises ValueError on anything else."""
    if not value:
        return None
    generation, _, point = value.partition(":")
    if not generation.isdigit() or point not in POINTS:
        raise ValueError(value)
    return int(generation), point


def kill_point_problems(value: str) -> list[str]:
    try:
        parse_kill_point(value)
    except ValueError:
        return [f"kill_at must be '' or 'GENERATION:POINT' with POINT one of {list(POINTS)}, got {value!r}"]
    return []


# Settings of RunConfig's schema that `motion-loop run` does not read, and the one it reads instead
# (each setting has one definition; a user who sets one of these is told where it lives).
RUN_NOT_APPLICABLE: dict[str, str] = {
    "physics.gamma": "use loop.gamma (the correction strength of the run's corrected arm)",
    "train.reset_optimizer": "use loop.reset_optimizer (how each generation's fine-tuning starts)",
    "train.seed": "use loop.seed (it seeds every generation's training)",
    "train.split": "a run trains on the train split; choose a subset with loop.n_train and loop.subset_seed",
    "train.progress": "use progress",
}


def validate_run_config(config: RunConfig, *, overrides: Iterable[str] = ()) -> RunConfig:
    """Check the whole resolved run config before any work; return it, or raise one ConfigError.

    Args:
        config: the resolved config.
        overrides: the command line's Hydra overrides (so that a not-applicable setting given with its
            default value is refused as well).
    """
    problems = config_problems(config)
    problems += inapplicable_problems(
        config, command="run", not_applicable=RUN_NOT_APPLICABLE, defaults=RunConfig(), overrides=overrides
    )
    raise_problems(problems, command="motion-loop run")
    return config


# Keys that only say how a run executes; they may change between a run and its resumption.
EXECUTION_KEYS = ("out_dir", "cache_dir", "physics_execution", "threads", "progress", "kill_at", "wandb")
# Nested settings of the same kind: kept in config.yaml for the record, not compared on resume.
EXECUTION_PATHS = ("model.text.cache_dir",)
# Settings a resumed run may raise: a run extended by more generations continues where it stopped.
EXTENDABLE_PATHS = ("loop.generations",)
