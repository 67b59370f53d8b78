"""The original T2M evaluator layout: random weights saved as finest.tar load and embed consistently."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from motion_loop.eval.evaluator import EvaluatorError
from motion_loop.eval.t2m_loader import (
    MotionEncoderBiGRUCo,
    MovementConvEncoder,
    T2MEvaluator,
    TextEncoderBiGRUCo,
    WordVectorizer,
    caption_tokens,
)


@pytest.fixture(scope="module")
def t2m_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A checkpoint with random weights in T2M's layout, a 6-word GloVe table and statistics."""
    root = tmp_path_factory.mktemp("t2m")
    generator = torch.Generator().manual_seed(0)
    modules = {"text_encoder": TextEncoderBiGRUCo(), "movement_encoder": MovementConvEncoder(), "motion_encoder": MotionEncoderBiGRUCo()}
    state = {key: {k: torch.randn(v.shape, generator=generator) * 0.05 for k, v in m.state_dict().items()} for key, m in modules.items()}
    torch.save({**state, "epoch": 1, "iter": 10}, root / "finest.tar")
    words = ["unk", "sos", "eos", "a", "man", "walk"]
    np.save(root / "our_vab_data.npy", np.random.default_rng(0).normal(size=(len(words), 300)).astype(np.float32))
    (root / "our_vab_words.pkl").write_bytes(pickle.dumps(words))
    (root / "our_vab_idx.pkl").write_bytes(pickle.dumps({w: i for i, w in enumerate(words)}))
    np.save(root / "mean.npy", np.zeros(263))
    np.save(root / "std.npy", np.ones(263))
    return {"checkpoint": root / "finest.tar", "glove": root, "mean": root / "mean.npy", "std": root / "std.npy"}


@pytest.fixture(scope="module")
def loaded(t2m_files) -> T2MEvaluator:
    return T2MEvaluator.load(t2m_files["checkpoint"], t2m_files["glove"], t2m_files["mean"], t2m_files["std"])


def test_weights_load_exactly(t2m_files, loaded) -> None:
    evaluator = loaded
    saved = torch.load(t2m_files["checkpoint"])
    for key in ("text_encoder", "movement_encoder", "motion_encoder"):
        for name, tensor in getattr(evaluator, key).state_dict().items():
            torch.testing.assert_close(tensor, saved[key][name])


def test_caption_layout_uses_true_length() -> None:
    tokens, length = caption_tokens("a/DET man/NOUN walk/VERB")
    assert tokens[:5] == ["sos/OTHER", "a/DET", "man/NOUN", "walk/VERB", "eos/OTHER"] and length == 5
    assert len(tokens) == 22 and tokens[-1] == "unk/OTHER"
    long_tokens, long_length = caption_tokens(" ".join(["a/DET"] * 30))
    assert long_length == 22 and len(long_tokens) == 22


def test_word_vectorizer_vip_and_oov(t2m_files) -> None:
    words = WordVectorizer(t2m_files["glove"])
    _, walk = words("walk/NOUN")
    assert walk.argmax() == 12  # Act_VIP overrides the spaCy POS
    vector, unknown = words("zebra/NOUN")
    np.testing.assert_array_equal(vector, words.vectors[words.index["unk"]])
    assert unknown.argmax() == 14  # OTHER


def test_embeddings_ignore_padding(loaded) -> None:
    evaluator = loaded
    text = evaluator.embed_text(["a/DET man/NOUN walk/VERB", "a/DET man/NOUN"])
    assert text.shape == (2, 512) and np.all(np.isfinite(text))
    assert not np.allclose(text[0], text[1])
    motion = np.random.default_rng(1).normal(size=(80, 263))
    padded = np.concatenate([motion, np.full((40, 263), 50.0)])
    a = evaluator.embed_motion([motion], [72])
    b = evaluator.embed_motion([padded], [72])
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_wrong_layout_is_refused(t2m_files, tmp_path: Path) -> None:
    bad = torch.load(t2m_files["checkpoint"])
    del bad["movement_encoder"]
    torch.save(bad, tmp_path / "bad.tar")
    with pytest.raises(EvaluatorError, match="no 'movement_encoder' state dict"):
        T2MEvaluator.load(tmp_path / "bad.tar", t2m_files["glove"], t2m_files["mean"], t2m_files["std"])
    bad = torch.load(t2m_files["checkpoint"])
    bad["motion_encoder"]["input_emb.weight"] = torch.zeros(3, 3)
    torch.save(bad, tmp_path / "bad2.tar")
    with pytest.raises(EvaluatorError, match="does not fit the T2M architecture"):
        T2MEvaluator.load(tmp_path / "bad2.tar", t2m_files["glove"], t2m_files["mean"], t2m_files["std"])


def test_evaluate_cli_with_t2m_files(t2m_files, synthetic_root: Path, tmp_path: Path, capsys) -> None:
    from motion_loop.cli import main

    files = [f"t2m.checkpoint={t2m_files['checkpoint']}", f"t2m.glove_dir={t2m_files['glove']}",
             f"t2m.mean={t2m_files['mean']}", f"t2m.std={t2m_files['std']}"]  # fmt: skip
    args = ["evaluate", f"data.root={synthetic_root}", "metrics.replications=1", "metrics.diversity_times=20",
            "plausibility.enabled=false", f"out={tmp_path / 'r.json'}"]  # fmt: skip
    assert main([*args, *files]) == 0
    assert "r_precision_top3" in capsys.readouterr().out
    assert main([*args, *files, f"evaluator={t2m_files['checkpoint']}"]) == 1
    assert "exactly one evaluator" in capsys.readouterr().err
