"""What each metric column of metrics.csv means for a reader: a name in words, its unit, which
direction is better, and the real-data column it is compared with (if any)."""

from __future__ import annotations

from dataclasses import dataclass

# Which direction is better: "lower", "higher", "closer to real" or "" (no judgement: a cost or a count).
LOWER, HIGHER, CLOSER = "lower", "higher", "closer to real"


@dataclass(frozen=True)
class MetricInfo:
    """A metric as the report presents it.

    Attributes:
        name: the metrics.csv column.
        label: the metric in words.
        unit: unit of its values ("" = a pure number).
        better: LOWER, HIGHER, CLOSER or "".
        reference: the metrics.csv column holding the same metric on real data ("" = none).
    """

    name: str
    label: str
    unit: str = ""
    better: str = ""
    reference: str = ""

    @property
    def axis_label(self) -> str:
        return f"{self.label} [{self.unit}]" if self.unit else self.label

    @property
    def better_text(self) -> str:
        return {LOWER: "lower is better", HIGHER: "higher is better", CLOSER: "closer to real data is better"}.get(self.better, "")

    @property
    def title(self) -> str:
        return f"{self.label} ({self.better_text})" if self.better_text else self.label


_EMBEDDING = "evaluator embedding distance"
_KNOWN: dict[str, tuple[str, str, str, str]] = {
    "fid": ("FID to real motions", "squared embedding distance", LOWER, ""),
    "fid_infinity": ("FID extrapolated to infinite samples", "squared embedding distance", LOWER, ""),
    "kid": ("KID to real motions", "squared embedding distance", LOWER, ""),
    "r_precision_top1": ("R-precision, top 1", "fraction of 32", HIGHER, ""),
    "r_precision_top2": ("R-precision, top 2", "fraction of 32", HIGHER, ""),
    "r_precision_top3": ("R-precision, top 3", "fraction of 32", HIGHER, ""),
    "matching_score": ("Text-motion matching distance", _EMBEDDING, LOWER, ""),
    "diversity": ("Diversity of generated motions", _EMBEDDING, CLOSER, "diversity_real"),
    "diversity_real": ("Diversity of real motions", _EMBEDDING, "", ""),
    "multimodality": ("Multimodality (variety per prompt)", _EMBEDDING, CLOSER, ""),
    "penetrate_mm": ("Floor penetration", "mm", LOWER, ""),
    "float_mm": ("Floating above the floor", "mm", LOWER, ""),
    "skate_mm": ("Foot skating", "mm/frame", LOWER, ""),
    "skating_ratio": ("Foot-skating ratio", "fraction of frames", LOWER, ""),
    "jerk": ("Jerk", "m/s³", LOWER, ""),
    "contact_consistency": ("Foot-contact label consistency", "fraction", HIGHER, ""),
    "surface_penetrate_mm": ("Humanoid sole penetration", "mm", LOWER, ""),
    "surface_float_mm": ("Humanoid sole floating", "mm", LOWER, ""),
    "surface_skate_mm": ("Humanoid sole skating", "mm/frame", LOWER, ""),
    "residual_force_pct_bw": ("Residual root force (inverse dynamics)", "% body weight", LOWER, ""),
    "residual_force_p95_pct_bw": ("Residual root force, 95th percentile", "% body weight", LOWER, ""),
    "correction_mpjpe_mm": ("Correction displacement (MPJPE)", "mm", LOWER, ""),
    "correction_residual_force_pct_bw": ("Residual force the correction needed", "% body weight", LOWER, ""),
    "correction_resets": ("Tracking resets per clip", "count", LOWER, ""),
    "correction_seconds": ("Correction time per clip", "s", LOWER, ""),
}
# Suffixes of the correction statistics: the same quantity before and after correction.
_SUFFIX_WORDS = {"_before": ", before correction", "_after": ", after correction"}


def metric_info(name: str) -> MetricInfo:
    """The presentation of a metric column; unknown columns keep their name and get no unit or direction."""
    if name in _KNOWN:
        label, unit, better, reference = _KNOWN[name]
        return MetricInfo(name, label, unit, better, reference)
    for suffix, words in _SUFFIX_WORDS.items():
        base = name.removeprefix("correction_").removesuffix(suffix)
        if name.endswith(suffix) and base in _KNOWN:
            label, unit, better, _ = _KNOWN[base]
            return MetricInfo(name, label + words, unit, better)
    unit = "mm" if name.endswith("_mm") else "% body weight" if name.endswith("_pct_bw") else ""
    return MetricInfo(name, name.replace("_", " "), unit)
