"""Metric curves (seed spread or the run's own interval as the band) and the HTML report of a sweep."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest
import yaml

from motion_loop.errors import MotionLoopError
from motion_loop.viz.curves import metric_names, plot_arms, summarize
from motion_loop.viz.report import (
    correction_by_content,
    correction_reports,
    correction_summary,
    find_runs,
    write_report,
)


def test_summarize_uses_seed_spread_or_the_runs_own_interval():
    seeds = [{"generation": 0.0, "fid": v} for v in (1.0, 2.0, 3.0)]
    generations, means, half = summarize(seeds, "fid")
    assert generations.tolist() == [0] and means[0] == pytest.approx(2.0)
    assert half[0] == pytest.approx(4.3026527 * np.std([1, 2, 3], ddof=1) / np.sqrt(3))  # t, 2 d.o.f.
    single = [{"generation": 0.0, "fid": 2.0, "fid_ci95": 0.25}]
    assert summarize(single, "fid")[2][0] == pytest.approx(0.25)
    assert metric_names(single) == ["fid"]


def _fake_run(root, arm, seed, fids):
    root.mkdir(parents=True)
    (root / "config.yaml").write_text(yaml.safe_dump({"loop": {"arm": arm, "seed": seed}}))
    with (root / "metrics.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["generation", "node", "fid", "fid_ci95"])
        writer.writeheader()
        for generation, fid in enumerate(fids):
            writer.writerow({"generation": generation, "node": "model", "fid": fid, "fid_ci95": 0.1})
    gen = root / "gen_001"
    gen.mkdir()
    (gen / "correction.jsonl").write_text(json.dumps({"fell": False, "resets": 0, "mpjpe_mm": 30.0}) + "\n")


def test_report_over_a_sweep_draws_each_arm(tmp_path):
    _fake_run(tmp_path / "sweep" / "baseline" / "seed_0", "baseline", 0, [1.0, 1.1, 1.2])
    _fake_run(tmp_path / "sweep" / "corrected" / "seed_0", "corrected", 0, [1.0, 0.9, 0.8])
    _fake_run(tmp_path / "sweep" / "corrected" / "seed_1", "corrected", 1, [1.2, 1.0, 0.9])
    assert len(find_runs(tmp_path / "sweep")) == 3
    page = write_report(tmp_path / "sweep").read_text()
    assert "baseline" in page and "corrected" in page and "data:image/png;base64," in page
    assert (tmp_path / "sweep" / "plots" / "fid.png").stat().st_size > 1000
    assert "mpjpe_mm" in page  # correction statistics table


def test_correction_table_gives_flagged_fallback_and_dropped_fractions(tmp_path):
    run = tmp_path / "corrected" / "seed_0"
    _fake_run(run, "corrected", 0, [1.0, 0.9])
    lines = [{"controller": "base", "flags": {}, "dropped": False, "resets": 0},
             {"controller": "fallback", "flags": {"fallback": "fell at frame 3"}, "dropped": True, "resets": 0},
             {"controller": "base", "flags": {"unprojectable": "a stance foot 40 mm from its lock"}, "dropped": False,
              "resets": 0},
             {"controller": "base", "flags": {}, "dropped": False, "resets": 0}]
    (run / "gen_001" / "correction.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (row,) = correction_summary(correction_reports(run))
    assert (row["clips"], row["flagged"], row["fallback"], row["dropped"]) == (4, 0.5, 0.25, 0.25)
    page = write_report(tmp_path).read_text()
    assert ">dropped</th>" in page and ">flagged</th>" in page
    assert correction_by_content(correction_reports(run)) == []  # no clip id names a content
    assert "per content of the prompt" not in page


def test_correction_per_content_follows_each_sample_to_its_prompts_clip(tmp_path):
    run = tmp_path / "corrected" / "seed_0"
    _fake_run(run, "corrected", 0, [1.0, 0.9, 0.8])

    def report(clip_id, before, after, *, controller="base", flags=None):
        return {"clip_id": clip_id, "controller": controller, "flags": flags or {},
                "surface_skate_mm_before": before, "surface_skate_mm_after": after}  # fmt: skip

    (run / "gen_001" / "correction.jsonl").write_text("".join(json.dumps(line) + "\n" for line in [
        report("g001_00000_dataset-2_run_masculine_008_000", 40.0, 36.0, controller="fallback", flags={"fallback": "fell"}),
        report("g001_00001_dataset-2_wave-left-hand_normal_001", 4.0, 0.5),
    ]))  # fmt: skip
    (run / "gen_002").mkdir()
    (run / "gen_002" / "correction.jsonl").write_text(json.dumps(report("g002_00000_dataset-2_run_active_003_001", 30.0, 20.0)) + "\n")
    rows = {row["content"]: row for row in correction_by_content(correction_reports(run))}
    assert set(rows) == {"run", "wave-left-hand"}
    assert rows["run"]["clips"] == 2 and rows["run"]["fallback"] == 0.5 and rows["run"]["flagged"] == 0.5
    assert rows["run"]["surface_skate_mm_before"] == pytest.approx(35.0)
    assert rows["run"]["surface_skate_mm_after"] == pytest.approx(28.0)
    assert rows["wave-left-hand"]["surface_skate_mm_after"] == pytest.approx(0.5)
    assert "per content of the prompt" in write_report(tmp_path).read_text()


def test_report_without_runs_fails_clearly(tmp_path):
    with pytest.raises(MotionLoopError, match="no run under"):
        write_report(tmp_path)


def test_plot_arms_writes_overview_and_one_png_per_metric(tmp_path):
    rows = [{"generation": float(g), "fid": 1.0 + g, "jerk": 2.0 * g} for g in range(4)]
    paths = plot_arms({"a": rows}, tmp_path)
    assert [p.name for p in paths] == ["all_metrics.png", "fid.png", "jerk.png"]


def _lambda_run(root, arm, seed, ratio, fids):
    _fake_run(root, arm, seed, fids)
    config = {"loop": {"arm": arm, "seed": seed, "synthetic_ratio": ratio, "use_synthetic": arm != "baseline"}}
    (root / "config.yaml").write_text(yaml.safe_dump(config))


def test_a_lambda_sweep_draws_one_curve_per_lambda_and_one_baseline(tmp_path):
    """Runs at two lambdas are two curves per arm, not one averaged as if they were seeds; the baseline,
    which uses no synthetic data, is one curve; a generation-0-only copy of a run is left out, named."""
    for seed in (0, 1):
        _lambda_run(tmp_path / "l1" / "baseline" / f"s{seed}", "baseline", seed, 1.0, [1.0, 1.0, 1.0])
        for ratio, rise in ((1.0, 2.0), (0.5, 1.0)):
            _lambda_run(tmp_path / f"l{ratio}" / "synthetic" / f"s{seed}", "synthetic", seed, ratio, [1.0, 1.0 + rise, 1.0 + rise])
    _lambda_run(tmp_path / "gen0_only" / "baseline_s1", "baseline", 1, 1.0, [1.0])
    page = write_report(tmp_path).read_text()
    assert "synthetic (synthetic_ratio=0.5)" in page and "synthetic (synthetic_ratio=1.0)" in page
    assert "baseline (" not in page
    arms = re.search(r"arms: (.*?); seeds", page).group(1)
    assert sorted(re.findall(r"baseline|synthetic \(synthetic_ratio=[0-9.]+\)", arms)) == [
        "baseline", "synthetic (synthetic_ratio=0.5)", "synthetic (synthetic_ratio=1.0)"]  # fmt: skip
    assert "gen0_only" in page and "left out" in page
    assert page.count("<h2>Run: ") == 6
