"""Training of the diffusion model: AdamW, EMA, masked x0 loss (+ optional geometric terms), exact resume,
fine-tuning, TensorBoard scalars, progress bar and DDP (when torch.distributed is initialised, e.g. by torchrun).

Every random draw comes from generators the Trainer owns (diffusion steps, noise, condition dropout,
batch order, the dataset's crops) or, for nn.Dropout, from a private stream run inside
`torch.random.fork_rng`; all of them are stored in checkpoints, so a resumed run reproduces the
uninterrupted one exactly (same device and build), and the process-wide RNG is never touched.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import ConcatDataset, Dataset
from tqdm.auto import tqdm

from motion_loop.errors import ConfigError
from motion_loop.model.checkpoint import (
    Checkpoint,
    check_text_encoder,
    load_checkpoint,
    save_checkpoint,
)
from motion_loop.model.config import DiffusionConfig, ModelConfig, TrainConfig
from motion_loop.model.denoiser import MotionDenoiser
from motion_loop.model.ema import EMA
from motion_loop.model.losses import (
    foot_contact_loss,
    joint_position_loss,
    masked_mse,
    ric_joints,
    velocity_loss,
)
from motion_loop.model.plateau import PlateauRule, PlateauTracker
from motion_loop.model.schedule import NoiseSchedule
from motion_loop.text.encoder import TextEncoder

_LOG = logging.getLogger(__name__)
# Without a bar, a fit logs a progress line at a log_every step once this long has passed since the last
# one: long fits (generation 0, hours on a CPU) show progress in run.log, short fine-tunes stay silent.
_LOG_INTERVAL_SECONDS = 60.0

CHECKPOINT_NAME = "checkpoint.pt"
# Seeds of a process's streams are derived from (seed, rank, stream) so ranks and streams never coincide.
_STREAM_NOISE, _STREAM_ORDER, _STREAM_DROPOUT, _STREAM_INIT = 0, 1, 2, 3


def resolve_device(name: str) -> torch.device:
    """ "" -> cuda when available else cpu; otherwise torch.device(name)."""
    if not name:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def _stream_seed(seed: int, rank: int, stream: int) -> int:
    return (seed * 1_000_003 + rank * 7919 + stream) % (2**63)


def _dataset_rngs(dataset: Dataset) -> list[np.random.Generator]:
    """The numpy generators a dataset (or a ConcatDataset of them) draws crops and captions from."""
    if isinstance(dataset, ConcatDataset):
        return [rng for part in dataset.datasets for rng in _dataset_rngs(part)]
    rng = getattr(dataset, "rng", None)
    return [rng] if isinstance(rng, np.random.Generator) else []


def _dataset_captions(dataset: Dataset) -> list[str]:
    """Every caption text of a MotionDataset (or a ConcatDataset of them); [] for other datasets."""
    if isinstance(dataset, ConcatDataset):
        return [text for part in dataset.datasets for text in _dataset_captions(part)]
    items = getattr(dataset, "items", None)
    if not isinstance(items, list):
        return []
    return [caption.text for item in items for caption in getattr(item, "captions", ())]


@dataclass
class Batch:
    motion: torch.Tensor  # (B, T, 263) normalised, zero-padded
    mask: torch.Tensor  # (B, T) bool
    captions: list[str]


def collate(items: list[dict[str, Any]]) -> Batch:
    """Stack dataset items, cropping the canvas to the longest valid length in the batch."""
    mask = torch.stack([item["mask"] for item in items])
    frames = int(mask.sum(1).max())
    motion = torch.stack([item["motion"] for item in items])[:, :frames]
    return Batch(motion, mask[:, :frames], [str(item["caption"]) for item in items])


PRECISIONS = ("float32", "bf16")


@dataclass
class TrainResult:
    """Outcome of `Trainer.fit`: where the checkpoint is and how training went.

    `loss_start` and `loss_end` are the mean training loss of the first and the last window of this
    call (`plateau.window` steps, or train.log_every without a plateau rule); `stopped` says why the
    call ended: "steps" (the target), "plateau" (the rule fired) or "cap" (plateau rule at max_steps).
    """

    checkpoint: Path
    step: int
    loss: float
    seconds: float
    steps_per_second: float
    steps_done: int = 0
    loss_start: float = float("nan")
    loss_end: float = float("nan")
    stopped: str = "steps"


class Trainer:
    """Owns the denoiser, EMA, optimiser, schedule and RNG streams of one training run.

    Args:
        model, diffusion, train: configs.
        mean, std: (263,) normalisation statistics of the training features (stored in checkpoints).
        text_encoder: frozen caption encoder (use a cached one: captions repeat every epoch).
        device: overrides train.device.
    """

    def __init__(
        self,
        model: ModelConfig,
        diffusion: DiffusionConfig,
        train: TrainConfig,
        *,
        mean: np.ndarray,
        std: np.ndarray,
        text_encoder: TextEncoder,
        device: torch.device | None = None,
    ) -> None:
        if train.batch_size < 1 or train.steps < 0:
            raise ConfigError(
                f"train.batch_size must be >= 1 and train.steps >= 0, got {train.batch_size}, {train.steps}"
            )
        self.model_config, self.diffusion_config, self.train_config = model, diffusion, train
        self.device = device or resolve_device(train.device)
        self.mean, self.std = np.asarray(mean, np.float32), np.asarray(std, np.float32)
        self.text_encoder = text_encoder
        self.schedule = NoiseSchedule.from_name(diffusion.schedule, diffusion.steps)
        # Initial weights come from the run's seed, not from the process-wide RNG (which stays untouched).
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(
                torch.Generator().manual_seed(_stream_seed(train.seed, 0, _STREAM_INIT)).get_state()
            )
            denoiser = MotionDenoiser(
                model, text_dim=text_encoder.dim, num_diffusion_steps=diffusion.steps
            )
        self.denoiser = denoiser.to(self.device)
        self.ema = EMA(self.denoiser, decay=train.ema_decay)
        self.step = 0
        self.metrics: dict[str, float] = {}
        self.generation: int | None = None
        self.fit_progress: dict[str, Any] = {}  # see Checkpoint.fit_progress
        self._new_optimizer()
        rank = _rank()
        self.noise_generator = torch.Generator(device=self.device).manual_seed(
            _stream_seed(train.seed, rank, _STREAM_NOISE)
        )
        self.order_generator = torch.Generator().manual_seed(
            _stream_seed(train.seed, rank, _STREAM_ORDER)
        )
        self._dropout_states = self._initial_dropout_states(
            _stream_seed(train.seed, rank, _STREAM_DROPOUT)
        )
        self._order: list[int] = []
        self._cursor = 0
        self._pending_dataset_states: list[dict[str, Any]] | None = None
        self._mean_t = torch.as_tensor(self.mean, device=self.device)
        self._std_t = torch.as_tensor(self.std, device=self.device)

    # ----- construction from checkpoints -------------------------------------------------------------
    def _new_optimizer(self) -> None:
        cfg = self.train_config
        self.optimizer = torch.optim.AdamW(
            self.denoiser.parameters(),
            lr=cfg.lr,
            weight_decay=cfg.weight_decay,
            betas=(cfg.adam_beta1, cfg.adam_beta2),
        )
        warmup = max(cfg.warmup_steps, 0)
        self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: min(1.0, (step + 1) / warmup) if warmup else 1.0
        )

    def _initial_dropout_states(self, seed: int) -> dict[str, torch.Tensor]:
        states = {"cpu": torch.Generator().manual_seed(seed).get_state()}
        if self.device.type == "cuda":
            states["cuda"] = torch.Generator(device=self.device).manual_seed(seed).get_state()
        return states

    @classmethod
    def from_checkpoint(
        cls,
        path: Path | str,
        train: TrainConfig,
        *,
        resume: bool,
        text_encoder: TextEncoder,
        device: torch.device | None = None,
    ) -> Trainer:
        """Rebuild a trainer from a checkpoint.

        Args:
            resume: True continues the same run exactly (weights, EMA, optimiser, step, every RNG stream);
                False fine-tunes: weights and EMA are loaded, the step counter and RNG streams start
                afresh from `train.seed`, and the optimiser is fresh when train.reset_optimizer.
        """
        checkpoint = load_checkpoint(path, map_location="cpu")
        check_text_encoder(checkpoint, text_encoder.name, text_encoder.dim, path=path)
        trainer = cls(
            checkpoint.model,
            checkpoint.diffusion,
            train,
            mean=checkpoint.mean,
            std=checkpoint.std,
            text_encoder=text_encoder,
            device=device,
        )
        trainer.denoiser.load_state_dict(checkpoint.weights)
        ema_updates = checkpoint.step if checkpoint.ema_updates is None else checkpoint.ema_updates
        trainer.ema.load_state_dict(checkpoint.ema_weights, updates=ema_updates)
        trainer.generation = checkpoint.generation
        if resume or not train.reset_optimizer:
            if checkpoint.optimizer is None:
                raise ConfigError(
                    f"{path} holds no optimiser state; fine-tune with train.reset_optimizer=true"
                )
            trainer.optimizer.load_state_dict(checkpoint.optimizer)
            if checkpoint.lr_scheduler is not None:
                trainer.lr_scheduler.load_state_dict(checkpoint.lr_scheduler)
        if resume:
            trainer.step = checkpoint.step
            trainer.metrics = dict(checkpoint.metrics)
            trainer.fit_progress = dict(checkpoint.fit_progress)
            if _rank() == 0:
                trainer._load_rng(checkpoint.rng)
            else:
                # The file holds rank 0's streams; other ranks continue on fresh streams derived from the
                # step, so they do not replay rank 0's batches (DDP resume is exact for rank 0 only).
                trainer._reseed(train.seed + checkpoint.step)
        return trainer

    def _reseed(self, seed: int) -> None:
        rank = _rank()
        self.noise_generator.manual_seed(_stream_seed(seed, rank, _STREAM_NOISE))
        self.order_generator.manual_seed(_stream_seed(seed, rank, _STREAM_ORDER))
        self._dropout_states = self._initial_dropout_states(
            _stream_seed(seed, rank, _STREAM_DROPOUT)
        )

    # ----- state ---------------------------------------------------------------------------------------
    def _rng_state(self, dataset: Dataset | None) -> dict[str, Any]:
        return {
            "noise": self.noise_generator.get_state(),
            "order": self.order_generator.get_state(),
            "dropout": {k: v.clone() for k, v in self._dropout_states.items()},
            "batch_order": list(self._order),
            "cursor": self._cursor,
            "dataset": [rng.bit_generator.state for rng in _dataset_rngs(dataset)]
            if dataset is not None
            else [],
        }

    def _load_rng(self, state: dict[str, Any]) -> None:
        self.noise_generator.set_state(state["noise"])
        self.order_generator.set_state(state["order"])
        self._dropout_states = dict(state["dropout"])
        self._order, self._cursor = list(state["batch_order"]), int(state["cursor"])
        self._pending_dataset_states = list(state["dataset"])

    def checkpoint(self, dataset: Dataset | None = None) -> Checkpoint:
        """The current state as a Checkpoint (weights copied to the CPU)."""
        return Checkpoint(
            model=self.model_config,
            diffusion=self.diffusion_config,
            train=self.train_config,
            text_encoder=self.text_encoder.name,
            text_dim=self.text_encoder.dim,
            mean=self.mean,
            std=self.std,
            weights={k: v.detach().cpu().clone() for k, v in self.denoiser.state_dict().items()},
            ema_weights={k: v.cpu() for k, v in self.ema.state_dict().items()},
            optimizer=self.optimizer.state_dict(),
            lr_scheduler=self.lr_scheduler.state_dict(),
            step=self.step,
            rng=self._rng_state(dataset),
            metrics=dict(self.metrics),
            generation=self.generation,
            ema_updates=self.ema.updates,
            fit_progress=dict(self.fit_progress),
        )

    def save(self, path: Path | str, dataset: Dataset | None = None) -> Path:
        return save_checkpoint(path, self.checkpoint(dataset))

    # ----- training --------------------------------------------------------------------------------------
    def _attach_dataset(self, dataset: Dataset) -> None:
        rngs = _dataset_rngs(dataset)
        if self._pending_dataset_states is not None:
            if len(self._pending_dataset_states) != len(rngs):
                raise ConfigError(
                    f"the checkpoint stored {len(self._pending_dataset_states)} dataset RNG states but the "
                    f"dataset has {len(rngs)}; resume with the same dataset layout"
                )
            for rng, state in zip(rngs, self._pending_dataset_states, strict=True):
                rng.bit_generator.state = state
            self._pending_dataset_states = None

    def _next_indices(self, size: int, batch_size: int) -> list[int]:
        """Next batch of an endless stream of random permutations (one permutation per epoch)."""
        indices: list[int] = []
        while len(indices) < batch_size:
            if self._cursor >= len(self._order):
                self._order = torch.randperm(size, generator=self.order_generator).tolist()
                self._cursor = 0
            take = min(batch_size - len(indices), len(self._order) - self._cursor)
            indices += self._order[self._cursor : self._cursor + take]
            self._cursor += take
        return indices

    def _loss(self, model: torch.nn.Module, batch: Batch) -> tuple[torch.Tensor, dict[str, float]]:
        motion, mask = (
            batch.motion.to(self.device),
            batch.mask.to(self.device),
        )  # (B, T, 263), (B, T)
        B = motion.shape[0]
        text = self.text_encoder.encode(batch.captions).to(self.device)  # (B, text_dim)
        gen = self.noise_generator
        t = torch.randint(0, self.schedule.num_steps, (B,), generator=gen, device=self.device)
        noise = torch.randn(motion.shape, generator=gen, device=self.device)
        keep_text = (
            torch.rand(B, generator=gen, device=self.device) >= self.model_config.cond_mask_prob
        )
        x_t = self.schedule.add_noise(motion, noise, t)
        with self._autocast():
            x0 = model(x_t, t, text, mask, keep_text=keep_text)
        x0 = x0.float()  # losses in float32 whatever the forward's precision
        terms = {"mse": masked_mse(x0, motion, mask).mean()}
        weights = self.train_config.loss
        if weights.lambda_joints or weights.lambda_velocity or weights.lambda_foot_contact:
            pred_features = x0 * self._std_t + self._mean_t
            target_features = motion * self._std_t + self._mean_t
            pred_joints, target_joints = ric_joints(pred_features), ric_joints(target_features)
            if weights.lambda_joints:
                terms["joints"] = (
                    weights.lambda_joints
                    * joint_position_loss(pred_joints, target_joints, mask).mean()
                )
            if weights.lambda_velocity:
                terms["velocity"] = (
                    weights.lambda_velocity * velocity_loss(pred_joints, target_joints, mask).mean()
                )
            if weights.lambda_foot_contact:
                terms["foot_contact"] = (
                    weights.lambda_foot_contact
                    * foot_contact_loss(pred_joints, target_features, mask).mean()
                )
        loss = torch.stack(list(terms.values())).sum()
        return loss, {k: float(v.detach()) for k, v in terms.items()}

    def _autocast(self) -> torch.autocast:
        precision = self.train_config.precision
        if precision not in PRECISIONS:
            raise ConfigError(f"train.precision must be one of {PRECISIONS}, got {precision!r}")
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=precision == "bf16")

    def _train_step(self, model: torch.nn.Module, dataset: Dataset) -> dict[str, float]:
        indices = self._next_indices(len(dataset), self.train_config.batch_size)  # type: ignore[arg-type]
        batch = collate([dataset[i] for i in indices])
        loss, terms = self._loss(model, batch)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = float("nan")
        if self.train_config.grad_clip > 0:
            grad_norm = float(
                torch.nn.utils.clip_grad_norm_(
                    self.denoiser.parameters(), self.train_config.grad_clip
                )
            )
        self.optimizer.step()
        self.lr_scheduler.step()
        self.ema.update(self.denoiser)
        self.step += 1
        return {
            "loss": float(loss.detach()),
            **{f"loss/{k}": v for k, v in terms.items()},
            "grad_norm": grad_norm,
        }

    def fit(
        self,
        dataset: Dataset,
        out_dir: Path | str,
        *,
        steps: int | None = None,
        plateau: PlateauRule | None = None,
    ) -> TrainResult:
        """Train until the step counter reaches `steps` (default train.steps), then save out_dir/checkpoint.pt.

        With `plateau`, train instead until its rule fires or `plateau.max_steps` more steps are done
        (`steps` is then ignored). Checkpoints are also written every train.save_every steps. Under DDP
        only rank 0 writes (and the plateau decision is rank 0's loss, identical on every rank only
        approximately: use it on one process).
        """
        target = self.train_config.steps if steps is None else steps
        identity = {"rule": asdict(plateau) if plateau is not None else None, "steps": None if plateau else target}
        # A checkpoint written in the middle of this same fit (a killed run) carries the fit's own state.
        progress = self.fit_progress if self.fit_progress.get("identity") == identity else {}
        start_step = int(progress.get("start_step", self.step))
        tracker = None
        if plateau is not None:
            target = start_step + plateau.max_steps
            tracker = PlateauTracker(plateau)
            if progress:
                tracker.restore(progress["tracker"])
        first_window: list[float] = list(progress.get("first_window", []))
        first_window_size = plateau.window if plateau is not None else max(self.train_config.log_every, 1)
        last_window: list[float] = list(progress.get("last_window", []))
        window: list[float] = list(progress.get("window", []))
        stopped = "steps" if plateau is None else "cap"
        out_dir = Path(out_dir)
        rank = _rank()
        self._attach_dataset(dataset)
        if len(dataset) == 0:  # type: ignore[arg-type]
            raise ConfigError("cannot train on an empty dataset")
        # Encode every caption once, in large batches, before training (the encoder caches them).
        captions = sorted(set(_dataset_captions(dataset)))
        if captions:
            self.text_encoder.encode(captions)
        model: torch.nn.Module = self.denoiser
        if dist.is_available() and dist.is_initialized():
            device_ids = [self.device.index] if self.device.type == "cuda" else None
            model = torch.nn.parallel.DistributedDataParallel(self.denoiser, device_ids=device_ids)
        writer = None
        if rank == 0:
            out_dir.mkdir(parents=True, exist_ok=True)
            from torch.utils.tensorboard import SummaryWriter

            writer = SummaryWriter(str(out_dir / "tensorboard"), purge_step=self.step)
        checkpoint_path = out_dir / CHECKPOINT_NAME
        start_time = time.perf_counter()
        last_line, resumed_at = start_time, self.step
        devices = [self.device] if self.device.type == "cuda" else []
        self.denoiser.train()
        with torch.random.fork_rng(
            devices=devices, device_type=self.device.type if devices else "cuda"
        ):
            torch.set_rng_state(self._dropout_states["cpu"])
            if devices:
                torch.cuda.set_rng_state(self._dropout_states["cuda"], self.device)
            bar = tqdm(
                total=target,
                initial=self.step,
                desc="train",
                disable=not self.train_config.progress or rank != 0,
            )
            while self.step < target:
                scalars = self._train_step(model, dataset)
                window.append(scalars["loss"])
                if len(first_window) < first_window_size:
                    first_window.append(scalars["loss"])
                last_window = (last_window + [scalars["loss"]])[-first_window_size:]
                if tracker is not None:
                    tracker.update(scalars["loss"], self.step - start_step)
                bar.update(1)
                log_now = (
                    self.step % max(self.train_config.log_every, 1) == 0 or self.step == target
                )
                if log_now:
                    self.metrics = {"loss": float(np.mean(window)), "step": float(self.step)}
                    bar.set_postfix(loss=f"{self.metrics['loss']:.4f}")
                    quiet_for = time.perf_counter() - last_line
                    if bar.disable and rank == 0 and quiet_for >= _LOG_INTERVAL_SECONDS:
                        _log_progress(self.step, target, resumed_at, start_time, self.metrics["loss"], capped=tracker is not None)
                        last_line = time.perf_counter()
                    if writer is not None:
                        for name, value in scalars.items():
                            if math.isfinite(value):
                                writer.add_scalar(f"train/{name}", value, self.step)
                        writer.add_scalar("train/loss_window", self.metrics["loss"], self.step)
                        writer.add_scalar("train/lr", self.lr_scheduler.get_last_lr()[0], self.step)
                    window = []
                self._capture_dropout_states(devices)
                save_now = (
                    self.train_config.save_every > 0
                    and self.step % self.train_config.save_every == 0
                )
                if save_now and rank == 0 and self.step < target:
                    self.fit_progress = {
                        "identity": identity, "start_step": start_step, "first_window": list(first_window),
                        "last_window": list(last_window), "window": list(window),
                        "tracker": tracker.state() if tracker is not None else None,
                    }  # fmt: skip
                    self.save(checkpoint_path, dataset)
                if tracker is not None and tracker.plateaued():
                    stopped = "plateau"
                    break
            bar.close()
            self._capture_dropout_states(devices)
        if window:
            self.metrics = {"loss": float(np.mean(window)), "step": float(self.step)}
        self.fit_progress = {}  # the finished fit's checkpoint starts the next fit afresh
        if rank == 0:
            self.save(checkpoint_path, dataset)
        if writer is not None:
            writer.close()
        seconds = time.perf_counter() - start_time  # this process's part of the fit
        done = self.step - start_step
        return TrainResult(
            checkpoint=checkpoint_path,
            step=self.step,
            loss=self.metrics.get("loss", float("nan")),
            seconds=seconds,
            steps_per_second=(self.step - resumed_at) / seconds if seconds > 0 else float("nan"),
            steps_done=done,
            loss_start=float(np.mean(first_window)) if first_window else float("nan"),
            loss_end=float(np.mean(last_window)) if last_window else float("nan"),
            stopped=stopped,
        )

    def _capture_dropout_states(self, devices: list[torch.device]) -> None:
        self._dropout_states["cpu"] = torch.get_rng_state()
        if devices:
            self._dropout_states["cuda"] = torch.cuda.get_rng_state(self.device)


def _log_progress(step: int, target: int, since_step: int, since: float, loss: float, *, capped: bool) -> None:
    """One progress line (INFO) when no bar is shown; the rate is this process's, since `since_step`."""
    done = step - since_step
    per_step = (time.perf_counter() - since) / done if done else float("nan")
    left = (target - step) * per_step / 60.0
    limit, estimate = (f"cap {target}", "at most") if capped else (f"{target}", "about")
    _LOG.info("train step %d/%s  loss %.4f  %.2f s/step  %s %.0f min left", step, limit, loss, per_step, estimate, left)

