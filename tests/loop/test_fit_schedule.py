"""The faithful CPU preset's schedule: plateau rules per generation and what each fit records."""

from __future__ import annotations

import math

import pytest
from omegaconf import OmegaConf

from motion_loop.cli.hydra_utils import compose_config
from motion_loop.errors import ConfigError
from motion_loop.loop.motion.learner import FitSchedule, fit_record
from motion_loop.model.training import TrainResult


def test_cpu_faithful_keeps_the_published_proportions() -> None:
    config = OmegaConf.to_object(compose_config("run", ["experiment=cpu_faithful", "data.root=/data/x"]))
    loop = config.loop
    assert loop.n_train == 64 and loop.synthetic_ratio == 1.0 and loop.generations >= 21
    assert loop.finetune_until == "plateau" and loop.reset_optimizer
    mix = loop.n_train * (1 + loop.synthetic_ratio)
    # The cap: the published 1,000 steps at batch 64 over a 128-clip mix = 500 passes.
    assert loop.finetune_steps * config.train.batch_size / mix == pytest.approx(1000 * 64 / 128)


def test_schedule_builds_a_rule_only_for_plateau_generations() -> None:
    schedule = FitSchedule(finetune_until="plateau", window=10, patience=2, min_improvement=0.05, min_passes=4)
    assert schedule.rule(generation0=True, cap=100, dataset_size=64, batch_size=32) is None
    rule = schedule.rule(generation0=False, cap=500, dataset_size=128, batch_size=32)
    assert rule is not None and rule.max_steps == 500 and rule.min_steps == math.ceil(4 * 128 / 32)
    with pytest.raises(ConfigError, match="finetune_until"):
        FitSchedule(finetune_until="forever")


def test_fit_record_counts_passes_over_the_mix() -> None:
    result = TrainResult(checkpoint=None, step=10, loss=0.5, seconds=2.0, steps_per_second=5.0,  # type: ignore[arg-type]
                         steps_done=40, loss_start=0.9, loss_end=0.5, stopped="plateau")  # fmt: skip
    record = fit_record(result, dataset_size=128, batch_size=32)
    assert record == {"fit_steps": 40.0, "fit_passes": 10.0, "fit_loss_start": 0.9, "fit_loss_end": 0.5,
                      "fit_plateau": 1.0, "fit_seconds": 2.0}  # fmt: skip
