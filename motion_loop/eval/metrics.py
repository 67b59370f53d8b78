"""Text-to-motion metrics on evaluator embeddings, exactly as the HumanML3D/T2M evaluation defines them.

Notation (humanml3d-format.md §3.3): t_i is a text embedding and m_i a motion embedding (D = 512);
aligned pairs (t_i, m_i) describe the same clip.

* FID: ||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^{1/2}), covariances by `np.cov(rowvar=False)`;
  when the matrix square root is not finite, eps * I (eps = 1e-6) is added to both covariances; an
  imaginary part is dropped only when its diagonal is below 1e-3 (otherwise the error says so).
* Diversity: two independent index sets I, J of size S drawn without replacement;
  mean_s ||m_{I_s} - m_{J_s}||.
* R-precision top-k and matching score: within batches of B = 32 aligned pairs, D_ij = ||t_i - m_j||;
  R@k = share of rows whose true motion ranks <= k among the B motions; matching score = mean of the
  diagonal of D.
* Multimodality: per prompt, `times` pairs (two independent draws without replacement) among its
  repeated generations; mean ||m_a - m_b|| over prompts and pairs.
* Replications: the mean is reported with a 95 % interval half-width over the R replications:
  "t" (default): t_{0.975, R-1} * std(ddof = 1) / sqrt(R), the interval of a mean of R values;
  "reference": 1.96 * std(ddof = 0) / sqrt(R), as the reference evaluation computes it. The reference
  formula is a normal interval with the biased std: at R = 2 it is 9.2x narrower than the t interval,
  at R = 3 3.0x, at R = 20 1.10x.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, stats

from motion_loop.errors import MotionLoopError

# Chance level rises with fewer distractors, so the reference keeps evaluation batches at 32 pairs.
R_PRECISION_BATCH = 32
# Added to both covariances when the product's square root is not finite (reference value).
FID_EPS = 1e-6
# Largest imaginary diagonal of sqrtm(S_r S_g) that is dropped as numerical noise (reference value).
FID_MAX_IMAG = 1e-3
# z of the two-sided 95 % normal interval (the reference evaluation's interval).
_Z95 = 1.96
# How the interval over replications is formed (see the module docstring).
INTERVALS = ("t", "reference")


class MetricError(MotionLoopError):
    """A metric cannot be computed from the inputs given (too few samples, wrong shapes, NaN)."""


@dataclass(frozen=True)
class MetricRecord:
    """One metric over replications: mean, 95 % interval half-width and the per-replication values.

    Attributes:
        name: metric name, e.g. "fid" or "r_precision_top3".
        mean: mean over replications.
        ci95: 95 % half-width over the R replications (t interval by default, see `summarize`); NaN
            ("no interval", `null` in JSON) for a single replication, whose spread is unknown: a 0 would
            claim a certainty one value cannot give.
        values: value of each replication.
        better: "lower", "higher" or "closer_to_real" (diversity, multimodality).
        unit: unit of the value ("" for embedding-space distances, "mm", "ratio", ...).
        note: how it was computed when that is not obvious (e.g. "not available: ...").
    """

    name: str
    mean: float
    ci95: float
    values: tuple[float, ...]
    better: str = "lower"
    unit: str = ""
    note: str = ""
    available: bool = True
    extra: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "mean": self.mean,
            "ci95": None if math.isnan(self.ci95) else self.ci95,
            "values": list(self.values),
            "better": self.better,
            "unit": self.unit,
            "note": self.note,
            "available": self.available,
            **({"extra": self.extra} if self.extra else {}),
        }


def interval_half_width(values: np.ndarray, interval: str = "t") -> float:
    """95 % half-width of the mean of `values` (R >= 2): "t" or "reference" (module docstring)."""
    size = values.size
    if interval == "t":
        return float(stats.t.ppf(0.975, size - 1) * values.std(ddof=1) / np.sqrt(size))
    if interval == "reference":
        return float(_Z95 * values.std() / np.sqrt(size))
    raise MetricError(f"unknown interval {interval!r}; use one of {INTERVALS}")


def summarize(
    name: str, values: list[float] | np.ndarray, *, better: str = "lower", unit: str = "", note: str = "",
    interval: str = "t",
) -> MetricRecord:  # fmt: skip
    """A record of `values` (one per replication): mean and 95 % half-width (`interval`; NaN for R = 1)."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.size == 0:
        raise MetricError(f"metric {name!r}: no replication values to summarize")
    ci95 = interval_half_width(array, interval) if array.size > 1 else math.nan
    return MetricRecord(name, float(array.mean()), ci95, tuple(float(v) for v in array), better, unit, note)


def unavailable(name: str, reason: str, *, unit: str = "") -> MetricRecord:
    """A record for a metric that was not computed, saying why (never a silent zero)."""
    return MetricRecord(name, float("nan"), float("nan"), (), "lower", unit, f"not available: {reason}", False)


def _check_embeddings(name: str, embeddings: np.ndarray, *, min_rows: int = 1) -> np.ndarray:
    embeddings = np.asarray(embeddings, dtype=np.float64)
    if embeddings.ndim != 2:
        raise MetricError(f"{name}: embeddings must have shape (N, D), got {embeddings.shape}")
    if embeddings.shape[0] < min_rows:
        raise MetricError(f"{name}: needs at least {min_rows} embeddings, got {embeddings.shape[0]}")
    if not np.all(np.isfinite(embeddings)):
        raise MetricError(f"{name}: embeddings contain NaN or inf")
    return embeddings


def euclidean_distance_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise distances (N, D), (M, D) -> (N, M), as sqrt(a^2 + b^2 - 2ab) clipped at 0."""
    squared = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(squared, 0.0))


@dataclass(frozen=True)
class GaussianStats:
    """Mean (D,) and covariance (D, D) of a set of embeddings (the FID sufficient statistics)."""

    mu: np.ndarray
    sigma: np.ndarray
    count: int


def gaussian_stats(embeddings: np.ndarray) -> GaussianStats:
    """Mean and `np.cov(rowvar=False)` covariance of (N, D) embeddings; N >= 2."""
    embeddings = _check_embeddings("gaussian_stats", embeddings, min_rows=2)
    return GaussianStats(embeddings.mean(0), np.cov(embeddings, rowvar=False), embeddings.shape[0])


def _sqrtm(matrix: np.ndarray) -> np.ndarray:
    # A singular product warns and may return non-finite entries: the caller's eps fallback handles it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        return np.asarray(linalg.sqrtm(matrix))


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray, *, eps: float = FID_EPS
) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2).

    Raises:
        MetricError: shapes differ, or sqrtm has an imaginary diagonal above 1e-3.
    """
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1, sigma2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (mu1.size, mu1.size):
        raise MetricError(
            f"FID: mismatched statistics: mu {mu1.shape} vs {mu2.shape}, sigma {sigma1.shape} vs {sigma2.shape}"
        )
    diff = mu1 - mu2
    covmean = _sqrtm(sigma1 @ sigma2)
    if not np.all(np.isfinite(covmean)):
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        max_imag = float(np.max(np.abs(np.diagonal(covmean).imag)))
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=FID_MAX_IMAG):
            raise MetricError(
                f"FID: sqrtm has an imaginary diagonal component {max_imag:.3g} > {FID_MAX_IMAG}; "
                "the covariances are badly conditioned (too few samples for the embedding dimension?)"
            )
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))


def fid(real: GaussianStats | np.ndarray, generated: GaussianStats | np.ndarray) -> float:
    """FID between two embedding sets (N, D) or their precomputed `GaussianStats`."""
    a = real if isinstance(real, GaussianStats) else gaussian_stats(real)
    b = generated if isinstance(generated, GaussianStats) else gaussian_stats(generated)
    return frechet_distance(a.mu, a.sigma, b.mu, b.sigma)


def diversity(embeddings: np.ndarray, times: int, rng: np.random.Generator) -> float:
    """Mean distance of `times` random pairs (two independent draws without replacement).

    Raises:
        MetricError: fewer embeddings than `times`.
    """
    embeddings = _check_embeddings("diversity", embeddings)
    N = embeddings.shape[0]
    if times < 1 or N < times:
        raise MetricError(
            f"diversity: needs at least diversity_times={times} motions, got {N}; "
            f"lower eval.metrics.diversity_times (the reference uses 300, or 20 % of the set)"
        )
    first = rng.choice(N, times, replace=False)
    second = rng.choice(N, times, replace=False)
    return float(np.linalg.norm(embeddings[first] - embeddings[second], axis=1).mean())


@dataclass(frozen=True)
class MatchingResult:
    """R-precision top-1..k (k,) and matching score of one replication, over `count` pairs."""

    r_precision: np.ndarray  # (top_k,)
    matching_score: float
    count: int
    dropped: int


def r_precision_and_matching(
    text: np.ndarray,
    motion: np.ndarray,
    rng: np.random.Generator | None,
    *,
    batch_size: int = R_PRECISION_BATCH,
    top_k: int = 3,
) -> MatchingResult:
    """R-precision and matching score of aligned (N, D) pairs within batches of `batch_size`.

    Pairs are shuffled with `rng` (None keeps their order) and cut into full batches; the remainder
    (N mod batch_size) is dropped, as the reference loaders do, and counted in `dropped`.

    Raises:
        MetricError: fewer than one full batch, or shapes differ.
    """
    text = _check_embeddings("r_precision", text)
    motion = _check_embeddings("r_precision", motion)
    if text.shape != motion.shape:
        raise MetricError(f"r_precision: text {text.shape} and motion {motion.shape} embeddings must align")
    N = text.shape[0]
    if N < batch_size:
        raise MetricError(
            f"r_precision: needs at least one batch of {batch_size} pairs, got {N}; "
            "R-precision is defined within batches of 32 (31 distractors), so evaluate more clips"
        )
    order = rng.permutation(N) if rng is not None else np.arange(N)
    batches = N // batch_size
    hits = np.zeros(top_k)
    trace = 0.0
    for b in range(batches):
        index = order[b * batch_size : (b + 1) * batch_size]
        distances = euclidean_distance_matrix(text[index], motion[index])  # (B, B)
        trace += float(np.trace(distances))
        # rank of the true motion in each row: number of motions strictly closer, ties broken by argsort
        ranking = np.argsort(distances, axis=1, kind="stable")
        true_rank = np.argmax(ranking == np.arange(batch_size)[:, None], axis=1)  # 0-based
        for k in range(top_k):
            hits[k] += float((true_rank <= k).sum())
    count = batches * batch_size
    return MatchingResult(hits / count, trace / count, count, N - count)


def multimodality(embeddings: np.ndarray, times: int, rng: np.random.Generator) -> float:
    """Mean distance of `times` random pairs among the repeats of each prompt, (P, R, D) -> float.

    Raises:
        MetricError: fewer repeats per prompt than `times`.
    """
    embeddings = np.asarray(embeddings, dtype=np.float64)
    if embeddings.ndim != 3:
        raise MetricError(f"multimodality: embeddings must be (prompts, repeats, D), got {embeddings.shape}")
    P, R, _ = embeddings.shape
    if times < 1 or R < times:
        raise MetricError(f"multimodality: needs at least mm_times={times} repeats per prompt, got {R}")
    first = rng.choice(R, times, replace=False)
    second = rng.choice(R, times, replace=False)
    return float(np.linalg.norm(embeddings[:, first] - embeddings[:, second], axis=2).mean())


# Bińkowski et al. 2018 (KID) use 100 subsets of at most 1,000 samples per side.
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000
# Chong & Forsyth 2020 fit FID at 15 sample counts between 5k and 50k (a factor 10); with our small sets
# the fractions of each set below give the same linear fit in 1/N over a factor 2.5.
FID_INF_FRACTIONS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
FID_INF_DRAWS = 3


@dataclass(frozen=True)
class KIDResult:
    """Kernel Inception Distance over subsets: mean and std of the unbiased MMD² estimates.

    Attributes:
        mean: mean of the per-subset estimates.
        std: their standard deviation (the spread of one estimate at `subset_size`).
        subsets, subset_size: how many subsets of how many samples per side.
    """

    mean: float
    std: float
    subsets: int
    subset_size: int


def polynomial_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """k(x, y) = (xᵀy / d + 1)³ for rows of (N, D) and (M, D) -> (N, M) (the KID kernel)."""
    return (a @ b.T / a.shape[1] + 1.0) ** 3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² (Gretton et al. 2012, eq. 3) with the cubic polynomial kernel; (m, D), (n, D)."""
    m, n = x.shape[0], y.shape[0]
    k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    # The diagonal terms k(x_i, x_i) are left out: that is what makes the estimate unbiased.
    term_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    term_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(term_x + term_y - 2.0 * k_xy.mean())


def kid(
    real: np.ndarray,
    generated: np.ndarray,
    rng: np.random.Generator,
    *,
    subsets: int = KID_SUBSETS,
    subset_size: int = KID_SUBSET_SIZE,
) -> KIDResult:
    """KID between (N_r, D) and (N_g, D) embeddings: unbiased MMD² on `subsets` random subsets.

    Each subset draws min(subset_size, N_r, N_g) rows of each side without replacement. When both
    sets are no larger than the subset, every subset is the whole set: std 0 then says nothing about
    the estimate's noise, so the size is halved to keep the subsets apart (noted by `subset_size`).

    Raises:
        MetricError: fewer than 2 rows on a side, or dimensions differ.
    """
    real = _check_embeddings("KID", real, min_rows=2)
    generated = _check_embeddings("KID", generated, min_rows=2)
    if real.shape[1] != generated.shape[1]:
        raise MetricError(f"KID: embedding sizes differ: {real.shape[1]} vs {generated.shape[1]}")
    if subsets < 1:
        raise MetricError(f"KID: needs subsets >= 1, got {subsets}")
    size = min(subset_size, real.shape[0], generated.shape[0])
    if size == min(real.shape[0], generated.shape[0]) and size >= 4:
        size //= 2
    estimates = [
        mmd2_unbiased(
            real[rng.choice(real.shape[0], size, replace=False)],
            generated[rng.choice(generated.shape[0], size, replace=False)],
        )
        for _ in range(subsets)
    ]
    return KIDResult(float(np.mean(estimates)), float(np.std(estimates)), subsets, size)


@dataclass(frozen=True)
class FIDInfinityResult:
    """FID extrapolated to infinitely many samples (Chong & Forsyth 2020, §3).

    FID at a sample count N is ≈ FID∞ + c / N (its bias is linear in 1/N); fitting FID against 1/N and
    reading the intercept removes it. Here both sides are subsampled to the same fraction f of their
    size, so the bias of the reference statistics (c_r / (f N_r)) is removed too.

    Attributes:
        value: the intercept (FID∞). It may be slightly negative for equal distributions.
        slope: the fitted bias coefficient c (FID units × samples).
        stderr: the intercept's standard error from the least-squares fit.
        counts: generated-side sample counts of the fit; fids: mean FID at each.
    """

    value: float
    slope: float
    stderr: float
    counts: tuple[int, ...]
    fids: tuple[float, ...]


def _fid_eigh(a: np.ndarray, b: np.ndarray) -> float:
    """FID of (N, D) and (M, D) rows through symmetric eigendecompositions (same value as `fid`).

    Tr (S_a S_b)^{1/2} = Σ sqrt(eig(S_a^{1/2} S_b S_a^{1/2})), a symmetric PSD matrix: two `eigh` calls
    instead of one general `sqrtm`, about 10x faster at D = 512 (FID∞ needs ~20 FIDs per evaluation).
    """
    mu_a, mu_b = a.mean(0), b.mean(0)
    sigma_a, sigma_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(sigma_a)
    root_a = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
    inner = np.linalg.eigvalsh(root_a @ sigma_b @ root_a)
    trace_root = float(np.sqrt(np.clip(inner, 0.0, None)).sum())
    diff = mu_a - mu_b
    return float(diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * trace_root)


def fid_infinity(
    real: np.ndarray,
    generated: np.ndarray,
    rng: np.random.Generator,
    *,
    fractions: tuple[float, ...] = FID_INF_FRACTIONS,
    draws: int = FID_INF_DRAWS,
) -> FIDInfinityResult:
    """FID∞ of (N_r, D) against (N_g, D) embeddings: FID on `draws` random subsets at each fraction of
    both sets, a least-squares line in 1/N_g, and its intercept.

    Raises:
        MetricError: fewer than two distinct sample counts, or a subset smaller than 2 rows.
    """
    real = _check_embeddings("FID∞", real, min_rows=2)
    generated = _check_embeddings("FID∞", generated, min_rows=2)
    counts, fids = [], []
    for fraction in fractions:
        n_real, n_gen = round(fraction * real.shape[0]), round(fraction * generated.shape[0])
        if min(n_real, n_gen) < 2:
            continue
        values = []
        for _ in range(draws if fraction < 1.0 else 1):  # the full sets are one draw
            a = real[rng.choice(real.shape[0], n_real, replace=False)]
            b = generated[rng.choice(generated.shape[0], n_gen, replace=False)]
            values.append(_fid_eigh(a, b))
        counts.append(n_gen)
        fids.append(float(np.mean(values)))
    if len(set(counts)) < 2:
        raise MetricError(
            f"FID∞: needs at least two distinct sample counts, got {counts} from sets of "
            f"{real.shape[0]} and {generated.shape[0]} rows; evaluate more clips"
        )
    inverse = 1.0 / np.asarray(counts, dtype=np.float64)
    design = np.stack([np.ones_like(inverse), inverse], axis=1)  # FID = a + c / N
    coef, residual, _, _ = np.linalg.lstsq(design, np.asarray(fids), rcond=None)
    dof = len(counts) - 2
    sigma2 = float(residual[0]) / dof if dof > 0 and residual.size else 0.0
    stderr = float(np.sqrt(sigma2 * np.linalg.inv(design.T @ design)[0, 0]))
    return FIDInfinityResult(float(coef[0]), float(coef[1]), stderr, tuple(counts), tuple(fids))
