"""Draw docs/procedural.png: one procedural clip per action family as stick-figure frames.

    python docs/procedural_figure.py [OUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from motion_loop.data.procedural import FAMILIES, clip_rng, generate_clip
from motion_loop.data.procedural.preview import draw_preview
from motion_loop.data.procedural.sampling import sample_one


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("procedural.png")
    rng = np.random.default_rng(2)
    rows = []
    for i, family in enumerate(FAMILIES):
        params = sample_one(family, rng, seed=100 + i)
        clip = generate_clip(params, clip_rng(params))
        rows.append((f"{family} ({params.style}, {params.duration:.1f} s): {clip.captions[0]}", clip.joints))
    draw_preview(out, rows)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
