"""The sweep verdict: paired arm differences over seeds with t intervals (issue 13, item 3)."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
import yaml
from scipy import stats

from motion_loop.cli.report import run as report_cli
from motion_loop.eval.verdict import (
    compare_arms,
    find_sweep_runs,
    last_third,
    swept_keys,
    write_summary,
)


def _run(root, arm, seed, fids, *, ratio=0.5, r3=None, use_synthetic=None):
    root.mkdir(parents=True)
    config = {"loop": {"arm": arm, "seed": seed, "synthetic_ratio": ratio, "correct": arm == "corrected"}}
    if use_synthetic is not None:
        config["loop"]["use_synthetic"] = use_synthetic
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    names = ["generation", "node", "n_samples", "fid", "fid_ci95"] + (["r_precision_top3"] if r3 else [])
    with (root / "metrics.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=names)
        writer.writeheader()
        for generation, fid in enumerate(fids):
            # n_samples differs between arms by design (0 for the baseline), also at generation 0
            n_samples = 0 if arm == "baseline" else 32
            row = {"generation": generation, "node": "model", "n_samples": n_samples, "fid": fid, "fid_ci95": 0.1}
            if r3:
                row["r_precision_top3"] = r3[generation]
            writer.writerow(row)


# generations 0..6: the last third is 4, 5, 6. Generation 0 is shared per seed.
_G0 = {0: 1.0, 1: 2.0, 2: 1.5}
_OFFSET = {"baseline": 0.0, "synthetic": 1.0, "corrected": 0.4}
_NOISE = {0: 0.0, 1: 0.2, 2: -0.1}  # per-seed, same in every arm of the seed except synthetic


def _fids(arm, seed):
    extra = _NOISE[seed] if arm == "synthetic" else 0.0
    return [_G0[seed]] + [_G0[seed] + g * 0.1 + _OFFSET[arm] + extra for g in range(1, 7)]


@pytest.fixture
def sweep(tmp_path):
    for arm in ("baseline", "synthetic", "corrected"):
        for seed in (0, 1, 2):
            _run(tmp_path / arm / f"seed_{seed}", arm, seed, _fids(arm, seed))
    return tmp_path


def test_last_third_skips_generation_zero():
    assert last_third(list(range(7))) == [4, 5, 6]
    assert last_third([0, 1]) == [1]
    assert last_third([0]) == []


def test_paired_differences_and_t_interval_are_exact(sweep):
    verdict = compare_arms(find_sweep_runs(sweep))
    by_arms = {tuple(c.arms): c for c in verdict.comparisons if c.metric == "fid"}
    synthetic = by_arms[("synthetic", "baseline")]
    per_seed = np.array([1.0 + _NOISE[s] for s in (0, 1, 2)])
    half = stats.t.ppf(0.975, 2) * per_seed.std(ddof=1) / math.sqrt(3)
    assert synthetic.per_seed == pytest.approx(tuple(per_seed))
    assert synthetic.difference == pytest.approx(per_seed.mean())
    assert synthetic.ci95 == pytest.approx((per_seed.mean() - half, per_seed.mean() + half))
    assert synthetic.seeds == (0, 1, 2) and synthetic.generations == (4, 5, 6)
    assert synthetic.detected and "synthetic is higher than baseline" in synthetic.sentence and "worse" in synthetic.sentence
    corrected = by_arms[("corrected", "baseline")]  # identical difference in every seed: zero-width interval
    assert corrected.difference == pytest.approx(0.4) and corrected.ci95 == pytest.approx((0.4, 0.4))
    assert by_arms[("corrected", "synthetic")].difference == pytest.approx(0.4 - per_seed.mean())


def test_an_interval_containing_zero_says_no_detectable_difference(tmp_path):
    for seed, delta in ((0, 0.3), (1, -0.3), (2, 0.05)):
        base = [1.0] * 4
        _run(tmp_path / "baseline" / f"seed_{seed}", "baseline", seed, base)
        _run(tmp_path / "synthetic" / f"seed_{seed}", "synthetic", seed, [1.0] + [1.0 + delta] * 3)
    (comparison,) = [c for c in compare_arms(find_sweep_runs(tmp_path)).comparisons if c.metric == "fid"]
    assert not comparison.detected
    assert comparison.sentence == "fid: no detectable difference between synthetic and baseline."


def test_runs_with_another_generation0_are_not_paired(tmp_path):
    _run(tmp_path / "baseline" / "seed_0", "baseline", 0, [1.0, 1.0])
    _run(tmp_path / "synthetic" / "seed_0", "synthetic", 0, [1.5, 2.0])
    verdict = compare_arms(find_sweep_runs(tmp_path))
    assert verdict.comparisons == [] and "generation 0 differs" in verdict.skipped[0]


def test_swept_values_form_separate_groups(tmp_path):
    for ratio, offset in ((0.25, 0.5), (1.0, 2.0)):
        for seed in (0, 1):
            _run(tmp_path / f"r{ratio}" / "baseline" / f"seed_{seed}", "baseline", seed, [1.0, 1.0, 1.0], ratio=ratio)
            _run(tmp_path / f"r{ratio}" / "synthetic" / f"seed_{seed}", "synthetic", seed,
                 [1.0, 1.0 + offset, 1.0 + offset + 0.1 * seed], ratio=ratio)  # fmt: skip
    runs = find_sweep_runs(tmp_path)
    assert swept_keys(runs) == ["loop.synthetic_ratio"]
    found = {c.group["loop.synthetic_ratio"]: c.difference for c in compare_arms(runs).comparisons}
    assert found == pytest.approx({0.25: 0.5 + 0.05, 1.0: 2.0 + 0.05})


def test_report_writes_summary_json_with_the_fixed_schema(sweep, capsys):
    assert report_cli([str(sweep)]) == 0
    summary = json.loads((sweep / "summary.json").read_text())
    entry = summary["comparisons"][0]
    assert {"metric", "arms", "difference", "ci95", "seeds"} <= set(entry)
    assert len(entry["arms"]) == 2 and len(entry["ci95"]) == 2 and entry["seeds"] == [0, 1, 2]
    assert any(row["arm"] == "corrected" and row["generation"] == 6 for row in summary["per_generation"])
    assert "synthetic is higher than baseline" in capsys.readouterr().out
    assert write_summary(sweep).comparisons[0].metric == "fid"


def test_every_seed_is_averaged_over_the_same_generations(tmp_path):
    """An interrupted sweep: seed 2's runs stopped at generation 3. All seeds are compared over the
    last third of the generations every seed reached (2, 3), not seed 2 over 2-3 and the others over 4-6."""
    for arm in ("baseline", "synthetic"):
        for seed in (0, 1, 2):
            fids = _fids(arm, seed)
            _run(tmp_path / arm / f"seed_{seed}", arm, seed, fids[:4] if seed == 2 else fids)
    fid = next(c for c in compare_arms(find_sweep_runs(tmp_path)).comparisons if c.metric == "fid")
    assert fid.generations == (2, 3) and fid.seeds == (0, 1, 2)
    # per seed: synthetic - baseline = offset 1.0 + that seed's noise, at every generation
    assert fid.per_seed == pytest.approx((1.0, 1.2, 0.9))


def test_paired_runs_still_at_generation0_are_named_as_not_yet_comparable(tmp_path):
    """A sweep that has just started: two arms of seed 0 evaluated generation 0 only. No comparison can
    be formed, and the summary says why instead of leaving the reader to guess."""
    _run(tmp_path / "synthetic" / "seed_0", "synthetic", 0, [1.0])
    _run(tmp_path / "corrected" / "seed_0", "corrected", 0, [1.0])
    verdict = compare_arms(find_sweep_runs(tmp_path))
    assert verdict.comparisons == []
    assert verdict.skipped == ["corrected vs synthetic, seed 0, {}: no generation after 0 evaluated in both runs yet"]


def test_one_baseline_serves_every_lambda(tmp_path):
    """A lambda = 0.5 sweep run without its own baseline (the baseline uses no synthetic data, so lambda
    does not change it) is compared against the lambda = 1 sweep's baseline of the same seed."""
    for seed in (0, 1):
        base = [1.0 + seed, 1.0 + seed, 1.0 + seed]
        _run(tmp_path / "l1" / "baseline" / f"s{seed}", "baseline", seed, base, ratio=1.0, use_synthetic=False)
        _run(tmp_path / "l1" / "synthetic" / f"s{seed}", "synthetic", seed, [base[0], 3.0 + seed, 3.0 + seed],
             ratio=1.0, use_synthetic=True)  # fmt: skip
        _run(tmp_path / "l05" / "synthetic" / f"s{seed}", "synthetic", seed, [base[0], 2.0 + seed, 2.0 + seed],
             ratio=0.5, use_synthetic=True)  # fmt: skip
    verdict = compare_arms(find_sweep_runs(tmp_path))
    found = {(c.group["loop.synthetic_ratio"], c.arms): (c.difference, c.seeds) for c in verdict.comparisons}
    assert found == {(1.0, ("synthetic", "baseline")): (pytest.approx(2.0), (0, 1)),
                     (0.5, ("synthetic", "baseline")): (pytest.approx(1.0), (0, 1))}  # fmt: skip
    baselines = {row.group["loop.synthetic_ratio"] for row in verdict.per_generation if row.arm == "baseline"}
    assert baselines == {0.5, 1.0}  # the baseline's curve is drawn in both groups


def test_the_printed_verdict_names_the_swept_value_of_each_comparison(tmp_path, capsys):
    for ratio in (0.5, 1.0):
        _run(tmp_path / f"r{ratio}" / "baseline", "baseline", 0, [1.0, 1.0, 1.0], ratio=ratio)
        _run(tmp_path / f"r{ratio}" / "synthetic", "synthetic", 0, [1.0, 2.0, 2.0], ratio=ratio)
    assert report_cli([str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "synthetic_ratio=0.5: fid: no detectable difference" in printed
    assert "synthetic_ratio=1.0: fid: no detectable difference" in printed


def test_a_baseline_run_at_each_lambda_keeps_its_own_group(tmp_path):
    for ratio, fid in ((0.5, 1.0), (1.0, 1.5)):
        _run(tmp_path / f"r{ratio}" / "baseline", "baseline", 0, [fid, fid, fid], ratio=ratio, use_synthetic=False)
        _run(tmp_path / f"r{ratio}" / "synthetic", "synthetic", 0, [fid, fid + ratio, fid + ratio], ratio=ratio,
             use_synthetic=True)  # fmt: skip
    found = {c.group["loop.synthetic_ratio"]: c.difference for c in compare_arms(find_sweep_runs(tmp_path)).comparisons}
    assert found == pytest.approx({0.5: 0.5, 1.0: 1.0})


def test_a_shorter_copy_of_a_run_is_left_out_not_counted_as_a_seed(tmp_path):
    """A generation-0-only run of the baseline beside the full one (as the CPU sweep keeps them): the
    same arm, seed and settings, fewer generations planned. It must not average in as a second seed."""
    _run(tmp_path / "runs" / "baseline", "baseline", 1, [1.0, 1.0, 1.0])
    _run(tmp_path / "runs" / "synthetic", "synthetic", 1, [1.0, 2.0, 2.0])
    _run(tmp_path / "gen0_only" / "baseline", "baseline", 1, [1.0])
    config = yaml.safe_load((tmp_path / "gen0_only" / "baseline" / "config.yaml").read_text())
    config["loop"]["generations"] = 1
    (tmp_path / "gen0_only" / "baseline" / "config.yaml").write_text(yaml.safe_dump(config))
    verdict = compare_arms(find_sweep_runs(tmp_path))
    assert swept_keys(find_sweep_runs(tmp_path)) == []
    fid = next(c for c in verdict.comparisons if c.metric == "fid")
    assert fid.difference == pytest.approx(1.0) and fid.seeds == (1,)
    assert any("gen0_only" in note and "left out" in note for note in verdict.skipped)
    counts = {row.generation: row.seeds for row in verdict.per_generation if row.arm == "baseline" and row.metric == "fid"}
    assert counts == {0: 1, 1: 1, 2: 1}
