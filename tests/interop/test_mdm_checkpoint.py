"""An MDM trans_enc checkpoint, randomly initialised under MDM's parameter names, loads into MotionDenoiser
and computes what MDM's forward pass computes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from motion_loop.interop.mdm_checkpoint import MDMCheckpointError, mdm_to_checkpoint
from motion_loop.model.checkpoint import load_checkpoint, save_checkpoint
from motion_loop.model.denoiser import MotionDenoiser

D, LAYERS, FF, HEADS, CLIP_DIM, FEATURES = 32, 2, 64, 4, 512, 263


class _PositionTable(nn.Module):
    """MDM's `sequence_pos_encoder`: a (max_len, 1, d) sinusoid buffer named `pe`."""

    def __init__(self, d: int, max_len: int = 5000) -> None:
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float32)[:, None]
        scale = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
        table = torch.zeros(max_len, d)
        table[:, 0::2], table[:, 1::2] = torch.sin(position * scale), torch.cos(position * scale)
        self.register_buffer("pe", table[:, None])


class _Step(nn.Module):
    def __init__(self, d: int, table: _PositionTable) -> None:
        super().__init__()
        self.sequence_pos_encoder = table
        self.time_embed = nn.Sequential(nn.Linear(d, d), nn.SiLU(), nn.Linear(d, d))


class _Named(nn.Module):
    def __init__(self, name: str, layer: nn.Module) -> None:
        super().__init__()
        setattr(self, name, layer)


class ReferenceMDM(nn.Module):
    """The text-conditioned MDM trans_enc on hml_vec, with MDM's parameter names, run sequence-first on
    MDM's input layout x (B, 263, 1, T), as MDM's model/mdm.py describes it (written for this test)."""

    def __init__(self) -> None:
        super().__init__()
        self.input_process = _Named("poseEmbedding", nn.Linear(FEATURES, D))
        self.sequence_pos_encoder = _PositionTable(D)
        layer = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.1, activation="gelu")
        self.seqTransEncoder = nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
        self.embed_timestep = _Step(D, self.sequence_pos_encoder)
        self.embed_text = nn.Linear(CLIP_DIM, D)
        self.output_process = _Named("poseFinal", nn.Linear(D, FEATURES))

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        B, F, _, T = x.shape  # (B, 263, 1, T)
        time = self.embed_timestep.time_embed(self.sequence_pos_encoder.pe[t]).permute(1, 0, 2)  # (1, B, d)
        cond = self.embed_text(text)[None] + time  # (1, B, d)
        frames = self.input_process.poseEmbedding(x.permute(3, 0, 1, 2).reshape(T, B, F))  # (T, B, d)
        sequence = torch.cat([cond, frames]) + self.sequence_pos_encoder.pe[: T + 1]
        out = self.output_process.poseFinal(self.seqTransEncoder(sequence)[1:])  # (T, B, 263)
        return out.reshape(T, B, F, 1).permute(1, 2, 3, 0)  # (B, 263, 1, T)


@pytest.fixture(scope="module")
def mdm_file(tmp_path_factory):
    torch.manual_seed(0)
    raw, average = ReferenceMDM().eval(), ReferenceMDM().eval()
    path = tmp_path_factory.mktemp("mdm") / "model000600000.pt"
    torch.save({"model": raw.state_dict(), "model_avg": average.state_dict()}, path)
    return path, raw, average


def _stats():
    return np.zeros(FEATURES, dtype=np.float32), np.ones(FEATURES, dtype=np.float32)


def test_mdm_weights_reproduce_mdms_forward(mdm_file, tmp_path):
    path, raw, average = mdm_file
    mean, std = _stats()
    args = {"arch": "trans_enc", "diffusion_steps": 50, "noise_schedule": "cosine", "cond_mask_prob": 0.1}
    converted = mdm_to_checkpoint(path, mean=mean, std=std, args=args, clip_weights="/models/ViT-B-32.pt")
    assert (converted.model.latent_dim, converted.model.layers, converted.model.ff_dim) == (D, LAYERS, FF)
    assert converted.model.padding_mask is False and converted.text_encoder == "clip" and converted.text_dim == CLIP_DIM
    stored = load_checkpoint(save_checkpoint(tmp_path / "mdm_as_motion_loop.pt", converted))
    assert stored.model.text.clip_weights == "/models/ViT-B-32.pt" and stored.diffusion.steps == 50
    generator = torch.Generator().manual_seed(1)
    B, T = 3, 20
    x = torch.randn(B, T, FEATURES, generator=generator)
    t = torch.tensor([0, 17, 49])
    text = torch.randn(B, CLIP_DIM, generator=generator)
    for weights, reference in ((stored.weights, raw), (stored.ema_weights, average)):
        denoiser = MotionDenoiser(stored.model, text_dim=stored.text_dim, num_diffusion_steps=stored.diffusion.steps)
        denoiser.load_state_dict(weights)  # strict: every key and shape must match
        denoiser.eval()
        with torch.no_grad():
            ours = denoiser(x, t, text, torch.ones(B, T, dtype=torch.bool))
            theirs = reference(x.permute(0, 2, 1)[:, :, None], t, text)[:, :, 0].permute(0, 2, 1)
        assert torch.allclose(ours, theirs, atol=1e-5), float((ours - theirs).abs().max())
    assert not torch.allclose(stored.weights["input_proj.weight"], stored.ema_weights["input_proj.weight"])


def test_other_architectures_and_bad_tables_are_refused(mdm_file, tmp_path):
    path, raw, _ = mdm_file
    mean, std = _stats()
    with pytest.raises(MDMCheckpointError, match="only 'trans_enc'"):
        mdm_to_checkpoint(path, mean=mean, std=std, args={"arch": "trans_dec"})
    decoder = dict(raw.state_dict())
    decoder["seqTransDecoder.layers.0.linear1.weight"] = torch.zeros(FF, D)
    torch.save(decoder, tmp_path / "dec.pt")
    with pytest.raises(MDMCheckpointError, match="seqTransDecoder"):
        mdm_to_checkpoint(tmp_path / "dec.pt", mean=mean, std=std, args={})
    shifted = dict(raw.state_dict())
    shifted["sequence_pos_encoder.pe"] = shifted["sequence_pos_encoder.pe"] + 0.01
    torch.save(shifted, tmp_path / "pe.pt")
    with pytest.raises(MDMCheckpointError, match="sinusoidal"):
        mdm_to_checkpoint(tmp_path / "pe.pt", mean=mean, std=std, args={})
    with pytest.raises(MDMCheckpointError, match="mean and std"):
        mdm_to_checkpoint(path, mean=mean[:10], std=std, args={})
