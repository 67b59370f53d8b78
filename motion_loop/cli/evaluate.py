"""`motion-loop evaluate evaluator=EVALUATOR.pt data.root=DATASET [split=test | generated=DIR] [out=JSON]`."""

from __future__ import annotations

import sys

from omegaconf import OmegaConf

from motion_loop.cli.hydra_utils import compose_config, config_flags, print_config, to_object
from motion_loop.cli.threads import set_process_threads
from motion_loop.errors import ConfigError

USAGE = """usage: motion-loop evaluate evaluator=EVALUATOR.pt data.root=DATASET [split=test | generated=DIR] [overrides]

Computes FID, R-precision top-1/2/3 (batches of 32), matching score, diversity, multimodality and
physical plausibility, each with its mean and 95 % interval over replications, against the real
`reference_split` of data.root. Without `generated`, the dataset's `split` is evaluated as if it were
a generator (random caption and crop per replication: FID ~ 0 for split=reference_split).
`generated=DIR` evaluates every clip of a HumanML3D-layout folder (first caption of each clip);
`multimodal=DIR` takes clips that share a caption as repeats of one prompt. The original T2M evaluator:
t2m.checkpoint=finest.tar t2m.glove_dir=DIR t2m.mean=t2m_mean.npy t2m.std=t2m_std.npy (instead of
evaluator=); t2m.caption_length=published reads generated clips' captions as 22 tokens, as the
published fork does (MDM issue #182), to compare with published tables. Options: out=RESULTS.json (or --out RESULTS.json),
cache_dir=DIR (real embeddings), shuffle_captions=true (control: R-precision falls to chance),
metrics.replications=3, metrics.diversity_times=300, plausibility.physics=auto|off. --cfg prints the
resolved config; --debug shows the traceback of an error."""


def run(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    overrides, show = config_flags(argv)
    cfg = compose_config("eval/evaluate", overrides)
    if show:
        print_config(cfg)
        return 0
    app = to_object(cfg)
    _validate(app, overrides)
    return evaluate(app, resolved=OmegaConf.to_container(cfg))


def _validate(app, overrides: list[str]) -> None:  # noqa: ANN001 - EvaluateApp
    """The whole resolved config, before any work (raises one ConfigError listing every problem)."""
    from motion_loop.data.humanml3d import SPLITS
    from motion_loop.validation import (
        PROCEDURAL_ONLY_IN_RUN,
        at_least,
        choice,
        dataset_problems,
        existing_dir,
        existing_file,
        required,
        validate_app,
    )

    splits = (app.reference_split,) if app.generated else (app.split, app.reference_split)
    extra = [
        *required("data.root", app.data.root, "give data.root=DATASET, the real dataset the metrics compare with"),
        *dataset_problems("data.root", app.data.root, splits=tuple(dict.fromkeys(splits)), stats=False),
        *choice("split", app.split, SPLITS),
        *choice("reference_split", app.reference_split, SPLITS),
        *existing_file("evaluator", app.evaluator, what="evaluator checkpoint"),
        *existing_file("t2m.checkpoint", app.t2m.checkpoint, what="T2M checkpoint"),
        *existing_dir("generated", app.generated, what="folder of generated clips"),
        *existing_dir("multimodal", app.multimodal, what="folder of repeated clips"),
        *at_least("torch_threads", app.torch_threads, 0),
    ]
    if app.generated and app.split != "test":
        extra.append(f"split={app.split!r} does not apply with generated=DIR (every clip of the folder is evaluated)")
    if not app.t2m.checkpoint:
        extra += [f"t2m.{name} does not apply without t2m.checkpoint (the original T2M evaluator)"
                  for name in ("glove_dir", "mean", "std") if getattr(app.t2m, name)]  # fmt: skip
    if bool(app.evaluator) == bool(app.t2m.checkpoint):
        extra.append(
            "give exactly one evaluator: evaluator=EVALUATOR.pt (from `motion-loop evaluator train`) or "
            "t2m.checkpoint=finest.tar t2m.glove_dir=DIR t2m.mean=t2m_mean.npy t2m.std=t2m_std.npy"
        )
    validate_app(app, command="motion-loop evaluate", extra=extra, not_applicable=PROCEDURAL_ONLY_IN_RUN, overrides=overrides)


def _folder_motions(root: str):  # noqa: ANN202
    from motion_loop.data.humanml3d import HumanML3DFolder
    from motion_loop.eval.evaluation import GeneratedMotion

    folder = HumanML3DFolder(root)
    motions = []
    for clip_id in folder.ids(None):
        captions = folder.captions(clip_id)
        if not captions:
            raise ConfigError(f"generated clip {clip_id} in {root} has no caption (texts/{clip_id}.txt)")
        features = folder.features(clip_id)
        motions.append(GeneratedMotion(features, captions[0].text, len(features), captions[0].tokens))
    if not motions:
        raise ConfigError(f"{root} holds no clips (new_joint_vecs/*.npy)")
    return motions


def _report_dropped(what: str, dropped: dict[str, int]) -> None:
    """One line on stderr when clips of a split were left out (they are in the JSON's info as well)."""
    if dropped:
        print(f"{what}: {sum(dropped.values())} clips left out: {dropped} (data.min_frames, captions, "
              "max length)", file=sys.stderr)


def _group_repeats(motions, times: int):  # noqa: ANN001, ANN202
    groups: dict[str, list] = {}
    for motion in motions:
        groups.setdefault(motion.caption, []).append(motion)
    usable = [group for group in groups.values() if len(group) >= times]
    if not usable:
        raise ConfigError(f"multimodal folder: no caption has >= {times} repeats (metrics.mm_times)")
    repeats = min(len(group) for group in usable)
    return [group[:repeats] for group in usable]


def evaluate(app, *, resolved: dict | None = None) -> int:  # noqa: ANN001 - EvaluateApp
    from dataclasses import replace
    from pathlib import Path

    import numpy as np

    from motion_loop.data.humanml3d import HumanML3DFolder
    from motion_loop.eval.evaluation import evaluate_motions, reference_embeddings, split_motions
    from motion_loop.eval.evaluator import Evaluator
    from motion_loop.eval.report import format_table, write_json

    if not app.data.root:
        raise ConfigError("evaluate needs data.root=DATASET: the real data the metrics compare with")
    set_process_threads(app.torch_threads)  # process setting, decided at the entry point
    folder = HumanML3DFolder(app.data.root)
    if bool(app.evaluator) == bool(app.t2m.checkpoint):
        raise ConfigError(
            "give exactly one evaluator: evaluator=EVALUATOR.pt (from `motion-loop evaluator train`) or "
            "t2m.checkpoint=finest.tar t2m.glove_dir=DIR t2m.mean=t2m_mean.npy t2m.std=t2m_std.npy"
        )
    if app.t2m.checkpoint:
        from motion_loop.eval.t2m_loader import T2MEvaluator

        caption_length = app.t2m.caption_length if app.generated else "true"  # published: GT rows use true lengths
        evaluator = T2MEvaluator.load(app.t2m.checkpoint, app.t2m.glove_dir, app.t2m.mean, app.t2m.std,
                                      caption_length=caption_length)  # fmt: skip
        matches = True  # trained by Guo et al. on HumanML3D; nothing to fingerprint
        print("using the original T2M evaluator: numbers are comparable with published HumanML3D results "
              f"(caption lengths: {caption_length})", file=sys.stderr)  # fmt: skip
    else:
        evaluator = Evaluator.load(app.evaluator)
        matches = evaluator.check_dataset(folder)
    if not matches:
        print(
            f"WARNING: evaluator {app.evaluator} was trained on {evaluator.info.get('dataset_root', '?')}, "
            f"not on {folder.root}: the numbers below are not comparable with the matching evaluator's",
            file=sys.stderr,
        )
    rng = np.random.default_rng(app.metrics.seed)
    cache_dir = Path(app.cache_dir) if app.cache_dir else None
    reference = reference_embeddings(evaluator, folder, app.reference_split, cache_dir=cache_dir, min_frames=app.data.min_frames)
    dropped: dict[str, int] = {}
    if app.generated:
        sets = [_folder_motions(app.generated)]
        what = f"generated clips in {app.generated}"
    else:
        sets = [split_motions(folder, app.split, rng, min_frames=app.data.min_frames, dropped=dropped)
                for _ in range(app.metrics.replications)]  # fmt: skip
        what = f"split {app.split!r} of {folder.root}"
    _report_dropped(f"reference split {app.reference_split!r}", reference.dropped)
    if not app.generated:
        _report_dropped(f"evaluated split {app.split!r}", dropped)
    if app.shuffle_captions:
        sets = [[replace(m, caption=s[i].caption) for m, i in zip(s, rng.permutation(len(s)), strict=True)] for s in sets]
        what += " (captions shuffled: control)"
    multimodal = _group_repeats(_folder_motions(app.multimodal), app.metrics.mm_times) if app.multimodal else None
    result = evaluate_motions(
        evaluator, sets if len(sets) > 1 else sets[0], reference, app.metrics, rng,
        plausibility=app.plausibility, multimodal=multimodal,
    )  # fmt: skip
    result.info.update(evaluated_dropped=dropped, evaluated_dropped_total=int(sum(dropped.values())))
    result.info.update(evaluated=what, evaluator=str(app.evaluator or app.t2m.checkpoint), dataset_matches_evaluator=matches)
    print(format_table(result, title=f"{what} vs {app.reference_split!r} of {folder.root}"))
    if app.out:
        write_json(result, app.out, extra={"config": resolved or {}})
        print(f"results written to {app.out}")
    return 0
