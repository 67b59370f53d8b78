"""Data-layer speed: feature extraction (frames/s) and BVH import (clips/s on Bandai-Namco 1).

    python benchmarks/data_speed.py [--import-files N] [--repeats R]

Writes benchmarks/results/data_speed.json. Medians over repeats; the machine is shared, so compare
ratios and medians, not single runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import shared_data_dir, write_result  # noqa: E402

from motion_loop.data.features import features_to_joints, joints_to_features  # noqa: E402
from motion_loop.data.importer import ImportOptions, import_bvh_folder  # noqa: E402


def time_features(joints: np.ndarray, repeats: int) -> dict[str, float]:
    forward, backward = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        features = joints_to_features(joints)
        forward.append(time.perf_counter() - start)
        start = time.perf_counter()
        features_to_joints(features)
        backward.append(time.perf_counter() - start)
    frames = len(joints)
    return {
        "clip_frames": frames,
        "joints_to_features_frames_per_s_median": frames / statistics.median(forward),
        "features_to_joints_frames_per_s_median": frames / statistics.median(backward),
    }


def time_import(source: Path, files: int, repeats: int) -> dict[str, float]:
    rates, clips, used = [], 0, 0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            summary = import_bvh_folder(source, Path(out), ImportOptions(limit=files), progress=False)
            rates.append(summary.clips / (time.perf_counter() - start))
            clips, used = summary.clips, summary.files
    return {
        "files_limit": files or "all",
        "files_with_clips": used,
        "clips": clips,
        "clips_per_s_median": statistics.median(rates),
        "clips_per_s_all": rates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--import-files", type=int, default=0, help="files of Bandai-Namco 1 (default all)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = shared_data_dir()
    reference = data / "humanml3d-reference" / "new_joints" / "012314.npy"
    bandai = data / "bandai-namco" / "Bandai-Namco-Research-Motiondataset-1"
    if not reference.is_file() or not bandai.is_dir():
        sys.exit(f"shared data not found under {data}; set MOTION_LOOP_SHARED_DATA")
    result = {"features": time_features(np.load(reference), repeats=max(5, args.repeats * 5))}
    result["import_bandai_namco_1"] = time_import(bandai, args.import_files, args.repeats)
    write_result("data_speed", result)


if __name__ == "__main__":
    main()
