"""Filmstrip of kept samples (benchmarks/model_coherence.py) against the real clips of the same prompts.

    nice python benchmarks/coherence_filmstrip.py /tmp/bandai2 ref=A.npz conv3=B.npz --contents walk run \
        --out docs/img/coherence_filmstrip.png

For the first prompt of each content: the real clip, then each labelled sample set's clip, over
consecutive frames (motion_loop.viz.coherence_strip).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from motion_loop.data.features import features_to_joints
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.coherence import content_label
from motion_loop.viz.coherence_strip import save_coherence_filmstrip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("samples", nargs="+", help="LABEL=path.npz")
    parser.add_argument("--contents", nargs="+", default=["walk", "run"])
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    folder = HumanML3DFolder(args.dataset)
    sets = {label: np.load(path) for label, path in (item.split("=", 1) for item in args.samples)}
    first = next(iter(sets.values()))
    clip_ids, captions = [str(i) for i in first["clip_ids"]], [str(c) for c in first["captions"]]
    rows = []
    for content in args.contents:
        index = next(i for i, clip_id in enumerate(clip_ids) if content_label(clip_id) == content)
        features = {label: data[f"features_{index}"] for label, data in sets.items()}
        length = len(next(iter(features.values())))
        real = features_to_joints(np.load(folder.features_dir / f"{clip_ids[index]}.npy")[:length])
        clips = [("real", real)] + [(label, features_to_joints(f)) for label, f in features.items()]
        rows.append((captions[index], clips))
    print(save_coherence_filmstrip(rows, args.out, frames=args.frames))
    return 0


if __name__ == "__main__":
    sys.exit(main())
