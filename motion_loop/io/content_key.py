"""One way to key a cache on everything it depends on: `ContentHash` / `content_key`.

Every cache of the package (prepared datasets, the generation-0 model, trained evaluators, text
embeddings, reference statistics) is named by a sha256 over its inputs' *content* (arrays, captions,
splits, statistics, configs), never over names or file dates, plus the code version: the package
version and `CACHE_FORMAT`. Each part is framed with its type and length, so that different sequences
of parts never hash alike ("ab", "c" differs from "a", "bc").
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from typing import Any

import numpy as np

import motion_loop

# Bump when what a cache stores, or what its key covers, changes meaning: old entries are then ignored.
CACHE_FORMAT = 2


def code_version() -> str:
    """The version of the code that produced a cached artefact: package version and cache format."""
    return f"motion-loop {motion_loop.__version__} cache-format {CACHE_FORMAT}"


class ContentHash:
    """An incremental sha256 over typed, length-framed parts; starts with `kind` and `code_version()`.

    Args:
        kind: what is being keyed ("evaluator", "generation0", ...): two caches never share a key.
    """

    def __init__(self, kind: str) -> None:
        self._digest = hashlib.sha256()
        self.text(code_version())
        self.text(kind)

    def _frame(self, tag: bytes, data: bytes) -> None:
        self._digest.update(tag + len(data).to_bytes(8, "little") + data)

    def text(self, value: str) -> ContentHash:
        self._frame(b"s", value.encode("utf-8"))
        return self

    def data(self, value: bytes) -> ContentHash:
        self._frame(b"b", value)
        return self

    def array(self, value: np.ndarray) -> ContentHash:
        """An array's dtype, shape and values (so float32 and float64 of equal values differ)."""
        value = np.ascontiguousarray(value)
        self._frame(b"a", f"{value.dtype.str}{value.shape}".encode())
        self._digest.update(value.tobytes())
        return self

    def value(self, value: Any) -> ContentHash:
        """A config dataclass, mapping, sequence or scalar, as canonical JSON."""
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        self._frame(b"j", json.dumps(value, sort_keys=True, default=str).encode())
        return self

    def part(self, value: Any) -> ContentHash:
        """Any of the above by type."""
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, bytes):
            return self.data(value)
        if isinstance(value, str):
            return self.text(value)
        return self.value(value)

    def parts(self, values: Iterable[Any]) -> ContentHash:
        for value in values:
            self.part(value)
        return self

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def content_key(kind: str, *parts: Any) -> str:
    """sha256 hex of `kind`, the code version and `parts` (see `ContentHash.part`)."""
    return ContentHash(kind).parts(parts).hexdigest()
