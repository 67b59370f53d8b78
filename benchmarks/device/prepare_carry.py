"""Build `.gpu/`, the folder that travels with the working tree to a lent GPU machine (64 MiB limit).

It holds what that machine lacks (it has torch, numpy, scipy, matplotlib; no network):
    .gpu/data/   the loop's 64 train clips and 200 test clips of a HumanML3D-layout import (features,
                 captions, Mean/Std, splits): the whole Bandai-Namco 2 import (319 MB) cannot travel;
    .gpu/site/   the pure-Python packages hydra, omegaconf, antlr4 copied from this venv;
    .gpu/whl/    mujoco and mujoco-core wheels for CPython 3.12 (downloaded beforehand with
                 `pip download --no-deps --only-binary=:all: --python-version 3.12 ...`, see the
                 device tool's README);
    .gpu/textcache/  with --text-cache: the MiniLM embedding of every caption of the carried clips,
                 in the loop's on-disk text cache (the MiniLM weights, 88 MB, cannot travel; a fully
                 cached encoder never loads them).

    python benchmarks/device/prepare_carry.py ~/data/bandai2 --wheels /tmp/whl
    echo /.gpu/ >> .git/info/exclude        # once: the folder is carried, never committed
"""

from __future__ import annotations

import argparse
import random
import shutil
import site
from pathlib import Path

PURE_PYTHON = ("hydra", "omegaconf", "antlr4")


def _ids(root: Path, split: str) -> list[str]:
    return [line.strip() for line in (root / f"{split}.txt").read_text().splitlines() if line.strip()]


def _encode_captions(data: Path, cache_dir: Path) -> None:
    """Fill `cache_dir` with the MiniLM embedding of every caption of `data` (train and test splits)."""
    from motion_loop.data.dataset import MotionDataset
    from motion_loop.data.humanml3d import HumanML3DFolder
    from motion_loop.text.encoder import TextConfig, get_text_encoder

    folder = HumanML3DFolder(data)
    captions = sorted({c.text for split in ("train", "test") for item in MotionDataset(folder, split).items for c in item.captions})
    encoder = get_text_encoder(TextConfig(name="minilm", cache_dir=str(cache_dir)))
    encoder.encode(captions)
    print(f"{cache_dir}: {len(captions)} captions ({encoder.computed} newly encoded)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="HumanML3D-layout import (e.g. the Bandai-Namco 2 import)")
    parser.add_argument("--wheels", type=Path, required=True, help="folder of the cp312 mujoco wheels")
    parser.add_argument("--out", type=Path, default=Path(".gpu"))
    parser.add_argument("--train", type=int, default=64)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--text-cache", action="store_true", help="also encode every caption with MiniLM")
    args = parser.parse_args()
    rng = random.Random(0)
    train = sorted(rng.sample(_ids(args.data, "train"), args.train))
    test = sorted(rng.sample(_ids(args.data, "test"), args.test))
    data = args.out / "data"
    for folder in ("new_joint_vecs", "texts"):
        (data / folder).mkdir(parents=True, exist_ok=True)
    for clip_id in train + test:
        shutil.copy(args.data / "new_joint_vecs" / f"{clip_id}.npy", data / "new_joint_vecs")
        shutil.copy(args.data / "texts" / f"{clip_id}.txt", data / "texts")
    for name in ("Mean.npy", "Std.npy", "meta.json"):
        shutil.copy(args.data / name, data)
    for split, ids in (("train", train), ("test", test), ("all", sorted(train + test))):
        (data / f"{split}.txt").write_text("".join(f"{clip_id}\n" for clip_id in ids))
    packages = Path(site.getsitepackages()[0])
    for name in PURE_PYTHON:
        shutil.copytree(packages / name, args.out / "site" / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (args.out / "whl").mkdir(parents=True, exist_ok=True)
    for wheel in args.wheels.glob("mujoco*.whl"):
        shutil.copy(wheel, args.out / "whl")
    if args.text_cache:
        _encode_captions(data, args.out / "textcache")
    size = sum(path.stat().st_size for path in args.out.rglob("*") if path.is_file())
    print(f"{args.out}: {size / 2**20:.1f} MiB ({len(train)} train + {len(test)} test clips)")


if __name__ == "__main__":
    main()
