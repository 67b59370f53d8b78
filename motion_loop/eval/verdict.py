"""The verdict of a sweep: arms compared across seeds, with 95 % intervals (issue 13, item 3).

A sweep folder holds runs (`config.yaml` + `metrics.csv`), one per arm × seed × swept value. Runs are
grouped by the swept values (any config key that differs between runs of one arm, seeds excepted:
λ, γ, temperature, ...); a baseline run (no synthetic data) serves every λ, so a λ sweep needs one
baseline per seed. Within a group:

* per generation, each arm's mean over seeds with a t interval (`GenerationSummary`);
* for each pair of arms (synthetic − baseline, corrected − synthetic, corrected − baseline) and each
  headline metric, the per-seed difference of the two arms' means over the last third of the
  generations that every paired seed evaluated in both arms (one window for all seeds), for seeds
  whose two runs share generation 0 (same generation-0 metrics), then the mean
  of those differences over seeds with a t interval (`Comparison`): a paired comparison, so the large
  seed-to-seed spread of generation 0 cancels.

`write_summary` stores both in `SWEEP_DIR/summary.json`: `{"comparisons": [{"metric", "arms": [a, b],
"difference", "ci95": [low, high], "seeds", ...}], "per_generation": [...], "skipped": [...]}` with
difference = a − b.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy import stats

from motion_loop.errors import MotionLoopError
from motion_loop.io import atomic_write_json
from motion_loop.viz.curves import read_metrics_csv

SUMMARY_NAME = "summary.json"
# (a, b): the comparisons the issue asks for, reported as a − b.
ARM_PAIRS: tuple[tuple[str, str], ...] = (
    ("synthetic", "baseline"),
    ("corrected", "synthetic"),
    ("corrected", "baseline"),
)
# Headline metrics and which direction is better ("" = neither: closer to the real data is better).
HEADLINE_METRICS: dict[str, str] = {
    "fid": "lower",
    "fid_infinity": "lower",
    "kid": "lower",
    "r_precision_top3": "higher",
    "matching_score": "lower",
    "diversity": "",
    "skate_mm": "lower",
    "skating_ratio": "lower",
    "jerk": "lower",
    # Coherence (motion_loop/eval/coherence.py): root-relative motion per frame; closer to the real clips'.
    "foot_motion_median_mm": "",
    "foot_motion_p95_mm": "",
    "foot_motion_median_ratio": "",
    "foot_motion_p95_ratio": "",
    "joint_motion_p95_mm": "",
}
# Generation-0 metrics of two runs that share their generation-0 model agree to rounding.
_SAME_GENERATION0_RTOL = 1e-6
# Config keys that are never a swept value: the arm (and what it implies) and the seed.
_NOT_SWEPT_SUFFIXES = ("seed",)
# ... nor how many generations a run planned: a shorter run is the same experiment cut short (the
# comparisons use only generations that every paired seed reached).
_NOT_SWEPT_KEYS = ("loop.generations",)
# Keys a run without synthetic data (the baseline arm: loop.use_synthetic false) does not use: such a run
# serves every group that differs from it only in these (one baseline for a sweep over lambda).
_UNUSED_WITHOUT_SYNTHETIC = ("loop.synthetic_ratio",)


@dataclass(frozen=True)
class RunRecord:
    """One run of the sweep: its arm, seed, swept values and metric rows per generation."""

    path: Path
    arm: str
    seed: int
    config: dict[str, Any]
    rows: dict[int, dict[str, float]]  # generation -> metric -> value


@dataclass(frozen=True)
class Comparison:
    """The paired difference arms[0] − arms[1] of one metric over seeds (t interval).

    Attributes:
        metric: metric name (a column of metrics.csv).
        arms: (a, b); difference = a − b.
        difference: mean over seeds of the per-seed difference of the arms' last-third means.
        ci95: 95 % t interval of that mean over seeds (NaN with fewer than 2 seeds).
        seeds: the seeds that entered.
        generations: the generations averaged, the same for every seed (the last third of those that
            every entering seed evaluated in both arms).
        per_seed: each seed's difference.
        group: the swept values this comparison belongs to ({} when nothing else was swept).
        sentence: a plain reading of it.
    """

    metric: str
    arms: tuple[str, str]
    difference: float
    ci95: tuple[float, float]
    seeds: tuple[int, ...]
    generations: tuple[int, ...]
    per_seed: tuple[float, ...]
    group: dict[str, Any] = field(default_factory=dict)
    sentence: str = ""

    @property
    def detected(self) -> bool:
        low, high = self.ci95
        return math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["arms"], out["ci95"] = list(self.arms), [_json_float(v) for v in self.ci95]
        out["seeds"], out["generations"], out["per_seed"] = list(self.seeds), list(self.generations), list(self.per_seed)
        out["difference"], out["detected"] = _json_float(self.difference), self.detected
        return out


@dataclass(frozen=True)
class GenerationSummary:
    """Mean over seeds of one arm's metric at one generation, with its 95 % t half-width."""

    group: dict[str, Any]
    arm: str
    generation: int
    metric: str
    mean: float
    ci95: float
    seeds: int


@dataclass
class Verdict:
    """Everything `write_summary` stores."""

    comparisons: list[Comparison]
    per_generation: list[GenerationSummary]
    skipped: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "comparisons": [c.to_dict() for c in self.comparisons],
            "per_generation": [
                {**asdict(s), "mean": _json_float(s.mean), "ci95": _json_float(s.ci95)} for s in self.per_generation
            ],
            "skipped": list(self.skipped),
            "definition": "difference = arms[0] - arms[1]: per seed, the mean over the last third of the "
            "generations that every seed evaluated in both arms (the same generations for all seeds), then "
            "the mean over seeds with a 95 % t interval; only pairs of runs that share a seed and generation 0",
        }


def _json_float(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def load_run(
    path: Path, metrics_rows: list[dict[str, Any]] | None = None, config: dict[str, Any] | None = None
) -> RunRecord:
    """A run folder's arm, seed, flattened config and metrics per generation (first node's rows);
    `metrics_rows` and `config`: its metrics.csv and config.yaml when the caller has read them already."""
    config = _flatten((yaml.safe_load((path / "config.yaml").read_text()) if config is None else config) or {})
    arm = str(config.get("loop.arm") or config.get("arm") or path.parent.name)
    seed = int(config.get("loop.seed", config.get("seed", 0)))
    rows: dict[int, dict[str, float]] = {}
    node = None
    for row in read_metrics_csv(path / "metrics.csv") if metrics_rows is None else metrics_rows:
        node = row.get("node", "model") if node is None else node
        if row.get("node", "model") != node or not isinstance(row.get("generation"), float):
            continue
        rows[int(row["generation"])] = {k: float(v) for k, v in row.items() if isinstance(v, float) and k != "generation"}
    return RunRecord(path, arm, seed, config, rows)


def swept_keys(runs: list[RunRecord]) -> list[str]:
    """Config keys that differ between runs of one arm (seeds excepted): the sweep's swept values."""
    by_arm: dict[str, list[RunRecord]] = defaultdict(list)
    for run in runs:
        by_arm[run.arm].append(run)
    keys: set[str] = set()
    for members in by_arm.values():
        for key in {k for run in members for k in run.config}:
            if key.endswith(_NOT_SWEPT_SUFFIXES) or key in _NOT_SWEPT_KEYS:
                continue
            if len({repr(run.config.get(key)) for run in members}) > 1:
                keys.add(key)
    return sorted(keys)


def _t_interval(values: np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high) of a 95 % t interval; NaN bounds with fewer than 2 values."""
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
    return mean, mean - half, mean + half


def last_third(generations: list[int]) -> list[int]:
    """The generations after the first two thirds of the loop (generation 0 never counts)."""
    later = sorted(g for g in generations if g > 0)
    if not later:
        return []
    cut = math.ceil(2 * later[-1] / 3)
    return [g for g in later if g >= cut]


def _same_generation0(a: RunRecord, b: RunRecord, metrics: list[str]) -> bool:
    """Whether two runs start from one generation-0 model: its evaluated metrics agree. Only the compared
    metrics count: bookkeeping columns (n_samples, correction_*, fit_*) differ between arms by design."""
    first_a, first_b = a.rows.get(0), b.rows.get(0)
    if first_a is None or first_b is None:
        return False
    shared = [k for k in metrics if k in first_a and k in first_b]
    return bool(shared) and all(
        math.isclose(first_a[k], first_b[k], rel_tol=_SAME_GENERATION0_RTOL, abs_tol=1e-12)
        or (math.isnan(first_a[k]) and math.isnan(first_b[k]))
        for k in shared
    )


def _finite(row: dict[str, float], metric: str) -> bool:
    return metric in row and math.isfinite(row[metric])


def sentence(comparison: Comparison, better: str) -> str:
    """A plain reading: "no detectable difference" when the interval contains 0 (or cannot be formed)."""
    a, b = comparison.arms
    low, high = comparison.ci95
    seeds = len(comparison.seeds)
    if not comparison.detected:
        why = "" if math.isfinite(low) else f" (only {seeds} seed: no interval)"
        return f"{comparison.metric}: no detectable difference between {a} and {b}{why}."
    direction = "higher" if comparison.difference > 0 else "lower"
    judgement = ""
    if better:
        good = (direction == "lower") == (better == "lower")
        judgement = f": {a} is {'better' if good else 'worse'}"
    return (
        f"{comparison.metric}: {a} is {direction} than {b} by {abs(comparison.difference):.4g} "
        f"(95 % interval {low:.4g} to {high:.4g} over {seeds} seeds){judgement}."
    )


def _metrics_of(runs: list[RunRecord]) -> list[str]:
    present = {k for run in runs for row in run.rows.values() for k in row}
    return [m for m in HEADLINE_METRICS if m in present]


def compare_arms(runs: list[RunRecord], *, pairs: tuple[tuple[str, str], ...] = ARM_PAIRS) -> Verdict:
    """Per-generation means and paired comparisons of the arms, per group of swept values."""
    keys = swept_keys(runs)
    comparisons: list[Comparison] = []
    per_generation: list[GenerationSummary] = []
    skipped: list[str] = []
    for group, grouped in _groups(runs, keys):
        members, left_out = one_run_per_arm_and_seed(grouped)
        skipped += left_out
        metrics = _metrics_of(members)
        per_generation += _per_generation(members, metrics, group)
        by_arm_seed = {(run.arm, run.seed): run for run in members}
        for a, b in pairs:
            seeds = sorted({s for arm, s in by_arm_seed if arm == a} & {s for arm, s in by_arm_seed if arm == b})
            paired = []
            for seed in seeds:
                run_a, run_b = by_arm_seed[(a, seed)], by_arm_seed[(b, seed)]
                if not _same_generation0(run_a, run_b, metrics):
                    skipped.append(f"{a} vs {b}, seed {seed}, {group}: generation 0 differs (not paired)")
                    continue
                paired.append((seed, run_a, run_b))
                if not any(g > 0 and g in run_b.rows for g in run_a.rows):
                    skipped.append(f"{a} vs {b}, seed {seed}, {group}: no generation after 0 evaluated in both runs yet")
            for metric in metrics:
                comparison = _compare(metric, a, b, paired, group)
                if comparison is not None:
                    comparisons.append(comparison)
    return Verdict(comparisons, per_generation, skipped)


def _unused_keys(run: RunRecord) -> set[str]:
    """Config keys that cannot change what this run computes (λ for a run without synthetic data)."""
    return set(_UNUSED_WITHOUT_SYNTHETIC) if run.config.get("loop.use_synthetic") is False else set()


def swept_label(run: RunRecord, keys: list[str]) -> str:
    """The run's arm and the swept values it uses, e.g. "synthetic (synthetic_ratio=0.5)"; a baseline
    run, which serves every λ, is labelled without λ."""
    unused = _unused_keys(run)
    values = ", ".join(f"{key.rsplit('.', 1)[-1]}={run.config.get(key)}" for key in keys if key not in unused)
    return f"{run.arm} ({values})" if values else run.arm


def _groups(runs: list[RunRecord], keys: list[str]) -> list[tuple[dict[str, Any], list[RunRecord]]]:
    """The runs grouped by their swept values, each group with its values. A run that does not use some
    of the swept keys (`_UNUSED_WITHOUT_SYNTHETIC`) also serves every group of the other runs that it
    matches on the rest, once per arm and seed (a run whose own values match the group first)."""

    def unused(run: RunRecord) -> set[str]:
        return _unused_keys(run) & set(keys)

    def values(run: RunRecord) -> tuple[str, ...]:
        return tuple(repr(run.config.get(k)) for k in keys)

    def serves(run: RunRecord, key: tuple[str, ...]) -> bool:
        return all(k in unused(run) or repr(run.config.get(k)) == v for k, v in zip(keys, key, strict=True))

    groups: dict[tuple[str, ...], list[RunRecord]] = defaultdict(list)
    for run in runs:
        groups[values(run)].append(run)
    shared = sorted((run for run in runs if unused(run)), key=lambda run: str(run.path))
    for key, members in groups.items():
        taken = {(run.arm, run.seed) for run in members}
        for run in sorted(shared, key=lambda run: values(run) != key):  # the group's own runs first
            if (run.arm, run.seed) not in taken and serves(run, key):
                members.append(run)
                taken.add((run.arm, run.seed))
    label = {key: next(run for run in runs if values(run) == key) for key in groups}
    return [({k: label[key].config.get(k) for k in keys}, members) for key, members in groups.items()]


def one_run_per_arm_and_seed(members: list[RunRecord]) -> tuple[list[RunRecord], list[str]]:
    """Two runs of one arm and seed with the same swept values (a copy, or a generation-0-only run beside
    the full one) would count as two seeds. Keep the one that got furthest; name the others."""
    kept: dict[tuple[str, int], RunRecord] = {}
    for run in sorted(members, key=lambda run: (-max(run.rows, default=-1), str(run.path))):
        kept.setdefault((run.arm, run.seed), run)
    left_out = [f"{run.path}: another run of {run.arm} seed {run.seed} with the same settings got further "
                f"({kept[(run.arm, run.seed)].path}); left out" for run in members if run is not kept[(run.arm, run.seed)]]  # fmt: skip
    return [run for run in members if run is kept[(run.arm, run.seed)]], left_out


def _compare(
    metric: str, a: str, b: str, paired: list[tuple[int, RunRecord, RunRecord]], group: dict[str, Any]
) -> Comparison | None:
    # One window for every seed: the last third of the generations that every paired seed evaluated in
    # both arms, so that a seed whose runs stopped earlier (an interrupted sweep) is not averaged over
    # other generations than the rest.
    # Seeds with no evaluated generation after 0 in both arms cannot contribute and are left out.
    evaluated = {}
    for seed, run_a, run_b in paired:
        both = {g for g in run_a.rows if g in run_b.rows and _finite(run_a.rows[g], metric) and _finite(run_b.rows[g], metric)}
        if any(g > 0 for g in both):
            evaluated[seed] = both
    window = last_third(sorted(set.intersection(*evaluated.values()))) if evaluated else []
    if not window:
        return None
    seeds, differences = [], []
    for seed, run_a, run_b in paired:
        if seed not in evaluated:
            continue
        seeds.append(seed)
        differences.append(float(np.mean([run_a.rows[g][metric] for g in window]) - np.mean([run_b.rows[g][metric] for g in window])))
    used = set(window)
    mean, low, high = _t_interval(np.asarray(differences))
    comparison = Comparison(metric, (a, b), mean, (low, high), tuple(seeds), tuple(sorted(used)), tuple(differences), group)
    better = HEADLINE_METRICS.get(metric, "")
    return replace(comparison, sentence=sentence(comparison, better))


def _per_generation(runs: list[RunRecord], metrics: list[str], group: dict[str, Any]) -> list[GenerationSummary]:
    out = []
    for arm in sorted({run.arm for run in runs}):
        members = [run for run in runs if run.arm == arm]
        for generation in sorted({g for run in members for g in run.rows}):
            for metric in metrics:
                values = np.asarray([run.rows[generation][metric] for run in members
                                     if generation in run.rows and math.isfinite(run.rows[generation].get(metric, math.nan))])  # fmt: skip
                if values.size == 0:
                    continue
                mean, low, _ = _t_interval(values)
                out.append(GenerationSummary(group, arm, generation, metric, mean, mean - low, int(values.size)))
    return out


def find_sweep_runs(path: Path) -> list[RunRecord]:
    """Every run (a folder with config.yaml and metrics.csv) at or below `path`."""
    path = Path(path)
    folders = sorted(p.parent for p in path.rglob("metrics.csv") if (p.parent / "config.yaml").is_file())
    if not folders:
        raise MotionLoopError(f"no run under {path}: expected folders with config.yaml and metrics.csv")
    return [load_run(folder) for folder in folders]


def write_summary(sweep_dir: Path) -> Verdict:
    """Compute the verdict of the sweep at `sweep_dir` and write `sweep_dir/summary.json`."""
    verdict = compare_arms(find_sweep_runs(sweep_dir))
    atomic_write_json(Path(sweep_dir) / SUMMARY_NAME, verdict.to_dict())
    return verdict
