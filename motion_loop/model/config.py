"""Typed configs of the text-to-motion diffusion model: architecture, diffusion, losses, training, sampling.

Presets of the architecture live in conf/model/{tiny,small,mdm}.yaml; `mdm` is the published size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omegaconf import MISSING

from motion_loop.data.config import DataConfig
from motion_loop.text.encoder import TextConfig


@dataclass
class ModelConfig:
    """Transformer denoiser over frames with one conditioning token (text + diffusion step).

    Attributes:
        latent_dim: transformer width (published: 512).
        layers: encoder layers (published: 8).
        heads: attention heads (published: 4).
        ff_dim: feed-forward width (published: 1024).
        dropout: dropout in the transformer and after the positional encoding (published: 0.1).
        attention_dropout: dropout on the attention weights (published: = dropout, 0.1). On CPU it costs
            most of a training step (a (B, heads, T, T) random mask per layer), so the CPU presets use 0.
        activation: "gelu" or "relu" (published: gelu).
        cond_mask_prob: probability of dropping the text condition per training sample, which trains the
            unconditional model used by classifier-free guidance (published: 0.1).
        padding_mask: mask padded frames out of attention (the published model attends to padding).
        feature_dim: per-frame feature width (HumanML3D: 263).
        max_frames: longest motion the positional encoding supports [frames].
        text: the text encoder (its width sets the text projection's input).
        temporal_conv_kernel: frames of a residual temporal 1-D convolution block on the frame tokens
            (denoiser.TemporalConvBlock); 0 = none, as published. Odd (the block keeps frame alignment).
        temporal_conv_placement: "input" (one block before the first attention layer) or "interleaved"
            (one before every attention layer). Not in the published model: a CPU preset that uses it
            says so (docs/model.md, "Temporal coherence").
    """

    latent_dim: int = 512
    layers: int = 8
    heads: int = 4
    ff_dim: int = 1024
    dropout: float = 0.1
    attention_dropout: float = 0.1
    activation: str = "gelu"
    cond_mask_prob: float = 0.1
    padding_mask: bool = True
    feature_dim: int = 263
    max_frames: int = 196
    text: TextConfig = field(default_factory=TextConfig)
    temporal_conv_kernel: int = 0
    temporal_conv_placement: str = "interleaved"


@dataclass
class DiffusionConfig:
    """Forward process: `steps` training steps with a named beta schedule (see schedule.BETA_SCHEDULES).

    The denoiser always predicts the clean motion x0 (as the published model).
    """

    steps: int = 1000
    schedule: str = "cosine"


@dataclass
class LossConfig:
    """Weights of the training loss terms. The masked x0 MSE always has weight 1.

    Geometric terms (off by default, as in the published HumanML3D model) work on de-normalised features:
        lambda_joints: MSE of joint positions recovered from the features (RIC recovery) [m^2].
        lambda_velocity: MSE of joint velocities (frame differences of those positions) [m^2/frame^2].
        lambda_foot_contact: squared velocity of foot joints on frames whose target marks contact.
    """

    lambda_joints: float = 0.0
    lambda_velocity: float = 0.0
    lambda_foot_contact: float = 0.0


@dataclass
class TrainConfig:
    """Optimisation and bookkeeping of `train`.

    Attributes:
        steps: optimiser steps of this call (a resumed run continues until its total reaches `steps`).
        batch_size: clips per step per process.
        lr, weight_decay, adam_beta1, adam_beta2: AdamW (published: lr 1e-4, weight decay 0).
        grad_clip: max global gradient norm; 0 disables clipping.
        ema_decay: decay of the exponential moving average of weights used for sampling.
        warmup_steps: linear learning-rate warm-up.
        log_every: TensorBoard/progress scalars every N steps.
        save_every: write checkpoint.pt every N steps (and always at the end); 0 = only at the end.
        seed: seed of the training generator (noise, steps, condition dropout, batch order, crops).
        device: "cpu", "cuda" or "cuda:N"; empty = cuda when available else cpu.
        split: dataset split to train on.
        reset_optimizer: when fine-tuning from a checkpoint, start a fresh AdamW (else reuse its state).
        progress: show a progress bar.
        loss: the loss terms.
        precision: "float32" or "bf16" (forward and loss under torch.autocast to bfloat16; weights,
            gradients and AdamW stay float32). On CPUs with AMX units bf16 was 1.9x faster for the
            published-size model (issue 13); float32 is the reference.
    """

    steps: int = 1000
    batch_size: int = 32
    lr: float = 1e-4
    weight_decay: float = 0.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    warmup_steps: int = 0
    log_every: int = 50
    save_every: int = 1000
    seed: int = 0
    device: str = ""
    split: str = "train"
    reset_optimizer: bool = True
    progress: bool = True
    loss: LossConfig = field(default_factory=LossConfig)
    precision: str = "float32"


@dataclass
class SampleConfig:
    """How motions are drawn from a trained model.

    Attributes:
        method: "ddim" (any number of steps) or "ddpm" (ancestral, all training steps: faithful).
        steps: DDIM steps (ignored by ddpm).
        eta: DDIM stochasticity (0 = deterministic given the initial noise; 1 ~ DDPM variance).
        guidance_scale: classifier-free guidance s in x0 = x0_u + s (x0_c - x0_u); 1 = conditional only.
        temperature: scale of the initial and injected noise (1 = the model's distribution).
        batch_size: clips per forward pass.
        use_ema: sample with the EMA weights (else the raw weights).
        device: as TrainConfig.device (empty = cuda when available else cpu).
        progress: show a progress bar.
    """

    method: str = "ddim"
    steps: int = 50
    eta: float = 0.0
    guidance_scale: float = 2.5
    temperature: float = 1.0
    batch_size: int = 64
    use_ema: bool = True
    device: str = ""
    progress: bool = False


@dataclass
class TrainAppConfig:
    """`motion-loop train`: train, resume or fine-tune on a HumanML3D-layout folder.

    Attributes:
        out_dir: where checkpoint.pt and tensorboard/ are written.
        resume_from: checkpoint to continue exactly ("" = none).
        init_from: checkpoint to fine-tune ("" = none).
        threads: CPU threads of torch and of NumPy's BLAS (motion_loop.cli.threads; 0 = their defaults).
    """

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    diffusion: DiffusionConfig = field(default_factory=DiffusionConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    out_dir: str = MISSING
    resume_from: str = ""
    init_from: str = ""
    threads: int = 0


@dataclass
class SampleAppConfig:
    """`motion-loop sample`: motions for captions from the command line or a file.

    Attributes:
        checkpoint: the model's checkpoint.pt.
        captions: captions given on the command line.
        captions_file: a text file, one prompt per line: `caption` or `caption#length`.
        lengths: one length per caption, or a single one for all, in `length_unit`.
        length_unit: "seconds" or "frames".
        default_length: length of prompts that give none, in `length_unit`.
        repetitions: motions per prompt.
        out_dir: output folder in the HumanML3D layout (+ videos/).
        split: split file listing the generated clip ids.
        seed: seed of the sampling generator.
        video: write one stick-figure MP4 per clip.
        fps: frame rate of the features [Hz].
        threads: CPU threads of torch and of NumPy's BLAS (motion_loop.cli.threads; 0 = their defaults).
    """

    checkpoint: str = MISSING
    captions: list[str] = field(default_factory=list)
    captions_file: str = ""
    lengths: list[float] = field(default_factory=list)
    length_unit: str = "seconds"
    default_length: float = 4.0
    repetitions: int = 1
    out_dir: str = MISSING
    split: str = "test"
    seed: int = 0
    video: bool = True
    fps: float = 20.0
    threads: int = 0
    sample: SampleConfig = field(default_factory=SampleConfig)
