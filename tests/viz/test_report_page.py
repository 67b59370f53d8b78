"""The report page: verdict first from summary.json, warnings, headline columns with the rest behind a
toggle, videos with their prompts, plots in words."""

from __future__ import annotations

import csv
import json

import pytest
import yaml

from motion_loop.errors import DataFormatError
from motion_loop.viz.metric_info import metric_info
from motion_loop.viz.report import write_report
from motion_loop.viz.verdict_table import reading


def _run(root, arm, seed, fids, *, replications=1, planned=None):
    root.mkdir(parents=True)
    loop = {"arm": arm, "seed": seed, "generations": len(fids) if planned is None else planned}
    config = {"loop": loop, "eval": {"metrics": {"replications": replications}}}
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    extra = [f"extra_{k}" for k in range(8)]  # more columns than the headline ones (a real run has 45-63)
    with (root / "metrics.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["generation", "node", "fid", "fid_ci95", "diversity", "diversity_real", *extra])
        writer.writeheader()
        for generation, fid in enumerate(fids):
            writer.writerow({"generation": generation, "node": "model", "fid": fid, "fid_ci95": 0.05, "diversity": 2.0,
                             "diversity_real": 2.5, **{k: 1.0 for k in extra}})  # fmt: skip


def _comparison(low, high, difference=0.3, metric="fid"):
    return {"metric": metric, "arms": ["corrected", "synthetic"], "difference": difference, "ci95": [low, high], "seeds": [0, 1, 2]}


def test_readings_state_a_difference_only_when_the_interval_excludes_zero():
    sentence, detected = reading(_comparison(0.1, 0.5))
    assert detected and sentence.startswith("FID to real motions is higher with corrected than with synthetic by 0.3")
    assert "so corrected is worse" in sentence and "3 seeds" in sentence
    sentence, detected = reading(_comparison(-0.2, 0.8))
    assert not detected and sentence.startswith("No detectable difference in FID to real motions")
    sentence, detected = reading(_comparison(None, None))
    assert not detected and "no interval" in sentence
    sentence, _ = reading(_comparison(-0.5, -0.1, difference=-0.3, metric="r_precision_top3"))
    assert "lower with corrected" in sentence and "so corrected is worse" in sentence


def test_page_puts_the_verdict_first_and_hides_the_wide_table(tmp_path):
    sweep = tmp_path / "sweep"
    for arm in ("synthetic", "corrected"):
        for seed in (0, 1):
            _run(sweep / arm / f"seed_{seed}", arm, seed, [1.0, 1.2 + seed, 1.4])
    video_run = sweep / "corrected" / "seed_0"
    (video_run / "videos").mkdir()
    (video_run / "videos" / "prompt_0.mp4").write_bytes(b"\x00" * 64)
    (video_run / "gen_000").mkdir(exist_ok=True)
    (video_run / "gen_000" / "video_captions.json").write_text(json.dumps(["a person waves with both hands"]))
    (sweep / "summary.json").write_text(json.dumps({"comparisons": [_comparison(-0.2, 0.8), _comparison(0.1, 0.5)]}))
    page = write_report(sweep).read_text()
    verdict = page.index("Verdict across seeds")
    assert verdict < page.index("Metrics against generation") < page.index("Run: ")
    detected = page.index("is higher with corrected than with synthetic")
    assert verdict < detected < page.index("No detectable difference")  # detected differences listed first
    assert "One evaluation replication" in page and "One seed only" not in page
    assert "<q>a person waves with both hands</q>" in page  # the prompt under its video
    headline, _, hidden = page.partition("all 11 metric columns")
    assert "extra_0" not in headline.split("Headline metrics")[-1] and "extra_7" in hidden
    assert "<details>" in page


def test_single_run_warns_and_explains_the_missing_verdict(tmp_path):
    _run(tmp_path / "run", "corrected", 0, [1.0, 1.1], replications=3)
    page = write_report(tmp_path / "run").read_text()
    assert "One seed only (corrected)" in page and "One arm only" in page and "One evaluation replication" not in page
    assert "No summary.json here" in page


def test_unfinished_runs_are_named_with_their_progress(tmp_path):
    sweep = tmp_path / "sweep"
    _run(sweep / "synthetic" / "seed_0", "synthetic", 0, [1.0, 1.1, 1.2])
    _run(sweep / "corrected" / "seed_0", "corrected", 0, [1.0, 1.1], planned=21)
    page = write_report(sweep).read_text()
    assert "Unfinished runs (generations done of planned): corrected seed 0: 2 of 21." in page
    assert "synthetic seed 0:" not in page
    finished = tmp_path / "finished"
    _run(finished / "synthetic" / "seed_0", "synthetic", 0, [1.0, 1.1])
    assert "Unfinished runs" not in write_report(finished).read_text()


def test_broken_summary_fails_clearly(tmp_path):
    _run(tmp_path / "run", "corrected", 0, [1.0, 1.1])
    (tmp_path / "run" / "summary.json").write_text("{not json")
    with pytest.raises(DataFormatError, match="summary.json is not valid JSON"):
        write_report(tmp_path / "run")


def test_metric_info_gives_words_units_and_direction():
    fid, skate, diversity = metric_info("fid"), metric_info("correction_skate_mm_after"), metric_info("diversity")
    assert fid.title == "FID to real motions (lower is better)"
    assert skate.label == "Foot skating, after correction" and skate.unit == "mm/frame"
    assert diversity.reference == "diversity_real" and "closer to real" in diversity.title
    assert metric_info("some_new_mm").unit == "mm"
