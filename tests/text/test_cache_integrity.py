"""The on-disk text-embedding cache: keyed on encoder and caption, damaged entries are recomputed."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from motion_loop.text.cache import CachedEncoder
from motion_loop.text.encoder import HashEncoder


def test_damaged_entry_is_recomputed_not_used(tmp_path: Path) -> None:
    first = CachedEncoder(HashEncoder(), cache_dir=tmp_path)
    reference = first.encode(["a person walks"])
    (entry,) = tmp_path.glob("*.pt")
    data = bytearray(entry.read_bytes())
    data[-8:] = bytes(8)  # zero the last float32 pair of the stored vector
    entry.write_bytes(bytes(data))
    second = CachedEncoder(HashEncoder(), cache_dir=tmp_path)
    with pytest.warns(UserWarning, match=rf"{entry} is corrupt"):
        again = second.encode(["a person walks"])
    assert second.computed == 1
    torch.testing.assert_close(again, reference)
    third = CachedEncoder(HashEncoder(), cache_dir=tmp_path)  # the rewritten entry is used
    torch.testing.assert_close(third.encode(["a person walks"]), reference)
    assert third.computed == 0


def test_another_encoder_never_reads_the_entry(tmp_path: Path) -> None:
    CachedEncoder(HashEncoder(dim=64), cache_dir=tmp_path).encode(["a person walks"])
    other = CachedEncoder(HashEncoder(dim=32), cache_dir=tmp_path)
    assert other.encode(["a person walks"]).shape == (1, 32)
    assert other.computed == 1
