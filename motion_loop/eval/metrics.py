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
* Replications: the mean is reported with the 95 % interval half-width 1.96 * std / sqrt(R) (np.std,
  ddof = 0, as the reference evaluation does).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from motion_loop.errors import MotionLoopError

# Chance level rises with fewer distractors, so the reference keeps evaluation batches at 32 pairs.
R_PRECISION_BATCH = 32
# Added to both covariances when the product's square root is not finite (reference value).
FID_EPS = 1e-6
# Largest imaginary diagonal of sqrtm(S_r S_g) that is dropped as numerical noise (reference value).
FID_MAX_IMAG = 1e-3
# z of the two-sided 95 % normal interval.
_Z95 = 1.96


class MetricError(MotionLoopError):
    """A metric cannot be computed from the inputs given (too few samples, wrong shapes, NaN)."""


@dataclass(frozen=True)
class MetricRecord:
    """One metric over replications: mean, 95 % interval half-width and the per-replication values.

    Attributes:
        name: metric name, e.g. "fid" or "r_precision_top3".
        mean: mean over replications.
        ci95: 1.96 * std / sqrt(R) (0 for a single replication).
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
            "ci95": self.ci95,
            "values": list(self.values),
            "better": self.better,
            "unit": self.unit,
            "note": self.note,
            "available": self.available,
            **({"extra": self.extra} if self.extra else {}),
        }


def summarize(name: str, values: list[float] | np.ndarray, *, better: str = "lower", unit: str = "", note: str = "") -> MetricRecord:
    """A record of `values` (one per replication): mean and 1.96 * std / sqrt(R)."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.size == 0:
        raise MetricError(f"metric {name!r}: no replication values to summarize")
    ci95 = float(_Z95 * array.std() / np.sqrt(array.size))
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
