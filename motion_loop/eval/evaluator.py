"""The text-motion evaluator: embeds captions and motions, trains contrastively, saves itself.

A checkpoint describes itself: model config, weights, the normalisation statistics the motion
encoder was trained with, the training dataset's content fingerprint (`dataset_fingerprint`: its train
clips' motions and captions, and Mean/Std), and training figures. The file carries a sha256 checked on
load (`motion_loop.io.checked`): a damaged evaluator fails with the file named instead of moving FID.
Loading rebuilds from the stored config; `check_dataset` warns loudly when the evaluator is used on a
dataset other than the one it was trained on.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from motion_loop.data.dataset import MotionDataset
from motion_loop.data.features import FEATURE_DIM, check_features
from motion_loop.data.fingerprint import dataset_fingerprint
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.errors import ConfigError, DataFormatError, MotionLoopError
from motion_loop.eval.config import EvaluatorModelConfig, EvaluatorTrainConfig
from motion_loop.eval.degrade import incoherent_batch
from motion_loop.eval.encoders import (
    TIME_STRIDE,
    MotionEncoder,
    TextEncoder,
    get_loss,
    incoherent_negative_loss,
    same_caption_mask,
)
from motion_loop.eval.text_frontend import CachedFrontend, load_frontend
from motion_loop.io.checked import load_torch_checked, save_torch_checked

CHECKPOINT_FORMAT = "motion-loop-evaluator/1"
# Longest motion the encoder sees [frames]; longer inputs are cut (HumanML3D canvas).
MAX_FRAMES = 196
_EMBED_BATCH = 256
_DAMAGED_FIX = (
    "delete it and train it again with `motion-loop evaluator train` (a run retrains a cached evaluator "
    "it cannot find)"
)

__all__ = ["Evaluator", "EvaluatorError", "dataset_fingerprint", "train_evaluator"]


class EvaluatorError(MotionLoopError):
    """An evaluator checkpoint is unreadable, inconsistent, or used on inputs it cannot embed."""


class DatasetMismatchWarning(UserWarning):
    """The evaluator was trained on another dataset: its metrics are not comparable with its own."""


@dataclass
class TrainHistory:
    """Per-epoch training loss and, when a validation split exists, its R@3 within batches of 32."""

    loss: list[float] = field(default_factory=list)
    val_r3: list[float] = field(default_factory=list)
    seconds: float = 0.0
    train_items: int = 0
    val_items: int = 0


class Evaluator:
    """Text and motion encoders with the statistics they were trained with.

    The interface the evaluation uses (shared with `t2m_loader.T2MEvaluator`): `embed_text`,
    `embed_motion`, `content_hash`, `reference_cache`, `wants_tokens`.

    Args:
        config: the architecture.
        mean, std: (263,) normalisation of the motion encoder's inputs.
        fingerprint: the training dataset's `dataset_fingerprint`.
        info: free description stored in the checkpoint (dataset root, training figures).
        device: torch device for embedding.
    """

    def __init__(
        self,
        config: EvaluatorModelConfig,
        *,
        mean: np.ndarray,
        std: np.ndarray,
        fingerprint: str,
        info: dict[str, Any] | None = None,
        device: str = "cpu",
        text_cache_dir: str | Path | None = None,
    ) -> None:
        self.wants_tokens = False
        if mean.shape != (FEATURE_DIM,) or std.shape != (FEATURE_DIM,) or np.any(std <= 0):
            raise EvaluatorError(f"mean/std must be ({FEATURE_DIM},) with std > 0, got {mean.shape}, {std.shape}")
        self.config = config
        self.mean, self.std = mean.astype(np.float32), std.astype(np.float32)
        self.fingerprint = fingerprint
        self.info: dict[str, Any] = dict(info or {})
        self.device = torch.device(device)
        # The caption cache is where this process keeps sentence vectors, not part of the model.
        self.frontend = CachedFrontend(load_frontend(config.text_frontend, cache_dir=text_cache_dir))
        self.text_encoder = TextEncoder(self.frontend.dim, config.text_hidden, config.embed_dim).to(self.device)
        self.motion_encoder = MotionEncoder(
            config.motion_conv, config.motion_hidden, config.embed_dim, drop_contacts=config.drop_contacts
        ).to(self.device)
        # Real-data embeddings memoised per content key (see motion_loop.eval.evaluation.reference_embeddings).
        self.reference_cache: dict[str, Any] = {}

    def content_hash(self) -> str:
        """sha256 over the config, statistics and weights: identifies cached embeddings."""
        digest = hashlib.sha256(repr(asdict(self.config)).encode())
        digest.update(self.mean.tobytes() + self.std.tobytes())
        for module in (self.text_encoder, self.motion_encoder):
            for name, tensor in module.state_dict().items():
                digest.update(name.encode() + tensor.detach().cpu().numpy().tobytes())
        return digest.hexdigest()

    # ---------------------------------------------------------------- embedding
    def parameters(self) -> list[torch.nn.Parameter]:
        return [*self.text_encoder.parameters(), *self.motion_encoder.parameters()]

    def train_mode(self, flag: bool) -> None:
        self.text_encoder.train(flag)
        self.motion_encoder.train(flag)

    def text_tensor(self, captions: Sequence[str]) -> torch.Tensor:
        """Text embeddings with gradients, (B, embed_dim)."""
        sentences = torch.from_numpy(self.frontend.encode(list(captions))).to(self.device)
        return self.text_encoder(sentences)

    @torch.no_grad()
    def embed_text(self, captions: Sequence[str]) -> np.ndarray:
        """Captions -> (N, embed_dim) float64 text embeddings."""
        self.train_mode(False)
        out = [self.text_tensor(captions[i : i + _EMBED_BATCH]).cpu().numpy() for i in range(0, len(captions), _EMBED_BATCH)]
        return np.concatenate(out).astype(np.float64) if out else np.zeros((0, self.config.embed_dim))

    def normalize(self, features: np.ndarray) -> np.ndarray:
        return (features - self.mean) / self.std

    @torch.no_grad()
    def embed_motion(self, motions: Sequence[np.ndarray], lengths: Sequence[int] | None = None) -> np.ndarray:
        """Un-normalised features, each (T_i, 263) -> (N, embed_dim) float64 motion embeddings.

        Each motion is cut to `lengths[i]` (default T_i), then down to a multiple of 4 frames and at
        most 196 frames, as the reference evaluation does.

        Raises:
            EvaluatorError: a motion shorter than 4 frames; DataFormatError: wrong shape or NaN.
        """
        self.train_mode(False)
        lengths = [len(m) for m in motions] if lengths is None else list(lengths)
        if len(lengths) != len(motions):
            raise EvaluatorError(f"embed_motion: {len(motions)} motions but {len(lengths)} lengths")
        out = []
        for start in range(0, len(motions), _EMBED_BATCH):
            chunk = motions[start : start + _EMBED_BATCH]
            cut = [min(int(n), len(m), MAX_FRAMES) // TIME_STRIDE * TIME_STRIDE for m, n in zip(chunk, lengths[start:], strict=False)]
            if min(cut) < TIME_STRIDE:
                bad = start + int(np.argmin(cut))
                raise EvaluatorError(f"motion {bad} has {lengths[bad]} frames; the evaluator needs >= {TIME_STRIDE}")
            batch = np.zeros((len(chunk), max(cut), FEATURE_DIM), dtype=np.float32)  # (B, T, 263)
            for row, (motion, n) in enumerate(zip(chunk, cut, strict=True)):
                batch[row, :n] = self.normalize(check_features(motion, name=f"motion {start + row}")[:n])
            tensor = torch.from_numpy(batch).to(self.device)
            out.append(self.motion_encoder(tensor, torch.tensor(cut)).cpu().numpy())
        return np.concatenate(out).astype(np.float64) if out else np.zeros((0, self.config.embed_dim))

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path | str) -> None:
        """Write the checkpoint atomically, behind its sha256 (see `motion_loop.io.checked`)."""
        state = {
            "format": CHECKPOINT_FORMAT,
            "config": asdict(self.config),
            "text_encoder": self.text_encoder.state_dict(),
            "motion_encoder": self.motion_encoder.state_dict(),
            "mean": self.mean,
            "std": self.std,
            "fingerprint": self.fingerprint,
            "info": self.info,
        }
        save_torch_checked(path, state)

    @classmethod
    def load(cls, path: Path | str, *, device: str = "cpu", text_cache_dir: str | Path | None = None) -> Evaluator:
        """Rebuild an evaluator from its checkpoint (`text_cache_dir`: the on-disk caption cache of a
        MiniLM front end, e.g. the generator's model.text.cache_dir).

        Raises:
            EvaluatorError: missing, truncated or corrupt file (checksum), another format, or weights that
                do not fit the stored config.
        """
        path = Path(path)
        if not path.is_file():
            raise EvaluatorError(f"no evaluator checkpoint at {path}; train one with `motion-loop evaluator train`")
        state = load_torch_checked(path, what="evaluator checkpoint", fix=_DAMAGED_FIX, error=EvaluatorError)
        if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
            found = state.get("format") if isinstance(state, dict) else type(state).__name__
            raise EvaluatorError(
                f"{path}: expected format {CHECKPOINT_FORMAT!r}, got {found!r} "
                "(original T2M weights load with motion_loop.eval.t2m_loader)"
            )
        try:
            config = EvaluatorModelConfig(**state["config"])
        except TypeError as error:
            raise EvaluatorError(f"{path}: stored config does not match EvaluatorModelConfig ({error})") from error
        evaluator = cls(
            config, mean=np.asarray(state["mean"]), std=np.asarray(state["std"]),
            fingerprint=state["fingerprint"], info=state["info"], device=device, text_cache_dir=text_cache_dir,
        )  # fmt: skip
        try:
            evaluator.text_encoder.load_state_dict(state["text_encoder"])
            evaluator.motion_encoder.load_state_dict(state["motion_encoder"])
        except RuntimeError as error:
            raise EvaluatorError(f"{path}: weights do not fit the stored config: {error}") from error
        return evaluator

    def check_dataset(self, folder: HumanML3DFolder, *, split: str = "train") -> bool:
        """True if `folder` is the training dataset; otherwise warn loudly and return False."""
        try:
            fingerprint = dataset_fingerprint(folder, split)
        except DataFormatError:
            fingerprint = "<no train split or statistics>"
        if fingerprint == self.fingerprint:
            return True
        warnings.warn(
            DatasetMismatchWarning(
                f"EVALUATOR / DATASET MISMATCH: this evaluator was trained on a dataset with fingerprint "
                f"{self.fingerprint[:12]} ({self.info.get('dataset_root', '?')}), but {folder.root} has "
                f"{fingerprint[:12]}. Its FID, R-precision and matching scores are not comparable with "
                "numbers from the matching evaluator; train one on this dataset with `motion-loop evaluator train`."
            ),
            stacklevel=2,
        )
        return False


def _collate(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "motion": torch.stack([item["motion"] for item in items]),
        "length": torch.tensor([item["length"] for item in items]),
        "caption": [item["caption"] for item in items],
    }


def _validation_r3(evaluator: Evaluator, dataset: MotionDataset, rng: np.random.Generator) -> float:
    from motion_loop.eval.metrics import r_precision_and_matching

    items = [dataset[i] for i in range(len(dataset))]
    motions = [dataset.denormalize(item["motion"].numpy()[: item["length"]]) for item in items]
    text = evaluator.embed_text([item["caption"] for item in items])
    motion = evaluator.embed_motion(motions)
    return float(r_precision_and_matching(text, motion, rng).r_precision[-1])


def train_evaluator(
    folder: HumanML3DFolder,
    model_config: EvaluatorModelConfig,
    train_config: EvaluatorTrainConfig,
    *,
    min_frames: int = 40,
    max_frames: int = MAX_FRAMES,
    log: Callable[[str], None] | None = None,
) -> tuple[Evaluator, TrainHistory]:
    """Fit the encoders contrastively on `folder`'s train split.

    Items are cut as for training (random caption, unit-rounded random crop). When the folder has a
    val split with at least 32 usable clips, R@3 on it is recorded after each epoch.

    Raises:
        ConfigError: invalid settings; DataFormatError: the train split is unusable.
    """
    if train_config.epochs < 1 or train_config.batch_size < 2:
        raise ConfigError(f"evaluator training needs epochs >= 1 and batch_size >= 2, got {train_config}")
    loss_fn = get_loss(train_config.loss)
    mean, std = folder.mean_std()
    dataset = MotionDataset(folder, "train", min_frames=min_frames, max_frames=max_frames, seed=train_config.seed)
    val = _optional_val(folder, min_frames, max_frames, train_config.seed)
    info = {"dataset_root": str(folder.root), "train_config": asdict(train_config), "train_items": len(dataset)}
    # Parameter initialisation is seeded inside a forked RNG so no global state leaks out.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(train_config.seed)
        evaluator = Evaluator(
            model_config, mean=mean, std=std, fingerprint=dataset_fingerprint(folder), info=info,
            device=train_config.device,
        )  # fmt: skip
    optimizer = torch.optim.AdamW(evaluator.parameters(), lr=train_config.lr, weight_decay=train_config.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=train_config.epochs)
    generator = torch.Generator().manual_seed(train_config.seed)
    loader = DataLoader(
        dataset, batch_size=min(train_config.batch_size, len(dataset)), shuffle=True, drop_last=True,
        generator=generator, collate_fn=_collate,
    )  # fmt: skip
    rng = np.random.default_rng(train_config.seed)
    corrupt_generator = torch.Generator().manual_seed(train_config.seed + 1)
    history = TrainHistory(train_items=len(dataset), val_items=len(val) if val is not None else 0)
    start = time.perf_counter()
    for epoch in range(train_config.epochs):
        evaluator.train_mode(True)
        total, steps = 0.0, 0
        for batch in loader:
            motion = batch["motion"].to(evaluator.device)
            text = evaluator.text_tensor(batch["caption"])
            moving = evaluator.motion_encoder(motion, batch["length"])
            same = same_caption_mask(batch["caption"], evaluator.device)
            loss = loss_fn(text, moving, same, temperature=train_config.temperature, margin=train_config.margin)
            if train_config.incoherent_negatives > 0:
                corrupted = incoherent_batch(batch["motion"], batch["length"], corrupt_generator)
                negatives = evaluator.motion_encoder(corrupted.to(evaluator.device), batch["length"])
                loss = loss + train_config.incoherent_negatives * incoherent_negative_loss(
                    text, moving, negatives, temperature=train_config.temperature
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(evaluator.parameters(), 1.0)
            optimizer.step()
            total, steps = total + loss.item(), steps + 1
        scheduler.step()
        history.loss.append(total / max(steps, 1))
        message = f"epoch {epoch + 1}/{train_config.epochs} loss {history.loss[-1]:.4f}"
        if val is not None:
            history.val_r3.append(_validation_r3(evaluator, val, rng))
            message += f" val R@3 {history.val_r3[-1]:.3f}"
        if log is not None:
            log(message)
    history.seconds = time.perf_counter() - start
    evaluator.info["history"] = asdict(history)
    evaluator.train_mode(False)
    return evaluator, history


def _optional_val(folder: HumanML3DFolder, min_frames: int, max_frames: int, seed: int) -> MotionDataset | None:
    if not (folder.root / "val.txt").is_file():
        return None
    try:
        val = MotionDataset(folder, "val", min_frames=min_frames, max_frames=max_frames, seed=seed + 1, random_cut=False)
    except DataFormatError:
        return None
    return val if len(val) >= 32 else None
