"""What content keys and checksums cost: hashing a dataset split, and checksummed save/load of a checkpoint.

    nice python benchmarks/io_costs.py dataset=~/data/bandai2 [megabytes=50] [repeats=3]

Writes benchmarks/results/io_costs.json. The dataset fingerprint reads every train clip's feature and
caption file (the first pass may read from disk, later ones from the page cache: both are reported).
Checkpoint figures compare plain torch.save/torch.load of a payload of `megabytes` float32 with the
checksummed versions (motion_loop.io.checked), medians over `repeats`.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.common import parse_options, write_result
from motion_loop.data.fingerprint import dataset_fingerprint
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.io.checked import load_torch_checked, save_torch_checked


def _seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def fingerprint_cost(root: Path, repeats: int) -> dict[str, object]:
    folder = HumanML3DFolder(root)
    ids = folder.ids("train")
    size = sum((folder.features_dir / f"{i}.npy").stat().st_size + (folder.texts_dir / f"{i}.txt").stat().st_size for i in ids)
    times = [_seconds(lambda: dataset_fingerprint(folder)) for _ in range(repeats)]
    return {"dataset": str(root), "train_clips": len(ids), "megabytes_hashed": round(size / 1e6, 1),
            "first_s": round(times[0], 3), "warm_median_s": round(statistics.median(times[1:] or times), 3)}  # fmt: skip


def checkpoint_cost(megabytes: int, repeats: int) -> dict[str, object]:
    payload = {"weights": torch.randn(megabytes * 1_000_000 // 4)}
    with tempfile.TemporaryDirectory() as scratch:
        plain, checked = Path(scratch) / "plain.pt", Path(scratch) / "checked.pt"
        rows = {"torch_save_s": [], "checked_save_s": [], "torch_load_s": [], "checked_load_s": []}
        for _ in range(repeats):
            rows["torch_save_s"].append(_seconds(lambda: torch.save(payload, plain)))
            rows["checked_save_s"].append(_seconds(lambda: save_torch_checked(checked, payload)))
            rows["torch_load_s"].append(_seconds(lambda: torch.load(plain, weights_only=False)))
            rows["checked_load_s"].append(_seconds(lambda: load_torch_checked(checked, what="x", fix="y")))
        assert torch.equal(load_torch_checked(checked, what="x", fix="y")["weights"], payload["weights"])
        assert torch.load(io.BytesIO(plain.read_bytes()))["weights"].numel() == payload["weights"].numel()
    return {"megabytes": megabytes, **{key: round(statistics.median(values), 3) for key, values in rows.items()}}


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    if "dataset" not in options:
        raise SystemExit("give dataset=DIR: an imported dataset (motion-loop data import ... --out DIR) to fingerprint")
    repeats = int(options.get("repeats", 3))
    torch.set_num_threads(1)
    result = {
        "command": "nice python benchmarks/io_costs.py " + " ".join(argv),
        "load_average_1min_at_start": os.getloadavg()[0],
        "fingerprint": fingerprint_cost(Path(options["dataset"]).expanduser(), repeats),
        "checkpoint": checkpoint_cost(int(options.get("megabytes", 50)), repeats),
    }
    print(result)
    write_result("io_costs", result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
