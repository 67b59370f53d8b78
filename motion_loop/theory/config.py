"""Typed configs of the three theory experiments (Hydra schemas; YAML presets in conf/theory/).

`out_dir` empty means "the Hydra run folder" (or outputs/theory/NAME/TIMESTAMP outside a Hydra app);
`progress` shows tqdm bars. Neither is part of a run's identity, so neither is stored for resume.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motion_loop.loop.mixing import MixingPolicy


@dataclass
class HeatDeathConfig:
    """Categorical model with temperature, one run per temperature, plus the tau = 1 drift study.

    Attributes:
        generations: generations per run, generation 0 included.
        num_outcomes: K outcomes; the truth is Zipf: p_k proportional to (k+1)^-zipf_exponent.
        initial_size: n0, size of the initial (real) dataset.
        temperatures: one run per tau, all drawn in one plot.
        mixing: lambda = samples added per generation / n0, pool "accumulate" = the dataset grows.
        drift_initial_sizes: tau = 1 martingale study: initial dataset sizes compared.
        drift_replicates: independent runs per size (in memory) to estimate the mean drift.
        drift_generations: generations of each drift run.
    """

    seed: int = 0
    generations: int = 300
    out_dir: str = ""
    progress: bool = True
    num_outcomes: int = 10
    zipf_exponent: float = 1.0
    initial_size: int = 100
    temperatures: list[float] = field(default_factory=lambda: [0.7, 1.0, 1.3])
    mixing: MixingPolicy = field(
        default_factory=lambda: MixingPolicy(
            synthetic_ratio=1.0, fresh_fraction=0.0, pool="accumulate"
        )
    )
    drift_initial_sizes: list[int] = field(default_factory=lambda: [20, 200])
    drift_replicates: int = 10
    drift_generations: int = 100


@dataclass
class GaussianCorrectionConfig:
    """Gaussian model refitted on real + lambda * n corrected synthetic samples, one run per (lambda, gamma).

    Attributes:
        dim: dimension d; the truth is N(true_mean, true_cov).
        real_size: n real samples.
        lambdas: synthetic ratios run with mixing.keep_real (the published loop keeps the real data).
        gammas: correction strengths, drawn as one curve each.
        fully_synthetic: also run the fully synthetic loop (keep_real=False, lambda = fully_synthetic_lambda).
        mixing: pool and fresh fraction; its synthetic_ratio is replaced by each lambda.
    """

    seed: int = 0
    generations: int = 200
    out_dir: str = ""
    progress: bool = True
    dim: int = 2
    real_size: int = 50
    true_mean: list[float] = field(default_factory=lambda: [0.0, 0.0])
    true_cov: list[list[float]] = field(default_factory=lambda: [[1.0, 0.5], [0.5, 2.0]])
    lambdas: list[float] = field(default_factory=lambda: [0.5, 2.0, 10.0])
    gammas: list[float] = field(default_factory=lambda: [0.0, 0.1, 0.25, 0.5, 1.0])
    fully_synthetic: bool = True
    fully_synthetic_lambda: float = 1.0
    mixing: MixingPolicy = field(
        default_factory=lambda: MixingPolicy(synthetic_ratio=1.0, pool="replace", keep_real=True)
    )


@dataclass
class InteractionGraphConfig:
    """Linear-regression learners on a directed graph; edges "A->B" mean B trains on A's samples.

    Attributes:
        dim: input dimension d; the true weights are true_weight * (1, ..., 1).
        noise_std: noise of the true y = x . w* + noise.
        real_size: pairs in each node's initial set (generation 0) and per-generation budget n.
        nodes, edges, fresh_nodes: the graph; fresh nodes get fresh_fraction * n new pairs a generation.
        require_fresh_node: refuse a graph with no fresh-data node.
        mixing: default keep_real=False, so a node's only anchor is what flows in along the edges.
    """

    seed: int = 0
    generations: int = 200
    out_dir: str = ""
    progress: bool = True
    dim: int = 3
    true_weight: float = 1.0
    noise_std: float = 1.0
    real_size: int = 50
    nodes: list[str] = field(default_factory=lambda: ["F", "A", "B", "C", "D", "E"])
    edges: list[str] = field(
        default_factory=lambda: ["F->F", "F->A", "A->A", "A->B", "C->D", "D->C", "E->E"]
    )
    fresh_nodes: list[str] = field(default_factory=lambda: ["F"])
    require_fresh_node: bool = True
    mixing: MixingPolicy = field(
        default_factory=lambda: MixingPolicy(
            synthetic_ratio=1.0, fresh_fraction=1.0, pool="replace", keep_real=False
        )
    )
