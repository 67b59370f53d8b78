"""The published T2M caption-length handling (every caption read as 22 tokens) beside the true lengths."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from motion_loop.eval.evaluator import EvaluatorError
from motion_loop.eval.t2m_loader import (
    MotionEncoderBiGRUCo,
    MovementConvEncoder,
    T2MEvaluator,
    TextEncoderBiGRUCo,
    caption_tokens,
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Random weights in T2M's layout and a 6-word GloVe table."""
    root = tmp_path_factory.mktemp("t2m_lengths")
    generator = torch.Generator().manual_seed(3)
    modules = {"text_encoder": TextEncoderBiGRUCo(), "movement_encoder": MovementConvEncoder(), "motion_encoder": MotionEncoderBiGRUCo()}
    state = {key: {k: torch.randn(v.shape, generator=generator) * 0.05 for k, v in m.state_dict().items()} for key, m in modules.items()}
    torch.save(state, root / "finest.tar")
    words = ["unk", "sos", "eos", "a", "man", "walk"]
    np.save(root / "our_vab_data.npy", np.random.default_rng(3).normal(size=(len(words), 300)).astype(np.float32))
    (root / "our_vab_words.pkl").write_bytes(pickle.dumps(words))
    (root / "our_vab_idx.pkl").write_bytes(pickle.dumps({w: i for i, w in enumerate(words)}))
    np.save(root / "mean.npy", np.zeros(263))
    np.save(root / "std.npy", np.ones(263))
    return root


def _load(root, caption_length):
    return T2MEvaluator.load(root / "finest.tar", root, root / "mean.npy", root / "std.npy", caption_length=caption_length)


def test_published_length_is_22_with_the_same_tokens():
    true_tokens, true_length = caption_tokens("a/DET man/NOUN walk/VERB")
    tokens, length = caption_tokens("a/DET man/NOUN walk/VERB", caption_length="published")
    assert tokens == true_tokens and (true_length, length) == (5, 22)


def test_published_handling_reads_the_padding(files):
    true, published = _load(files, "true"), _load(files, "published")
    short = "a/DET man/NOUN walk/VERB"
    full = " ".join(["a/DET man/NOUN walk/VERB"] * 7)  # 21 tokens: cropped to 20, no padding left
    a, b = true.embed_text([short, full]), published.embed_text([short, full])
    assert not np.allclose(a[0], b[0], atol=1e-4)  # the GRU ran over 17 unk/OTHER tokens more
    np.testing.assert_allclose(a[1], b[1], atol=1e-6)
    # The true length ignores what stands in the padding; the published one does not.
    tokens, _ = caption_tokens(short)
    word = torch.from_numpy(np.array([[true.words(t)[0] for t in tokens]]))
    pos = torch.from_numpy(np.array([[true.words(t)[1] for t in tokens]]))
    with torch.no_grad():
        noisy = word.clone()
        noisy[:, 5:] += 1.0
        ours = true.text_encoder(noisy, pos, torch.tensor([5])).numpy()
        theirs = true.text_encoder(noisy, pos, torch.tensor([22])).numpy()
    np.testing.assert_allclose(ours[0], a[0], atol=1e-5)
    assert not np.allclose(theirs[0], b[0], atol=1e-4)


def test_unknown_caption_length_is_refused(files):
    with pytest.raises(EvaluatorError, match=r"caption_length must be one of \('true', 'published'\)"):
        _load(files, "padded")
