"""An MDM `trans_enc` checkpoint (Tevet et al. 2023) as a motion-loop model checkpoint.

MDM's text-to-motion model on HumanML3D (arch "trans_enc", data_rep "hml_vec", CLIP text) computes
what `MotionDenoiser` computes: a linear input projection of the 263-d frames, one conditioning token
(MLP of the sinusoidal step encoding + linear projection of the 512-d CLIP text vector), sinusoidal
positions, a post-norm TransformerEncoder, and a linear output projection; it predicts x0. Only the
parameter names and the sequence-first layout differ, so a checkpoint maps key by key:

    MDM                                          motion-loop MotionDenoiser
    input_process.poseEmbedding.{weight,bias}     input_proj.*
    embed_timestep.time_embed.{0,2}.*             step_mlp.{0,2}.*
    embed_text.*                                  text_proj.*
    seqTransEncoder.layers.N.*                    encoder.layers.N.*  (same nn.TransformerEncoderLayer)
    output_process.poseFinal.*                    output_proj.*
    sequence_pos_encoder.pe (and its alias under embed_timestep)   checked against our table, not stored
    clip_model.*                                  dropped (the CLIP encoder is loaded by `text.name=clip`)

An MDM file holds a state dict, or {"model": ..., "model_avg": ...} when trained with EMA. Its
`args.json` (beside the file) gives the settings the weights cannot tell: the diffusion steps and
schedule, the condition dropout and `mask_frames` (MDM attends to padding unless it is set).
The result samples with `motion-loop sample checkpoint=OUT.pt` when it was given the local CLIP
ViT-B/32 weights (`clip_weights`, the file MDM's CLIP loads).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch

from motion_loop.data.features import FEATURE_DIM
from motion_loop.errors import MotionLoopError
from motion_loop.model.checkpoint import Checkpoint
from motion_loop.model.config import DiffusionConfig, ModelConfig, TrainConfig
from motion_loop.model.denoiser import sinusoidal_table
from motion_loop.text.encoder import TextConfig

# MDM key prefix -> MotionDenoiser key prefix.
KEY_PREFIXES: dict[str, str] = {
    "input_process.poseEmbedding.": "input_proj.",
    "embed_timestep.time_embed.0.": "step_mlp.0.",
    "embed_timestep.time_embed.2.": "step_mlp.2.",
    "embed_text.": "text_proj.",
    "seqTransEncoder.layers.": "encoder.layers.",
    "output_process.poseFinal.": "output_proj.",
}
_POSITION_KEYS = ("sequence_pos_encoder.pe", "embed_timestep.sequence_pos_encoder.pe")
_DROPPED_PREFIXES = ("clip_model.",)
# MDM's get_model_args fixes these for every HumanML3D model (they are not in args.json).
MDM_HEADS = 4
MDM_DROPOUT = 0.1
MDM_ACTIVATION = "gelu"
# The sinusoidal table stored in the file must equal ours to float32 precision.
_TABLE_TOLERANCE = 1e-5


class MDMCheckpointError(MotionLoopError):
    """An MDM checkpoint that is not a text-conditioned trans_enc HumanML3D model, or does not fit."""


def read_mdm_state(path: Path | str, *, use_ema: bool = True) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor] | None]:
    """(raw weights, EMA weights or None) of an MDM file (a state dict or {"model", "model_avg"})."""
    path = Path(path)
    if not path.is_file():
        raise MDMCheckpointError(f"MDM checkpoint {path} does not exist")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict):
        raise MDMCheckpointError(f"{path} holds a {type(payload).__name__}, expected an MDM state dict")
    if "model" in payload and isinstance(payload["model"], dict):
        average = payload.get("model_avg") if use_ema else None
        return dict(payload["model"]), dict(average) if isinstance(average, dict) else None
    return dict(payload), None


def map_mdm_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """MDM parameter names -> MotionDenoiser state dict (positional tables checked and dropped).

    Raises:
        MDMCheckpointError: keys of another architecture, a missing part, or a positional table that
            is not the standard sinusoid.
    """
    mapped: dict[str, torch.Tensor] = {}
    unknown = []
    for key, tensor in state.items():
        if key in _POSITION_KEYS or key.startswith(_DROPPED_PREFIXES):
            continue
        prefix = next((p for p in KEY_PREFIXES if key.startswith(p)), None)
        if prefix is None:
            unknown.append(key)
            continue
        mapped[KEY_PREFIXES[prefix] + key[len(prefix):]] = tensor
    if unknown:
        raise MDMCheckpointError(
            f"keys that a text-conditioned MDM trans_enc model does not have: {sorted(unknown)[:8]} "
            "(trans_dec, gru, action-conditioned, rot_vel and target-conditioned models do not map)"
        )
    missing = [p for p in KEY_PREFIXES if not any(k.startswith(KEY_PREFIXES[p]) for k in mapped)]
    if missing:
        raise MDMCheckpointError(f"the MDM checkpoint has no {missing} weights; is it a text-conditioned trans_enc model?")
    for key in _POSITION_KEYS:
        if key in state:
            _check_sinusoid(key, state[key])
    return mapped


def _check_sinusoid(key: str, table: torch.Tensor) -> None:
    rows = table.reshape(table.shape[0], -1).float()  # MDM stores (max_len, 1, d)
    ours = sinusoidal_table(rows.shape[0], rows.shape[1])
    error = float((rows - ours).abs().max())
    if error > _TABLE_TOLERANCE:
        raise MDMCheckpointError(
            f"{key} differs from the standard sinusoidal table by {error:.3g}; the timestep and position "
            "encodings would not match, so the checkpoint cannot be mapped"
        )


def mdm_model_config(
    state: dict[str, torch.Tensor], args: dict[str, Any], *, max_frames: int = 196, clip_weights: str = ""
) -> ModelConfig:
    """The ModelConfig of an MDM state dict: widths from the weights, the rest from args.json."""
    input_weight = state["input_process.poseEmbedding.weight"]  # (d, 263)
    latent_dim, feature_dim = input_weight.shape
    if feature_dim != FEATURE_DIM:
        raise MDMCheckpointError(
            f"the MDM model reads {feature_dim}-d frames; motion-loop works on HumanML3D's {FEATURE_DIM}-d features"
            " (KIT-ML models do not map)"
        )
    layers = {int(m.group(1)) for k in state if (m := re.match(r"seqTransEncoder\.layers\.(\d+)\.", k))}
    return ModelConfig(
        latent_dim=int(latent_dim),
        layers=len(layers),
        heads=MDM_HEADS,
        ff_dim=int(state["seqTransEncoder.layers.0.linear1.weight"].shape[0]),
        dropout=MDM_DROPOUT,
        attention_dropout=MDM_DROPOUT,
        activation=MDM_ACTIVATION,
        cond_mask_prob=float(args.get("cond_mask_prob", 0.1)),
        padding_mask=bool(args.get("mask_frames", False)),
        feature_dim=FEATURE_DIM,
        max_frames=max_frames,
        text=TextConfig(name="clip", clip_weights=clip_weights),
    )


def mdm_to_checkpoint(
    path: Path | str,
    *,
    mean: np.ndarray,
    std: np.ndarray,
    args: dict[str, Any] | None = None,
    use_ema: bool = True,
    clip_weights: str = "",
) -> Checkpoint:
    """A motion-loop Checkpoint holding the MDM model at `path`.

    Args:
        path: MDM's model*.pt.
        mean, std: (263,) the HumanML3D Mean.npy/Std.npy the MDM model was trained with.
        args: MDM's args.json as a dict; None reads args.json beside `path` when present (else MDM's
            defaults: 1000 cosine steps, cond_mask_prob 0.1, no frame mask).
        use_ema: take MDM's EMA weights (`model_avg`) as the EMA weights when the file has them.
        clip_weights: path of the CLIP ViT-B/32 weights (ViT-B-32.pt) stored as the model's text
            encoder setting, so `motion-loop sample checkpoint=OUT.pt` finds them.

    Raises:
        MDMCheckpointError: see `map_mdm_state`; mean/std of the wrong shape; an arch other than trans_enc.
    """
    path = Path(path)
    if args is None:
        args_path = path.parent / "args.json"
        args = json.loads(args_path.read_text()) if args_path.is_file() else {}
    if args.get("arch", "trans_enc") != "trans_enc":
        raise MDMCheckpointError(f"MDM arch {args['arch']!r}: only 'trans_enc' maps onto the motion-loop denoiser")
    mean, std = np.asarray(mean, dtype=np.float32), np.asarray(std, dtype=np.float32)
    if mean.shape != (FEATURE_DIM,) or std.shape != (FEATURE_DIM,):
        raise MDMCheckpointError(f"mean and std must be ({FEATURE_DIM},), got {mean.shape} and {std.shape}")
    raw, average = read_mdm_state(path, use_ema=use_ema)
    model = mdm_model_config(raw, args, clip_weights=clip_weights)
    weights = map_mdm_state(raw)
    ema = map_mdm_state(average) if average is not None else {k: v.clone() for k, v in weights.items()}
    return Checkpoint(
        model=model,
        diffusion=DiffusionConfig(steps=int(args.get("diffusion_steps", 1000)), schedule=str(args.get("noise_schedule", "cosine"))),
        train=TrainConfig(),
        text_encoder="clip",
        text_dim=int(raw["embed_text.weight"].shape[1]),
        mean=mean,
        std=std,
        weights=weights,
        ema_weights=ema,
        metrics={},
    )
