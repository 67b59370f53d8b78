"""Per-caption embedding cache in front of any text encoder: in memory, optionally also on disk.

On disk each caption is one small checksummed file named by `content_key` over (encoder class, name,
width, caption) and the code version, so several processes and runs share it safely, a changed encoder
or a new version of the code never reads another's embeddings, and a damaged entry is recomputed (with
a warning) instead of being used.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import torch

from motion_loop.io.checked import read_checked, write_checked
from motion_loop.io.content_key import content_key
from motion_loop.io.errors import CorruptFileError
from motion_loop.text.encoder import TextEncoder


class CachedEncoder:
    """Wraps `encoder`; `encode` computes only the captions it has not seen yet, each on its own."""

    def __init__(self, encoder: TextEncoder, *, cache_dir: str | Path | None = None) -> None:
        self.inner = encoder
        self.name, self.dim = encoder.name, encoder.dim
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._memory: dict[str, torch.Tensor] = {}
        self._identity = f"{type(encoder).__module__}.{type(encoder).__qualname__}"
        self.computed = 0  # captions actually sent to the inner encoder (for tests and logs)

    def _key(self, caption: str) -> str:
        return content_key("text-embedding", self._identity, self.name, self.dim, caption)

    def _disk_path(self, caption: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"{self._key(caption)}.pt"

    def _load(self, caption: str) -> torch.Tensor | None:
        if caption in self._memory:
            return self._memory[caption]
        path = self._disk_path(caption)
        if path is None or not path.is_file():
            return None
        try:
            payload = read_checked(path, what="cached text embedding", fix="it is recomputed")
            if not payload.verified:
                raise CorruptFileError(f"cached text embedding {path} has no checksum; it is recomputed")
            vector = torch.load(io.BytesIO(payload.data), map_location="cpu", weights_only=True)
        except (CorruptFileError, RuntimeError, EOFError) as error:
            warnings.warn(str(error), stacklevel=3)
            return None
        self._memory[caption] = vector
        return vector

    def _store(self, caption: str, vector: torch.Tensor) -> None:
        self._memory[caption] = vector
        path = self._disk_path(caption)
        if path is None:
            return
        buffer = io.BytesIO()
        torch.save(vector, buffer)
        # Many tiny files: atomic against a killed process is enough, fsync would dominate the cost.
        write_checked(path, buffer.getvalue(), fsync=False)

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
