"""Per-caption embedding cache in front of any text encoder: in memory, optionally also on disk.

On disk each caption is one small `.pt` file named by the SHA-256 of (encoder name, width, caption), so
several processes and runs share it safely and a changed encoder never reads another's embeddings.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import torch

from motion_loop.text.encoder import TextEncoder


class CachedEncoder:
    """Wraps `encoder`; `encode` computes only the captions it has not seen yet, each on its own."""

    def __init__(self, encoder: TextEncoder, *, cache_dir: str | Path | None = None) -> None:
        self.inner = encoder
        self.name, self.dim = encoder.name, encoder.dim
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._memory: dict[str, torch.Tensor] = {}
        self.computed = 0  # captions actually sent to the inner encoder (for tests and logs)

    def _key(self, caption: str) -> str:
        return hashlib.sha256(f"{self.name}\0{self.dim}\0{caption}".encode()).hexdigest()

    def _disk_path(self, caption: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"{self._key(caption)}.pt"

    def _load(self, caption: str) -> torch.Tensor | None:
        if caption in self._memory:
            return self._memory[caption]
        path = self._disk_path(caption)
        if path is not None and path.is_file():
            vector = torch.load(path, map_location="cpu", weights_only=True)
            self._memory[caption] = vector
            return vector
        return None

    def _store(self, caption: str, vector: torch.Tensor) -> None:
        self._memory[caption] = vector
        path = self._disk_path(caption)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(handle)
        torch.save(vector, tmp)
        os.replace(tmp, path)

    def encode(self, captions: list[str]) -> torch.Tensor:
        """(B, dim) float32 embeddings; each distinct new caption is encoded once."""
        missing = sorted({c for c in captions if self._load(c) is None})
        if missing:
            # One caption per call: a transformer's output for a sentence changes in the last bits with the
            # padding of the batch it rides in, and a resumed loop must see the embeddings of an
            # uninterrupted one whatever batches first met each caption.
            for caption in missing:
                self._store(caption, self.inner.encode([caption])[0].detach().clone())
            self.computed += len(missing)
        if not captions:
            return torch.zeros(0, self.dim)
        return torch.stack([self._memory[c] for c in captions])
