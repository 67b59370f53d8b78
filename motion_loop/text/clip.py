"""Optional text encoder: OpenAI CLIP ViT-B/32 `encode_text` (512-d), as the published model uses.

Only used when the `clip` package (github.com/openai/CLIP) is installed and the weights file is on disk;
this module never downloads anything.
"""

from __future__ import annotations

from pathlib import Path

import torch

from motion_loop.text.errors import TextEncoderUnavailable

CLIP_DIM = 512
# CLIP's full context; longer captions are truncated (the published model cuts at 20 words + sos/eos).
_CONTEXT_LENGTH = 77


class ClipEncoder:
    """CLIP ViT-B/32 text features, (B,) captions -> (B, 512) float32 on the CPU.

    Args:
        weights: path of the ViT-B/32 checkpoint (the file `clip.load` would cache, e.g. ViT-B-32.pt).
        device: where the encoder runs.

    Raises:
        TextEncoderUnavailable: `clip` is not installed or the weights file does not exist.
    """

    name = "clip"
    dim = CLIP_DIM

    def __init__(self, weights: str | Path, *, device: str = "cpu") -> None:
        path = Path(weights).expanduser() if str(weights) else None
        if path is None or not path.is_file():
            raise TextEncoderUnavailable(
                f"text encoder 'clip' needs the ViT-B/32 weights file on disk; text.clip_weights={str(weights)!r} "
                "is not a file (download ViT-B-32.pt once where the network is allowed and set the path), "
                "or use text.name=minilm"
            )
        try:
            import clip
        except ImportError as error:
            raise TextEncoderUnavailable(
                "text encoder 'clip' needs the package `clip` "
                "(pip install git+https://github.com/openai/CLIP.git); or use text.name=minilm"
            ) from error
        self._clip = clip
        self._device = device
        self._model, _ = clip.load(str(path), device=device, jit=False)
        self._model.eval()

    @torch.no_grad()
    def encode(self, captions: list[str]) -> torch.Tensor:
        if not captions:
            return torch.zeros(0, self.dim)
        tokens = self._clip.tokenize(list(captions), context_length=_CONTEXT_LENGTH, truncate=True)
        return self._model.encode_text(tokens.to(self._device)).float().cpu()
