"""Checksummed files: a flipped byte, a truncated copy or garbage fails with the file named."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from motion_loop.io import CorruptFileError
from motion_loop.io.checked import (
    load_torch_checked,
    read_checked,
    save_torch_checked,
    write_checked,
)

FIX = "delete it and re-run"


def flip_bytes(path: Path, count: int, *, start_fraction: float = 0.5) -> None:
    """Invert `count` bytes of the file from `start_fraction` of its length on (a real corruption)."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * start_fraction)
    for k in range(start, min(start + count, len(data))):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path, fraction: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return save_torch_checked(tmp_path / "x.pt", {"weights": torch.arange(10_000, dtype=torch.float32)})


def test_round_trip(saved: Path) -> None:
    loaded = load_torch_checked(saved, what="test file", fix=FIX)
    torch.testing.assert_close(loaded["weights"], torch.arange(10_000, dtype=torch.float32))


def test_flipped_bytes_fail_the_checksum(saved: Path) -> None:
    flip_bytes(saved, 20)
    with pytest.raises(CorruptFileError, match=rf"test file {saved} is corrupt .*sha256.*; {FIX}"):
        load_torch_checked(saved, what="test file", fix=FIX)


def test_truncated_file_says_how_much_is_left(saved: Path) -> None:
    size = saved.stat().st_size
    truncate(saved)
    with pytest.raises(CorruptFileError, match=rf"{saved} is truncated \(\d+ of \d+ bytes\); {FIX}"):
        load_torch_checked(saved, what="test file", fix=FIX)
    saved.write_bytes(saved.read_bytes()[:40])  # cut inside the header
    with pytest.raises(CorruptFileError, match="unreadable checksum header"):
        read_checked(saved, what="test file", fix=FIX)
    assert size > 40


def test_garbage_and_legacy_files(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00not a checkpoint at all" * 50)
    with pytest.raises(CorruptFileError, match=rf"{garbage} is damaged or not a torch file .*; {FIX}"):
        load_torch_checked(garbage, what="test file", fix=FIX)
    legacy = tmp_path / "legacy.pt"
    torch.save({"a": torch.ones(3)}, legacy)  # written before checksums: read, unverified
    assert read_checked(legacy, what="test file", fix=FIX).verified is False
    torch.testing.assert_close(load_torch_checked(legacy, what="test file", fix=FIX)["a"], torch.ones(3))
    with pytest.raises(CorruptFileError, match="does not exist"):
        read_checked(tmp_path / "missing.pt", what="test file", fix=FIX)


def test_header_records_length_and_digest(tmp_path: Path) -> None:
    path = write_checked(tmp_path / "b.bin", b"hello")
    assert path.read_bytes().startswith(b"motion-loop-checked/1 sha256=2cf24dba")
    assert read_checked(path, what="x", fix=FIX).data == b"hello"
