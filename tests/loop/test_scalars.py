"""TensorBoard scalars of a run: written as generations finish, not again for resumed ones."""

from __future__ import annotations

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from motion_loop.loop.engine import LoopEngine
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.loop.scalars import ScalarLog

from .engine_helpers import make_spec

CONFIG = {"experiment": "scalars"}


def _run(run_dir, generations, calls):
    def on_generation(generation, records):
        calls.append(generation)
        ScalarLog(run_dir)(generation, records)

    policy = MixingPolicy(synthetic_ratio=1.0)
    return LoopEngine(make_spec(policy), seed=3).run(
        generations, run_dir=run_dir, config=CONFIG, on_generation=on_generation
    )


def _scalars(run_dir):
    events = EventAccumulator(str(run_dir / "tensorboard"))
    events.Reload()
    return events


def test_each_generation_is_logged_once_with_the_records_values(tmp_path):
    calls: list[int] = []
    records = _run(tmp_path, 2, calls)
    _run(tmp_path, 4, calls)  # resume: generations 0-1 come from disk and are not logged again
    assert calls == [0, 1, 2, 3]
    events = _scalars(tmp_path)
    metric = next(k for k, v in records[0].items() if k not in ("generation", "node") and isinstance(v, float))
    tag = f"{records[0]['node']}/{metric}"
    assert tag in events.Tags()["scalars"]
    values = {e.step: e.value for e in events.Scalars(tag)}
    assert sorted(values) == [0, 1, 2, 3]
    assert abs(values[1] - records[1][metric]) < 1e-5 * max(1.0, abs(records[1][metric]))
    assert not any(t.endswith("_ci95") for t in events.Tags()["scalars"])
