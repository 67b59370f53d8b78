"""`motion-loop evaluator train data.root=DATASET out=EVALUATOR.pt [model.* train.*]`."""

from __future__ import annotations

import sys

from motion_loop.cli.hydra_utils import compose_config, config_flags, print_config, to_object
from motion_loop.cli.threads import set_process_threads
from motion_loop.errors import ConfigError

USAGE = """usage: motion-loop evaluator train data.root=DATASET --out EVALUATOR.pt [overrides]

Trains the text-motion evaluator (contrastive text and motion encoders, 512-d embeddings) on the
train split of a HumanML3D-layout dataset and saves it with the dataset's normalisation statistics and
fingerprint. Overrides (Hydra): model.text_frontend=minilm|hashed, model.embed_dim=512,
train.epochs=40, train.batch_size=64, train.lr=1e-3, train.loss=infonce|margin, train.seed=0,
train.device=cpu. `--out FILE` is the same as out=FILE. Print the resolved config with --cfg."""


def run(argv: list[str]) -> int:
    if not argv or any(arg in ("-h", "--help") for arg in argv):
        print(USAGE)
        return 0
    if argv[0] != "train":
        raise ConfigError(f"unknown evaluator action {argv[0]!r}; available: ['train']\n{USAGE}")
    overrides, show = config_flags(argv[1:])
    cfg = compose_config("eval/evaluator_train", overrides)
    if show:
        print_config(cfg)
        return 0
    app = to_object(cfg)
    _validate(app, overrides)
    return train(app)


def _validate(app, overrides: list[str]) -> None:  # noqa: ANN001 - EvaluatorTrainApp
    """The whole resolved config, before any work (raises one ConfigError listing every problem)."""
    from motion_loop.validation import (
        PROCEDURAL_ONLY_IN_RUN,
        at_least,
        dataset_problems,
        required,
        validate_app,
    )

    extra = [
        *required("data.root", app.data.root, "a HumanML3D-layout folder, e.g. from `motion-loop data "
                  "procedural OUT` or `motion-loop data import SRC OUT`"),
        *dataset_problems("data.root", app.data.root, splits=("train",), stats=True),
        *required("out", app.out if app.out != "???" else "", "the evaluator file to write, e.g. out=evaluator.pt"),
        *at_least("torch_threads", app.torch_threads, 0),
    ]  # fmt: skip
    validate_app(app, command="motion-loop evaluator train", extra=extra, not_applicable=PROCEDURAL_ONLY_IN_RUN, overrides=overrides)


def train(app) -> int:  # noqa: ANN001 - EvaluatorTrainApp (imported lazily to keep --help instant)
    from pathlib import Path

    from motion_loop.data.humanml3d import HumanML3DFolder
    from motion_loop.eval.evaluator import train_evaluator

    set_process_threads(app.torch_threads)  # process setting, decided at the entry point
    folder = HumanML3DFolder(app.data.root)
    evaluator, history = train_evaluator(
        folder, app.model, app.train, min_frames=app.data.min_frames, max_frames=app.data.max_frames,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )  # fmt: skip
    out = Path(app.out)
    evaluator.save(out)
    val = f", val R@3 {history.val_r3[-1]:.3f} ({history.val_items} clips)" if history.val_r3 else ""
    print(
        f"evaluator saved to {out}: {history.train_items} train items, {len(history.loss)} epochs in "
        f"{history.seconds:.0f} s, final loss {history.loss[-1]:.4f}{val}; dataset fingerprint "
        f"{evaluator.fingerprint[:12]}"
    )
    return 0
