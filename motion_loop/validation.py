"""Validation of a command's whole resolved config before any work starts.

Every command converts its Hydra config to dataclasses and calls `validate_config` first, so that a
bad value (an unknown enum, an out-of-range number, a path that does not exist, a setting that does
not apply to the command) fails at once with one message listing every problem and the valid options,
instead of after minutes of training.

How a config is checked, in this order, for every dataclass in the tree:
- its own `problems() -> list[str]` method, when it has one (messages name fields relative to it);
- else its own `validate()` method, when it has one (the first error it raises becomes the problem);
- else the rules registered here for its type (configs whose modules have no check of their own yet).
The walker prefixes each message with the field's dotted path (e.g. `physics.mpc`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from motion_loop.errors import ConfigError, MotionLoopError
from physics.errors import PhysicsError

_DEVICE = re.compile(r"^(|cpu|cuda|cuda:\d+|mps)$")

Rule = Callable[[Any], list[str]]


def choice(name: str, value: object, options: Iterable[str]) -> list[str]:
    """A problem when `value` is not one of `options` (the message lists them)."""
    options = list(options)
    return [] if value in options else [f"{name} must be one of {options}, got {value!r}"]


def at_least(name: str, value: float, low: float) -> list[str]:
    ok = isinstance(value, (int, float)) and math.isfinite(value) and value >= low
    return [] if ok else [f"{name} must be a finite number >= {low}, got {value!r}"]


def positive(name: str, value: float) -> list[str]:
    ok = isinstance(value, (int, float)) and math.isfinite(value) and value > 0
    return [] if ok else [f"{name} must be a finite number > 0, got {value!r}"]


def within(name: str, value: float, low: float, high: float, *, high_open: bool = False) -> list[str]:
    ok = isinstance(value, (int, float)) and math.isfinite(value) and low <= value and (
        value < high if high_open else value <= high
    )
    bracket = ")" if high_open else "]"
    return [] if ok else [f"{name} must lie in [{low}, {high}{bracket}, got {value!r}"]


def existing_file(name: str, value: str, *, what: str = "file") -> list[str]:
    """A problem when a non-empty path does not name an existing file."""
    if value and not Path(value).expanduser().is_file():
        return [f"{name}={value!r} does not exist (expected: {what})"]
    return []


def existing_dir(name: str, value: str, *, what: str = "folder") -> list[str]:
    if value and not Path(value).expanduser().is_dir():
        return [f"{name}={value!r} does not exist (expected: {what})"]
    return []


def device(name: str, value: str) -> list[str]:
    ok = isinstance(value, str) and _DEVICE.match(value) is not None
    return [] if ok else [f"{name} must be '' (automatic), 'cpu', 'cuda', 'cuda:N' or 'mps', got {value!r}"]


def dataset_problems(name: str, root: str, *, splits: Sequence[str], stats: bool) -> list[str]:
    """What a HumanML3D-layout folder at `root` lacks for a command that reads `splits` (and Mean/Std)."""
    if not root:
        return []
    path = Path(root).expanduser()
    if not path.is_dir():
        return [
            f"{name}={root!r} does not exist; give a HumanML3D-layout dataset (`motion-loop data import` or "
            "`motion-loop data procedural OUT` make one)"
        ]
    missing = []
    if not ((path / "new_joint_vecs").is_dir() or (path / "new_joints").is_dir()):
        missing.append("new_joint_vecs/ (or new_joints/)")
    if not (path / "texts").is_dir():
        missing.append("texts/")
    missing += [f"{split}.txt" for split in splits if not (path / f"{split}.txt").is_file()]
    if stats:
        missing += [f for f in ("Mean.npy", "Std.npy") if not (path / f).is_file()]
    if missing:
        return [f"{name}={root!r} is not a complete HumanML3D-layout dataset: it lacks {', '.join(missing)}"]
    return []


# -- rules of configs whose modules have no check of their own (keyed by type, filled lazily) -------


def _rules() -> dict[type, Rule]:
    from motion_loop.data.config import DataConfig
    from motion_loop.data.humanml3d import SPLITS
    from motion_loop.eval.config import (
        EvaluatorModelConfig,
        EvaluatorTrainConfig,
        MetricsConfig,
        PlausibilityConfig,
    )
    from motion_loop.eval.encoders import LOSSES
    from motion_loop.eval.metrics import INTERVALS
    from motion_loop.eval.text_frontend import FRONTENDS
    from motion_loop.model.config import (
        DiffusionConfig,
        LossConfig,
        ModelConfig,
        SampleConfig,
        TrainConfig,
    )
    from motion_loop.model.denoiser import (
        _ACTIVATIONS,  # the denoiser's own list of valid activations
    )
    from motion_loop.model.sampler import SAMPLERS
    from motion_loop.model.schedule import BETA_SCHEDULES
    from motion_loop.text.encoder import ENCODERS, TextConfig

    def data(c: DataConfig) -> list[str]:
        return [
            *at_least("procedural_clips", c.procedural_clips, 1),
            *at_least("min_frames", c.min_frames, 1),
            *at_least("max_frames", c.max_frames, max(1, c.min_frames)),
            *at_least("unit_length", c.unit_length, 1),
            *positive("fps", c.fps),
        ]

    def text(c: TextConfig) -> list[str]:
        out = choice("name", c.name, ENCODERS)
        if c.name == "clip":
            out += existing_file("clip_weights", c.clip_weights, what="CLIP weights file")
        return out + device("device", c.device)

    def model(c: ModelConfig) -> list[str]:
        out = [
            *choice("activation", c.activation, _ACTIVATIONS),
            *at_least("latent_dim", c.latent_dim, 1),
            *at_least("layers", c.layers, 1),
            *at_least("heads", c.heads, 1),
            *at_least("ff_dim", c.ff_dim, 1),
            *within("dropout", c.dropout, 0.0, 1.0, high_open=True),
            *within("attention_dropout", c.attention_dropout, 0.0, 1.0, high_open=True),
            *within("cond_mask_prob", c.cond_mask_prob, 0.0, 1.0),
            *at_least("max_frames", c.max_frames, 1),
        ]
        if c.heads >= 1 and c.latent_dim % c.heads:
            out.append(f"latent_dim ({c.latent_dim}) must be a multiple of heads ({c.heads})")
        return out

    def diffusion(c: DiffusionConfig) -> list[str]:
        return [*at_least("steps", c.steps, 1), *choice("schedule", c.schedule, BETA_SCHEDULES)]

    def loss(c: LossConfig) -> list[str]:
        return [p for f in dataclasses.fields(c) for p in at_least(f.name, getattr(c, f.name), 0.0)]

    def train(c: TrainConfig) -> list[str]:
        return [
            *at_least("steps", c.steps, 1),
            *at_least("batch_size", c.batch_size, 1),
            *positive("lr", c.lr),
            *at_least("weight_decay", c.weight_decay, 0.0),
            *within("adam_beta1", c.adam_beta1, 0.0, 1.0, high_open=True),
            *within("adam_beta2", c.adam_beta2, 0.0, 1.0, high_open=True),
            *at_least("grad_clip", c.grad_clip, 0.0),
            *within("ema_decay", c.ema_decay, 0.0, 1.0, high_open=True),
            *at_least("warmup_steps", c.warmup_steps, 0),
            *at_least("log_every", c.log_every, 1),
            *at_least("save_every", c.save_every, 0),
            *device("device", c.device),
            *choice("split", c.split, SPLITS),
        ]

    def sample(c: SampleConfig) -> list[str]:
        return [
            *choice("method", c.method, SAMPLERS),
            *at_least("steps", c.steps, 1),
            *at_least("eta", c.eta, 0.0),
            *positive("guidance_scale", c.guidance_scale),
            *positive("temperature", c.temperature),
            *at_least("batch_size", c.batch_size, 1),
            *device("device", c.device),
        ]

    def evaluator_model(c: EvaluatorModelConfig) -> list[str]:
        return [
            *choice("text_frontend", c.text_frontend, FRONTENDS),
            *[p for name in ("text_hidden", "motion_conv", "motion_hidden", "embed_dim") for p in at_least(name, getattr(c, name), 1)],
        ]  # fmt: skip

    def evaluator_train(c: EvaluatorTrainConfig) -> list[str]:
        return [
            *choice("loss", c.loss, LOSSES),
            *at_least("epochs", c.epochs, 1),
            *at_least("batch_size", c.batch_size, 2),
            *positive("lr", c.lr),
            *at_least("weight_decay", c.weight_decay, 0.0),
            *positive("temperature", c.temperature),
            *device("device", c.device),
        ]

    def metrics(c: MetricsConfig) -> list[str]:
        return [
            *at_least("replications", c.replications, 1),
            *at_least("batch_size", c.batch_size, 2),
            *within("top_k", c.top_k, 1, max(1, c.batch_size)),
            *at_least("diversity_times", c.diversity_times, 1),
            *at_least("mm_times", c.mm_times, 1),
            *choice("interval", c.interval, INTERVALS),
        ]

    def plausibility(c: PlausibilityConfig) -> list[str]:
        return [
            *choice("physics", c.physics, ("auto", "off")),
            *at_least("physics_max_clips", c.physics_max_clips, 0),
            *at_least("tolerance_m", c.tolerance_m, 0.0),
            *positive("contact_height_m", c.contact_height_m),
            *positive("skate_speed_mps", c.skate_speed_mps),
            *positive("fps", c.fps),
        ]

    return {
        DataConfig: data,
        TextConfig: text,
        ModelConfig: model,
        DiffusionConfig: diffusion,
        LossConfig: loss,
        TrainConfig: train,
        SampleConfig: sample,
        EvaluatorModelConfig: evaluator_model,
        EvaluatorTrainConfig: evaluator_train,
        MetricsConfig: metrics,
        PlausibilityConfig: plausibility,
    }


def config_problems(config: Any, prefix: str = "") -> list[str]:
    """Every problem of a dataclass tree, each prefixed with its field's dotted path."""
    rules = _rules()
    problems: list[str] = []

    def walk(node: Any, path: str) -> None:
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return
        lead = f"{path}." if path else ""
        own: list[str]
        if hasattr(node, "problems"):
            own = list(node.problems())
        elif hasattr(node, "validate"):
            try:
                node.validate()
                own = []
            except (MotionLoopError, PhysicsError, ValueError) as error:
                own = [str(error)]
        else:
            rule = rules.get(type(node))
            own = rule(node) if rule is not None else []
        problems.extend(f"{lead}{message}" for message in own)
        for item in dataclasses.fields(node):
            walk(getattr(node, item.name), f"{lead}{item.name}")

    walk(config, prefix)
    return problems


def override_keys(overrides: Iterable[str]) -> list[str]:
    """Dotted keys named by Hydra overrides (`a.b=1`, `+a.b=1`, `~a.b`), in order."""
    keys = []
    for item in overrides:
        key = item.split("=", 1)[0].lstrip("+~")
        if key:
            keys.append(key)
    return keys


def _get(config: Any, dotted: str) -> Any:
    node = config
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


def inapplicable_problems(
    config: Any, *, command: str, not_applicable: Mapping[str, str], defaults: Any, overrides: Iterable[str] = ()
) -> list[str]:
    """Settings that exist in `config`'s schema but do not apply to `command`, when a user set them.

    A setting counts as set when an override names it or when its resolved value differs from the
    schema's default `defaults` (a preset changed it).

    Args:
        not_applicable: dotted key -> the setting (or action) that does apply instead.
    """
    named = override_keys(overrides)
    problems = []
    for key, instead in not_applicable.items():
        by_override = key in named  # a group selection (physics=default) does not set the key
        if by_override or _get(config, key) != _get(defaults, key):
            problems.append(f"{key} does not apply to `{command}`; {instead}")
    return problems


def raise_problems(problems: Sequence[str], *, command: str) -> None:
    """Raise one ConfigError listing every problem (no-op when there is none)."""
    if not problems:
        return
    if len(problems) == 1:
        raise ConfigError(f"invalid config of `{command}`: {problems[0]}")
    listed = "\n".join(f"  - {problem}" for problem in problems)
    raise ConfigError(f"invalid config of `{command}` ({len(problems)} problems):\n{listed}")


def validate_app(
    config: Any,
    *,
    command: str,
    extra: Sequence[str] = (),
    not_applicable: Mapping[str, str] | None = None,
    defaults: Any = None,
    overrides: Iterable[str] = (),
) -> Any:
    """Check a command's resolved config (its tree, the command's own `extra` problems and the settings
    that do not apply to it); return the config or raise one ConfigError listing every problem."""
    problems = [*config_problems(config), *extra]
    if not_applicable:
        problems += inapplicable_problems(
            config,
            command=command.removeprefix("motion-loop "),
            not_applicable=not_applicable,
            defaults=type(config)() if defaults is None else defaults,
            overrides=overrides,
        )
    raise_problems(problems, command=command)
    return config


# Settings of the data schema that only `motion-loop run` reads (it generates the procedural set when
# data.root is empty); the other commands read data.root.
PROCEDURAL_ONLY_IN_RUN: dict[str, str] = {
    "data.procedural_clips": "generate the set with `motion-loop data procedural OUT` and pass data.root=OUT",
    "data.procedural_seed": "generate the set with `motion-loop data procedural OUT --seed N` and pass data.root=OUT",
}


def required(name: str, value: str, hint: str) -> list[str]:
    """A problem when a required string setting is empty."""
    return [] if value else [f"{name} is required: {hint}"]
