"""Typed configs of the theory experiments (Hydra schemas; YAML presets in conf/theory/).

`out_dir` empty means "the Hydra run folder" (or outputs/theory/NAME/TIMESTAMP outside a Hydra app);
`progress` shows tqdm bars; `keep_runs` false runs in memory and writes only the combined outputs (fast
sweeps of many seeds, not resumable). None of them is part of a run's identity.
Every experiment runs the seeds seed, seed + 1, ..., seed + seeds - 1 and reports means over them with
95 % intervals.
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
        top_k, top_p: truncation of the sampler after the temperature (0 and 1: off); the mean field
            follows them, the drift study (pure tau = 1) does not use them.
        late_fraction: the last fraction of the generations that "late" numbers average over.
    """

    seed: int = 0
    seeds: int = 5
    generations: int = 300
    out_dir: str = ""
    progress: bool = True
    keep_runs: bool = True
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
    top_k: int = 0
    top_p: float = 1.0
    late_fraction: float = 0.1


@dataclass
class GaussianCorrectionConfig:
    """Gaussian model refitted on real + lambda * n corrected synthetic samples, one run per (lambda, gamma, seed).

    Attributes:
        dim: dimension d; the truth is N(true_mean, true_cov).
        real_size: n real samples.
        lambdas: synthetic ratios run with mixing.keep_real (the published loop keeps the real data).
        gammas: Gillman et al.'s correction strengths gamma in [0, inf), one curve each; the corrected law
            is pi_gamma = (p_theta + gamma p_theta*) / (1 + gamma), i.e. a fraction w = gamma / (1 + gamma).
        corrector: "mixture" (pi_gamma by sampling, as the paper defines it) or "ot_step" (a step of
            fraction w = gamma / (1 + gamma) along the W2 geodesic to the truth).
        sample_scale: s; the model samples N(mu, s^2 S). 1 = exact; > 1 = overdispersed sampler, where
            the loop diverges for lambda > (1 + gamma) / (s^2 - 1 - gamma).
        fully_synthetic: also run the fully synthetic loop (keep_real=False, lambda = fully_synthetic_lambda).
        mixing: pool and fresh fraction; its synthetic_ratio is replaced by each lambda.
        late_fraction: the last fraction of the generations that "late" numbers average over.
    """

    seed: int = 0
    seeds: int = 5
    generations: int = 200
    out_dir: str = ""
    progress: bool = True
    keep_runs: bool = True
    dim: int = 2
    real_size: int = 50
    true_mean: list[float] = field(default_factory=lambda: [0.0, 0.0])
    true_cov: list[list[float]] = field(default_factory=lambda: [[1.0, 0.5], [0.5, 2.0]])
    lambdas: list[float] = field(default_factory=lambda: [0.5, 2.0, 10.0])
    gammas: list[float] = field(default_factory=lambda: [0.0, 0.1, 0.3, 1.0, 3.0])
    corrector: str = "mixture"
    sample_scale: float = 1.0
    fully_synthetic: bool = True
    fully_synthetic_lambda: float = 1.0
    mixing: MixingPolicy = field(
        default_factory=lambda: MixingPolicy(synthetic_ratio=1.0, pool="replace", keep_real=True)
    )
    late_fraction: float = 0.5


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
        late_fraction: the last fraction of the generations that "late" numbers average over.
    """

    seed: int = 0
    seeds: int = 5
    generations: int = 200
    out_dir: str = ""
    progress: bool = True
    keep_runs: bool = True
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
    late_fraction: float = 0.25


@dataclass
class DigitsConfig:
    """Self-consuming loop of a small DDPM on sklearn's 8x8 digits, with and without cluster correction.

    Attributes:
        train_size: real training digits (the rest of the 1,797 are the held-out set of the metrics).
        synthetic_ratio: lambda; 1.5 = the paper's 150 % augmentation.
        gammas: one arm per correction strength (0 = none); a sample moves gamma / (1 + gamma) of the way
            to its nearest real-data cluster centroid.
        clusters: k of the k-means clustering of the real training digits.
        hidden, diffusion_steps: denoiser width and number of diffusion steps.
        initial_steps, finetune_steps: optimiser steps at generation 0 and at every later generation.
        eval_samples: samples drawn per generation for the metrics.
        threads: torch threads (set by the CLI; 1 keeps the machine's other jobs running).
        late_fraction: the last fraction of the generations that "late" numbers average over.
    """

    seed: int = 0
    seeds: int = 5
    generations: int = 50
    out_dir: str = ""
    progress: bool = True
    keep_runs: bool = True
    train_size: int = 1000
    synthetic_ratio: float = 1.5
    gammas: list[float] = field(default_factory=lambda: [0.0, 1.0])
    clusters: int = 100
    hidden: int = 128
    diffusion_steps: int = 20
    initial_steps: int = 1500
    finetune_steps: int = 50
    batch_size: int = 256
    learning_rate: float = 1e-3
    eval_samples: int = 300
    threads: int = 1
    late_fraction: float = 0.2


def register_theory_configs() -> None:
    """Register the theory schemas that motion_loop.config does not (idempotent: the store overwrites)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="schema_theory_digits", node=DigitsConfig)
