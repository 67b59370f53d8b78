"""Text encoders behind one interface (`TextEncoder.encode(list[str]) -> (B, D)`), with a per-caption cache."""

from motion_loop.text.cache import CachedEncoder
from motion_loop.text.encoder import (
    ENCODERS,
    HashEncoder,
    TextConfig,
    TextEncoder,
    get_text_encoder,
)
from motion_loop.text.errors import TextEncoderUnavailable

__all__ = [
    "ENCODERS",
    "CachedEncoder",
    "HashEncoder",
    "TextConfig",
    "TextEncoder",
    "TextEncoderUnavailable",
    "get_text_encoder",
]
