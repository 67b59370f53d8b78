"""The evaluator's two encoders: captions and motions into one 512-d embedding space.

Both follow the shape of the T2M evaluators (humanml3d-format.md §3.2) at a CPU-friendly width:

* `TextEncoder`: a frozen sentence vector (384-d, see `text_frontend`) -> Linear + LayerNorm +
  LeakyReLU(0.2) -> Linear -> 512-d.
* `MotionEncoder`: normalised features without the 4 foot contacts (259) -> two Conv1d(k4, s2, p1) +
  LeakyReLU(0.2) (time / 4, like T2M's movement encoder) -> BiGRU packed by length // 4 -> concatenated
  final states -> Linear + LayerNorm + LeakyReLU(0.2) -> Linear -> 512-d.

Losses (registry `LOSSES`): "infonce" (symmetric cross-entropy over -||t_i - m_j||^2 / tau, captions
equal to the true one are not negatives) and "margin" (T2M: d^2 for pairs, max(0, m - d)^2 for a
shifted batch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from motion_loop.data.features import CONTACT_DIMS, FEATURE_DIM
from motion_loop.errors import ConfigError

# Time downsampling of the two stride-2 convolutions [frames per encoder step] (T2M's unit_length).
TIME_STRIDE = 4
_LEAK = 0.2


class TextEncoder(nn.Module):
    """Sentence vectors (B, frontend_dim) -> text embeddings (B, embed_dim)."""

    def __init__(self, frontend_dim: int, hidden: int, embed_dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(frontend_dim, hidden),
            nn.LayerNorm(hidden),
            nn.LeakyReLU(_LEAK),
            nn.Linear(hidden, hidden),
            nn.LayerNorm(hidden),
            nn.LeakyReLU(_LEAK),
            nn.Linear(hidden, embed_dim),
        )

    def forward(self, sentence: torch.Tensor) -> torch.Tensor:
        return self.net(sentence)


class MotionEncoder(nn.Module):
    """Normalised features (B, T, 263) and lengths (B,) [frames] -> motion embeddings (B, embed_dim)."""

    def __init__(self, conv_dim: int, hidden: int, embed_dim: int, *, drop_contacts: bool = True) -> None:
        super().__init__()
        self.drop_contacts = drop_contacts
        input_dim = CONTACT_DIMS.start if drop_contacts else FEATURE_DIM
        self.conv = nn.Sequential(
            nn.Conv1d(input_dim, conv_dim, 4, 2, 1),
            nn.LeakyReLU(_LEAK),
            nn.Conv1d(conv_dim, conv_dim, 4, 2, 1),
            nn.LeakyReLU(_LEAK),
        )
        self.gru = nn.GRU(conv_dim, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(
            nn.Linear(2 * hidden, hidden),
            nn.LayerNorm(hidden),
            nn.LeakyReLU(_LEAK),
            nn.Linear(hidden, embed_dim),
        )

    def forward(self, motion: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        B, T, D = motion.shape  # (B, T, 263)
        if D != FEATURE_DIM:
            raise ConfigError(f"MotionEncoder expects (B, T, {FEATURE_DIM}) features, got {tuple(motion.shape)}")
        if self.drop_contacts:
            motion = motion[..., : CONTACT_DIMS.start]
        steps = self.conv(rearrange(motion, "b t d -> b d t"))  # (B, C, T // 4)
        steps = rearrange(steps, "b c s -> b s c")
        step_lengths = torch.clamp(lengths // TIME_STRIDE, min=1, max=steps.shape[1]).cpu()
        packed = pack_padded_sequence(steps, step_lengths, batch_first=True, enforce_sorted=False)
        _, last = self.gru(packed)  # (2, B, H): forward and backward final states
        return self.head(rearrange(last, "two b h -> b (two h)"))


def _infonce(text: torch.Tensor, motion: torch.Tensor, same_caption: torch.Tensor, *, temperature: float, margin: float) -> torch.Tensor:
    logits = -torch.cdist(text, motion).pow(2) / temperature  # (B, B)
    # Another clip with the very same caption is not a negative (template captions repeat).
    eye = torch.eye(len(text), dtype=torch.bool, device=text.device)
    logits = logits.masked_fill(same_caption & ~eye, float("-inf"))
    target = torch.arange(len(text), device=text.device)
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))


def _margin(text: torch.Tensor, motion: torch.Tensor, same_caption: torch.Tensor, *, temperature: float, margin: float) -> torch.Tensor:
    # T2M: positives d^2, negatives from a batch shift max(0, m - d)^2 (pairs with equal captions skipped).
    positive = (text - motion).pow(2).sum(1)
    shift = torch.roll(torch.arange(len(text), device=text.device), 1)
    negative_distance = (text - motion[shift]).norm(dim=1)
    valid = ~same_caption[torch.arange(len(text)), shift]
    negative = torch.clamp(margin - negative_distance, min=0).pow(2) * valid
    return positive.mean() + negative.mean()


def incoherent_negative_loss(
    text: torch.Tensor, motion: torch.Tensor, negatives: torch.Tensor, *, temperature: float
) -> torch.Tensor:
    """InfoNCE of each caption against its motion (positive) and incoherent copies (negatives).

    logits_i = [-||t_i - m_i||², -||t_i - ñ_j||² for every j] / tau, target 0; (B, D) each.
    """
    positive = -(text - motion).pow(2).sum(1, keepdim=True)  # (B, 1)
    negative = -torch.cdist(text, negatives).pow(2)  # (B, B)
    logits = torch.cat([positive, negative], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(len(text), dtype=torch.long, device=text.device))


LossFn = Callable[..., torch.Tensor]
LOSSES: dict[str, LossFn] = {"infonce": _infonce, "margin": _margin}


def get_loss(name: str) -> LossFn:
    """The contrastive loss registered under `name` (raises with the valid names)."""
    if name not in LOSSES:
        raise ConfigError(f"unknown evaluator loss {name!r}; available: {sorted(LOSSES)}")
    return LOSSES[name]


def same_caption_mask(captions: Sequence[str], device: torch.device | str = "cpu") -> torch.Tensor:
    """(B, B) bool: captions i and j are the same string (case and surrounding space ignored)."""
    keys = [c.strip().lower() for c in captions]
    codes = torch.tensor(_codes(keys), device=device)
    return codes[:, None] == codes[None, :]


def _codes(keys: list[str]) -> list[int]:
    table: dict[str, int] = {}
    return [table.setdefault(key, len(table)) for key in keys]
