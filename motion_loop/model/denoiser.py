"""The denoiser: a transformer encoder over frames with one conditioning token, (x_t, t, text) -> x0.

Layout (the published MDM "trans_enc" model, plus a padding mask):
    frames (B, T, 263) --Linear--> (B, T, d)
    cond token = MLP(sinusoid(t)) + Linear(text embedding)  (text zeroed for unconditional samples)
    [cond, frames] + sinusoidal positions --dropout--> TransformerEncoder --> drop cond --Linear--> (B, T, 263)
Optional (`model.temporal_conv_kernel` > 0, not in the published model): residual temporal 1-D
convolution blocks on the frame tokens, before the first attention layer or before every one, which give
the denoiser the local-in-time inductive bias attention lacks early in training (docs/model.md).
The denoiser never sees a beta: the schedule lives in schedule.py.
"""

from __future__ import annotations

import math

import torch
from einops import rearrange
from torch import nn

from motion_loop.errors import ConfigError
from motion_loop.model.config import ModelConfig

_ACTIVATIONS = ("gelu", "relu")
_TEMPORAL_PLACEMENTS = ("input", "interleaved")
# Wavelength base of the sinusoidal encodings (Vaswani et al. 2017).
_SINUSOID_BASE = 10000.0


def sinusoidal_table(length: int, dim: int) -> torch.Tensor:
    """Sinusoidal encodings (length, dim): sin on even, cos on odd channels."""
    position = torch.arange(length, dtype=torch.float32)[:, None]
    frequency = torch.exp(
        torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(_SINUSOID_BASE) / dim)
    )
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency[: dim // 2])
    return table


class TemporalConvBlock(nn.Module):
    """x + Dropout(Linear(GELU(Conv1d_k(LayerNorm(x))))) along the frame axis of frame tokens (B, T, d).

    Padded frames are zeroed before the convolution, so they never reach valid frames (a clip's output
    does not depend on its canvas). The output projection starts at zero: a new block is the identity.
    """

    def __init__(self, dim: int, kernel: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.conv = nn.Conv1d(dim, dim, kernel, padding=kernel // 2)
        self.proj = nn.Linear(dim, dim)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x: (B, T, d) frame tokens; mask: (B, T) bool valid frames. Returns (B, T, d)."""
        h = self.norm(x) * rearrange(mask, "b t -> b t 1").to(x.dtype)
        h = rearrange(self.conv(rearrange(h, "b t d -> b d t")), "b d t -> b t d")
        return x + self.dropout(self.proj(nn.functional.gelu(h)))


class MotionDenoiser(nn.Module):
    """Predicts the clean motion x0 from a noisy motion, the diffusion step and a text embedding.

    Args:
        config: architecture.
        text_dim: width of the text embeddings it is conditioned on.
        num_diffusion_steps: size of the diffusion-step embedding table.
    """

    def __init__(self, config: ModelConfig, *, text_dim: int, num_diffusion_steps: int) -> None:
        super().__init__()
        if config.activation not in _ACTIVATIONS:
            raise ConfigError(
                f"model.activation must be one of {_ACTIVATIONS}, got {config.activation!r}"
            )
        if config.latent_dim % config.heads:
            raise ConfigError(
                f"model.latent_dim ({config.latent_dim}) must be divisible by model.heads ({config.heads})"
            )
        kernel = config.temporal_conv_kernel
        if kernel < 0 or (kernel > 0 and kernel % 2 == 0):
            raise ConfigError(f"model.temporal_conv_kernel must be 0 (off) or an odd number of frames, got {kernel}")
        if config.temporal_conv_placement not in _TEMPORAL_PLACEMENTS:
            raise ConfigError(
                f"model.temporal_conv_placement must be one of {_TEMPORAL_PLACEMENTS}, "
                f"got {config.temporal_conv_placement!r}"
            )
        d = config.latent_dim
        self.config, self.text_dim = config, text_dim
        self.input_proj = nn.Linear(config.feature_dim, d)
        self.step_table: torch.Tensor
        self.register_buffer(
            "step_table", sinusoidal_table(num_diffusion_steps, d), persistent=False
        )
        self.step_mlp = nn.Sequential(nn.Linear(d, d), nn.SiLU(), nn.Linear(d, d))
        self.text_proj = nn.Linear(text_dim, d)
        # +1: the conditioning token occupies position 0.
        self.position_table: torch.Tensor
        self.register_buffer(
            "position_table", sinusoidal_table(config.max_frames + 1, d), persistent=False
        )
        self.position_dropout = nn.Dropout(config.dropout)
        layer = nn.TransformerEncoderLayer(
            d_model=d,
            nhead=config.heads,
            dim_feedforward=config.ff_dim,
            dropout=config.dropout,
            activation=config.activation,
            batch_first=True,
        )
        # nn.MultiheadAttention reads its attention-weight dropout from this attribute at every call.
        layer.self_attn.dropout = config.attention_dropout
        self.encoder = nn.TransformerEncoder(
            layer, num_layers=config.layers, enable_nested_tensor=False
        )
        blocks = 0 if not kernel else (1 if config.temporal_conv_placement == "input" else config.layers)
        # Block i runs before attention layer i; an empty list keeps the published layout.
        self.temporal_blocks = nn.ModuleList(
            TemporalConvBlock(d, kernel, config.dropout) for _ in range(blocks)
        )
        self.output_proj = nn.Linear(d, config.feature_dim)

    def forward(
        self,
        x_t: torch.Tensor,
        t: torch.Tensor,
        text: torch.Tensor,
        mask: torch.Tensor,
        *,
        keep_text: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predict x0.

        Args:
            x_t: noisy motion (B, T, 263), normalised features.
            t: diffusion step per sample (B,) long in [0, num_diffusion_steps).
            text: text embeddings (B, text_dim).
            mask: valid frames (B, T) bool; padded frames are excluded from attention when
                config.padding_mask (their outputs are meaningless and set to 0).
            keep_text: (B,) bool, False drops the text condition (unconditional); None keeps all.

        Returns:
            x0 prediction (B, T, 263), zero on padded frames.
        """
        B, T, _ = x_t.shape  # (B, T, 263)
        if T > self.config.max_frames:
            raise ConfigError(
                f"motion has {T} frames; the model supports at most {self.config.max_frames}"
            )
        if keep_text is not None:
            text = text * keep_text.to(text.dtype)[:, None]
        cond = self.step_mlp(self.step_table[t]) + self.text_proj(text)  # (B, d)
        tokens = torch.cat([cond[:, None], self.input_proj(x_t)], dim=1)  # (B, 1 + T, d)
        tokens = self.position_dropout(tokens + self.position_table[: T + 1])
        padding = None
        if self.config.padding_mask:
            # True marks keys to ignore; the conditioning token is always attended to.
            padding = torch.cat(
                [torch.zeros(B, 1, dtype=torch.bool, device=mask.device), ~mask], dim=1
            )
        if not self.temporal_blocks:
            hidden = self.encoder(tokens, src_key_padding_mask=padding)  # (B, 1 + T, d)
        else:
            hidden = tokens
            for index, layer in enumerate(self.encoder.layers):
                if index < len(self.temporal_blocks):
                    frames = self.temporal_blocks[index](hidden[:, 1:], mask)  # (B, T, d)
                    hidden = torch.cat([hidden[:, :1], frames], dim=1)
                hidden = layer(hidden, src_key_padding_mask=padding)  # (B, 1 + T, d)
        x0 = self.output_proj(hidden[:, 1:])  # (B, T, 263)
        return x0 * rearrange(mask, "b t -> b t 1").to(x0.dtype)


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
