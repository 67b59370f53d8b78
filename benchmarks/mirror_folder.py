"""A dataset folder whose train split is given clips plus their left-right mirrors (issue 16's data lever).

    python benchmarks/mirror_folder.py ~/data/bandai2 --ids IDS.txt --out ~/data/loop64_mirrored
    python benchmarks/mirror_folder.py ~/data/bandai2 --ids IDS.txt --no-mirror --out ~/data/loop64

IDS.txt lists train clip ids, one per line (e.g. the 64 real clips of a loop run, the `source` ids of
its `gen_000/synthetic/origins.json`). The new folder links every clip of the source folder, writes
the mirror of each listed clip (HumanML3D's convention: id `M` + id, left and right exchanged in the
captions; motion_loop.data.mirror), and lists the clips and their mirrors in train.txt. Everything
else, the normalisation statistics included, is the source's, so a model fine-tuned on the new folder
differs from one fine-tuned on the listed clips alone (`--no-mirror`) only by the mirrors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from motion_loop.data.humanml3d import HumanML3DFolder, write_clip, write_splits
from motion_loop.data.mirror import mirror_clip

_CLIP_DIRS = ("new_joint_vecs", "new_joints", "texts")
_SPLITS = ("train", "val", "test")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="a HumanML3D-layout folder (motion-loop data import)")
    parser.add_argument("--ids", type=Path, required=True, help="file of train clip ids, one per line")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-mirror", action="store_true", help="the listed clips alone (the paired control)")
    args = parser.parse_args()
    source = HumanML3DFolder(args.source)
    ids = [line.strip() for line in args.ids.read_text().splitlines() if line.strip()]
    unknown = sorted(set(ids) - set(source.ids("train")))
    if unknown:
        raise SystemExit(f"{len(unknown)} ids are not in {args.source}/train.txt, e.g. {unknown[:3]}")
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: choose a new folder")
    args.out.mkdir(parents=True)
    for name in _CLIP_DIRS:
        (args.out / name).mkdir()
        for path in (source.root / name).iterdir():
            (args.out / name / path.name).symlink_to(path.resolve())
    for path in source.root.iterdir():  # statistics, metadata, preview
        if path.is_file() and path.suffix != ".txt":
            (args.out / path.name).symlink_to(path.resolve())
    train = list(ids)
    if not args.no_mirror:
        for clip_id in ids:
            clip = mirror_clip(clip_id, np.load(source.joints_dir / f"{clip_id}.npy"), source.captions(clip_id))
            write_clip(args.out, clip.clip_id, joints=clip.joints, features=clip.features, captions=clip.captions)
            train.append(clip.clip_id)
    write_splits(args.out, {"train": train, **{name: source.ids(name) for name in _SPLITS[1:]}})
    print(f"{args.out}: {len(train)} train clips ({len(ids)} listed{'' if args.no_mirror else ' + their mirrors'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
