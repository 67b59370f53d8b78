"""The text-encoder interface, its config and the registry of encoders.

Every encoder maps a batch of captions to one embedding per caption, `encode(list[str]) -> (B, D)`,
and says its width `dim` and a `name` that checkpoints store (a checkpoint refuses an encoder of another
name or width). Encoders are frozen: they carry no trainable parameters of the motion model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch

from motion_loop.errors import ConfigError


@runtime_checkable
class TextEncoder(Protocol):
    """Frozen caption encoder."""

    name: str
    dim: int

    def encode(self, captions: list[str]) -> torch.Tensor:
        """Embeddings (B, dim) float32 on the CPU, one row per caption, in order."""
        ...


@dataclass
class TextConfig:
    """Which text encoder conditions the model.

    Attributes:
        name: a key of `ENCODERS`: "minilm" (default, bundled offline sentence encoder, 384-d),
            "clip" (CLIP ViT-B/32, 512-d, needs the `clip` package and local weights) or "hash"
            (a deterministic bag-of-words projection with no semantics; tests and CI smoke runs only).
        clip_weights: path of the CLIP ViT-B/32 weights file (e.g. ~/.cache/clip/ViT-B-32.pt) for "clip".
        cache_dir: folder of the on-disk embedding cache; empty keeps the cache in memory only.
        device: device the encoder runs on ("cpu" or "cuda").
    """

    name: str = "minilm"
    clip_weights: str = ""
    cache_dir: str = ""
    device: str = "cpu"


class HashEncoder:
    """Deterministic bag-of-words embedding: the sum of fixed random vectors of the caption's words.

    It needs no weights and loads instantly; captions sharing words get correlated embeddings. It has no
    language understanding: use it for tests and CI smoke runs, never for experiments.
    """

    name = "hash"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def _word_vector(self, word: str) -> torch.Tensor:
        seed = int.from_bytes(hashlib.sha256(word.encode("utf-8")).digest()[:8], "little")
        generator = torch.Generator().manual_seed(seed)
        return torch.randn(self.dim, generator=generator)

    def encode(self, captions: list[str]) -> torch.Tensor:
        rows = []
        for caption in captions:
            words = [w.strip(".,;:!?").lower() for w in caption.split()] or [""]
            vector = torch.stack([self._word_vector(w) for w in words]).sum(0)
            rows.append(vector / vector.norm().clamp_min(1e-8))
        return torch.stack(rows) if rows else torch.zeros(0, self.dim)


def _make_minilm(config: TextConfig) -> TextEncoder:
    from motion_loop.text.minilm import MiniLMEncoder

    return MiniLMEncoder(device=config.device)


def _make_clip(config: TextConfig) -> TextEncoder:
    from motion_loop.text.clip import ClipEncoder

    return ClipEncoder(config.clip_weights, device=config.device)


def _make_hash(config: TextConfig) -> TextEncoder:
    return HashEncoder()


# name -> factory; `get_text_encoder` is the only way in.
ENCODERS: dict[str, Callable[[TextConfig], TextEncoder]] = {
    "minilm": _make_minilm,
    "clip": _make_clip,
    "hash": _make_hash,
}


def get_text_encoder(config: TextConfig, *, cached: bool = True) -> TextEncoder:
    """Build the configured encoder, wrapped in a per-caption embedding cache unless `cached` is False.

    Raises:
        ConfigError: unknown encoder name (the message lists the valid ones).
        TextEncoderUnavailable: the encoder's package or weights cannot be loaded.
    """
    if config.name not in ENCODERS:
        raise ConfigError(f"unknown text encoder {config.name!r}; available: {sorted(ENCODERS)}")
    encoder = ENCODERS[config.name](config)
    if not cached:
        return encoder
    from motion_loop.text.cache import CachedEncoder

    return CachedEncoder(encoder, cache_dir=config.cache_dir or None)
